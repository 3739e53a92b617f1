"""Accessibility of every built page, both languages, in Chromium.

- axe-core (tools/audit/package.json pins it; `npm ci --prefix tools/audit` installs it, and
  `make test` runs that when needed) finds no violation of impact "serious" or "critical", in the
  light scheme and in the dark one (each selected as a reader's system selects it: Material
  follows `prefers-color-scheme` on a first visit);
- at a phone's width (375 px) no page scrolls sideways.
"""

from __future__ import annotations


import pytest

from helpers import ROOT, served_paths

AXE = ROOT / "tools" / "audit" / "node_modules" / "axe-core" / "axe.min.js"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 740}
BLOCKING = ("serious", "critical")
# The reader's system preference (Playwright's color_scheme) and the scheme Material then shows.
SCHEMES = {"light": "default", "dark": "slate"}


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.exists():
        pytest.fail(f"{AXE.relative_to(ROOT)} is missing: run `npm ci --prefix tools/audit` (`make test` does)")
    return AXE.read_text("utf-8")


def each_page(browser, server, site, viewport, color_scheme="light"):
    """(path, page) for every built page in turn, loaded in one tab with the given viewport, by a
    system that prefers the given colour scheme."""
    context = browser.new_context(viewport=viewport, service_workers="block", color_scheme=color_scheme)
    try:
        page = context.new_page()
        for rel in served_paths(site):
            page.goto(server + rel, wait_until="load")
            yield rel, page
    finally:
        context.close()


@pytest.mark.parametrize("scheme", sorted(SCHEMES))
def test_axe_finds_no_serious_violation(built_site, server, browser, axe_source, scheme):
    problems = []
    for rel, page in each_page(browser, server, built_site, DESKTOP, scheme):
        shown = page.evaluate("document.body.dataset.mdColorScheme")
        if shown != SCHEMES[scheme]:
            problems.append(f"/{rel}: a system that prefers {scheme} gets scheme {shown!r}, not {SCHEMES[scheme]!r}")
            continue
        page.evaluate(axe_source)
        violations = page.evaluate("""async () => {
            const r = await axe.run(document, {resultTypes: ['violations']});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                count: v.nodes.length, target: v.nodes[0].target.join(' ')}));
        }""")
        problems += [f"/{rel}: {v['id']} ({v['impact']}, {v['count']} element(s)): {v['help']}; "
                     f"first: {v['target']}" for v in violations if v["impact"] in BLOCKING]
    assert not problems, "\n".join(problems)


def test_no_page_scrolls_sideways_on_a_phone(built_site, server, browser):
    problems = []
    for rel, page in each_page(browser, server, built_site, PHONE):
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        if overflow > 0:
            widest = page.evaluate("""() => {
                const w = document.documentElement.clientWidth;
                const e = [...document.querySelectorAll('body *')]
                    .filter(e => e.getBoundingClientRect().right > w + 0.5)
                    .sort((a, b) => b.getBoundingClientRect().right - a.getBoundingClientRect().right)[0];
                return e ? e.tagName.toLowerCase() + (e.className ? '.' + String(e.className).trim().split(/\\s+/).join('.') : '') : '?';
            }""")
            problems.append(f"/{rel}: scrolls sideways by {overflow}px at 375 px (widest: {widest})")
    assert not problems, "\n".join(problems)
