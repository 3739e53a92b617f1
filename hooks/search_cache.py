"""Reuse a page's search entries while the page is unchanged.

Material's search plugin parses every page's HTML and segments its Chinese text with jieba on
every build: about half of a language's rebuild during `make serve`, where one page changed.
This hook keeps the entries each page gave in .cache/search, keyed on everything they are made
from (the page's URL, title, front matter, HTML and table of contents, Material's and jieba's
versions, and the course-term dictionary of hooks/search_zh.py), and hands them back to the
index for a page whose key is unchanged. The index written is the same, entry for entry.
"""

from __future__ import annotations

import hashlib
import json
from importlib.metadata import version
from pathlib import Path

from mkdocs.plugins import event_priority

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / ".cache" / "search"
USERDICT = Path(__file__).with_name("search_zh.userdict.txt")


def _toc(items) -> list:
    return [[item.id, item.url, item.title, _toc(item.children)] for item in items]


def _key(page, lang: list) -> str:
    meta = {k: page.meta.get(k) for k in ("title", "tags", "search")}
    h = hashlib.sha256()
    for part in (version("mkdocs-material"), version("jieba"), USERDICT.read_text("utf-8"),
                 json.dumps([lang, page.url, page.title, meta, _toc(page.toc)], default=str, ensure_ascii=False),
                 page.content):
        h.update(part.encode("utf-8") + b"\0")
    return h.hexdigest()[:24]


def _cached(index, lang):
    original = index.add_entry_from_context

    def add_entry_from_context(page):
        path = CACHE / f"{_key(page, lang)}.json"
        if path.is_file():
            index.entries.extend(json.loads(path.read_text("utf-8")))
            return
        start = len(index.entries)
        original(page)
        CACHE.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".{path.name}.{id(index)}")
        partial.write_text(json.dumps(index.entries[start:], ensure_ascii=False), "utf-8")
        partial.replace(path)

    return add_entry_from_context


@event_priority(100)  # before the search plugin indexes the page
def on_page_context(context, page, config, nav):
    search = config.plugins.get("material/search") or config.plugins.get("search")
    index = getattr(search, "search_index", None)
    if index is not None and not getattr(index, "_reuses_entries", False):
        index.add_entry_from_context = _cached(index, list(search.config.get("lang") or []))
        index._reuses_entries = True
    return context
