"""Every built page, every language, in Chromium: it loads cleanly and is accessible.

- In the light sweep, each page (404.html aside) makes no request to another host and logs no
  console error, and its article shows no raw TeX (formulas are rendered).
- axe-core (tools/audit/package.json pins it; `npm ci --prefix tools/audit` installs it, and
  `make test` runs that when needed) finds no violation of impact "serious" or "critical":
  - in the light scheme, with every rule;
  - in the dark one, with axe's colour rules on the whole page, and every rule on the scheme toggle.
    The two schemes give the same markup and text and differ in colours and in which toggle button
    is shown (overrides/partials/palette.html), so no other rule can find anything new there. Each
    scheme is selected as a reader's system selects it: the site follows `prefers-color-scheme` on a
    first visit.
- no page scrolls sideways: at the desktop width in the light sweep, at a phone's (375 px) in the
  dark one (after axe: the width does not depend on the scheme); at a phone's width no text is
  under 12 px (formulas' scripts aside).
- the sweeps write the screenshots a person looks at: each kind of page (SHOTS_OF) in each language,
  scheme and width, to build/screenshots/<kind>-<lang>-<desktop|phone>-<light|dark>.png.

Each sweep is one test per language, so pytest-xdist can run them side by side.
"""

from __future__ import annotations

import pytest

from helpers import LANGS, PREFIX, RAW_TEX, ROOT, Watched, served_paths

AXE = ROOT / "tools" / "audit" / "node_modules" / "axe-core" / "axe.min.js"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 740}
BLOCKING = ("serious", "critical")
# The reader's system preference (Playwright's color_scheme) and the scheme the site then shows.
SCHEMES = {"light": "default", "dark": "slate"}
SHOTS = ROOT / "build" / "screenshots"
# The kinds of page a reader sees, by path within a language, for the screenshots (and the element
# the screenshot shows the top of, where it is not the top of the page).
SHOTS_OF = {"": ("home", None), "mini-batch-sgd/": ("chapter", None), "quiz/": ("quiz", None),
            "programs/linear_regression_scratch/": ("notebook", None),
            "sgd-hyperparameters/": ("playground", "#sgd-playground")}
# axe's rules of category "cat.color" that run by default (color-contrast-enhanced is WCAG AAA,
# off by default, so the light sweep does not run it either).
COLOUR_RULES = ["color-contrast", "link-in-text-block"]

_VIOLATIONS = """async (options) => {
    const runs = options.colourOnly
        ? [[document, {runOnly: options.rules}], [{include: [['#site-palette']]}, {}]]
        : [[document, {}]];
    const found = [];
    for (const [context, opts] of runs) {
        const r = await axe.run(context, {...opts, resultTypes: ['violations']});
        found.push(...r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            count: v.nodes.length, target: v.nodes[0].target.join(' ')})));
    }
    return found;
}"""


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.exists():
        pytest.fail(f"{AXE.relative_to(ROOT)} is missing: run `npm ci --prefix tools/audit` (`make test` does)")
    return AXE.read_text("utf-8")


def each_page(browser, server, site, lang, viewport, color_scheme):
    """(path, watched page) for every built page of one language in turn, loaded in one tab with the
    given viewport, by a system that prefers the given colour scheme; the page's requests to other
    hosts and console errors are recorded from its load on."""
    w = Watched(browser, server, viewport, color_scheme)
    try:
        for rel in served_paths(site):
            if max((lg for lg in LANGS if rel.startswith(PREFIX[lg])), key=lambda lg: len(PREFIX[lg])) == lang:
                w.foreign.clear()
                w.errors.clear()
                w.page.goto(server + rel, wait_until="load")
                yield rel, w
    finally:
        w.close()


@pytest.mark.sweep
@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("scheme", sorted(SCHEMES))
def test_every_page_loads_cleanly_and_axe_finds_no_serious_violation(built_site, server, browser, axe_source,
                                                                     scheme, lang):
    problems, pages = [], 0
    for rel, w in each_page(browser, server, built_site, lang, DESKTOP, scheme):
        pages += 1
        page = w.page
        shown = page.evaluate("document.body.dataset.mdColorScheme")
        if shown != SCHEMES[scheme]:
            problems.append(f"/{rel}: a system that prefers {scheme} gets scheme {shown!r}, not {SCHEMES[scheme]!r}")
            continue
        page.evaluate(axe_source)
        if pages == 1:  # an axe upgrade that adds a colour rule must be noticed here
            colour = page.evaluate("axe.getRules(['cat.color']).map(r => r.ruleId).sort()")
            assert colour == sorted([*COLOUR_RULES, "color-contrast-enhanced"]), colour
        violations = page.evaluate(_VIOLATIONS, {"colourOnly": scheme == "dark", "rules": COLOUR_RULES})
        problems += [f"/{rel}: {v['id']} ({v['impact']}, {v['count']} element(s)): {v['help']}; "
                     f"first: {v['target']}" for v in violations if v["impact"] in BLOCKING]
        if scheme == "light" and not rel.endswith("404.html"):  # after axe: a late error is caught too
            problems += [f"/{rel}: request to another host: {u}" for u in w.foreign]
            problems += [f"/{rel}: console error: {e}" for e in w.errors]
            problems += [f"/{rel}: raw TeX on the page: {r!r}" for r in page.evaluate(RAW_TEX)]
        kind, top = SHOTS_OF.get(rel.removeprefix(PREFIX[lang]), (None, None))
        if kind and top:  # the playground starts when it is scrolled to, and draws once its data has arrived
            page.locator(top).scroll_into_view_if_needed()
            page.wait_for_selector(f"{top}.pg-ready")
        for device, viewport in [("desktop", DESKTOP), ("phone", PHONE)]:
            if scheme == "light" and device == "phone" and not kind:
                continue
            page.set_viewport_size(viewport)
            if device == ("desktop" if scheme == "light" else "phone"):
                overflow = page.evaluate(_OVERFLOW)
                if overflow > 0:
                    problems.append(f"/{rel}: scrolls sideways by {overflow}px at {viewport['width']} px "
                                    f"(widest: {page.evaluate(_WIDEST)})")
            if device == "phone" and scheme == "dark":
                problems += [f"/{rel}: text under 12 px on a phone: {t}" for t in page.evaluate(_SMALL_TEXT)]
            if kind:
                if top:  # its top just under the header, as a link to it shows it
                    page.evaluate(_SCROLL_TO, top)
                SHOTS.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(SHOTS / f"{kind}-{lang}-{device}-{scheme}.png"))
        page.set_viewport_size(DESKTOP)
    assert pages >= 10, f"only {pages} pages of {lang} found in {built_site}"
    assert not problems, "\n".join(problems)


_SCROLL_TO = """sel => window.scrollTo(0, document.querySelector(sel).getBoundingClientRect().top + window.scrollY
                                     - document.querySelector('.md-header').offsetHeight - 8)"""
# Text a phone shows under 12 px (Lighthouse's limit of legible text), formulas aside (MathML draws
# sub- and superscripts smaller, as print does): "10.9px code: backward()", the first of each size
# and element.
_SMALL_TEXT = """() => {
    const found = new Map(), walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n; (n = walker.nextNode());) {
        const e = n.parentElement, text = n.textContent.trim();
        if (!text || e.closest('math') || !e.getClientRects().length) continue;
        const style = getComputedStyle(e), size = parseFloat(style.fontSize);
        const key = size.toFixed(1) + 'px ' + e.tagName.toLowerCase();
        if (size < 12 && style.visibility !== 'hidden' && !found.has(key)) found.set(key, key + ': ' + text.slice(0, 40));
    }
    return [...found.values()];
}"""
_OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"
_WIDEST = """() => {
    const w = document.documentElement.clientWidth;
    const e = [...document.querySelectorAll('body *')]
        .filter(e => e.getBoundingClientRect().right > w + 0.5)
        .sort((a, b) => b.getBoundingClientRect().right - a.getBoundingClientRect().right)[0];
    return e ? e.tagName.toLowerCase() + (e.className ? '.' + String(e.className).trim().split(/\\s+/).join('.') : '') : '?';
}"""
