"""The offline copy: the whole site for reading from file://, zipped, published in every language.

The copy is the site built with Material's offline plugin, which mkdocs.yml turns on when
OFFLINE=true (Material's recipe): links name .html files, the search index is also a script. In it,
the iframe shim Material's search needs under file:// comes from the site (the plugin would take it
from unpkg.com), and the home page's download section goes. `OFFLINE=true mkdocs build` builds it in
a process of its own, started once the programs have run (hooks/programs.py), while this one builds
the pages. The zip is kept in build/ and built again only when what the site is built from changed
(`mkdocs serve` reuses the last one); every language publishes it at DOWNLOAD.
"""

import hashlib
import logging
import os
import re
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path, PurePosixPath

from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File

from languages import inputs, languages  # hooks/ is on sys.path while MkDocs loads a hook
from programs import environment

log = logging.getLogger("mkdocs.hooks.offline")

ROOT = Path(__file__).resolve().parent.parent
DOWNLOAD = "downloads/mini-batch-sgd-offline.zip"
ZIP_FOLDER = PurePosixPath(DOWNLOAD).stem  # the zip holds one folder: index.html, en/, ...
CACHE = ROOT / "build" / PurePosixPath(DOWNLOAD).name
SHIM = "assets/search/iframe-worker.js"  # iframe-worker 1.0.4 (MIT), Material's shim for file://
# The home page's section that offers the download (`## … { #offline }`), up to the next `## `.
_OFFLINE_SECTION = re.compile(r"^## [^\n]*\{ *#offline *\}.*?(?=^## |\Z)", re.M | re.S)

_command = "build"


def is_offline(config) -> bool:
    plugin = config.plugins.get("material/offline")
    return bool(plugin and plugin.config.enabled)


def on_startup(command, dirty):
    global _command
    _command = command


@event_priority(100)  # before the offline plugin adds the shim from unpkg.com
def on_config(config):
    if is_offline(config):
        config.extra["polyfills"] = [*config.extra.get("polyfills", []), SHIM]
    return config


def on_files(files, config):
    if not is_offline(config):  # a placeholder for the link checks: on_post_build writes the zip
        files.append(File.generated(config, DOWNLOAD, content=b""))
    return files


def on_page_markdown(markdown, page, config, files):
    if is_offline(config) and page.file.src_uri == "index.md":
        return _OFFLINE_SECTION.sub("", markdown)
    return markdown


def inputs_key() -> str:
    """A hash of what the site is built from: every language's inputs, and the environment the
    programs' outputs follow from (Python and the installed packages: hooks/programs.py)."""
    return hashlib.sha256((repr([inputs(lang) for lang in languages()]) + environment()).encode()).hexdigest()


def shipped(rel: PurePosixPath, lunr: set[str]) -> bool:
    """Whether a file of the copy goes into the zip: not source maps, sitemaps, the JSON search
    index (from file:// Material reads search_index.js), the search scripts in lunr/ that are not
    in `lunr` (those of languages the site does not search in), or the 404 page (no file:// address
    shows it, and its links are absolute)."""
    if rel.suffix == ".map" or rel.name.startswith("sitemap.xml") or rel.name in ("search_index.json", "404.html"):
        return False
    return "lunr" not in rel.parts[:-1] or rel.name in lunr


def start_copy(folder: Path) -> subprocess.Popen:
    """`OFFLINE=true mkdocs build` into folder, in a process of its own."""
    return subprocess.Popen([sys.executable, "-m", "mkdocs", "build", "--quiet", "-f", str(ROOT / "mkdocs.yml"),
                             "-d", str(folder)], cwd=ROOT, env={**os.environ, "OFFLINE": "true"},
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def finish_copy(build: subprocess.Popen, folder: Path, zip_path: Path) -> None:
    """Wait for the build of the copy into folder; zip it into zip_path as ZIP_FOLDER, entries in a
    fixed order and dated SOURCE_DATE_EPOCH when it is set (then the same site gives the same zip),
    else now."""
    partial = zip_path.with_name(f".{zip_path.name}.{os.getpid()}")
    stamp = time.localtime(int(os.environ.get("SOURCE_DATE_EPOCH", time.time())))[:6]
    lunr = {"lunr.stemmer.support.min.js", "lunr.multi.min.js", *(f"lunr.{lang.lang}.min.js" for lang in languages())}
    try:
        output = build.communicate()[0]
        if build.returncode:
            raise PluginError(f"the offline copy failed to build:\n{output}")
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(folder.rglob("*")):
                rel = PurePosixPath(path.relative_to(folder).as_posix())
                if path.is_file() and shipped(rel, lunr):
                    info = zipfile.ZipInfo(str(ZIP_FOLDER / rel), date_time=max(stamp, (1980, 1, 1, 0, 0, 0)))
                    info.compress_type = zipfile.ZIP_DEFLATED
                    info.external_attr = 0o644 << 16
                    archive.writestr(info, path.read_bytes())
        os.replace(partial, zip_path)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _reference_build(config) -> bool:
    return not is_offline(config) and Path(config.config_file_path).resolve() == ROOT / "mkdocs.yml"


_building: list = []  # the copy's build under way: (its process, its folder, its inputs' key, its start)


@event_priority(-100)  # after every on_files: hooks/programs.py has run (and cached) the programs
def on_env(env, config, files):
    key_file = CACHE.with_suffix(".key")
    if _reference_build(config) and not _building:
        key = inputs_key() if _command != "serve" else None  # serving: the last zip, if any, will do
        if not (CACHE.is_file() and (key is None or key_file.is_file() and key_file.read_text() == key)):
            CACHE.parent.mkdir(parents=True, exist_ok=True)
            key_file.unlink(missing_ok=True)
            folder = CACHE.with_name(f"offline-site.{os.getpid()}")
            _building.append((start_copy(folder), folder, key, time.perf_counter()))
    return env


@event_priority(-100)  # after hooks/languages.py has built every other language
def on_post_build(config):
    if not _reference_build(config):
        return
    if _building:
        build, folder, key, start = _building.pop()
        finish_copy(build, folder, CACHE)
        if key:
            CACHE.with_suffix(".key").write_text(key)
        log.info("Built the offline copy in %.1f s (%.0f KB)", time.perf_counter() - start, CACHE.stat().st_size / 1024)
    for lang in languages(config):
        target = Path(config.site_dir) / lang.prefix / DOWNLOAD
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(CACHE, target)


def on_build_error(error):
    """A failed build leaves no copy building in the background."""
    for build, folder, _, _ in _building:
        build.kill()
        build.communicate()
        shutil.rmtree(folder, ignore_errors=True)
    _building.clear()
