"""Render TeX math to MathML at build time, so that no page needs a script or a CDN for it.

MkDocs hook (``hooks: [hooks/math.py]`` in mkdocs.yml); one job: math.

Two sources of math reach ``on_page_content``:

* Markdown pages, through ``pymdownx.arithmatex`` with ``generic: true``: it leaves
  ``<span class="arithmatex">\\(...\\)</span>`` and ``<div class="arithmatex">\\[...\\]</div>``
  (or ``\\begin{env}...\\end{env}``). Only these elements are converted; a ``$`` anywhere else on
  a Markdown page is plain text.
* Notebook pages rendered by mkdocs-jupyter (nbconvert): markdown cells keep the TeX as text with
  its ``$`` delimiters inside ``<div class="... jp-RenderedMarkdown ...">``. There, and only
  outside ``pre``/``code``/``kbd``/``samp``, ``$$...$$`` and bare ``\\begin{env}...\\end{env}``
  are display math, and ``$...$`` is inline math under pandoc's rule: the opening ``$`` is
  followed by a non-space, the closing ``$`` is preceded by a non-space and not followed by a
  digit. So "costs $5 and $6" stays text. Text that is still ``$...$`` with TeX in it
  (a backslash command, ``^``, ``_``, braces) after that is an error, not silently raw TeX.

The formulas are converted by latex2mathml (3.81) and then repaired for MathML Core browsers
(Chromium 109+, Firefox, Safari); the repairs were judged on screenshots in Chromium 156:

* Chromium ignores ``mathvariant`` other than ``normal``: bold, blackboard, script... letters
  become Unicode math alphanumerics (\\mathbf{xy}, \\boldsymbol); \\mathrm{d} stays upright.
* \\sum, \\prod, \\lim, \\max... get ``munder``/``munderover`` with ``movablelimits``: limits
  under them in display math, beside them inline, as in TeX.
* TeX's spacing: \\operatorname{softmax}, \\top, \\nabla, brackets, ``/`` and ``|x|`` take no
  operator space; \\pm, \\sim, ``:``... do; nothing is spaced in sub/superscripts; primes sit
  beside the letter (the font's prime is already raised).
* Brackets: \\lVert ... \\rVert does not grow; \\left( ... \\right) around text-high content
  and \\bigl( ... \\bigr) are drawn as plain (or 1.2x) brackets, because a stretchy bracket in
  Chromium is as wide as the font's widest size variant (a visible gap).
* Tables (aligned, align*, cases, matrices): column alignment and spacing as CSS on the cells.

A formula that latex2mathml cannot convert, or converts into something a browser would show as
raw TeX (an unknown ``\\command``, an ``&`` outside an environment, a ``\\\\`` line break outside
an environment), stops the build with a ``PluginError`` naming the page and the formula.
Formulas in headings are converted in the table of contents too; punctuation right after an
inline formula is kept on its line; nbconvert's MathJax loader (a CDN script) is removed.

Styling (centred display math that scrolls by itself on a phone; the math font) is in
assets/math/math.css. This file is named math.py: never put hooks/ on ``sys.path`` (it would
shadow the standard library's ``math``); MkDocs loads hooks by path, and tests should too.
"""

from __future__ import annotations

import functools
import html as _html
import re
import xml.etree.ElementTree as ET

from latex2mathml.converter import convert_to_element
from mkdocs.exceptions import PluginError

__all__ = ["MathError", "render_math", "render_toc_title", "tex_to_mathml", "on_page_content"]


class MathError(PluginError):
    """A formula that cannot be rendered; the message names the page and the formula."""


# --------------------------------------------------------------------------------------------
# TeX -> MathML
# --------------------------------------------------------------------------------------------

# \mathrm{d} (one letter in braces) loses its mathvariant in latex2mathml 3.81 and would be
# italic; the unbraced form keeps mathvariant="normal".
_MATHRM_ONE = re.compile(r"\\mathrm\s*\{\s*([A-Za-z0-9])\s*\}")
# latex2mathml 3.81 knows align*, not aligned (it emits a bare "&" for aligned).
_ALIGNED = re.compile(r"\\(begin|end)\{aligned\}")


# \sim comes out as <mi>~</mi> (an ASCII tilde, without relation spacing); \thicksim is right.
_SIM = re.compile(r"\\sim(?![A-Za-z])")
# \arg is a standard TeX function name that latex2mathml does not know.
_ARG = re.compile(r"\\arg(?![A-Za-z])")


def _preprocess(tex: str) -> str:
    tex = _MATHRM_ONE.sub(r"{\\mathrm \1}", tex)
    tex = _ALIGNED.sub(r"\\\1{align*}", tex)
    tex = _SIM.sub(r"\\thicksim ", tex)
    tex = _ARG.sub(r"\\operatorname{arg}", tex)
    return tex


def _alnum_table() -> dict[str, dict[str, str]]:
    """mathvariant -> {plain char: Unicode mathematical alphanumeric char}."""
    upper, lower, digits = "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz", "0123456789"
    greek_upper = [chr(c) for c in range(0x391, 0x3AA)]  # incl. U+03A2 slot (theta symbol there)
    greek_lower = [chr(c) for c in range(0x3B1, 0x3CA)]
    # variant: (A, a, 0, Alpha, alpha) start code points; None where Unicode has no such range
    starts = {
        "bold": (0x1D400, 0x1D41A, 0x1D7CE, 0x1D6A8, 0x1D6C2),
        "italic": (0x1D434, 0x1D44E, None, 0x1D6E2, 0x1D6FC),
        "bold-italic": (0x1D468, 0x1D482, None, 0x1D71C, 0x1D736),
        "script": (0x1D49C, 0x1D4B6, None, None, None),
        "bold-script": (0x1D4D0, 0x1D4EA, None, None, None),
        "fraktur": (0x1D504, 0x1D51E, None, None, None),
        "double-struck": (0x1D538, 0x1D552, 0x1D7D8, None, None),
        "bold-fraktur": (0x1D56C, 0x1D586, None, None, None),
        "sans-serif": (0x1D5A0, 0x1D5BA, 0x1D7E2, None, None),
        "bold-sans-serif": (0x1D5D4, 0x1D5EE, 0x1D7EC, 0x1D756, 0x1D770),
        "sans-serif-italic": (0x1D608, 0x1D622, None, None, None),
        "sans-serif-bold-italic": (0x1D63C, 0x1D656, None, 0x1D790, 0x1D7AA),
        "monospace": (0x1D670, 0x1D68A, 0x1D7F6, None, None),
    }
    # Letters that Unicode encodes in the Letterlike Symbols block instead (holes in the ranges).
    holes = {
        "italic": {"h": "\u210e"},
        "script": dict(
            zip("BEFHILMRego", "\u212c\u2130\u2131\u210b\u2110\u2112\u2133\u211b\u212f\u210a\u2134",
                strict=True)
        ),
        "fraktur": dict(zip("CHIRZ", "\u212d\u210c\u2111\u211c\u2128", strict=True)),
        "double-struck": dict(zip("CHNPQRZ", "\u2102\u210d\u2115\u2119\u211a\u211d\u2124", strict=True)),
    }
    table: dict[str, dict[str, str]] = {}
    for variant, (a_up, a_low, a_dig, g_up, g_low) in starts.items():
        m: dict[str, str] = {}
        pairs = ((upper, a_up), (lower, a_low), (digits, a_dig), (greek_upper, g_up), (greek_lower, g_low))
        for chars, start in pairs:
            if start is not None:
                m.update({c: chr(start + i) for i, c in enumerate(chars)})
        m.update(holes.get(variant, {}))
        table[variant] = m
    return table


_ALNUM = _alnum_table()
_MTEXT_STYLE = {
    "bold": "font-weight:bold",
    "italic": "font-style:italic",
    "bold-italic": "font-weight:bold;font-style:italic",
    "monospace": "font-family:monospace",
    "sans-serif": "font-family:sans-serif",
}
# Operators whose limits TeX puts under/over them in display style (and beside them inline).
_LIMIT_OPS = set("\u2211\u220f\u2210\u22c0\u22c1\u22c2\u22c3\u2a00\u2a01\u2a02\u2a04\u2a06") | {
    "lim", "max", "min", "sup", "inf", "det", "gcd", "Pr",
}
# Ordinary symbols in TeX that latex2mathml emits as <mo> (which adds operator spacing, e.g. the
# gap after X^⊤): they become <mi>; ∂ keeps the browser's automatic italic, as in TeX.
_ORD_SYMBOLS = set("\u2207\u221e\u2205\u2200\u2203\u22a4\u22a5")  # ∇ ∞ ∅ ∀ ∃ ⊤ ⊥
_ORD_ITALIC = {"\u2202"}  # ∂
_MI_OPERATORS = set(
    ":±∓×÷∼≃≈≅≡≤≥≪≫≠∈∉∋⊂⊃⊆⊇∪∩∖⧵∧∨⊕⊗⊙∘⋅·→←↔⇒⇐⇔⟶⟵⟷⟹⟸⟺↦∝⟂∥∣⊢⊨≜≔≐•⋆∗"
)
# TeX spaces / and |x|, ‖x‖ as ordinary characters; MathML gives an infix | or / operator spacing.
_NO_SPACE_OPS = {"/", "|", "\u2016"}
_OPENERS = set("([{\u27e8\u2016|\u2308\u230a")
_CLOSERS = set(")]}\u27e9\u2016|\u2309\u230b,;")
_FENCES = set("()[]{}|\u2016\u27e8\u27e9\u2308\u2309\u230a\u230b")
_SCRIPTED = {"msub", "msup", "msubsup", "munder", "mover", "munderover", "mmultiscripts"}
_TALL = {"mfrac", "mtable", "msqrt", "mroot", "munder", "munderover", "menclose", "mpadded"}
_LARGE_OPS = set("\u222b\u222c\u222d\u222e")  # ∫ ∬ ∭ ∮ (the others are in _LIMIT_OPS)
_BIG_OPS = _LIMIT_OPS | _LARGE_OPS
_PRIMES = set("\u2032\u2033\u2034\u2057")
_SCRIPT_TO_LIMITS = {"msub": "munder", "msup": "mover", "msubsup": "munderover"}
_UNKNOWN_COMMAND = re.compile(r"\\[A-Za-z]+")


def _fix_tree(math: ET.Element) -> None:
    """Repair latex2mathml's output in place for MathML Core; raise ValueError on raw TeX."""
    for el in math.iter():
        # A bare "&" (not \&, which comes as "&#x00026;") is an alignment tab outside a table.
        if el.tag in ("mi", "mo") and el.text == "&":
            raise ValueError("'&' outside an alignment environment (use \\begin{aligned} or \\begin{align*})")
        if el.tag == "mi" and el.text == "&#x0003A;":  # \colon: punctuation, thin space after
            el.tag = "mo"
            el.set("lspace", "0em")
            el.set("rspace", "0.1667em")
        if el.text:
            el.text = _html.unescape(el.text)  # latex2mathml stores "&#x1D430;" as text
        if el.tail:
            el.tail = _html.unescape(el.tail)
    for el in math.iter():
        tag, text = el.tag, el.text or ""
        if tag in ("mi", "mo", "mn") and _UNKNOWN_COMMAND.match(text):
            raise ValueError(f"unknown command {text}")
        if tag == "mspace" and el.get("linebreak") == "newline":
            raise ValueError("'\\\\' line break outside an environment: browsers ignore it "
                             "(use \\begin{aligned} ... \\end{aligned})")
        variant = el.get("mathvariant")
        if variant and variant != "normal":
            if tag in ("mi", "mn", "mo") and variant in _ALNUM:
                table = _ALNUM[variant]
                if all(c in table for c in text):
                    el.text = "".join(table[c] for c in text)
                    del el.attrib["mathvariant"]
            elif tag == "mtext" and variant in _MTEXT_STYLE:
                el.set("style", _MTEXT_STYLE[variant])
                del el.attrib["mathvariant"]
        # \pm, \setminus, \implies, \perp, a typed ":" or "≤"...: operators that latex2mathml
        # leaves as <mi>, without the spacing of a binary operator or relation.
        if tag == "mi" and text in _MI_OPERATORS:
            el.tag = tag = "mo"
        # \partial, \nabla, \infty... are ordinary symbols in TeX, not operators (MathJax does this too).
        if tag == "mo" and text in _ORD_SYMBOLS:
            el.tag = "mi"
            el.set("mathvariant", "normal")
        elif tag == "mo" and text in _ORD_ITALIC:
            el.tag = "mi"
        elif tag == "mo" and (text in _NO_SPACE_OPS or text in _FENCES):
            # Brackets take no space in TeX. MathML gives one that is not first or last in its
            # row (\bigl( after \frac12) the default operator spacing, a visible gap.
            el.set("lspace", "0em")
            el.set("rspace", "0em")
        # \operatorname{softmax}: latex2mathml gives <mo>softmax</mo>, spaced like a binary
        # operator; an upright multi-letter <mi> is what TeX prints.
        if tag == "mo" and len(text) > 1 and text.isalpha() and text not in _LIMIT_OPS \
                and el.get("movablelimits") != "true":
            el.tag = "mi"
    _flatten_fences(math)
    # An operator with no operand on either side (a lone $\approx$, the dot in \lVert\cdot\rVert
    # or f(\cdot)) is an ordinary symbol in TeX: no operator spacing.
    for row in math.iter():
        kids = list(row)
        for i, el in enumerate(kids):
            if el.tag != "mo" or (el.text or "") in _OPENERS or (el.text or "") in _CLOSERS:
                continue
            prev = kids[i - 1] if i > 0 else None
            nxt = kids[i + 1] if i + 1 < len(kids) else None
            if (prev is None or (prev.tag == "mo" and (prev.text or "") in _OPENERS)) and (
                nxt is None or (nxt.tag == "mo" and (nxt.text or "") in _CLOSERS)
            ):
                el.set("lspace", "0em")
                el.set("rspace", "0em")
    # \lVert, |, ( ... without \left/\right do not grow in TeX; MathML Core makes fences stretchy
    # by default (the ‖ of \lVert\nabla_{\mathbf{w}}\ell\rVert grew past its subscript).
    # Brackets around a matrix (bmatrix, vmatrix: an mtable sibling) must keep stretching.
    for row in math.iter():
        if any(kid.tag == "mtable" for kid in row):
            continue
        for el in row:
            if el.tag == "mo" and (el.text or "") in _FENCES and "stretchy" not in el.attrib:
                el.set("stretchy", "false")
    # Relations and binary operators get no space in sub/superscripts in TeX (i∈ℬ under a ∑).
    for el in math.iter():
        if el.tag in _SCRIPTED:
            for script in list(el)[1:]:
                for mo in script.iter("mo"):
                    if (mo.text or "") not in _LIMIT_OPS:
                        mo.set("lspace", "0em")
                        mo.set("rspace", "0em")
    # Tables: MathML Core ignores columnalign/columnspacing; use CSS on the cells instead.
    for table in math.iter("mtable"):
        gaps = (table.attrib.pop("columnspacing", "") or "").split()
        table.attrib.pop("rowspacing", None)
        for row in table.iter("mtr"):
            for j, cell in enumerate(c for c in row if c.tag == "mtd"):
                style = []
                align = cell.attrib.pop("columnalign", None)
                if align in ("left", "right", "center"):
                    style.append(f"text-align:{align}")
                if gaps:
                    left = gaps[min(j - 1, len(gaps) - 1)] if j > 0 else "0em"
                    style.append(f"padding-left:{left};padding-right:0em")
                if style:
                    cell.set("style", ";".join(style))
    # f' is msup(f, ′) from latex2mathml, but a math font's ′ is already a raised, script-sized
    # prime (its superscript form needs the ssty feature, which Chromium does not apply): as a
    # superscript it came out tiny and too high. Put it beside the base instead.
    for el in math.iter():
        if el.tag == "msup" and len(el) == 2 and el[1].tag in ("mi", "mo") and len(el[1]) == 0 \
                and (el[1].text or "") and set(el[1].text) <= _PRIMES:
            el.tag = "mrow"
            el[1].tag = "mi"
            el[1].attrib.clear()
    # Limits: msub(∑, i) -> munder(∑ movablelimits, i); the browser puts them beside in inline
    # (compact) style and under/over in display style, as TeX does.
    for el in math.iter():
        if el.tag in _SCRIPT_TO_LIMITS and len(el) >= 2:
            base = el[0]
            if base.tag == "mo" and ((base.text or "") in _LIMIT_OPS or base.get("movablelimits") == "true"):
                el.tag = _SCRIPT_TO_LIMITS[el.tag]
                base.set("movablelimits", "true")
        elif el.tag in ("munder", "munderover", "mover") and len(el) >= 2:
            base = el[0]
            if base.tag == "mo" and (base.text or "") in _LIMIT_OPS:
                base.set("movablelimits", "true")
    if "xmlns" in math.attrib:
        del math.attrib["xmlns"]  # implied in HTML
    if math.get("display") == "inline":
        del math.attrib["display"]


def _stretchy_fence(el: ET.Element, form: str) -> bool:
    return el.tag == "mo" and el.get("stretchy") == "true" and el.get("form") == form


def _flat(elements: list[ET.Element]) -> bool:
    """No fraction, table, root, limits or big operator: as tall as a line of text with scripts."""
    for top in elements:
        for el in top.iter():
            if el.tag in _TALL or (el.tag == "mover" and el.get("accent") != "true"):
                return False
            if el.tag == "mo" and (el.get("stretchy") == "true" or (el.text or "") in _BIG_OPS):
                return False
    return True


def _flatten_fences(math: ET.Element) -> None:
    r"""Keep brackets at text size where TeX would, because stretched ones look wrong in Chromium.

    MathML Core gives a stretchy bracket the width of the widest of all its size variants
    (0.88em in Latin Modern, against 0.39em for a plain parenthesis): a visible gap inside
    \left( ... \right) and \bigl( ... \bigr). So \left...\right around text-high content
    (scripts and accents only) gets plain brackets, with a script on the group moved to the
    closing bracket ((...)^2), and \bigl/\bigr become a 1.2x larger plain bracket (mathsize).
    """
    parents = {kid: el for el in math.iter() for kid in el}
    for row in reversed(list(math.iter("mrow"))):  # inner groups first
        kids = list(row)
        if len(kids) < 2 or not (_stretchy_fence(kids[0], "prefix") and _stretchy_fence(kids[-1], "postfix")):
            continue
        if not _flat(kids[1:-1]):
            continue
        opening, closing = kids[0], kids[-1]
        for fence in (opening, closing):
            fence.set("stretchy", "false")
        script = parents.get(row)
        if script is not None and script.tag in ("msub", "msup", "msubsup") and script[0] is row:
            grand = parents[script]
            row.remove(closing)
            moved = ET.SubElement(row, script.tag)
            moved.append(closing)
            moved.extend(list(script)[1:])
            grand[list(grand).index(script)] = row
            parents[row], parents[moved], parents[closing] = grand, row, moved
    for el in math.iter("mo"):
        size = el.get("minsize")
        if el.get("stretchy") == "true" and size and size == el.get("maxsize") and size.endswith("em") \
                and float(size[:-2]) <= 1.3:
            el.set("stretchy", "false")
            el.set("mathsize", size)
            del el.attrib["minsize"], el.attrib["maxsize"]


@functools.lru_cache(maxsize=4096)
def tex_to_mathml(tex: str, display: bool = False) -> str:
    """Convert one TeX formula (no delimiters) to a ``<math>`` element; ValueError if it can't."""
    if not tex.strip():
        raise ValueError("empty formula")
    try:
        math = convert_to_element(_preprocess(tex), display="block" if display else "inline")
    except Exception as exc:  # latex2mathml raises a dozen exception types, some bare
        reason = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        raise ValueError(f"latex2mathml failed ({reason})") from exc
    _fix_tree(math)
    return ET.tostring(math, encoding="unicode", short_empty_elements=True)


def _convert(tex: str, display: bool, where: str) -> str:
    try:
        return tex_to_mathml(tex, display)
    except ValueError as exc:
        kind = "display" if display else "inline"
        raise MathError(f"{where}: cannot render {kind} formula {tex!r}: {exc}") from exc


# --------------------------------------------------------------------------------------------
# HTML scanning
# --------------------------------------------------------------------------------------------

_TAG = re.compile(
    r"""<!--.*?-->"""
    r"""|<(/?)([A-Za-z][A-Za-z0-9:-]*)"""
    r"""((?:\s+[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'>]+))?)*)\s*(/?)>""",
    re.S,
)
_CLASS = re.compile(r"""\bclass\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""")
_RAW_TEXT = {"script", "style", "textarea", "title"}
_PROTECTED = {"pre", "code", "kbd", "samp", "math", "svg"}
_ARITHMATEX_INLINE = re.compile(r"\s*\\\((.*)\\\)\s*", re.S)
_ARITHMATEX_DISPLAY = re.compile(r"\s*\\\[(.*)\\\]\s*", re.S)

# Notebook markdown-cell math (text is HTML-escaped, as nbconvert leaves it).
_NB_MATH = re.compile(
    r"\$\$(?P<display>.+?)\$\$"
    r"|(?P<env>\\begin\{(?P<name>[A-Za-z]+\*?)\}.*?\\end\{(?P=name)\})"
    r"|(?<![\\$])\$(?![\s$])(?P<inline>(?:[^$\\]|\\.)+?)(?<!\s)\$(?!\d)",
    re.S,
)
# Punctuation right after inline math goes inside its (nowrap) span, so no line starts with it.
_PUNCT = re.compile(r"[,.;:!?)\]\uff0c\u3002\uff1b\uff1a\u3001\uff01\uff1f\uff09\u300d\u300f]+")
_NB_LEFTOVER = re.compile(r"\$[^$]*?(?:\\[A-Za-z]|[\^_{}])[^$]*?\$", re.S)
_MATHJAX_LOADER = re.compile(r"<!-- Load mathjax -->.*?<!-- End of mathjax configuration -->", re.S)


def _classes(attrs: str) -> list[str]:
    m = _CLASS.search(attrs)
    return (m.group(1) or m.group(2) or m.group(3) or "").split() if m else []


def _nb_text(text: str, where: str) -> str:
    """Convert $-delimited math in one text node of a notebook markdown cell."""
    out, pos = [], 0
    for m in _NB_MATH.finditer(text):
        out.append(_nb_leftover_check(text[pos:m.start()], where))
        pos = m.end()
        if m.group("inline") is not None:
            tex = _html.unescape(m.group("inline"))
            p = _PUNCT.match(text, pos)
            tail = p.group(0) if p else ""
            pos += len(tail)
            out.append(f'<span class="arithmatex">{_convert(tex, False, where)}{tail}</span>')
        else:
            tex = _html.unescape(m.group("display") if m.group("display") is not None else m.group("env"))
            out.append(f'<span class="arithmatex arithmatex-display">{_convert(tex, True, where)}</span>')
    out.append(_nb_leftover_check(text[pos:], where))
    return "".join(out)


def _nb_leftover_check(text: str, where: str) -> str:
    m = _NB_LEFTOVER.search(text)
    if m:
        raise MathError(
            f"{where}: {_html.unescape(m.group(0))!r} looks like TeX but is not math under the "
            "notebook rule ($ must touch the formula: $x$, not $ x $); fix the delimiters, or put "
            "it in `code`"
        )
    return text


def render_math(html: str, where: str) -> str:
    """Return ``html`` with every formula replaced by MathML.

    ``where`` names the page in error messages. Raises :class:`MathError` on a formula that
    cannot be rendered.
    """
    if "arithmatex" not in html and "jp-RenderedMarkdown" not in html and "Load mathjax" not in html:
        return html
    html = _MATHJAX_LOADER.sub("", html)  # nbconvert's MathJax loader: nothing left for it to do
    out: list[str] = []
    pos = 0
    div_depth = 0
    md_cell_depth = None  # div depth of the enclosing jp-RenderedMarkdown, if any
    protected: list[str] = []  # open pre/code/... elements
    n = len(html)
    while pos < n:
        m = _TAG.search(html, pos)
        end_text = m.start() if m else n
        if end_text > pos:
            text = html[pos:end_text]
            if md_cell_depth is not None and not protected and ("$" in text or "\\begin{" in text):
                text = _nb_text(text, where)
            out.append(text)
        if not m:
            break
        pos = m.end()
        closing, name, attrs, selfclose = m.group(1), (m.group(2) or "").lower(), m.group(3) or "", m.group(4)
        if not name:  # comment
            out.append(m.group(0))
            continue
        if not closing and name in _RAW_TEXT:
            close = re.compile(rf"</{name}\s*>", re.I).search(html, pos)
            stop = close.end() if close else n
            out.append(html[m.start():stop])
            pos = stop
            continue
        if not closing and not protected and name in ("span", "div") and "arithmatex" in _classes(attrs):
            close = re.compile(rf"</{name}\s*>", re.I).search(html, pos)
            if close is None:
                raise MathError(f"{where}: unterminated arithmatex <{name}>")
            raw_body = html[pos:close.start()]
            if "<" in raw_body:  # not arithmatex's escaped TeX (e.g. already MathML): leave it
                out.append(m.group(0))
                if name == "div":
                    div_depth += 1
                continue
            body = _html.unescape(raw_body)
            if name == "span":
                inner = _ARITHMATEX_INLINE.fullmatch(body)
                tex, display = (inner.group(1) if inner else body), False
            else:
                inner = _ARITHMATEX_DISPLAY.fullmatch(body)
                tex, display = (inner.group(1) if inner else body.strip()), True
            pos = close.end()
            tail = ""
            if not display:  # keep "formula," together: a line may break before the comma
                p = _PUNCT.match(html, pos)
                if p:
                    tail, pos = p.group(0), p.end()
            out.append(f"<{name}{attrs}>{_convert(tex, display, where)}{tail}</{name}>")
            continue
        out.append(m.group(0))
        if selfclose:
            continue
        if name == "div":
            if closing:
                if md_cell_depth == div_depth:
                    md_cell_depth = None
                div_depth -= 1
            else:
                div_depth += 1
                if md_cell_depth is None and "jp-RenderedMarkdown" in _classes(attrs):
                    md_cell_depth = div_depth
        elif name in _PROTECTED:
            if closing:
                if name in protected:
                    while protected and protected.pop() != name:
                        pass
            else:
                protected.append(name)
    return "".join(out)


_TOC_INLINE = re.compile(r"\\\((.+?)\\\)", re.S)


def render_toc_title(title: str, where: str, notebook: bool = False) -> str:
    """Formulas in a heading also reach the table of contents, as text: convert them there too."""
    if notebook:
        return _nb_text(title, where)
    def inline(m: re.Match) -> str:
        return f'<span class="arithmatex">{_convert(_html.unescape(m.group(1)), False, where)}</span>'

    return _TOC_INLINE.sub(inline, title)


def _toc_items(items):
    for item in items:
        yield item
        yield from _toc_items(item.children)


def on_page_content(html: str, page, config, files) -> str:  # noqa: ARG001 (MkDocs hook API)
    where = page.file.src_uri
    notebook = "jp-RenderedMarkdown" in html
    for item in _toc_items(page.toc or []):
        item.title = render_toc_title(item.title, where, notebook)
    return render_math(html, where)
