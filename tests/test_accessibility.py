"""Every built page, every language, in Chromium: it loads cleanly and is accessible.

Each page is loaded once, by a system that prefers the light scheme, and then checked in both
schemes: the system's preference is switched to dark, as a reader's system switches at dusk, and
the site must follow it (the reader has not chosen; tests/test_browser.py checks a first visit by
a dark system and the toggle). Colour transitions are turned off for the test, so that every check
sees the final colours.

- Every self-check question (hooks/selfcheck.py) is answered wrong first, so that its feedback
  and its open answer box are checked with the rest of the page.
- In the light scheme, each page (404.html aside) makes no request to another host and logs no
  console error, and its article shows no raw TeX (formulas are rendered).
- axe-core (tools/audit/package.json pins it; `npm ci --prefix tools/audit` installs it, and
  `make test` runs that when needed) finds no violation of impact "serious" or "critical":
  - in the light scheme, with every rule;
  - in the dark one, with axe's colour rules on the whole page, and every rule on the scheme toggle.
    The two schemes give the same markup and text and differ in colours and in which toggle button
    is shown (overrides/partials/palette.html), so no other rule can find anything new there.
- no page scrolls sideways, at the desktop width and at a phone's (375 px), and at a phone's
  width no text is under 12 px (formulas' scripts aside).
- the sweep writes the screenshots a person looks at: each kind of page (SHOTS_OF) in each language,
  scheme and width, to build/screenshots/<kind>-<lang>-<desktop|phone>-<light|dark>.png.

The sweep is one test per language, so pytest-xdist can run them side by side.
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


def each_page(browser, server, site, lang, viewport):
    """(path, watched page) for every built page of one language in turn, loaded in one tab with the
    given viewport, by a system that prefers the light scheme; the page's requests to other hosts
    and console errors are recorded from its load on."""
    w = Watched(browser, server, viewport, "light")
    try:
        for rel in served_paths(site):
            if max((lg for lg in LANGS if rel.startswith(PREFIX[lg])), key=lambda lg: len(PREFIX[lg])) == lang:
                w.foreign.clear()
                w.errors.clear()
                w.page.emulate_media(color_scheme="light")
                w.page.goto(server + rel, wait_until="load")
                w.page.add_style_tag(content=_NO_TRANSITIONS)
                yield rel, w
    finally:
        w.close()


@pytest.mark.sweep
@pytest.mark.parametrize("lang", LANGS)
def test_every_page_loads_cleanly_and_axe_finds_no_serious_violation(built_site, server, browser, axe_source, lang):
    problems, pages = [], 0
    for rel, w in each_page(browser, server, built_site, lang, DESKTOP):
        pages += 1
        page = w.page
        kind, top = SHOTS_OF.get(rel.removeprefix(PREFIX[lang]), (None, None))

        def shot(device: str, scheme: str) -> None:
            if kind:
                if top:  # its top just under the header, as a link to it shows it
                    page.evaluate(_SCROLL_TO, top)
                SHOTS.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(SHOTS / f"{kind}-{lang}-{device}-{scheme}.png"))

        def overflow(width: int) -> None:
            if (by := page.evaluate(_OVERFLOW)) > 0:
                problems.append(f"/{rel}: scrolls sideways by {by}px at {width} px (widest: {page.evaluate(_WIDEST)})")

        forms, wrong = page.evaluate(_ANSWER_ALL_WRONG)
        if forms != wrong:
            problems.append(f"/{rel}: {wrong} of {forms} self-check questions say a wrong answer is wrong")
        page.evaluate(axe_source)
        if pages == 1:  # an axe upgrade that adds a colour rule must be noticed here
            colour = page.evaluate("axe.getRules(['cat.color']).map(r => r.ruleId).sort()")
            assert colour == sorted([*COLOUR_RULES, "color-contrast-enhanced"]), colour
        if top:  # the playground starts when it is scrolled to, and draws once its data has arrived
            page.locator(top).scroll_into_view_if_needed()
            page.wait_for_selector(f"{top}.pg-ready")
        for scheme in ("light", "dark"):  # at the desktop width
            page.emulate_media(color_scheme=scheme)
            shown = page.evaluate(_SCHEME_SHOWN, SCHEMES[scheme])  # the change is an event: it comes
            if shown != SCHEMES[scheme]:
                problems.append(f"/{rel}: a system that prefers {scheme} gets scheme {shown!r}, not {SCHEMES[scheme]!r}")
                continue
            violations = page.evaluate(_VIOLATIONS, {"colourOnly": scheme == "dark", "rules": COLOUR_RULES})
            problems += [f"/{rel} ({scheme}): {v['id']} ({v['impact']}, {v['count']} element(s)): {v['help']}; "
                         f"first: {v['target']}" for v in violations if v["impact"] in BLOCKING]
            if scheme == "light":
                overflow(DESKTOP["width"])
                if not rel.endswith("404.html"):  # after axe: a late error is caught too
                    problems += [f"/{rel}: request to another host: {u}" for u in w.foreign]
                    problems += [f"/{rel}: console error: {e}" for e in w.errors]
                    problems += [f"/{rel}: raw TeX on the page: {r!r}" for r in page.evaluate(RAW_TEX)]
            shot("desktop", scheme)
        page.set_viewport_size(PHONE)  # in the dark scheme, then the light one
        overflow(PHONE["width"])
        problems += [f"/{rel}: text under 12 px on a phone: {t}" for t in page.evaluate(_SMALL_TEXT)]
        shot("phone", "dark")
        if kind:
            page.emulate_media(color_scheme="light")
            page.evaluate(_SCHEME_SHOWN, SCHEMES["light"])
            shot("phone", "light")
        page.set_viewport_size(DESKTOP)
    assert pages >= 10, f"only {pages} pages of {lang} found in {built_site}"
    assert not problems, "\n".join(problems)


# Each self-check answered wrong: [forms, verdicts "wrong" shown] (verdict, reason, open box).
_ANSWER_ALL_WRONG = """() => {
    const forms = [...document.querySelectorAll('form.selfcheck')];
    forms.forEach(f => {
        const wrong = [...f.querySelectorAll('input[type=radio]')].find(r => r.value !== f.dataset.answer);
        if (wrong) wrong.checked = true; else f.querySelector('input').value = '1';
        f.requestSubmit();
    });
    return [forms.length, document.querySelectorAll('.selfcheck__verdict--wrong').length];
}"""
# The scheme <body> shows, once it is `want` or after two frames (a media change reaches the page's
# listener before the next frame).
_SCHEME_SHOWN = """want => new Promise(done => {
    const shown = () => document.body.dataset.mdColorScheme;
    if (shown() === want) return done(want);
    requestAnimationFrame(() => requestAnimationFrame(() => done(shown())));
})"""
_NO_TRANSITIONS = "*, *::before, *::after { transition: none !important }"
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
