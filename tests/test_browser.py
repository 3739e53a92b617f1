"""The built site in a real browser (Debian's Chromium, driven by Playwright).

Every page loads with no request to another host and no console error; formulas are rendered,
not raw TeX; the language switcher lands on the counterpart page; screenshots of each kind of
page, in both languages, desktop and phone width, are written to build/screenshots/ for a person
to look at.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from helpers import LANGS, PREFIX, ROOT, served_paths

SHOTS = ROOT / "build" / "screenshots"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 740}


class Watched:
    """A page that records requests to other hosts and console errors."""

    def __init__(self, browser, base: str, viewport=DESKTOP):
        self.context = browser.new_context(viewport=viewport, service_workers="block")
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


def test_every_page_loads_cleanly_with_rendered_math(built_site, server, browser):
    problems = []
    w = Watched(browser, server)
    try:
        for rel in served_paths(built_site, "index.html"):
            w.foreign.clear()
            w.errors.clear()
            w.page.goto(server + rel, wait_until="load")
            w.page.wait_for_timeout(150)
            problems += [f"/{rel}: request to another host: {u}" for u in w.foreign]
            problems += [f"/{rel}: console error: {e}" for e in w.errors]
            raw = w.page.evaluate("""() => {
                const clone = document.querySelector('article').cloneNode(true);
                clone.querySelectorAll('pre, code, math, script, style').forEach(e => e.remove());
                const text = clone.innerText;
                return (text.match(/\\\\\\(|\\\\\\[|\\$\\$|\\\\frac|\\\\sum|\\\\mathbf|\\\\eta|\\$[^$\\s][^$]*\\\\[a-z]+[^$]*\\$/g) || []);
            }""")
            problems += [f"/{rel}: raw TeX on the page: {r!r}" for r in raw]
    finally:
        w.close()
    assert not problems, "\n".join(problems)


PROGRAM = "linear_regression_scratch"
KINDS = {"home": "", "chapter": "mini-batch-sgd/", "notebook": f"programs/{PROGRAM}/"}


@pytest.mark.parametrize("kind", sorted(KINDS))
@pytest.mark.parametrize("lang", LANGS)
def test_switcher_lands_on_the_counterpart_page(server, browser, lang, kind):
    other = "en" if lang == "zh" else "zh"
    w = Watched(browser, server)
    try:
        w.page.goto(server + PREFIX[lang] + KINDS[kind])
        w.page.hover(".md-header__option .md-select")
        w.page.click(f".md-select__link[hreflang={other}]")
        w.page.wait_for_load_state("load")
        assert urlsplit(w.page.url).path == "/" + PREFIX[other] + KINDS[kind]
        assert w.page.evaluate("document.documentElement.lang") == other
        assert not w.errors, w.errors
    finally:
        w.close()


@pytest.mark.parametrize("kind", sorted(KINDS))
@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_screenshot(server, browser, lang, kind, device):
    """Writes build/screenshots/<kind>-<lang>-<device>.png; the page must not scroll sideways."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    w = Watched(browser, server, DESKTOP if device == "desktop" else PHONE)
    try:
        w.page.goto(server + PREFIX[lang] + KINDS[kind], wait_until="load")
        w.page.screenshot(path=str(SHOTS / f"{kind}-{lang}-{device}.png"), full_page=False)
        overflow = w.page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{PREFIX[lang]}{KINDS[kind]} scrolls sideways by {overflow}px at {device} width"
    finally:
        w.close()
