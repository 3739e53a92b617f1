"""Every program page offers its program to take away, in the page's language.

Beside each program page `programs/<name>.ipynb` (hooks/programs.py), this hook publishes
`programs/<name>.ipynb`, the page's notebook with its outputs but not the build's bookkeeping, and
`programs/<name>.py`, the same cells as a jupytext percent script, and puts a box under the page's
title: the two files (only linked: a first visit does not fetch them), their sizes and how to run
them. The words are each language's `extra.program_downloads`: `{name}`, `{pip}` and `{python}` in
them become the program's name, the packages its code imports pinned as in requirements.txt, and the
build's Python version; `{file}` and `{size}` in a file's line, its link and size.
"""

import ast
import functools
import hashlib
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
from packaging.utils import canonicalize_name

import languages  # hooks/ is on sys.path while MkDocs loads a hook

ROOT = Path(__file__).resolve().parent.parent
REQUIREMENTS = ROOT / "requirements.txt"
CACHE = ROOT / ".cache" / "downloads"
LANGS = {lang.lang for lang in languages.languages()}
KEYS = ("title", "notebook", "script", "run_title", "run")  # of extra.program_downloads
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)", re.M)

# page src_uri -> {"notebook": File, "script": File, "pip": str}, for the build under way
_downloads: dict[str, dict] = {}


def requirements(script: str, where: str) -> list[str]:
    """The pinned requirements (requirements.txt's order) of the packages a script imports."""
    pins = {canonicalize_name(m[1]): m[0] for m in _PIN.finditer(REQUIREMENTS.read_text("utf-8"))}
    dists = _packages()
    modules = set()
    for node in ast.walk(ast.parse(script)):
        if isinstance(node, ast.Import):
            modules.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            modules.add(node.module.split(".")[0])
    wanted = set()
    for module in modules - set(sys.stdlib_module_names):
        pinned = {canonicalize_name(d) for d in dists.get(module, [])} & set(pins)
        if not pinned:
            raise PluginError(f"{where}: imports {module!r}, which requirements.txt does not pin")
        wanted |= pinned
    return [pin for name, pin in pins.items() if name in wanted]


@functools.cache
def _packages() -> dict[str, list[str]]:
    """Module -> the distributions that provide it (0.2-0.4 s: once a process)."""
    return importlib.metadata.packages_distributions()


def clean_notebook(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The notebook (changed in place) as a reader gets it: without the language tags of snippets/,
    the kernel's execution times or jupytext's pairing metadata."""
    nb.metadata.pop("jupytext", None)
    for cell in nb.cells:  # (nbformat writes keys sorted: where "tags" is put back does not matter)
        cell.metadata.pop("execution", None)
        if tags := [t for t in cell.metadata.pop("tags", []) if t not in LANGS]:
            cell.metadata["tags"] = tags
    nbformat.validate(nb)
    return nb


def converted(text: str, src_uri: str) -> tuple[str, str, str]:
    """(the notebook, the script, the pip line) for a program page's notebook text. Converting the
    8 notebooks costs about 0.35 s a build (most of it asking which distribution provides each
    module): the results are kept in .cache/downloads, keyed on the notebook, this hook,
    requirements.txt and the versions of nbformat and jupytext."""
    versions = [importlib.metadata.version(name) for name in ("nbformat", "jupytext")]
    key_text = "\0".join([text, Path(__file__).read_text("utf-8"), REQUIREMENTS.read_text("utf-8"), *versions])
    path = CACHE / f"{hashlib.sha256(key_text.encode()).hexdigest()[:24]}.json"
    if path.is_file():
        return tuple(json.loads(path.read_text("utf-8")))
    nb = clean_notebook(nbformat.reads(text, as_version=4))
    script = jupytext.writes(nb, fmt={"extension": ".py", "format_name": "percent",  # cells only, no outputs
                                      "notebook_metadata_filter": "-all", "cell_metadata_filter": "-all"})
    result = (nbformat.writes(nb) + "\n", script, " ".join(requirements(script, src_uri)))
    CACHE.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}")  # two builds at once
    partial.write_text(json.dumps(result), "utf-8")
    os.replace(partial, path)
    return result


@event_priority(50)  # after hooks/programs.py (100) has added the program pages
def on_files(files, config):
    _downloads.clear()
    for page in list(files):
        uri = PurePosixPath(page.src_uri)
        if uri.parent.as_posix() != "programs" or uri.suffix != ".ipynb":
            continue
        found = dict(zip(("notebook", "script", "pip"), converted(page.content_string, page.src_uri)))
        for kind, suffix in (("notebook", ".ipynb"), ("script", ".py")):
            # Generated as programs/downloads/<name><suffix> (the page is programs/<name>.ipynb),
            # published beside the page.
            found[kind] = File.generated(config, f"programs/downloads/{uri.stem}{suffix}", content=found[kind])
            found[kind].dest_uri = f"programs/{uri.stem}{suffix}"
            files.append(found[kind])
        _downloads[page.src_uri] = found
    return files


def box(page, config) -> str:
    """The download box of a program page, in the page's language (overrides/partials/program-downloads.html)."""
    found = _downloads[page.file.src_uri]
    fill = {"{name}": PurePosixPath(page.file.src_uri).stem, "{pip}": found["pip"],
            "{python}": f"{sys.version_info[0]}.{sys.version_info[1]}"}
    words = {key: re.sub("|".join(map(re.escape, fill)), lambda m: fill[m[0]], text)
             for key, text in languages.words(config, "program_downloads", KEYS).items()}
    # `run` is Markdown, converted as the site's pages are: its code blocks look and copy as everywhere else.
    run = markdown.markdown(words["run"], extensions=config.markdown_extensions, extension_configs=config.mdx_configs)
    files = {kind: (found[kind].url_relative_to(page.file), PurePosixPath(found[kind].dest_uri).name,
                    f"{max(1, round(len(found[kind].content_bytes) / 1024))} KB") for kind in ("notebook", "script")}
    return languages.partial("program-downloads.html", words=words, run=run, files=files)


def on_page_content(html, page, config, files):
    if page.file.src_uri not in _downloads:
        return html
    if "</h1>" not in html:
        raise PluginError(f"{page.file.src_uri}: a program page needs a '# ' title for its download box to follow")
    return html.replace("</h1>", "</h1>" + box(page, config), 1)
