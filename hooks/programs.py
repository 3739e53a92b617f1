"""Publish the programs in snippets/ as executed notebook pages, in the language being built.

Each `snippets/<name>.py` (jupytext percent format) runs once for every language, in one of a few
long-lived kernels, cached in `.cache/programs/executed/` under its text and the environment. The
page `programs/<name>.ipynb` keeps the markdown cells of the language being built; mkdocs-jupyter
renders it with the outputs already there (`execute: false`). A cell that raises fails the build
with the file, cell number, first line and error. Plots become palette PNGs (3x smaller).
"""

import base64
import functools
import hashlib
import importlib.metadata
import io
import logging
import os
import re
import sys
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import jupytext
import nbclient
import nbformat
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File

from languages import languages  # hooks/ is on sys.path while MkDocs loads a hook

log = logging.getLogger("mkdocs.hooks.programs")

ROOT = Path(__file__).resolve().parent.parent
SNIPPETS = ROOT / "snippets"
CACHE = ROOT / ".cache" / "programs"
LANGS = tuple(lang.lang for lang in languages())  # the tags a markdown cell may carry
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


class ProgramError(PluginError):
    """A program in snippets/ is malformed or one of its cells raised."""


def snippet_paths() -> list[Path]:
    return sorted(SNIPPETS.glob("*.py"))


def _rel(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def cell_lines(path: Path, text: str | None = None) -> list[int]:
    """First line (1-based) of each `# %%` cell of a percent-format file (or of its text)."""
    text = path.read_text("utf-8") if text is None else text
    lines = [n for n, line in enumerate(text.splitlines(), 1) if line.startswith("# %%")]
    if lines[:1] != [1]:
        raise ProgramError(f"{_rel(path)}: a program must start with a '# %%' cell marker on line 1")
    return lines


def cell_language(cell) -> str | None:
    """The language a markdown cell is tagged with, None for a shared cell."""
    tags = [t for t in cell.get("metadata", {}).get("tags", []) if t in LANGS]
    if len(tags) > 1 or tags and cell.cell_type != "markdown":
        raise ProgramError(f"only markdown cells may be tagged, with one language: {cell.source[:60]!r}")
    return tags[0] if tags else None


def for_language(nb: nbformat.NotebookNode, lang: str) -> nbformat.NotebookNode:
    """A copy of the notebook without the markdown cells of the other languages."""
    return nbformat.from_dict({**nb, "cells": [c for c in nb.cells if cell_language(c) in (None, lang)]})


def environment() -> str:
    """What, besides a program's text, changes what it prints or plots: this hook, the Python that
    runs it, and the version of every installed package (the kernel runs in this environment)."""
    folders = tuple((p, os.stat(p).st_mtime_ns) for p in sys.path if os.path.isdir(p))
    return Path(__file__).read_text("utf-8") + sys.version + _installed(folders)


@functools.lru_cache(maxsize=4)
def _installed(folders: tuple) -> str:
    """name==version of every installed distribution (0.1 s); `folders`, sys.path's folders and
    their times, which an install changes, only keys the cache."""
    return "\n".join(sorted(f"{d.metadata['Name']}=={d.version}".lower() for d in importlib.metadata.distributions()))


# Run before each program in a kernel that may have run another: the program starts from a clean
# namespace, no open figure and the kernel's first rcParams; its imports stay loaded (that is the
# point of sharing the kernel). Every program seeds torch itself.
RESET = """\
import builtins as _builtins, matplotlib as _mpl, matplotlib.pyplot as _plt
_plt.close("all")
if hasattr(_builtins, "_program_rc"):
    _mpl.rcParams.update(_builtins._program_rc)
else:
    _builtins._program_rc = _mpl.rcParams.copy()
%reset -f
"""


def kernel() -> nbclient.NotebookClient:
    """A client of a new IPython kernel that runs programs one after another (set its `nb`, then
    `execute()`), so that the imports (torch, matplotlib, scikit-learn: about 3 s) are paid once.
    Used from one thread only: it lives on that thread's event loop. The kernel listens on Unix
    sockets, not TCP ports: only this user can reach it, and ipykernel does not warn about
    unencrypted TCP (a socket's path must stay under about 100 bytes)."""
    client = nbclient.NotebookClient(nbformat.v4.new_notebook(), timeout=300, kernel_name="python3",
                                     coalesce_streams=True,  # one output per stream, however chunked
                                     resources={"metadata": {"path": str(ROOT)}})
    client.km = client.create_kernel_manager()
    client.km.transport = "ipc"
    client.km.ip = os.path.join(tempfile.gettempdir(), f"programs-kernel-{os.getpid()}-{threading.get_ident() % 10**6}")
    client.owns_km = False  # the kernel outlives each execute()
    return client


def close(client: nbclient.NotebookClient) -> None:
    if client.kc is not None:
        client.kc.stop_channels()
    if client.km.has_kernel:
        nbclient.util.run_sync(client.km.shutdown_kernel)(now=True)


def execute(path: Path, client: nbclient.NotebookClient, text: str | None = None) -> nbformat.NotebookNode:
    """Run a program as a notebook (cwd = repository root) in the kernel of `client` (from
    kernel()), after a reset, and return it with its outputs. `text`: the file's text, as the
    caller read it for the cache key."""
    text = path.read_text("utf-8") if text is None else text
    lines = cell_lines(path, text)
    nb = jupytext.reads(text, fmt="py:percent")
    for i, cell in enumerate(nb.cells, 1):  # fixed ids (jupytext draws random ones): the same page each build
        cell.id = f"cell-{i}"
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    try:
        for notebook in (nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(RESET)]), nb):
            client.nb = notebook
            client.execute()
    except nbclient.exceptions.CellExecutionError as err:
        i = next(i for i, cell in enumerate(nb.cells)
                 if any(out.output_type == "error" for out in cell.get("outputs", [])))
        raise ProgramError(f"{_rel(path)}: cell {i + 1} (line {lines[i]}) raised "
                           f"{err.ename}: {_ANSI.sub('', err.evalue)}") from None
    except Exception as err:  # kernel died, timeout ...
        raise ProgramError(f"{_rel(path)}: {type(err).__name__}: {err}") from None
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if "execution_count" in out:  # the kernel counts on from the programs it ran before
                out.execution_count = cell.execution_count
            if "image/png" in out.get("data", {}):
                png = shrink_png(base64.b64decode(out.data["image/png"]))
                out.data["image/png"] = base64.b64encode(png).decode("ascii")
    return nb


def shrink_png(data: bytes) -> bytes:
    """The same picture as a palette PNG (96 colours, no dithering), if that is smaller."""
    from PIL import Image  # matplotlib's dependency

    image = Image.open(io.BytesIO(data)).convert("RGB")
    small = image.quantize(colors=96, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    out = io.BytesIO()
    small.save(out, "PNG", optimize=True)
    return out.getvalue() if out.tell() < len(data) else data


def executed(paths: list[Path]) -> dict[Path, nbformat.NotebookNode]:
    """The executed notebook of each program, from the cache or run now, in parallel."""
    env = environment()
    sources = {path: path.read_bytes() for path in paths}  # read once: the run and the key agree
    cached = {path: CACHE / "executed" / f"{path.stem}.{hashlib.sha256(text + env.encode()).hexdigest()[:16]}.ipynb"
              for path, text in sources.items()}
    todo = [path for path in paths if not cached[path].exists()]
    done, errors = {}, []
    # One kernel per CPU; each takes the next program when it is free, the longest first (file size
    # stands in for run time), so that no kernel is left with a long tail. A list iterator is
    # thread-safe in CPython.
    order = iter(sorted(todo, key=lambda p: -p.stat().st_size))

    def worker():
        client = kernel()
        try:
            for path in order:
                try:
                    done[path] = execute(path, client, sources[path].decode("utf-8"))
                except ProgramError as err:
                    errors.append(str(err))
                    close(client)
                    client = kernel()  # the next program gets a fresh kernel
        finally:
            close(client)

    if todo:
        log.info("Executing %s", ", ".join(_rel(p) for p in todo))
        workers = min(len(todo), os.cpu_count() or 1)
        with ThreadPoolExecutor(workers) as pool:
            list(pool.map(lambda _: worker(), range(workers)))
    for path, nb in done.items():
        for old in cached[path].parent.glob(f"{path.stem}.*.ipynb"):
            old.unlink()
        cached[path].parent.mkdir(parents=True, exist_ok=True)
        partial = cached[path].with_name(f".{cached[path].name}.{os.getpid()}")  # two builds at once
        nbformat.write(nb, partial)
        os.replace(partial, cached[path])
    if errors:
        raise ProgramError("\n".join(sorted(errors)))
    return {path: done.get(path) or nbformat.read(cached[path], as_version=4) for path in paths}


@event_priority(100)  # before mkdocs-jupyter wraps the notebook files
def on_files(files, config):
    src_dir = CACHE / config.theme["language"]
    for path, nb in executed(snippet_paths()).items():
        target = src_dir / "programs" / f"{path.stem}.ipynb"
        text = nbformat.writes(for_language(nb, config.theme["language"]))
        if not target.exists() or target.read_text("utf-8") != text:  # unchanged: its time stays
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, "utf-8")
        files.append(File(target.relative_to(src_dir).as_posix(), str(src_dir), config.site_dir,
                          config.use_directory_urls))
    return files
