"""What several tests need: the repository's layout, readers for Markdown and built HTML, and
Material's search box driven in Chromium."""

from __future__ import annotations

import html.parser
import importlib.util
import re
import sys
import time
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
SNIPPETS = ROOT / "snippets"


def import_tool(name: str, folder: str = "tools"):
    """Import tools/<name>.py or hooks/<name>.py as a module, with its folder on sys.path while it
    loads (as MkDocs loads a hook)."""
    key = f"_{folder}_{name}"
    if key not in sys.modules:
        spec = importlib.util.spec_from_file_location(key, ROOT / folder / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[key] = module
        sys.path.insert(0, str(ROOT / folder))
        try:
            spec.loader.exec_module(module)
        finally:
            sys.path.remove(str(ROOT / folder))
    return sys.modules[key]


# The site's languages, from mkdocs.yml's extra.alternate (hooks/languages.py): the reference
# language first. Tests cover every language, each against the reference one.
LANGUAGES = import_tool("languages", "hooks").languages()
LANGS = tuple(lang.lang for lang in LANGUAGES)
REFERENCE = LANGS[0]
PREFIX = {lang.lang: lang.prefix for lang in LANGUAGES}


# (from, to) pairs the language switcher is tested with: the reference language to each other, back.
SWITCHES = [(REFERENCE, lang) for lang in LANGS[1:]] + [(lang, REFERENCE) for lang in LANGS[1:]]


def lang_of(site: Path, page: Path) -> str:
    """The language of a built page: that of the longest prefix its path starts with."""
    rel = page.relative_to(site).as_posix()
    return max((lang for lang in LANGS if rel.startswith(PREFIX[lang])), key=lambda lang: len(PREFIX[lang]))


def pages(lang: str) -> list[str]:
    """Markdown pages of one language, relative to docs/<lang>."""
    return sorted(str(p.relative_to(DOCS / lang)) for p in (DOCS / lang).rglob("*.md"))


# --- Markdown ------------------------------------------------------------------------------------

FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>.*)$")


def fences(text: str) -> list[dict]:
    """Fenced blocks: line number (1-based), indent, fence, info string, code and marker lines."""
    blocks, lines, i = [], text.splitlines(), 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        start, fence, body = i, m["fence"], []
        i += 1
        while i < len(lines) and not lines[i].lstrip().startswith(fence):
            body.append(lines[i][len(m["indent"]):] if lines[i].startswith(m["indent"]) else lines[i].lstrip())
            i += 1
        before = [ln.strip() for ln in lines[max(0, start - 3):start] if ln.strip()]
        blocks.append({
            "line": start + 1, "indent": m["indent"], "fence": fence, "info": m["info"].strip(),
            "code": "\n".join(body), "before": before[-1] if before else "",
        })
        i += 1
    return blocks


def strip_fences(text: str) -> str:
    """The Markdown without its fenced blocks (so '#' lines in code are not taken for headings)."""
    out, inside = [], None
    for line in text.splitlines():
        m = FENCE.match(line)
        if inside is None and m:
            inside = m["fence"]
            out.append("")
        elif inside is not None and line.lstrip().startswith(inside):
            inside = None
            out.append("")
        else:
            out.append("" if inside else line)
    return "\n".join(out)


HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*$", re.M)
HEADING_ID = re.compile(r"\{\s*#([\w-]+)[^}]*\}\s*$")


def headings(text: str) -> list[tuple[int, str, str | None]]:
    """(level, title, explicit id or None) of each heading, code blocks excluded."""
    result = []
    for m in HEADING.finditer(strip_fences(text)):
        idm = HEADING_ID.search(m[2])
        result.append((len(m[1]), HEADING_ID.sub("", m[2]).strip(), idm[1] if idm else None))
    return result


LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
AUTOLINK = re.compile(r"<(https?://[^>\s]+)>")


def links(text: str) -> list[str]:
    """Targets of the Markdown links and images, code blocks excluded."""
    body = strip_fences(text)
    body = re.sub(r"`[^`\n]*`", "", body)
    return LINK.findall(body) + AUTOLINK.findall(body)


def images(text: str) -> list[str]:
    return [m for m in re.findall(r"!\[[^\]]*\]\(\s*<?([^)\s>]+)", strip_fences(text))]


# --- Built HTML ------------------------------------------------------------------------------------


class PageParser(html.parser.HTMLParser):
    """Collects ids, links and loaded resources of one HTML page."""

    LOADS = {"script": ("src",), "img": ("src", "srcset"), "iframe": ("src",), "source": ("src", "srcset"),
             "video": ("src", "poster"), "audio": ("src",), "embed": ("src",), "object": ("data",),
             "track": ("src",), "input": ("src",)}
    LINK_LOADS = {"stylesheet", "icon", "preload", "modulepreload", "prefetch", "manifest", "apple-touch-icon",
                  "mask-icon", "shortcut icon", "dns-prefetch", "preconnect"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.anchors: list[str] = []
        self.loads: list[str] = []
        self.lang: str | None = None
        self.styles: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "a" and "name" in a:
            self.ids.add(a["name"])
        if tag == "html":
            self.lang = a.get("lang")
        if tag == "a" and a.get("href"):
            self.anchors.append(a["href"])
        for attr in self.LOADS.get(tag, ()):
            if a.get(attr):
                self.loads.extend(u.strip().split(" ")[0] for u in a[attr].split(",")) if attr == "srcset" \
                    else self.loads.append(a[attr])
        if tag == "link" and a.get("href") and (a.get("rel") or "").lower() in self.LINK_LOADS:
            self.loads.append(a["href"])
        if a.get("style"):
            self.styles.append(a["style"])
        self._in_style = tag == "style"

    def handle_data(self, data):
        if self._in_style:
            self.styles.append(data)

    def handle_endtag(self, tag):
        if tag == "style":
            self._in_style = False


@lru_cache(maxsize=None)
def parse_page(path: Path) -> PageParser:
    p = PageParser()
    p.feed(path.read_text("utf-8"))
    return p


def built_pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def served_paths(site: Path, pattern: str = "*.html") -> list[str]:
    """The built pages matching pattern, as paths under the server's root ('quiz/', '404.html')."""
    return sorted(str(p.relative_to(site)).removesuffix("index.html") for p in site.rglob(pattern))


# --- Pages in Chromium --------------------------------------------------------------------------

class Watched:
    """A page that records requests to other hosts and console errors."""

    def __init__(self, browser, base: str, viewport=None, color_scheme="light"):
        self.context = browser.new_context(viewport=viewport or {"width": 1280, "height": 800},
                                           service_workers="block", color_scheme=color_scheme)
        self.page = self.context.new_page()
        self.base_host = urlsplit(base).netloc
        self.foreign: list[str] = []
        self.errors: list[str] = []
        self.page.on("request", self._request)
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def _request(self, request):
        parts = urlsplit(request.url)
        if parts.scheme in ("http", "https", "ws", "wss") and parts.netloc != self.base_host:
            self.foreign.append(request.url)

    def close(self):
        self.context.close()


# TeX left unrendered in the article's text (code, formulas, scripts and styles aside).
RAW_TEX = """() => {
    const clone = document.querySelector('article').cloneNode(true);
    clone.querySelectorAll('pre, code, math, script, style').forEach(e => e.remove());
    const text = clone.innerText;
    return (text.match(/\\\\\\(|\\\\\\[|\\$\\$|\\\\frac|\\\\sum|\\\\mathbf|\\\\eta|\\$[^$\\s][^$]*\\\\[a-z]+[^$]*\\$/g) || []);
}"""


# --- Material's search box, in Chromium ----------------------------------------------------------

SEARCH_RESULTS = "li.md-search-result__item > a.md-search-result__link"
_SEARCH_IDLE = """() => {
    const config = JSON.parse(document.querySelector('#__config').textContent)
    const meta = document.querySelector('.md-search-result__meta')
    return meta && meta.textContent.trim() === config.translations['search.result.placeholder']
}"""  # the box is empty and the worker ready: "键入以开始搜索" / "Type to start searching"


def open_search(page) -> None:
    """Focus the search box of the page as a reader would ('/'), and wait until the search is ready.
    The index is only fetched once the reader reaches for the search (overrides/main.html)."""
    box = page.locator("input.md-search__input")
    page.keyboard.press("/")
    if not box.evaluate("el => el === document.activeElement"):
        page.locator("label.md-header__button[for=__search]").first.click()
        box.click()
    assert box.evaluate("el => el === document.activeElement"), "search box is not focused"
    page.wait_for_function(_SEARCH_IDLE, timeout=15_000)


def clear_search(page) -> None:
    """Empty the focused search box with the keyboard and wait until no result is shown."""
    page.keyboard.press("Control+A")
    page.keyboard.press("Backspace")
    page.wait_for_function(_SEARCH_IDLE, timeout=5_000)


def settled_results(page, timeout: float = 8.0, quiet: float = 0.5) -> tuple[str, list[str]]:
    """(the result count line, the result links) once neither has changed for `quiet` seconds
    and there is a result, or as they are after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    last, since = None, time.monotonic()
    while time.monotonic() < deadline:
        now = (page.locator(".md-search-result__meta").inner_text().strip(),
               page.locator(SEARCH_RESULTS).evaluate_all("els => els.map(e => e.href)"))
        if now != last:
            last, since = now, time.monotonic()
        elif now[1] and time.monotonic() - since >= quiet:
            break
        time.sleep(0.05)
    return last
