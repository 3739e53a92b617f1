"""Every program page offers its program to take away: the notebook and the script, in the page's language.

For each program page `programs/<name>.ipynb` (the executed notebook that hooks/programs.py writes
for the language being built), this hook adds two files to the site, beside the page:

- `programs/<name>.ipynb`: that notebook, with the outputs the page shows, without the build's
  bookkeeping (language tags, execution times, jupytext's metadata);
- `programs/<name>.py`: the same cells as a jupytext percent script, without outputs, which
  `python <name>.py` runs and jupytext opens as a notebook.

and puts a download box under the page's title: the two files (name, what they are, size) and how
to run them. The words come from `extra.program_downloads` of each language's configuration
(mkdocs.yml, mkdocs.en.yml), written once per language; `{name}`, `{pip}` and `{python}` in them
become the program's name, the packages its code imports pinned as in requirements.txt, and the
Python version the site is built with; `{file}` and `{size}` in a file's line, its link and size. The files are only linked: a page's first visit does not
fetch them.
"""

from __future__ import annotations

import ast
import copy
import functools
import hashlib
import html as htmllib
import importlib.metadata
import json
import os
import re
import sys
from pathlib import Path, PurePosixPath

import jupytext
import markdown
import nbformat
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File

from languages import languages  # hooks/ is on sys.path while MkDocs loads a hook

ROOT = Path(__file__).resolve().parent.parent
REQUIREMENTS = ROOT / "requirements.txt"
CACHE = ROOT / ".cache" / "downloads"
FOLDER = "programs"
LANGS = {lang.lang for lang in languages()}
KEYS = ("title", "notebook", "script", "run_title", "run")  # of extra.program_downloads
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)")
_H1_END = re.compile(r"</h1>")

# page src_uri -> {"notebook": File, "script": File, "pip": str}, for the build under way
_downloads: dict[str, dict] = {}


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


@functools.lru_cache(maxsize=None)
def pins() -> dict[str, str]:
    """requirements.txt's `name==version` lines, in its order, keyed by normalised name."""
    found = {}
    for line in REQUIREMENTS.read_text("utf-8").splitlines():
        m = _PIN.match(line.strip())
        if m:
            found[_norm(m[1])] = f"{m[1]}=={m[2]}"
    return found


def imported_modules(nb: nbformat.NotebookNode) -> set[str]:
    """Top-level names of the modules the notebook's code cells import."""
    names = set()
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for node in ast.walk(ast.parse(cell.source)):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return names


def requirements(nb: nbformat.NotebookNode, where: str) -> list[str]:
    """The pinned requirements (requirements.txt's order) of the packages the notebook imports."""
    dists = importlib.metadata.packages_distributions()
    wanted = set()
    for module in imported_modules(nb):
        if module in sys.stdlib_module_names:
            continue
        found = [_norm(d) for d in dists.get(module, [])]
        pinned = [d for d in found if d in pins()]
        if not pinned:
            raise PluginError(f"{where}: imports {module!r}, which requirements.txt does not pin")
        wanted.update(pinned)
    return [pin for name, pin in pins().items() if name in wanted]


def clean_notebook(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The notebook as a reader gets it: its cells and outputs, without the language tags of
    snippets/, the kernel's execution times or jupytext's pairing metadata."""
    out = copy.deepcopy(nb)
    out.metadata.pop("jupytext", None)
    for cell in out.cells:
        cell.metadata.pop("execution", None)
        tags = [t for t in cell.metadata.get("tags", []) if t not in LANGS]
        if tags:
            cell.metadata["tags"] = tags
        else:
            cell.metadata.pop("tags", None)
    nbformat.validate(out)
    return out


def script(nb: nbformat.NotebookNode) -> str:
    """The notebook's cells as a jupytext percent script, without outputs or metadata."""
    bare = copy.deepcopy(nb)
    for cell in bare.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    bare.metadata["jupytext"] = {"notebook_metadata_filter": "-all", "cell_metadata_filter": "-all"}
    return jupytext.writes(bare, fmt="py:percent")


def _download(config, name: str, suffix: str, content: str) -> File:
    # The page itself is programs/<name>.ipynb among the site's files: the download is the
    # generated file programs/downloads/<name><suffix>, published beside the page.
    file = File.generated(config, f"{FOLDER}/downloads/{name}{suffix}", content=content)
    file.dest_uri = f"{FOLDER}/{name}{suffix}"
    return file


@event_priority(50)  # after hooks/programs.py (100) has added the program pages
def on_files(files, config):
    _downloads.clear()
    for page in list(files):
        uri = PurePosixPath(page.src_uri)
        if uri.parent.as_posix() != FOLDER or uri.suffix != ".ipynb" or page.abs_src_path is None:
            continue
        notebook, text, pip = converted(page.content_string, page.src_uri)
        ipynb = _download(config, uri.stem, ".ipynb", notebook)
        py = _download(config, uri.stem, ".py", text)
        files.append(ipynb)
        files.append(py)
        _downloads[page.src_uri] = {"notebook": ipynb, "script": py, "pip": pip}
    return files


def converted(text: str, src_uri: str) -> tuple[str, str, str]:
    """(the notebook, the script, the pip line) for a program page's notebook text. Validating
    and converting the 8 notebooks costs about 1.5 s a language, on every build: the results are
    kept in .cache/downloads, keyed on the notebook, this hook, requirements.txt and the versions
    of nbformat and jupytext."""
    key = hashlib.sha256("\0".join([
        text, Path(__file__).read_text("utf-8"), REQUIREMENTS.read_text("utf-8"),
        importlib.metadata.version("nbformat"), importlib.metadata.version("jupytext")]).encode()).hexdigest()[:24]
    path = CACHE / f"{key}.json"
    if path.is_file():
        return tuple(json.loads(path.read_text("utf-8")))
    nb = clean_notebook(nbformat.reads(text, as_version=4))
    result = (nbformat.writes(nb) + "\n", script(nb), " ".join(requirements(nb, src_uri)))
    CACHE.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}")
    partial.write_text(json.dumps(result), "utf-8")
    os.replace(partial, path)
    return result


_markdown: list = [None, None]  # the configuration being built and its Markdown converter


def _render(text: str, config) -> str:
    """Markdown to HTML as the site's pages are converted (the site's extensions: code blocks
    look and copy as everywhere else)."""
    if _markdown[0] is not config:
        _markdown[:] = [config, markdown.Markdown(extensions=config.markdown_extensions,
                                                  extension_configs=config.mdx_configs)]
    md = _markdown[1]
    md.reset()
    return md.convert(text)


def _words(config) -> dict[str, str]:
    words = config.extra.get("program_downloads") or {}
    missing = [k for k in KEYS if not words.get(k)]
    if missing:
        raise PluginError(f"{config.config_file_path}: extra.program_downloads lacks {', '.join(missing)}")
    return words


def _size(file: File) -> str:
    return f"{max(1, round(len(file.content_bytes) / 1024))} KB"


def box(page, config) -> str:
    """The download box of a program page, in the page's language."""
    found = _downloads[page.file.src_uri]
    words = _words(config)
    name = PurePosixPath(page.file.src_uri).stem
    values = {"{name}": name, "{pip}": found["pip"], "{python}": f"{sys.version_info[0]}.{sys.version_info[1]}"}

    def fill(text: str) -> str:
        for key, value in values.items():
            text = text.replace(key, value)
        return text

    items = []
    for kind in ("notebook", "script"):
        file = found[kind]
        filename = PurePosixPath(file.dest_uri).name
        link = (f'<a href="{htmllib.escape(file.url_relative_to(page.file))}" download="{filename}">'
                f"<code>{filename}</code></a>")
        text = htmllib.escape(fill(words[kind]).replace("{size}", _size(file)))
        items.append(f"<li>{text.replace('{file}', link)}</li>")
    return (
        '<div class="admonition download program-downloads">'
        f'<p class="admonition-title">{htmllib.escape(fill(words["title"]))}</p>'
        f'<ul>{"".join(items)}</ul>'
        f'<details class="info"><summary>{htmllib.escape(fill(words["run_title"]))}</summary>'
        f'{_render(fill(words["run"]), config)}</details>'
        "</div>"
    )


def on_page_content(html, page, config, files):
    if page.file.src_uri not in _downloads:
        return html
    if not _H1_END.search(html):
        raise PluginError(f"{page.file.src_uri}: a program page needs a '# ' title for its download box to follow")
    return _H1_END.sub(lambda m: m[0] + box(page, config), html, count=1)
