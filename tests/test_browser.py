"""The built site in a real browser (Debian's Chromium, driven by Playwright).

(That every page loads with no request to another host and no console error, and with its formulas
rendered, is checked by tests/test_accessibility.py's sweep, on the same page load as axe.)
The language switcher lands on the counterpart page. (The screenshots of each kind of page in
build/screenshots/ are written by tests/test_accessibility.py's sweep, on its page loads.)
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from helpers import LANGS, LANGUAGES, PREFIX, REFERENCE, SWITCHES, Watched

PROGRAM = "linear_regression_scratch"
KINDS = {"home": "", "chapter": "mini-batch-sgd/", "notebook": f"programs/{PROGRAM}/"}
# The reader's system preference (Playwright's color_scheme) and the scheme Material then shows.
SCHEMES = {"light": "default", "dark": "slate"}


@pytest.mark.parametrize("kind", sorted(KINDS))
@pytest.mark.parametrize("lang,other", SWITCHES)
def test_switcher_lands_on_the_counterpart_page(server, browser, lang, other, kind):
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


@pytest.mark.parametrize("scheme", sorted(SCHEMES))
def test_material_does_not_restyle_the_whole_page_on_load(server, browser, scheme):
    """Three things on load restyled every element of the page after it was there: Material's
    script changing the class of <html> (overrides/main.html now sets it first), wrapping tables
    written straight into the article (hooks/theme_markup.py gives each a div of its own), and
    Material's palette toggle marking <body> and adding a color-scheme <meta> (its toggle is
    replaced by overrides/partials/palette.html, which sets <body>'s scheme before the content
    exists). On the chapter with tables, in either scheme, none of them happens any more."""
    w = Watched(browser, server, color_scheme=scheme)
    try:
        w.context.add_init_script("""
            window.__changes = [];
            new MutationObserver(records => records.forEach(r => {
                const t = r.target;
                // changes made before <body> exists (the <head> script) restyle nothing, nor
                // does setting an attribute to the value it has
                if (t === document.documentElement && r.type === 'attributes' && document.body
                        && r.oldValue !== t.getAttribute(r.attributeName))
                    __changes.push('<html> ' + r.attributeName + ': ' + r.oldValue + ' -> ' + t.getAttribute(r.attributeName));
                // nor do changes to <body> made before the article exists
                if (t === document.body && r.type === 'attributes' && document.querySelector('article')
                        && r.oldValue !== t.getAttribute(r.attributeName))
                    __changes.push('<body> ' + r.attributeName + ': ' + r.oldValue + ' -> ' + t.getAttribute(r.attributeName));
                if (t === document.head && r.type === 'childList' && document.querySelector('article'))
                    [...r.addedNodes].filter(n => n.nodeName === 'META').forEach(n => __changes.push('<meta ' + n.name + '> added'));
                if (t.matches && t.matches('article.md-content__inner') && r.type === 'childList' && document.readyState !== 'loading')
                    __changes.push('article children: +' + r.addedNodes.length + ' -' + r.removedNodes.length);
            })).observe(document, {subtree: true, childList: true, attributes: true, attributeOldValue: true});
        """)
        w.page.goto(server + KINDS["chapter"], wait_until="load")
        w.page.wait_for_timeout(300)
        assert w.page.locator("article .md-typeset__scrollwrap table").count() >= 1  # Material did wrap them
        assert w.page.evaluate("document.body.dataset.mdColorScheme") == SCHEMES[scheme]
        assert w.page.evaluate("document.documentElement.className") == "js js-focus-visible"
        changes = w.page.evaluate("window.__changes")
        assert not changes, changes
        assert not w.errors, w.errors
    finally:
        w.close()


def test_closed_answers_have_no_box_when_material_measures_them(server, browser):
    """Material measures every code block when it starts, those in closed answers too. Chromium
    hides a closed <details>' content with content-visibility, which such a measurement undoes: on
    the quiz page it styled and laid out the 1,500 elements of the closed answers in Material's
    start-up task (most of the page's total blocking time on a phone). overrides/assets/site/site.css
    takes the closed content out of the layout instead (display: none): a code block in a closed
    answer has no box after Material has measured it, and one in an opened answer has one."""
    w = Watched(browser, server)
    try:
        w.page.goto(server + "quiz/", wait_until="load")
        boxes = "() => [...document.querySelectorAll('article details:not([open]) pre')].map(p => p.getClientRects().length)"
        closed = w.page.evaluate(boxes)
        assert len(closed) >= 7 and not any(closed), f"code blocks of closed answers with a box: {closed}"
        w.page.locator("article details:not([open]) > summary").first.click()
        assert w.page.evaluate("() => document.querySelector('article details[open] pre').getClientRects().length") > 0
        assert not w.errors, w.errors
    finally:
        w.close()


def toggle_labels(lang: str) -> tuple[str, str]:
    """The palette toggle's labels in a language's configuration: (in the light scheme, in the dark)."""
    from mkdocs.config import load_config

    config = next(l.config for l in LANGUAGES if l.lang == lang)
    palette = load_config(config_file=str(config)).theme["palette"]
    return tuple(scheme["toggle"]["name"] for scheme in palette)


@pytest.mark.parametrize("lang", LANGS)
def test_palette_toggle_switches_the_scheme_and_the_choice_persists(server, browser, lang):
    """A reader on a light system clicks the toggle: the page turns dark, and the next page opens
    dark; clicking again brings both back. A reader on a dark system who chose light keeps it."""
    to_dark, to_light = toggle_labels(lang)
    if lang != REFERENCE:
        assert (to_dark, to_light) != toggle_labels(REFERENCE), f"{lang}: the toggle is labelled in {REFERENCE}"
    state = """() => ({scheme: document.body.dataset.mdColorScheme,
        toggle: [...document.querySelectorAll('#site-palette button')].filter(b => !b.hidden && b.offsetParent).map(b => b.title),
        background: getComputedStyle(document.body).backgroundColor.match(/\\d+/g).slice(0, 3).reduce((a, c) => a + +c, 0) / 3})"""
    w = Watched(browser, server)
    try:
        w.page.goto(server + PREFIX[lang] + KINDS["chapter"], wait_until="load")
        s = w.page.evaluate(state)
        assert (s["scheme"], s["toggle"]) == ("default", [to_dark]) and s["background"] > 200, s
        w.page.click(f"#site-palette button[title='{to_dark}']")
        s = w.page.evaluate(state)
        assert (s["scheme"], s["toggle"]) == ("slate", [to_light]) and s["background"] < 60, s
        w.page.goto(server + PREFIX[lang] + KINDS["notebook"], wait_until="load")
        s = w.page.evaluate(state)
        assert (s["scheme"], s["toggle"]) == ("slate", [to_light]) and s["background"] < 60, f"the choice did not persist: {s}"
        w.page.click(f"#site-palette button[title='{to_light}']")
        assert w.page.evaluate(state)["scheme"] == "default"
        w.page.goto(server + PREFIX[lang] + KINDS["home"], wait_until="load")
        s = w.page.evaluate(state)
        assert (s["scheme"], s["toggle"]) == ("default", [to_dark]), f"the choice did not persist: {s}"
        assert not w.errors, w.errors
    finally:
        w.close()
    w = Watched(browser, server, color_scheme="dark")
    try:
        w.page.goto(server + PREFIX[lang] + KINDS["chapter"], wait_until="load")
        assert w.page.evaluate(state)["scheme"] == "slate"
        w.page.click(f"#site-palette button[title='{to_light}']")
        w.page.goto(server + PREFIX[lang] + KINDS["home"], wait_until="load")
        s = w.page.evaluate(state)
        assert (s["scheme"], s["toggle"]) == ("default", [to_dark]), f"a dark system overrode the reader's choice: {s}"
    finally:
        w.close()
