"""Publish the programs in snippets/ as executed notebook pages, in the language being built.

Each `snippets/<name>.py` (jupytext percent format) is executed once, whatever the language, in
one of a few long-lived kernels (one per CPU) that reset their namespace between programs; the
executed notebook is cached under `.cache/programs/executed/`, keyed on the file's text. For
the language being built, markdown cells tagged for the other language are dropped, and the
notebook is added to the site as `programs/<name>.ipynb`, which mkdocs-jupyter renders (with
`execute: false`: the outputs are already there).

A cell that raises fails the build with the file, the cell number, its first line in the file
and the error. Plots are re-encoded as palette PNGs (about 3x smaller, indistinguishable for line
plots), to keep program pages light.
"""

from __future__ import annotations

import base64
import collections
import copy
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
from pathlib import Path

import jupytext
import nbclient
import nbclient.util
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
CELL_TIMEOUT_S = 300
PNG_COLOURS = 96
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


class ProgramError(PluginError):
    """A program in snippets/ is malformed or one of its cells raised."""


def snippet_paths() -> list[Path]:
    return sorted(SNIPPETS.glob("*.py"))


def cell_lines(path: Path, text: str | None = None) -> list[int]:
    """First line (1-based) of each `# %%` cell of a percent-format file (or of its text)."""
    text = path.read_text("utf-8") if text is None else text
    lines = [n for n, line in enumerate(text.splitlines(), 1) if line.startswith("# %%")]
    if not lines or lines[0] != 1:
        raise ProgramError(f"{_rel(path)}: a program must start with a '# %%' cell marker on line 1")
    return lines


def cell_language(cell) -> str | None:
    """'zh' or 'en' for a markdown cell tagged with one language, None for a shared cell."""
    tags = [t for t in cell.get("metadata", {}).get("tags", []) if t in LANGS]
    if len(tags) > 1:
        raise ProgramError(f"a cell is tagged with both languages: {cell.source[:60]!r}")
    if tags and cell.cell_type != "markdown":
        raise ProgramError(f"only markdown cells may be tagged with a language: {cell.source[:60]!r}")
    return tags[0] if tags else None


def _rel(path: Path) -> str:
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        return str(path)


def environment() -> str:
    """What, besides a program's text, changes what it prints or plots: this hook, the Python
    that runs it, and the version of every installed package (torch, numpy, matplotlib,
    scikit-learn and what they use; the kernel runs in this same environment)."""
    folders = tuple((p, os.stat(p).st_mtime_ns) for p in sys.path if os.path.isdir(p))
    return Path(__file__).read_text("utf-8") + sys.version + _installed(folders)


@functools.lru_cache(maxsize=4)
def _installed(folders: tuple) -> str:
    """name==version of every installed distribution; `folders` (sys.path's folders and their
    times, which an install or uninstall changes) only keys the cache."""
    return "\n".join(sorted(f"{d.metadata['Name']}=={d.version}".lower() for d in importlib.metadata.distributions()))


def _key(source: bytes, env: str | None = None) -> str:
    h = hashlib.sha256(source)
    h.update((env if env is not None else environment()).encode())
    return h.hexdigest()[:16]


# Run before each program in a kernel that has run another one: the program starts from a clean
# namespace, no open figure and the rcParams that the kernel started with (its imports stay
# loaded: that is the point of sharing the kernel). Every program seeds torch itself.
RESET = """\
import builtins as _builtins, matplotlib as _mpl, matplotlib.pyplot as _plt
_plt.close("all")
if hasattr(_builtins, "_program_rc"):
    _mpl.rcParams.update(_builtins._program_rc)
else:
    _builtins._program_rc = _mpl.rcParams.copy()
%reset -f
"""


def _ipc_prefix() -> Path:
    """A path prefix for one kernel's sockets, unique to this process and thread, in the temporary
    folder (a Unix socket's path must stay under about 100 bytes, whatever the checkout's path)."""
    return Path(tempfile.gettempdir()) / f"programs-kernel-{os.getpid()}-{threading.get_ident() % 10**6}"


class Kernel:
    """One IPython kernel that runs programs one after another, so that the imports (torch,
    matplotlib, scikit-learn: about 3 s) are paid once per kernel, not once per program.
    Used from one thread only: its client lives on that thread's event loop."""

    def __init__(self):
        self.km = None
        self.kc = None

    def _client(self, nb):
        client = nbclient.NotebookClient(
            nb, km=self.km, timeout=CELL_TIMEOUT_S, kernel_name="python3", allow_errors=False,
            coalesce_streams=True,  # one output per stream, however the kernel chunked it
            resources={"metadata": {"path": str(ROOT)}},
        )
        if self.km is None:
            self.km = client.km = client.create_kernel_manager()
            # Unix sockets, not TCP ports on 127.0.0.1: only this user can reach the kernel, and
            # ipykernel does not warn about unencrypted TCP on every build.
            self.km.transport = "ipc"
            self.km.ip = str(_ipc_prefix())
        client.owns_km = False  # keep the kernel (and its client) for the next program
        client.kc = self.kc
        return client

    def run(self, nb):
        client = self._client(nb)
        try:
            client.execute()
        finally:
            self.kc = client.kc

    def reset(self):
        self.run(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(RESET)]))

    def close(self):
        if self.kc is not None:
            self.kc.stop_channels()
        if self.km is not None and self.km.has_kernel:
            nbclient.util.run_sync(self.km.shutdown_kernel)(now=True)
        self.km = self.kc = None


def execute(path: Path, kernel: Kernel | None = None, text: str | None = None) -> nbformat.NotebookNode:
    """Run a program as a notebook (cwd = repository root) and return it with its outputs:
    in `kernel` after a reset if one is given, else in a kernel of its own. `text` is the file's
    text as read once by the caller (the cache key is made from the same bytes)."""
    text = path.read_text("utf-8") if text is None else text
    lines = cell_lines(path, text)
    nb = jupytext.reads(text, fmt="py:percent")
    for i, cell in enumerate(nb.cells, 1):  # fixed ids (jupytext draws random ones): the same page each build
        cell.id = f"cell-{i}"
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    own = kernel is None
    kernel = Kernel() if own else kernel
    try:
        kernel.reset()
        kernel.run(nb)
    except nbclient.exceptions.CellExecutionError as err:
        for i, cell in enumerate(nb.cells):
            for out in cell.get("outputs", []):
                if out.get("output_type") == "error":
                    line = lines[i] if i < len(lines) else "?"
                    raise ProgramError(
                        f"{_rel(path)}: cell {i + 1} (line {line}) raised "
                        f"{out.get('ename')}: {_ANSI.sub('', out.get('evalue', ''))}"
                    ) from None
        raise ProgramError(f"{_rel(path)}: {_ANSI.sub('', str(err))}") from None
    except Exception as err:  # kernel died, timeout ...
        raise ProgramError(f"{_rel(path)}: {type(err).__name__}: {err}") from None
    finally:
        if own:
            kernel.close()
    for cell in nb.cells:  # the kernel counts on from the programs it ran before: renumber
        for out in cell.get("outputs", []):
            if "execution_count" in out:
                out.execution_count = cell.execution_count
    shrink_images(nb)
    return nb


def shrink_png(data: bytes) -> bytes:
    """The same picture as a palette PNG (no dithering), if that is smaller."""
    from PIL import Image  # matplotlib's dependency

    image = Image.open(io.BytesIO(data)).convert("RGB")
    small = image.quantize(colors=PNG_COLOURS, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    out = io.BytesIO()
    small.save(out, "PNG", optimize=True)
    return out.getvalue() if out.tell() < len(data) else data


def shrink_images(nb: nbformat.NotebookNode) -> None:
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if "image/png" in data:
                png = shrink_png(base64.b64decode(data["image/png"]))
                data["image/png"] = base64.b64encode(png).decode("ascii")


def executed(paths: list[Path]) -> dict[Path, nbformat.NotebookNode]:
    """The executed notebook of each program, from the cache or run now (in parallel)."""
    done_dir = CACHE / "executed"
    done_dir.mkdir(parents=True, exist_ok=True)
    result, todo = {}, []
    env = environment()
    sources = {path: path.read_bytes() for path in paths}  # read once: the run and the key agree
    for path in paths:
        cached = done_dir / f"{path.stem}.{_key(sources[path], env)}.ipynb"
        if cached.exists():
            result[path] = nbformat.read(cached, as_version=4)
        else:
            todo.append(path)
    if todo:
        log.info("Executing %s", ", ".join(_rel(p) for p in todo))
        workers = max(1, min(len(todo), os.cpu_count() or 1))
        # Each worker keeps one kernel and takes the next program when it is free: the longest
        # first (file size stands in for run time), so that no kernel is left with a long tail.
        queue = collections.deque(sorted(todo, key=lambda p: -p.stat().st_size))
        lock = threading.Lock()
        done: dict[Path, nbformat.NotebookNode] = {}
        errors: list[str] = []

        def worker():
            kernel = Kernel()
            try:
                while True:
                    with lock:
                        if not queue:
                            return
                        path = queue.popleft()
                    try:
                        nb = execute(path, kernel, sources[path].decode("utf-8"))
                    except ProgramError as err:
                        with lock:
                            errors.append(str(err))
                        kernel.close()  # the next program gets a fresh kernel
                        continue
                    with lock:
                        done[path] = nb
            finally:
                kernel.close()

        threads = [threading.Thread(target=worker, name=f"programs-{n}") for n in range(workers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        for path in todo:
            if path in done:
                for old in done_dir.glob(f"{path.stem}.*.ipynb"):
                    old.unlink()
                target = done_dir / f"{path.stem}.{_key(sources[path], env)}.ipynb"
                partial = target.with_name(f".{target.name}.{os.getpid()}")  # two builds at once
                nbformat.write(done[path], partial)
                os.replace(partial, target)
                result[path] = done[path]
        if errors:
            raise ProgramError("\n".join(sorted(errors)))
    return result


def for_language(nb: nbformat.NotebookNode, lang: str) -> nbformat.NotebookNode:
    """A copy of the notebook without the markdown cells of the other languages."""
    out = copy.deepcopy(nb)
    out.cells = [c for c in nb.cells if cell_language(c) in (None, lang)]
    return out


def _write_if_changed(path: Path, text: str) -> None:
    if not path.exists() or path.read_text("utf-8") != text:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")


def on_config(config):
    lang = config.theme["language"]
    # mkdocs-jupyter evicts every cache entry its build did not use: one cache per language.
    jupyter = config.plugins.get("mkdocs-jupyter")
    if jupyter is not None:
        jupyter.config["cache_dir"] = str(ROOT / ".cache" / "mkdocs-jupyter" / lang)
    return config


@event_priority(100)  # before mkdocs-jupyter wraps the notebook files
def on_files(files, config):
    lang = config.theme["language"]
    src_dir = CACHE / lang
    notebooks = executed(snippet_paths())
    for path, nb in notebooks.items():
        rel = f"programs/{path.stem}.ipynb"
        _write_if_changed(src_dir / rel, nbformat.writes(for_language(nb, lang)))
        files.append(File(rel, str(src_dir), config.site_dir, config.use_directory_urls))
    return files
