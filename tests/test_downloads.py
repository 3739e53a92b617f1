"""Every program can be taken away: its notebook and its script, in the page's language (hooks/program_downloads.py).

Over HTTP from the built site: every program page of every language links `programs/<name>.ipynb`
and `programs/<name>.py` from a download box under its title, and both are served; the notebook
holds the cells of the page's language and exactly the outputs the page shows; the script holds the
same cells. One quick program's notebook, downloaded, runs unchanged with nbclient in a fresh kernel
in an empty folder and prints what the page prints; its script does the same under plain `python`.
The offline copy carries the files and its pages link them; a program page's first visit does not
fetch them.
"""

from __future__ import annotations

import base64
import html.parser
import os
import subprocess
import sys
import urllib.request
import zipfile
from pathlib import PurePosixPath
from urllib.parse import urljoin, urlsplit

import jupytext
import nbclient
import nbformat
import pytest

from helpers import LANGS, PREFIX, REFERENCE, SNIPPETS, import_tool

offline = import_tool("offline", "hooks")
PROGRAMS = sorted(p.stem for p in SNIPPETS.glob("*.py"))
QUICK = "linear_regression_scratch"  # a few seconds in a fresh kernel


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=30) as response:
        assert response.status == 200, f"{url}: HTTP {response.status}"
        return response.read()


class ProgramPage(html.parser.HTMLParser):
    """What a program page shows: its title, the links of its download box (href, download
    attribute), the texts of the box, and the outputs of its cells in order: ("text", printed text)
    or ("image", PNG bytes)."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.title, self.box_links, self.box_text, self.outputs = "", [], [], []
        self._depth = {"box": 0, "output": 0}  # open <div>s inside the box / inside an output
        self._in = {"h1": False, "pre": False}
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        classes = (a.get("class") or "").split()
        for part in self._depth:
            if self._depth[part] and tag == "div":
                self._depth[part] += 1
        if tag == "div" and "program-downloads" in classes:
            self._depth["box"] = 1
        if tag == "div" and "jp-OutputArea-output" in classes:
            self._depth["output"] = 1
        if tag == "h1" and not self.title:
            self._in["h1"] = True
        if tag == "a" and self._depth["box"]:
            self.box_links.append((a.get("href"), a.get("download")))
        if self._depth["output"] and tag == "pre":
            self._in["pre"] = True
            self.outputs.append(["text", ""])
        if self._depth["output"] and tag == "img":
            src = a.get("src", "")
            assert src.startswith("data:image/png;base64,"), src[:60]
            self.outputs.append(["image", base64.b64decode(src.split(",", 1)[1])])

    def handle_endtag(self, tag):
        if tag == "div":
            for part in self._depth:
                if self._depth[part]:
                    self._depth[part] -= 1
        if tag in self._in:
            self._in[tag] = False

    def handle_data(self, data):
        if self._in["h1"]:
            self.title += data
        if self._in["pre"]:
            self.outputs[-1][1] += data
        if self._depth["box"]:
            self.box_text.append(data)


def notebook_outputs(nb) -> list[list]:
    """The outputs a page renders from a notebook, in order, as ProgramPage lists them."""
    found = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.output_type == "stream":
                found.append(["text", out.text])
            elif "image/png" in out.get("data", {}):
                found.append(["image", base64.b64decode(out.data["image/png"])])
            elif "text/plain" in out.get("data", {}):
                found.append(["text", out.data["text/plain"]])
            else:
                raise AssertionError(f"an output the test does not know: {out}")
    return found


def brief(outputs: list[list]) -> list[str]:
    return [f"{kind}: {value[:80]!r}" if kind == "text" else f"{kind}: {len(value)} bytes" for kind, value in outputs]


def printed(nb) -> str:
    return "".join(out.text for cell in nb.cells for out in cell.get("outputs", [])
                   if out.output_type == "stream" and out.name == "stdout")


def same_text(a: str, b: str) -> bool:
    return a.rstrip("\n") == b.rstrip("\n")


def same_outputs(page: list[list], nb: list[list]) -> bool:
    return len(page) == len(nb) and all(
        p[0] == n[0] and (p[1] == n[1] if p[0] == "image" else same_text(p[1], n[1])) for p, n in zip(page, nb))


def page_url(server: str, lang: str, name: str) -> str:
    return f"{server}{PREFIX[lang]}programs/{name}/"


@pytest.fixture(scope="module")
def downloaded(server):
    """(lang, name) -> (the page, its notebook's URL, the notebook's bytes, the script's URL, the script's text)."""
    cache = {}

    def get(lang: str, name: str):
        if (lang, name) not in cache:
            url = page_url(server, lang, name)
            page = ProgramPage(fetch(url).decode("utf-8"))
            links = {urlsplit(href).path.rsplit(".", 1)[-1]: (urljoin(url, href), download)
                     for href, download in page.box_links if href.endswith((".ipynb", ".py"))}
            assert set(links) == {"ipynb", "py"}, f"{url}: the download box links {page.box_links}"
            for suffix, (target, download) in links.items():
                assert target == f"{server}{PREFIX[lang]}programs/{name}.{suffix}", f"{url}: links {target}"
                assert download == f"{name}.{suffix}", f"{url}: download={download!r} on the link to {target}"
            cache[lang, name] = (page, links["ipynb"][0], fetch(links["ipynb"][0]),
                                 links["py"][0], fetch(links["py"][0]).decode("utf-8"))
        return cache[lang, name]

    return get


def language_cells(name: str, lang: str) -> list[tuple[str, str]]:
    """(type, source) of the cells the program shows in one language, from snippets/."""
    nb = jupytext.read(SNIPPETS / f"{name}.py")
    keep = [c for c in nb.cells if not set(c.metadata.get("tags", [])) & set(LANGS) - {lang}]
    return [(c.cell_type, c.source) for c in keep]


@pytest.mark.parametrize("name", PROGRAMS)
@pytest.mark.parametrize("lang", LANGS)
def test_page_offers_notebook_and_script_in_its_language(downloaded, lang, name):
    page, nb_url, nb_bytes, py_url, py_text = downloaded(lang, name)
    nb = nbformat.reads(nb_bytes.decode("utf-8"), as_version=4)
    nbformat.validate(nb)
    cells = [(c.cell_type, c.source) for c in nb.cells]
    assert cells == language_cells(name, lang), f"{nb_url}: not the cells of the {lang} page"
    assert nb.cells[0].source.startswith(f"# {page.title.rstrip('#').strip()}"), f"{nb_url}: not the page's title"
    assert not any(set(c.metadata.get("tags", [])) & set(LANGS) for c in nb.cells), f"{nb_url}: language tags left"
    script = jupytext.reads(py_text, fmt="py:percent")
    assert [(c.cell_type, c.source) for c in script.cells] == cells, f"{py_url}: not the notebook's cells"
    assert py_text.startswith("# %%"), f"{py_url}: not a bare percent script (a header before the first cell)"
    box = "".join(page.box_text)
    for command in (f"python {name}.py", f"jupyter lab {name}.ipynb", "pip install torch==", "matplotlib=="):
        assert command in box, f"{page_url('', lang, name)}: the download box does not say {command!r}"
    assert ("scikit-learn==" in box) == ("sklearn" in py_text), f"{name}: scikit-learn listed wrongly"


@pytest.mark.parametrize("name", PROGRAMS)
@pytest.mark.parametrize("lang", LANGS)
def test_notebook_holds_the_outputs_the_page_shows(downloaded, lang, name):
    page, nb_url, nb_bytes, _, _ = downloaded(lang, name)
    nb = nbformat.reads(nb_bytes.decode("utf-8"), as_version=4)
    on_page, in_notebook = page.outputs, notebook_outputs(nb)
    assert on_page, f"{name}: the page shows no output"
    assert same_outputs(on_page, in_notebook), (
        f"{nb_url}: outputs differ from the page's:\npage: {brief(on_page)}\nnotebook: {brief(in_notebook)}")


def test_downloaded_notebook_runs_unchanged_in_a_fresh_kernel(downloaded, tmp_path):
    _, nb_url, nb_bytes, _, _ = downloaded(REFERENCE, QUICK)
    path = tmp_path / PurePosixPath(urlsplit(nb_url).path).name
    path.write_bytes(nb_bytes)
    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=300, kernel_name="python3", allow_errors=False,
                                     resources={"metadata": {"path": str(tmp_path)}})
    client.execute()  # a kernel of its own, started here and shut down after
    assert printed(nb) == printed(nbformat.reads(nb_bytes.decode("utf-8"), as_version=4)), \
        f"{nb_url}: prints something else than the page when run again"
    assert "checks passed" in printed(nb)


def test_downloaded_script_runs_with_python(downloaded, tmp_path):
    _, nb_url, nb_bytes, py_url, py_text = downloaded(REFERENCE, QUICK)
    path = tmp_path / PurePosixPath(urlsplit(py_url).path).name
    path.write_text(py_text, "utf-8")
    env = {**os.environ, "MPLBACKEND": "Agg"}
    run = subprocess.run([sys.executable, path.name], cwd=tmp_path, env=env, capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0, f"python {path.name} failed:\n{run.stderr[-3000:]}"
    assert run.stdout == printed(nbformat.reads(nb_bytes.decode("utf-8"), as_version=4)), \
        f"python {path.name} prints something else than the page:\n{run.stdout}"


def test_offline_copy_links_the_same_files(built_site, downloaded):
    with zipfile.ZipFile(built_site / offline.DOWNLOAD) as archive:
        names = set(archive.namelist())
        for lang in LANGS:
            page_path = PurePosixPath(offline.ZIP_FOLDER, PREFIX[lang], "programs", f"{QUICK}.html")
            page = ProgramPage(archive.read(str(page_path)).decode("utf-8"))
            _, _, nb_bytes, _, py_text = downloaded(lang, QUICK)
            targets = {}
            for href, _ in page.box_links:
                if href.endswith((".ipynb", ".py")):
                    target = PurePosixPath(urljoin(page_path.as_posix(), href))
                    assert str(target) in names, f"{page_path}: links {href}, not in the zip"
                    targets[target.suffix] = archive.read(str(target))
            assert targets == {".ipynb": nb_bytes, ".py": py_text.encode("utf-8")}, f"{page_path}: other files"


@pytest.mark.parametrize("lang", LANGS)
def test_first_visit_does_not_fetch_the_downloads(server, browser, lang):
    context = browser.new_context(service_workers="block")
    try:
        page = context.new_page()
        requests: list[str] = []
        page.on("request", lambda r: requests.append(r.url))
        page.goto(page_url(server, lang, QUICK), wait_until="networkidle")
        box = page.locator(".program-downloads")
        assert box.is_visible(), "the download box is not shown"
        assert box.evaluate("e => e.previousElementSibling && e.previousElementSibling.tagName") == "H1", \
            "the download box is not right under the title"
        fetched = [u for u in requests if urlsplit(u).path.endswith((".ipynb", ".py"))]
        assert not fetched, f"the page fetched {fetched} on load"
    finally:
        context.close()
