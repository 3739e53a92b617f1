"""Build or serve both languages of the site as one site: Chinese at /, English at /en/.

    python tools/website.py build [--site-dir DIR]     # what `make build` runs
    python tools/website.py serve [--port 8000]        # what `make serve` runs

One process builds both languages, so jieba's dictionary and the kernels' imports are paid once.
While serving, a change under docs/zh or docs/en rebuilds that language only; any other change
(snippets, hooks, overrides, the configs) rebuilds both.
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")

from mkdocs.commands.build import build as mkdocs_build  # noqa: E402
from mkdocs.config import load_config  # noqa: E402
from mkdocs.livereload import LiveReloadServer  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
CONFIGS = {"zh": ROOT / "mkdocs.yml", "en": ROOT / "mkdocs.en.yml"}
PREFIX = {"zh": "", "en": "en/"}  # where each language lives inside the site
log = logging.getLogger("mkdocs.site")


def load(lang: str, site_dir: Path, site_url: str | None = None):
    config = load_config(config_file=str(CONFIGS[lang]), site_dir=str(site_dir))
    if site_url is not None:
        config.site_url = site_url
    return config


def build_language(lang: str, site_dir: Path, serve_url: str | None = None) -> float:
    """Build one language into site_dir; return the seconds it took. Raises on any warning."""
    start = time.perf_counter()
    config = load(lang, site_dir, serve_url)
    config.plugins.on_startup(command="serve" if serve_url else "build", dirty=False)
    try:
        mkdocs_build(config, serve_url=serve_url)
    finally:
        config.plugins.on_shutdown()
    return time.perf_counter() - start


def build(site_dir: Path) -> dict[str, float]:
    """The whole site: Chinese into site_dir, English into site_dir/en (in that order, since
    building a language empties its directory first)."""
    site_dir = site_dir.resolve()
    return {lang: build_language(lang, site_dir / PREFIX[lang]) for lang in CONFIGS}


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
    args = parser.parse_args(argv)

    logging.basicConfig(level=logging.INFO, format="%(levelname)-7s -  %(message)s")
    logging.getLogger("mkdocs.plugins.mkdocs_jupyter").setLevel(logging.WARNING)
    logging.getLogger("mkdocs.mkdocs-jupyter").setLevel(logging.WARNING)
    logging.getLogger("jieba").setLevel(logging.WARNING)
    if args.command == "build":
        times = build(args.site_dir)
        log.info("Built %s in %s", args.site_dir, ", ".join(f"{k} {v:.1f} s" for k, v in times.items()))
    else:
        serve(args.host, args.port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
