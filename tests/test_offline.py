"""The offline copy: the zip the home pages link to, unzipped and read from file:// in Chromium.

Both home pages link to the same zip, published in each language (hooks/offline.py, DOWNLOAD). Unzipped,
every page's links name existing files (a link to a folder opens a file listing from file://); the
home page, a chapter and a program page of each language load with no console error and no request
to any http(s) host, with formulas as MathML and plots inline; clicking the navigation, the language
switcher and searching (a query typed in each language's box) land on the right files; the scheme
toggle switches, and its choice holds on the next page.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest

from helpers import LANGS, PREFIX, SWITCHES, built_pages, import_tool, open_search, parse_page, settled_results

offline = import_tool("offline", "hooks")
PROGRAM = "linear_regression_scratch"
FILES = {"home": "index.html", "chapter": "mini-batch-sgd.html", "program": f"programs/{PROGRAM}.html"}
LEARNING_RATE = ("mini-batch-sgd.html", "sgd-hyperparameters.html", "programs/sgd_learning_rate.html")  # the chapter, or the program on η
QUERY = {"zh": "学习率", "en": "learning rate"}
RAW_TEX = r"/\\\(|\\\[|\$\$|\\frac|\\sum|\\mathbf|\\eta|\$[^$\s][^$]*\\[a-z]+[^$]*\$/g"


@pytest.fixture(scope="module")
def offline_root(built_site, tmp_path_factory) -> Path:
    """The zip published with the site, unzipped into a temporary folder: its one folder."""
    out = tmp_path_factory.mktemp("offline")
    with zipfile.ZipFile(built_site / offline.DOWNLOAD) as archive:
        archive.extractall(out)
    root = out / offline.ZIP_FOLDER
    assert all((root / PREFIX[lang] / "index.html").is_file() for lang in LANGS), sorted(out.rglob("*"))[:20]
    return root


def url(root: Path, lang: str, rel: str) -> str:
    return (root / PREFIX[lang] / rel).as_uri()


class FilePage:
    """A page opened from file://, recording console errors and requests to any http(s) host."""

    def __init__(self, browser):
        self.context = browser.new_context(viewport={"width": 1280, "height": 800}, service_workers="block")
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.remote: list[str] = []
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: urlsplit(r.url).scheme in ("http", "https", "ws", "wss")
                     and self.remote.append(r.url))
        self.page.on("requestfailed", lambda r: "ERR_ABORTED" not in (r.failure or "")  # left the page
                     and self.errors.append(f"{r.url}: {r.failure}"))

    def open(self, address: str) -> None:
        self.page.goto(address, wait_until="load")
        self.page.wait_for_timeout(150)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.context.close()


def test_both_home_pages_link_to_the_published_zip(built_site):
    for lang in LANGS:
        home = built_site / PREFIX[lang] / "index.html"
        assert offline.DOWNLOAD in parse_page(home).anchors, f"{home}: no link to {offline.DOWNLOAD}"
        assert (built_site / PREFIX[lang] / offline.DOWNLOAD).is_file()
    zips = {(built_site / PREFIX[lang] / offline.DOWNLOAD).read_bytes() for lang in LANGS}
    assert len(zips) == 1, "the two languages publish different zips"


def test_every_link_of_the_copy_names_a_file(offline_root):
    broken = []
    for page in built_pages(offline_root):
        for href in parse_page(page).anchors:
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or not parts.path:
                continue
            target = Path(unquote(urlsplit(urljoin(page.as_uri(), href)).path))
            if not target.is_file():
                broken.append(f"{page.relative_to(offline_root)} -> {href}")
            elif parts.fragment and target.suffix == ".html" and unquote(parts.fragment) not in parse_page(target).ids:
                broken.append(f"{page.relative_to(offline_root)} -> {href} (no such id)")
    assert not broken, "links that open no file from file://:\n" + "\n".join(broken)


@pytest.mark.parametrize("lang", LANGS)
def test_pages_load_from_file_with_math_and_plots(browser, offline_root, lang):
    problems = []
    with FilePage(browser) as w:
        for kind, rel in FILES.items():
            w.errors.clear()
            w.remote.clear()
            w.open(url(offline_root, lang, rel))
            problems += [f"{lang} {rel}: console error: {e}" for e in w.errors]
            problems += [f"{lang} {rel}: request to {u}" for u in w.remote]
            raw = w.page.evaluate(f"""() => {{
                const clone = document.querySelector('article').cloneNode(true);
                clone.querySelectorAll('pre, code, math, script, style').forEach(e => e.remove());
                return clone.innerText.match({RAW_TEX}) || [];
            }}""")
            problems += [f"{lang} {rel}: raw TeX {r!r}" for r in raw]
            if kind == "chapter" and not w.page.locator("article math").count():
                problems.append(f"{lang} {rel}: no MathML formula")
            if kind == "program":
                plots = w.page.evaluate("""() => [...document.querySelectorAll('article img[src^="data:image/"]')]
                                              .map(img => img.complete && img.naturalWidth > 0)""")
                if not plots or not all(plots):
                    problems.append(f"{lang} {rel}: plots (data: images) missing or not decoded: {plots}")
            if kind == "home" and w.page.locator("#offline").count():
                problems.append(f"{lang} {rel}: the offline copy offers itself for download")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("lang", LANGS)
def test_navigation_links_open_the_right_files(browser, offline_root, lang):
    with FilePage(browser) as w:
        for start, target in [("index.html", "mini-batch-sgd.html"), (f"programs/{PROGRAM}.html", "api-glossary.html"),
                              ("programs/sgd_batch_size.html", "programs/sgd_path.html")]:
            w.open(url(offline_root, lang, start))
            href = Path(target).name
            w.page.locator(f".md-sidebar--primary a.md-nav__link[href$='{href}']").first.click()
            w.page.wait_for_load_state("load")
            assert w.page.url == url(offline_root, lang, target), f"{lang} {start}: clicked {target}, got {w.page.url}"
        assert not w.errors and not w.remote, (w.errors, w.remote)


@pytest.mark.parametrize("kind", sorted(FILES))
@pytest.mark.parametrize("lang,other", SWITCHES)
def test_switcher_lands_on_the_counterpart_file(browser, offline_root, lang, other, kind):
    with FilePage(browser) as w:
        w.open(url(offline_root, lang, FILES[kind]))
        w.page.hover(".md-header__option .md-select")
        w.page.click(f".md-select__link[hreflang={other}]")
        w.page.wait_for_load_state("load")
        assert w.page.url == url(offline_root, other, FILES[kind])
        assert w.page.evaluate("document.documentElement.lang") == other
        assert not w.errors and not w.remote, (w.errors, w.remote)


@pytest.mark.parametrize("lang", LANGS)
def test_search_works_from_file(browser, offline_root, lang):
    """Material runs its search worker in an iframe from file:// (overrides/assets/search/iframe-worker.js)
    and reads the index from search/search_index.js; search_zh.js segments the Chinese query."""
    with FilePage(browser) as w:
        w.open(url(offline_root, lang, "index.html"))
        open_search(w.page)
        w.page.keyboard.type(QUERY[lang], delay=40)
        _, links = settled_results(w.page)
        assert links, f"{QUERY[lang]!r}: no result from file://"
        first = urlsplit(links[0])._replace(query="", fragment="").geturl()
        want = [url(offline_root, lang, rel) for rel in LEARNING_RATE]
        assert first in want, f"{QUERY[lang]!r}: first result {links[0]}, want one of {want}"
        home = (offline_root / PREFIX[lang]).as_uri() + "/"
        others = [link for link in links if not link.startswith(home) or any(
                  PREFIX[o].startswith(PREFIX[lang]) and link.startswith((offline_root / PREFIX[o]).as_uri() + "/")
                  for o in LANGS if o != lang)]
        assert not others, f"results outside the {lang} site: {others}"
        assert not w.errors and not w.remote, (w.errors, w.remote)


@pytest.mark.parametrize("lang", LANGS)
def test_scheme_toggle_works_from_file(browser, offline_root, lang):
    """The toggle (overrides/partials/palette.html) switches to the dark scheme from file://, and
    the next page opened from the copy is dark too: the choice is kept with no server."""
    scheme = "document.body.dataset.mdColorScheme"
    with FilePage(browser) as w:
        w.open(url(offline_root, lang, FILES["home"]))
        assert w.page.evaluate(scheme) == "default"
        w.page.locator("#site-palette button:visible").click()
        assert w.page.evaluate(scheme) == "slate"
        w.open(url(offline_root, lang, FILES["chapter"]))
        assert w.page.evaluate(scheme) == "slate", f"{lang}: the choice was not kept from file://"
        assert not w.errors and not w.remote, (w.errors, w.remote)
