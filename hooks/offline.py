"""The offline copy: the whole site for reading from file://, zipped, published in every language.

Both home pages link to DOWNLOAD. The copy is the same site built with Material's offline plugin,
which mkdocs.yml turns on when the environment has OFFLINE=true (Material's own recipe): links
name .html files, and the search index is also written as a script. This hook:

* in the published site (OFFLINE unset): adds DOWNLOAD to every language's files, so that strict
  link checking accepts the home page's link; after the last language is built, builds the copy
  with `OFFLINE=true mkdocs build` in a process of its own, zips it and puts the zip at DOWNLOAD in
  every language. The zip is kept in build/ and reused while the published site is unchanged.
  `mkdocs serve` reuses the last zip and builds one only when there is none.
* in the copy (OFFLINE=true): loads the iframe shim that Material's search needs under file://
  from the site itself (the plugin would take it from unpkg.com), and drops the home page's
  section that offers the download. (Links in notebook cells are written as links to .md files,
  which hooks/notebook_html.py resolves for directory URLs and for the copy's .html files alike.)
"""

from __future__ import annotations

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

from languages import languages  # hooks/ is on sys.path while MkDocs loads a hook

log = logging.getLogger("mkdocs.hooks.offline")

ROOT = Path(__file__).resolve().parent.parent
DOWNLOAD = "downloads/mini-batch-sgd-offline.zip"
ZIP_FOLDER = PurePosixPath(DOWNLOAD).stem  # the zip holds one folder: index.html, en/, ...
CACHE = ROOT / "build" / PurePosixPath(DOWNLOAD).name
SHIM = "assets/search/iframe-worker.js"  # iframe-worker 1.0.4 (MIT), Material's shim for file://

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


class _Zip(File):
    """DOWNLOAD as a file of the site: copied from the last zip built, if any. on_post_build puts
    the fresh one in place after every language is built."""

    def copy_file(self, dirty: bool = False) -> None:
        if CACHE.is_file():
            super().copy_file(dirty)


def on_files(files, config):
    if not is_offline(config):
        files.append(_Zip.generated(config, DOWNLOAD, abs_src_path=str(CACHE)))
    return files


# The home page's section that offers the download (`## … { #offline }`), up to the next `## `.
_OFFLINE_SECTION = re.compile(r"^## [^\n]*\{ *#offline *\}.*?(?=^## |\Z)", re.M | re.S)


def on_page_markdown(markdown, page, config, files):
    if is_offline(config) and page.file.src_uri == "index.md":
        return _OFFLINE_SECTION.sub("", markdown)
    return markdown


def fingerprint(site_dir: Path) -> str:
    """A hash of the published site (downloads and dated sitemaps aside) and of this file: the
    copy is built from the same sources, so it is built again only when this changes."""
    h = hashlib.sha256(Path(__file__).read_bytes())
    skip = {lang.prefix + PurePosixPath(DOWNLOAD).parent.name + "/" for lang in languages()}
    for path in sorted(site_dir.rglob("*")):
        rel = path.relative_to(site_dir).as_posix()
        if path.is_file() and not path.name.startswith("sitemap.xml") and not rel.startswith(tuple(skip)):
            h.update(rel.encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def build_copy(zip_path: Path) -> None:
    """`OFFLINE=true mkdocs build` into a folder of its own, zipped into zip_path."""
    folder = zip_path.with_name(f"offline-site.{os.getpid()}")
    env = {**os.environ, "OFFLINE": "true"}
    try:
        run = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--quiet", "-f", str(ROOT / "mkdocs.yml"),
                              "-d", str(folder)], cwd=ROOT, env=env, capture_output=True, text=True)
        if run.returncode:
            raise PluginError(f"the offline copy failed to build:\n{run.stdout}{run.stderr}")
        write_zip(folder, zip_path)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def shipped(rel: PurePosixPath) -> bool:
    """Whether a file of the copy goes into the zip: not source maps, sitemaps, the JSON search
    index (from file:// Material reads search_index.js), the search scripts of languages the site
    does not search in, or the 404 page (no file:// address shows it, and its links are absolute)."""
    if rel.suffix == ".map" or rel.name.startswith("sitemap.xml") or rel.name in ("search_index.json", "404.html"):
        return False
    wanted = {"lunr.stemmer.support.min.js", "lunr.multi.min.js", *(f"lunr.{l.lang}.min.js" for l in languages())}
    return "lunr" not in rel.parts[:-1] or rel.name in wanted


def write_zip(folder: Path, zip_path: Path) -> None:
    """Zip folder as one folder, ZIP_FOLDER, entries in a fixed order and dated SOURCE_DATE_EPOCH
    when it is set (then the same site gives the same zip), else now."""
    stamp = time.localtime(int(os.environ.get("SOURCE_DATE_EPOCH", time.time())))[:6]
    partial = zip_path.with_name(f".{zip_path.name}.{os.getpid()}")
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            rel = PurePosixPath(path.relative_to(folder).as_posix())
            if path.is_file() and shipped(rel):
                info = zipfile.ZipInfo(str(ZIP_FOLDER / rel), date_time=max(stamp, (1980, 1, 1, 0, 0, 0)))
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                archive.writestr(info, path.read_bytes())
    os.replace(partial, zip_path)


@event_priority(-100)  # after hooks/languages.py has built every other language
def on_post_build(config):
    if is_offline(config) or Path(config.config_file_path).resolve() != ROOT / "mkdocs.yml":
        return
    site_dir = Path(config.site_dir)
    key_file = CACHE.with_suffix(".key")
    key = fingerprint(site_dir) if _command != "serve" else None
    fresh = CACHE.is_file() and (key is None or key_file.is_file() and key_file.read_text() == key)
    if not fresh:
        start = time.perf_counter()
        CACHE.parent.mkdir(parents=True, exist_ok=True)
        key_file.unlink(missing_ok=True)
        build_copy(CACHE)
        if key:
            key_file.write_text(key)
        log.info("Built the offline copy in %.1f s (%.0f KB)", time.perf_counter() - start, CACHE.stat().st_size / 1024)
    for lang in languages():
        target = site_dir / lang.prefix / DOWNLOAD
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(CACHE, target)
