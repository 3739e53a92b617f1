"""Every language of the site in one `mkdocs build` or `mkdocs serve`.

The languages are mkdocs.yml's `extra.alternate` (Material's switcher reads it too): each entry's
`lang` is its site's `theme.language`, its `link` where it lives ("./": the reference language,
which mkdocs.yml builds); each other language has a mkdocs.<lang>.yml that INHERITs mkdocs.yml.
After the reference language, this hook builds the others into their folders of site_dir with
MkDocs' public API (load_config, build), strict as configured. While serving, it builds a language
again only when its inputs changed, in a process of its own kept between rebuilds, beside the
reference language's build, on the other core. The other hooks get from it the words (`words`) and
the markup (`partial`) they write into a language's pages; every build gets the theme's templates
compiled once (on_env).
"""

import functools
import hashlib
import logging
import multiprocessing
import multiprocessing.connection
import os
import shutil
import signal
import site
import sys
import tempfile
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import jinja2
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.utils import yaml_load

import languages as importable  # this file as a module of that name: what the worker process imports

log = logging.getLogger("mkdocs.hooks.languages")

ROOT = Path(__file__).resolve().parent.parent
REFERENCE_CONFIG = ROOT / "mkdocs.yml"


@dataclass(frozen=True)
class Language:
    lang: str        # theme.language of its site, and the tag of its cells in snippets/
    prefix: str      # its folder in the site: "" for the reference language, "en/" ...
    config: Path     # mkdocs.yml for the reference language, else mkdocs.<lang>.yml
    docs: Path       # docs/<lang>


def languages(config=None) -> list[Language]:
    """The site's languages, the reference one first, from extra.alternate: that of a loaded
    configuration (which every language's configuration inherits), else read from mkdocs.yml."""
    found = []
    for alt in (config.extra if config else yaml_load(REFERENCE_CONFIG.read_text("utf-8"))["extra"])["alternate"]:
        prefix = alt["link"].removeprefix("./").strip("/")
        path = REFERENCE_CONFIG.with_name(f"mkdocs.{alt['lang']}.yml") if prefix else REFERENCE_CONFIG
        found.append(Language(alt["lang"], prefix + "/" if prefix else "", path, ROOT / "docs" / alt["lang"]))
    found.sort(key=lambda lang: lang.prefix != "")
    if [lang.prefix for lang in found].count("") != 1:
        raise PluginError(f"{REFERENCE_CONFIG}: extra.alternate must give exactly one language the link './'")
    return found


def language_of(config) -> Language:
    for lang in languages(config):
        if lang.lang == config.theme["language"]:
            return lang
    raise PluginError(f"{config.config_file_path}: theme.language {config.theme['language']!r} "
                      f"is not in mkdocs.yml's extra.alternate")


def words(config, key: str, names) -> dict:
    """This language's `extra.<key>` (words a hook writes into pages), which must give each of names."""
    found = config.extra.get(key) or {}
    if missing := [name for name in names if not found.get(name)]:
        raise PluginError(f"{config.config_file_path}: extra.{key} needs {', '.join(missing)}")
    return found


_THEME = jinja2.Environment(loader=jinja2.FileSystemLoader(ROOT / "overrides"))  # reads a changed template again


def partial(name: str, **values) -> str:
    """overrides/partials/<name> rendered with values: markup a hook writes into pages."""
    return _THEME.get_template(f"partials/{name}").render(**values)


def on_env(env, config, files):
    """The theme's templates stay compiled in .cache/templates, keyed on their text (Jinja's
    bytecode cache): MkDocs makes a new environment for every build and rebuild (0.4 s each)."""
    folder = ROOT / ".cache" / "templates"
    folder.mkdir(parents=True, exist_ok=True)
    env.bytecode_cache = jinja2.FileSystemBytecodeCache(str(folder))
    return env


def build_language(tag: str, site_dir: str, command: str, serve_url: str | None = None) -> float:
    """Build the language tagged `tag` into site_dir; the seconds it took. Raises on any warning
    (strict). The worker process runs it by name (a Language made here is not picklable there)."""
    if multiprocessing.parent_process() is not None:  # in the worker process
        exit_with_parent()
    start = time.perf_counter()
    config = load_config(config_file=str(next(lang.config for lang in languages() if lang.lang == tag)),
                         site_dir=site_dir)
    if serve_url:
        config.site_url = serve_url
    config.plugins.on_startup(command=command, dirty=False)
    try:
        build(config, serve_url=serve_url)
    finally:
        config.plugins.on_shutdown()
    return time.perf_counter() - start


@functools.cache
def exit_with_parent() -> None:
    """The worker process ends with the serving process, however that ends: a SIGTERM skips
    on_shutdown, and an idle worker would wait for work forever (and hold 150 MB)."""
    sentinel = multiprocessing.parent_process().sentinel

    def wait_then_end():
        multiprocessing.connection.wait([sentinel])
        os.kill(os.getpid(), signal.SIGTERM)  # this process: its default action ends it

    threading.Thread(target=wait_then_end, daemon=True).start()


def inputs(lang: Language) -> tuple:
    """What a language's build is made from, as (path, sha256) of each file: its pages, the files
    docs/ holds for every language (the search terms), the programs, the hooks, the overrides, its
    configuration and mkdocs.yml."""
    tops = (lang.docs, *(p for p in (ROOT / "docs").iterdir() if p.is_file()), ROOT / "snippets", ROOT / "hooks",
            ROOT / "overrides", REFERENCE_CONFIG, lang.config)
    return tuple((str(path), hashlib.sha256(path.read_bytes()).hexdigest())
                 for top in tops for path in sorted([top] if top.is_file() else top.rglob("*"))
                 if path.is_file() and "__pycache__" not in path.parts)


_command = "build"
# Serving: lang -> (its build folder outside site_dir, the inputs it is built from, its build under way or None)
_serving: dict[str, tuple[Path, tuple, Future | None]] = {}
_worker: list[ProcessPoolExecutor] = []  # serving: the process that builds the other languages


def start_build(lang: Language, folder: Path, serve_url: str) -> Future:
    """Serving: lang's build into folder, in the worker process: a fresh interpreter, kept between
    builds, that imports this module (from hooks/) to run build_language."""
    if not _worker:
        _worker.append(ProcessPoolExecutor(1, multiprocessing.get_context("spawn"), initializer=site.addsitedir,
                                           initargs=(str(ROOT / "hooks"),)))
    return _worker[0].submit(importable.build_language, lang.lang, str(folder), "serve", serve_url)


def on_startup(command, dirty):
    global _command
    _command = command


def hooks_digest() -> str:
    return hashlib.sha256(b"".join(path.read_bytes() for path in sorted((ROOT / "hooks").glob("*.py")))).hexdigest()


_hooks_run = hooks_digest()  # the hooks' code this process runs: MkDocs 1.6 loads a hook once a process


def on_pre_build(config):
    """Serving: after an edit to a hook, `mkdocs serve` starts again in place, to run the new code
    (mkdocs/mkdocs#3993). A language whose inputs changed starts building now, beside the reference
    language (on the other core); its first build waits for the reference one's, which runs the programs."""
    if _command != "serve" or language_of(config).prefix:
        return
    if hooks_digest() != _hooks_run:
        log.info("A hook changed: restarting `mkdocs serve`")
        on_shutdown()
        os.execv(sys.executable, sys.orig_argv)
    for lang in languages(config)[1:]:
        if lang.lang in _serving:
            folder, built_from, _ = _serving[lang.lang]
            if (now := inputs(lang)) != built_from or not (folder / "index.html").is_file():
                _serving[lang.lang] = (folder, now, start_build(lang, folder, config.site_url + lang.prefix))


@event_priority(-100)  # after every other plugin has finished the reference language
def on_post_build(config):
    if language_of(config).prefix:  # another language's own build: nothing more to build
        return
    for lang in languages(config)[1:]:
        target = os.path.join(config.site_dir, lang.prefix.rstrip("/"))
        if _command != "serve":
            log.info("Built %s in %.1f s", lang.lang, build_language(lang.lang, target, _command))
            continue
        # Serving: the language is built into a folder of its own, linked into the served site
        # (MkDocs empties site_dir on every rebuild).
        if lang.lang not in _serving:
            folder = Path(tempfile.mkdtemp(prefix=f"mkdocs_{lang.lang}_"))
            _serving[lang.lang] = (folder, inputs(lang), start_build(lang, folder, config.site_url + lang.prefix))
        folder, built_from, build = _serving[lang.lang]
        if build is not None:
            log.info("Built %s in %.1f s", lang.lang, build.result())
        _serving[lang.lang] = (folder, built_from, None)
        if not os.path.islink(target):
            shutil.rmtree(target, ignore_errors=True)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            os.symlink(folder, target, target_is_directory=True)


def on_shutdown():
    if _command == "serve":
        for pool in _worker:
            pool.shutdown(cancel_futures=True)
        _worker.clear()
        for folder, *_ in _serving.values():
            shutil.rmtree(folder, ignore_errors=True)
        _serving.clear()
