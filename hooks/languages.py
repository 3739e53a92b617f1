"""Every language of the site in one `mkdocs build` or `mkdocs serve`.

The site's one list of languages is `extra.alternate` in mkdocs.yml (Material's language
switcher reads the same list). Each entry names a language (`lang`, which is that site's
`theme.language`) and where it lives in the site, relative to the site's root (`link`: "./" for
the reference language, which mkdocs.yml builds, "en/" for English). Every other language has a
configuration of its own, mkdocs.<lang>.yml, which INHERITs mkdocs.yml.

After MkDocs has built the reference language, this hook builds each other language into its
folder of the same site_dir, with MkDocs' public API (load_config, build): `mkdocs build` writes
the whole site and `mkdocs serve` serves it, strict as configured. While serving, it watches the
other languages' pages and configurations too, and a rebuild builds a language again only when
one of its inputs changed (a file's size or time), since MkDocs rebuilds the reference language
on every change anyway.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.utils import yaml_load

log = logging.getLogger("mkdocs.hooks.languages")

ROOT = Path(__file__).resolve().parent.parent
REFERENCE_CONFIG = ROOT / "mkdocs.yml"


@dataclass(frozen=True)
class Language:
    lang: str        # theme.language of its site, and the tag of its cells in snippets/
    name: str        # as the switcher shows it
    prefix: str      # its folder in the site: "" for the reference language, "en/" ...
    config: Path     # mkdocs.yml for the reference language, else mkdocs.<lang>.yml
    docs: Path       # docs/<lang>


def languages(config_file: Path = REFERENCE_CONFIG) -> list[Language]:
    """The site's languages, the reference one first, from mkdocs.yml's extra.alternate."""
    with open(config_file, encoding="utf-8") as f:
        alternates = (yaml_load(f).get("extra") or {}).get("alternate") or []
    found = []
    for alt in alternates:
        prefix = alt["link"].removeprefix("./").strip("/")
        prefix = prefix + "/" if prefix else ""
        config = config_file if not prefix else config_file.with_name(f"mkdocs.{alt['lang']}.yml")
        found.append(Language(alt["lang"], alt["name"], prefix, config, ROOT / "docs" / alt["lang"]))
    roots = [lang for lang in found if not lang.prefix]
    if len(roots) != 1:
        raise PluginError(f"{config_file}: extra.alternate must give exactly one language the link './'")
    return roots + [lang for lang in found if lang.prefix]


def language_of(config) -> Language:
    """The language a loaded configuration builds (its theme.language)."""
    for lang in languages():
        if lang.lang == config.theme["language"]:
            return lang
    raise PluginError(f"{config.config_file_path}: theme.language {config.theme['language']!r} "
                      f"is not in mkdocs.yml's extra.alternate")


def build_language(lang: Language, site_dir: str, command: str, serve_url: str | None = None) -> float:
    """Build one language into site_dir; the seconds it took. Raises on any warning (strict)."""
    global _depth
    start = time.perf_counter()
    config = load_config(config_file=str(lang.config), site_dir=site_dir)
    if serve_url:
        config.site_url = serve_url
    _depth += 1  # this module's on_shutdown below is that of a build inside another
    try:
        config.plugins.on_startup(command=command, dirty=False)
        try:
            build(config, serve_url=serve_url)
        finally:
            config.plugins.on_shutdown()
    finally:
        _depth -= 1
    return time.perf_counter() - start


def inputs(lang: Language) -> tuple:
    """What a language's build is made from, as (path, size, mtime) of each file."""
    found = []
    for top in (lang.docs, ROOT / "snippets", ROOT / "hooks", ROOT / "overrides", REFERENCE_CONFIG, lang.config):
        for path in sorted([top] if top.is_file() else top.rglob("*")):
            if path.is_file():
                stat = path.stat()
                found.append((str(path), stat.st_size, stat.st_mtime_ns))
    return tuple(found)


_command = "build"
_depth = 0  # builds under way inside another build
_serving: dict[str, tuple[Path, tuple]] = {}  # lang -> (its build folder outside site_dir, its inputs)


def on_startup(command, dirty):
    global _command
    _command = command


def on_config(config):
    language_of(config)  # fails on a language that the list does not know
    return config


def on_serve(server, config, builder):
    for lang in languages()[1:]:
        server.watch(str(lang.docs))
        server.watch(str(lang.config))
    return server


@event_priority(-100)  # after every other plugin has finished the reference language
def on_post_build(config):
    if language_of(config).prefix:  # another language's own build: nothing more to build
        return
    serve_url = config.site_url if _command == "serve" else None
    for lang in languages()[1:]:
        target = os.path.join(config.site_dir, lang.prefix.rstrip("/"))
        if _command != "serve":
            seconds = build_language(lang, target, _command)
            log.info("Built %s in %.1f s", lang.lang, seconds)
            continue
        # Serving: the language is built into a folder of its own, linked into the served site,
        # and built again only when its inputs change (MkDocs empties site_dir on every rebuild).
        folder, built_from = _serving.get(lang.lang, (None, None))
        if folder is None:
            folder = Path(tempfile.mkdtemp(prefix=f"mkdocs_{lang.lang}_"))
        now = inputs(lang)
        if now != built_from or not (folder / "index.html").is_file():
            seconds = build_language(lang, str(folder), "serve", serve_url + lang.prefix)
            log.info("Built %s in %.1f s", lang.lang, seconds)
        _serving[lang.lang] = (folder, now)
        if not os.path.islink(target):
            shutil.rmtree(target, ignore_errors=True)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            os.symlink(folder, target, target_is_directory=True)


def on_shutdown():
    if _command == "serve" and not _depth:
        for folder, _ in _serving.values():
            shutil.rmtree(folder, ignore_errors=True)
        _serving.clear()
