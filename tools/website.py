"""Build or serve both languages of the site as one site: Chinese at /, English at /en/.

    python tools/website.py build [--site-dir DIR]     # what `make build` runs
    python tools/website.py serve [--port 8000]        # what `make serve` runs
    python tools/website.py offline                    # the copy for file://, zipped (see offline())

One process builds both languages, so jieba's dictionary and the kernels' imports are paid once.
While serving, a change under docs/zh or docs/en rebuilds that language only; any other change
(snippets, hooks, overrides, the configs) rebuilds both.

`build` also publishes the offline copy of the whole site in each language, at DOWNLOAD: both
home pages link to it. That copy is a second build of both languages with the overrides of
offline_config() (no second configuration file), reused while the site's output is unchanged.
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import os
import posixpath
import re
import shutil
import sys
import tempfile
import time
import zipfile
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit, urlunsplit

os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")

from mkdocs.commands.build import build as mkdocs_build  # noqa: E402
from mkdocs.config import load_config  # noqa: E402
from mkdocs.livereload import LiveReloadServer  # noqa: E402
from mkdocs.plugins import BasePlugin  # noqa: E402
from mkdocs.structure.files import File  # noqa: E402
from mkdocs.utils import get_relative_url  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
CONFIGS = {"zh": ROOT / "mkdocs.yml", "en": ROOT / "mkdocs.en.yml"}
PREFIX = {"zh": "", "en": "en/"}  # where each language lives inside the site
log = logging.getLogger("mkdocs.site")

# The offline copy: both languages built for file://, zipped, published in each language at DOWNLOAD.
DOWNLOAD = "downloads/mini-batch-sgd-offline.zip"
OFFLINE_SITE = ROOT / "build" / "offline-site"
OFFLINE_ZIP = ROOT / "build" / PurePosixPath(DOWNLOAD).name
OFFLINE_KEY = OFFLINE_ZIP.with_suffix(".key")  # fingerprint of the site the zip was built with
ZIP_FOLDER = PurePosixPath(DOWNLOAD).stem  # the zip holds one folder: index.html, en/, ...


def load(lang: str, site_dir: Path, site_url: str | None = None, offline: bool = False):
    config = load_config(config_file=str(CONFIGS[lang]), site_dir=str(site_dir))
    if site_url is not None:
        config.site_url = site_url
    if offline:
        offline_config(config)
    else:
        config.plugins["site/download"] = _PublishDownload()
    return config


class _Download(File):
    """The offline zip as a file of the site, so that strict link validation accepts the home
    pages' link to DOWNLOAD. Copied if it has been built; build() copies the fresh one after."""

    def copy_file(self, dirty: bool = False) -> None:
        if self.abs_src_path and os.path.isfile(self.abs_src_path):
            super().copy_file(dirty)


class _PublishDownload(BasePlugin):
    def on_files(self, files, config):
        files.append(_Download.generated(config, DOWNLOAD, abs_src_path=str(OFFLINE_ZIP)))
        return files


# The home page's section that links to the download (`## … { #offline }`), up to the next `## `.
_OFFLINE_SECTION = re.compile(r"^## [^\n]*\{ *#offline *\}.*?(?=^## |\Z)", re.M | re.S)
# Material's <link rel="alternate" hreflang> tags make its script request each language's
# sitemap.xml, which a file:// page may not read (a console error); the switcher needs none.
_ALTERNATE_LINK = re.compile(r'\s*<link rel="alternate" href="[^"]*" hreflang="[^"]*">')
_URL_ATTR = re.compile(r'(\s(?:href|src)=")([^"]+)"')


def _online_url(file) -> str:
    """The URL that the published build (directory URLs) gives a file of the offline build."""
    url = file.url
    if file.src_uri.endswith((".md", ".ipynb")) and url.endswith(".html"):
        url = url[: -len(".html")]
        url = url[: -len("index")] if url == "index" or url.endswith("/index") else url + "/"
    return url


def _resolve(base: str, path: str) -> str | None:
    """The site-relative URL that `path` names on the page at `base`; None if it leaves the site."""
    target = posixpath.normpath(posixpath.join(base if base.endswith("/") else posixpath.dirname(base), path))
    if target == ".." or target.startswith("../"):
        return None
    target = "" if target == "." else target
    return target + "/" if path.endswith("/") and target else target


class _OfflineCopy(BasePlugin):
    """What the offline copy changes beyond Material's offline plugin."""

    def on_page_markdown(self, markdown, page, config, files):
        # The copy does not offer itself for download (and holds no zip).
        return _OFFLINE_SECTION.sub("", markdown) if page.file.src_uri == "index.md" else markdown

    def on_page_content(self, html, page, config, files):
        """MkDocs rewrites the links of Markdown, but not those in notebook cells or raw HTML,
        which are written for the published site's URLs (`../../quiz/#q4` on programs/x/): point
        each link that names no file here, but one there, at that file's .html."""
        here, there = page.file.url, _online_url(page.file)
        offline = {f.url for f in files}
        online = {_online_url(f): f for f in files}

        def fix(m: re.Match) -> str:
            parts = urlsplit(m[2])
            if parts.scheme or parts.netloc or not parts.path or parts.path.startswith("/"):
                return m[0]
            if _resolve(here, parts.path) in offline:
                return m[0]
            target = online.get(_resolve(there, parts.path))
            if target is None:
                return m[0]
            url = get_relative_url(target.url, here)
            return f'{m[1]}{urlunsplit(("", "", url, parts.query, parts.fragment))}"'

        return _URL_ATTR.sub(fix, html)

    def on_post_page(self, output, page, config):
        return _ALTERNATE_LINK.sub("", output)


def offline_config(config) -> None:
    """The overrides that make a language's build readable from file://.

    Material's offline plugin turns off directory URLs (links name .html files) and writes the
    search index as a script, search/search_index.js, defining `__index`. From file:// a page
    cannot start a web worker, so Material loads a shim that runs its search worker in an
    iframe; the plugin would load it from unpkg.com: overrides/assets/search/iframe-worker.js is
    that shim (iframe-worker 1.0.4, MIT), served with the site."""
    from material.plugins.offline.plugin import OfflinePlugin

    config.use_directory_urls = False
    config.extra["polyfills"] = [*config.extra.get("polyfills", []), "assets/search/iframe-worker.js"]
    plugin = OfflinePlugin()
    plugin.load_config({})
    config.plugins["material/offline"] = plugin
    config.plugins["site/offline"] = _OfflineCopy()


def build_language(lang: str, site_dir: Path, serve_url: str | None = None, offline: bool = False) -> float:
    """Build one language into site_dir; return the seconds it took. Raises on any warning."""
    start = time.perf_counter()
    config = load(lang, site_dir, serve_url, offline)
    config.plugins.on_startup(command="serve" if serve_url else "build", dirty=False)
    try:
        mkdocs_build(config, serve_url=serve_url)
    finally:
        config.plugins.on_shutdown()
    return time.perf_counter() - start


def build(site_dir: Path) -> dict[str, float]:
    """The whole site: Chinese into site_dir, English into site_dir/en (in that order, since
    building a language empties its directory first), then the offline copy of it in each
    language at DOWNLOAD."""
    site_dir = site_dir.resolve()
    times = {lang: build_language(lang, site_dir / PREFIX[lang]) for lang in CONFIGS}
    start = time.perf_counter()
    key = fingerprint(site_dir)
    if not (OFFLINE_ZIP.is_file() and OFFLINE_KEY.is_file() and OFFLINE_KEY.read_text() == key):
        offline()
        partial = OFFLINE_KEY.with_name(f".{OFFLINE_KEY.name}.{os.getpid()}")
        partial.write_text(key)
        os.replace(partial, OFFLINE_KEY)
    for lang in CONFIGS:
        target = site_dir / PREFIX[lang] / DOWNLOAD
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(OFFLINE_ZIP, target)
    times["offline"] = time.perf_counter() - start
    return times


def fingerprint(site_dir: Path) -> str:
    """A hash of the built site (the downloads and the dated sitemaps aside) and of this file:
    the offline copy is built from the same sources, so it is rebuilt only when this changes."""
    h = hashlib.sha256(Path(__file__).read_bytes())
    skip = {str(PurePosixPath(PREFIX[lang]) / PurePosixPath(DOWNLOAD).parent) for lang in CONFIGS}
    for path in sorted(site_dir.rglob("*")):
        rel = path.relative_to(site_dir).as_posix()
        if path.is_file() and not path.name.startswith("sitemap.xml") and not any(
                rel.startswith(s + "/") for s in skip):
            h.update(rel.encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def offline(site_dir: Path = OFFLINE_SITE, zip_path: Path = OFFLINE_ZIP) -> dict[str, float]:
    """Both languages for reading from file:// (Chinese in site_dir, English in site_dir/en),
    zipped into zip_path. Programs are not run again: hooks/programs.py reads them from its
    cache, and mkdocs-jupyter's cache serves their pages.

    Built in a folder of its own, then moved to site_dir, so that two builds at once (two test
    runs in one checkout) do not write into each other's."""
    site_dir, zip_path = site_dir.resolve(), zip_path.resolve()
    if zip_path == OFFLINE_ZIP:
        OFFLINE_KEY.unlink(missing_ok=True)  # build() will not take this zip for the last site's
    own = site_dir.with_name(f"{site_dir.name}.{os.getpid()}")
    try:
        times = {lang: build_language(lang, own / PREFIX[lang], offline=True) for lang in CONFIGS}
        start = time.perf_counter()
        write_zip(own, zip_path)
        times["zip"] = time.perf_counter() - start
        shutil.rmtree(site_dir, ignore_errors=True)
        try:
            os.replace(own, site_dir)
        except OSError:  # another build has just put its own there
            pass
    finally:
        shutil.rmtree(own, ignore_errors=True)
    log.info("Offline copy: %s (%.0f KB)", zip_path, zip_path.stat().st_size / 1024)
    return times


# Scripts of the search worker for the languages the site searches in (each language's index is
# in its own language); the other languages' scripts, and the segmenters of ja, hi and th, stay out.
_LUNR = {"lunr.stemmer.support.min.js", "lunr.multi.min.js", *(f"lunr.{lang}.min.js" for lang in CONFIGS)}


def shipped(rel: PurePosixPath) -> bool:
    """Whether a file of the offline site goes into the zip: not source maps, sitemaps, the JSON
    search index (from file:// Material reads search_index.js), unused lunr scripts, or the 404
    page (which no file:// address shows, and whose links are absolute)."""
    if rel.suffix == ".map" or rel.name.startswith("sitemap.xml") or rel.name in ("search_index.json", "404.html"):
        return False
    return "lunr" not in rel.parts[:-1] or rel.name in _LUNR


def write_zip(site_dir: Path, zip_path: Path) -> None:
    """Zip site_dir as one folder, ZIP_FOLDER, entries in a fixed order, dated SOURCE_DATE_EPOCH
    when it is set (then the same site gives the same zip), else now. Written beside zip_path,
    then moved in place."""
    stamp = time.localtime(int(os.environ.get("SOURCE_DATE_EPOCH", time.time())))[:6]
    zip_path.parent.mkdir(parents=True, exist_ok=True)
    partial = zip_path.with_name(f".{zip_path.name}.{os.getpid()}")
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(site_dir.rglob("*")):
            rel = PurePosixPath(path.relative_to(site_dir).as_posix())
            if path.is_file() and shipped(rel):
                info = zipfile.ZipInfo(str(ZIP_FOLDER / rel), date_time=max(stamp, (1980, 1, 1, 0, 0, 0)))
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                archive.writestr(info, path.read_bytes())
    os.replace(partial, zip_path)


class _Server(LiveReloadServer):
    """MkDocs' live-reload server, remembering which files changed since the last build."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.changed: set[str] = set()

    def watch(self, path, func=None, *, recursive=True):
        import watchdog.events

        path = os.path.abspath(path)
        if path in self._watched_paths:
            return
        self._watched_paths[path] = 1

        def callback(event):
            if event.is_directory:
                return
            with self._rebuild_cond:
                self.changed.add(os.path.abspath(event.src_path))
                self._want_rebuild = True
                self._rebuild_cond.notify_all()

        handler = watchdog.events.FileSystemEventHandler()
        handler.on_any_event = callback
        self._watch_refs[path] = self.observer.schedule(handler, path, recursive=recursive)


def languages_for(changed: set[str]) -> list[str]:
    """The languages a set of changed files requires rebuilding."""
    langs = set()
    for path in changed:
        rel = Path(path).resolve().relative_to(ROOT).parts if Path(path).is_absolute() else Path(path).parts
        if rel[:1] == ("docs",) and len(rel) > 1 and rel[1] in CONFIGS:
            langs.add(rel[1])
        else:
            return list(CONFIGS)
    return [lang for lang in CONFIGS if lang in langs]


def serve(host: str, port: int) -> None:
    root = Path(tempfile.mkdtemp(prefix="site_serve_"))
    dirs = {"zh": root / "zh", "en": root / "en"}
    for d in dirs.values():
        d.mkdir()
    # The English build lives beside the Chinese one and is linked in as /en/: rebuilding the
    # Chinese site empties its directory, but leaves a symbolic link in place.
    (dirs["zh"] / "en").symlink_to(dirs["en"], target_is_directory=True)
    url = f"http://{host}:{port}/"

    def build_some(langs):
        for lang in langs:
            seconds = build_language(lang, dirs[lang], url + PREFIX[lang])
            log.info("Built %s in %.2f s", lang, seconds)

    server = _Server(builder=lambda: None, host=host, port=port, root=str(dirs["zh"]))

    def builder():
        with server._rebuild_cond:
            changed, server.changed = server.changed, set()
        build_some(languages_for(changed))

    server.builder = builder
    try:
        build_some(list(CONFIGS))
        for path in ["docs", "snippets", "hooks", "overrides", *map(str, CONFIGS.values())]:
            server.watch(str(ROOT / path))
        log.info("Serving the Chinese site on %s and the English one on %sen/", url, url)
        server.serve()
    except KeyboardInterrupt:
        log.info("Shutting down...")
    finally:
        server.shutdown()
        shutil.rmtree(root, ignore_errors=True)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="build both languages")
    b.add_argument("--site-dir", type=Path, default=ROOT / "site")
    s = sub.add_parser("serve", help="serve both languages with live reload")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8000)
    o = sub.add_parser("offline", help="build both languages for reading from file://, and zip them")
    o.add_argument("--site-dir", type=Path, default=OFFLINE_SITE)
    o.add_argument("--zip", type=Path, default=OFFLINE_ZIP)
    args = parser.parse_args(argv)

    logging.basicConfig(level=logging.INFO, format="%(levelname)-7s -  %(message)s")
    logging.getLogger("mkdocs.plugins.mkdocs_jupyter").setLevel(logging.WARNING)
    logging.getLogger("mkdocs.mkdocs-jupyter").setLevel(logging.WARNING)
    logging.getLogger("jieba").setLevel(logging.WARNING)
    if args.command == "build":
        times = build(args.site_dir)
        log.info("Built %s in %s", args.site_dir, ", ".join(f"{k} {v:.1f} s" for k, v in times.items()))
    elif args.command == "offline":
        times = offline(args.site_dir, args.zip)
        log.info("Built %s in %s", args.zip, ", ".join(f"{k} {v:.1f} s" for k, v in times.items()))
    else:
        serve(args.host, args.port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
