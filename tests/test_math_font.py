"""The math font covers every character that the site's formulas draw.

overrides/assets/math/docs-math.woff2 is a subset of Latin Modern Math made by
tools/subset_math_font.py, to the characters it lists. A new formula with a character outside it
would silently be drawn in another font; this test names the page and the character, and the fix
is to add it to that list and run the tool (see overrides/assets/math/docs-math.txt).

"Drawn" is what ``math_characters`` reads from a page: the text inside <math>, the italic form that
a one-character <mi> is shown in (x is drawn as U+1D465), and the radical sign of <msqrt>/<mroot>;
wide (CJK) text in <mtext> is left to the page's CJK font, and variation selectors (U+FE00, which
math-core writes after a \\mathcal letter) are not drawn.
"""

from __future__ import annotations

import html
import re
import unicodedata
from pathlib import Path

import pytest

from helpers import ROOT, built_pages, import_tool

FONT = ROOT / "overrides" / "assets" / "math" / "docs-math.woff2"
italic = import_tool("subset_math_font").italic

_MATH = re.compile(r"<math\b.*?</math>", re.S)
_TAG_AND_TEXT = re.compile(r"<(/?[\w-]+)([^>]*)>([^<]*)")  # math-core's attributes hold no ">"
_NOT_DRAWN = set("\t\n\r\f") | {chr(c) for c in range(0xFE00, 0xFE10)}  # whitespace between elements, selectors


def math_characters(markup: str) -> set[str]:
    """The characters a browser draws with the math font for the <math> elements of a page."""
    drawn = set()
    for math in _MATH.findall(markup):
        for tag, attrs, text in _TAG_AND_TEXT.findall(math):
            text = html.unescape(text)
            drawn.update(c for c in text if c not in _NOT_DRAWN
                         and not (tag == "mtext" and unicodedata.east_asian_width(c) in ("W", "F")))
            if tag in ("msqrt", "mroot"):
                drawn.add("\u221a")  # the browser draws the radical sign from the font
            if tag == "mi" and len(text.strip()) == 1 and 'mathvariant="normal"' not in attrs \
                    and italic(text.strip()):
                drawn.add(italic(text.strip()))
    return drawn


def site_characters(site: Path) -> dict[str, set[str]]:
    """Page (relative path) -> math_characters, for every built HTML page that has a formula."""
    pages = {str(p.relative_to(site)): math_characters(p.read_text("utf-8")) for p in sorted(site.rglob("*.html"))}
    return {page: chars for page, chars in pages.items() if chars}


def _font():
    try:
        from fontTools.ttLib import TTFont
        import brotli  # noqa: F401  (fontTools needs it to read WOFF2)
    except ImportError as exc:
        pytest.fail(f"reading the math font needs fontTools and brotli (requirements.txt): {exc}")
    return TTFont(str(FONT))


def _name(ch: str) -> str:
    return f"U+{ord(ch):04X} {ch} {unicodedata.name(ch, '?')}"


def test_math_font_covers_every_formula(built_site):
    font = _font()
    covered = {chr(c) for c in font.getBestCmap()}
    assert "MATH" in font, "the math font lost its MATH table"
    assert font["name"].getDebugName(1) == "Docs Math"

    pages = site_characters(built_site)
    assert len(pages) >= 10, f"formulas found on {len(pages)} pages only: is the reader broken?"
    problems = [
        f"{page}: " + ", ".join(_name(c) for c in sorted(missing))
        for page, chars in pages.items()
        if (missing := chars - covered)
    ]
    assert not problems, (
        "characters of formulas that are not in docs-math.woff2 (they would be drawn in another "
        "font); add them to CHARACTERS in tools/subset_math_font.py and run it:\n" + "\n".join(problems)
    )


def test_built_site_serves_this_font(built_site):
    copies = sorted(built_site.rglob("docs-math.woff2"))
    assert copies, "no docs-math.woff2 in the built site"
    for copy in copies:
        assert copy.read_bytes() == FONT.read_bytes(), f"{copy} differs from {FONT}"


PRELOAD = re.compile(r'<link rel="preload" href="([^"]+)" as="font" type="font/woff2" crossorigin>')


def test_pages_with_formulas_and_only_they_preload_the_font(built_site):
    """overrides/main.html: the <head> of a page with a <math> asks for the font the stylesheet names."""
    wrong = []
    for page in built_pages(built_site):
        markup = page.read_text("utf-8")
        hrefs = PRELOAD.findall(markup[: markup.index("</head>")])
        want = 1 if "<math" in markup else 0
        if len(hrefs) != want or any((page.parent / h).read_bytes() != FONT.read_bytes() for h in hrefs):
            wrong.append(f"{page.relative_to(built_site)}: {hrefs}, want {want}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("path", ["mini-batch-sgd/", "en/programs/sgd_path/"])
def test_the_preloaded_font_is_the_one_the_formulas_use(browser, server, path):
    """One request for the font (the preload, taken up by the stylesheet's @font-face: a wrong URL
    or a missing `crossorigin` fetches it twice), and the font is loaded when the page is."""
    tab = browser.new_page()
    fonts = []
    tab.on("request", lambda r: r.url.endswith(".woff2") and fonts.append(r.url))
    tab.goto(server + path, wait_until="load")
    assert tab.evaluate("document.fonts.ready.then(() => document.fonts.check('1em \"Docs Math\"', 'x'))")
    assert tab.evaluate("[...document.fonts].filter(f => f.family.includes('Docs Math')).map(f => f.status)") == ["loaded"]
    tab.close()
    assert len(fonts) == 1 and fonts[0].endswith("assets/math/docs-math.woff2"), fonts


@pytest.mark.parametrize(
    ("markup", "drawn", "not_drawn"),
    [
        ("<math><mi>x</mi><mo>=</mo><mn>2</mn></math>", {"x", "\U0001d465", "=", "2"}, set()),
        ("<math><mi>h</mi><mi>\u03b7</mi></math>", {"h", "\u210e", "\u03b7", "\U0001d702"}, set()),
        ('<math><mi mathvariant="normal">d</mi><mi>exp</mi></math>', {"d", "e", "x", "p"}, {"\U0001d451"}),
        ("<math><msqrt><mn>2</mn></msqrt></math>", {"2", "\u221a"}, set()),
        ("<math><mtext>\u5e73\u5747 loss</mtext></math>", {"l", "o", "s", " "}, {"\u5e73", "\u5747"}),
        ("<p>x \u2264 y</p><code>$\u03b1$</code>", set(), {"x", "\u2264", "\u03b1"}),
        # math-core: U+FE00 (chancery \mathcal) is not drawn; the function application U+2061 is
        ("<math><mi>\u212c\ufe00</mi><mi>log</mi><mo>&ApplyFunction;</mo></math>", {"\u212c", "\u2061"}, {"\ufe00"}),
    ],
)
def test_what_counts_as_drawn(markup, drawn, not_drawn):
    chars = math_characters(markup)
    assert drawn <= chars and not (not_drawn & chars), chars
