"""TeX math to MathML at build time (math-core): no page needs a script or a CDN.

Math comes as ``pymdownx.arithmatex``'s elements (``generic: true``) on Markdown pages, and as
``$``-delimited TeX left as text in the markdown cells of notebook pages (``_NB_MATH``). What of
math-core's MathML Core Chromium draws badly with the site's Latin Modern Math is repaired
(``_plain_big_brackets``, ``_primes_beside_base``; tests/test_math.py proves each). A formula
math-core rejects, an empty one, and a ``\\\\`` outside an environment (which it drops silently)
stop the build, naming page and formula. Formulas in headings are converted in the table of
contents too; punctuation right after inline math joins its span, so no line starts with it.
"""

import functools
import html as _html
import re
import xml.etree.ElementTree as ET

from math_core import LatexError, LatexToMathML
from mkdocs.exceptions import PluginError


class MathError(PluginError):
    """A formula that cannot be rendered, with the page and the formula."""


# --- TeX -> MathML -------------------------------------------------------------------------------

_CONVERTER = LatexToMathML(fancy_error=False)  # errors as plain "<offset>: <message>"
_ERROR = re.compile(r"(\d+): (.*)", re.S)
_ENVIRONMENT_OR_BREAK = re.compile(r"\\(begin|end)\s*\{[^}]*\}|\\\\|\\.", re.S)  # \. skips \{ \,
_XML_ENTITIES = {"&ApplyFunction;": "\u2061", "&InvisibleTimes;": "\u2062"}  # HTML knows them, XML not
_PRIMES = "\u2032\u2033\u2034\u2057"
# math-core's text needs a repair only if it has one of these; the rest is returned as it wrote it.
_MAYBE_REPAIR = re.compile(f"minsize=|[{_PRIMES}]")


@functools.lru_cache(maxsize=4096)
def tex_to_mathml(tex: str, display: bool = False) -> str:
    """One TeX formula (no delimiters) as a ``<math>`` element; ValueError if it cannot be."""
    if not tex.strip():
        raise ValueError("empty formula")  # math-core would return an empty <math>
    _check_line_breaks(tex)
    try:
        mathml = _CONVERTER.convert_with_local_state(tex, displaystyle=display)
    except LatexError as exc:
        m = _ERROR.fullmatch(str(exc))
        raise ValueError(f"{m.group(2).rstrip('.')} (at offset {m.group(1)})" if m else str(exc)) from exc
    if not _MAYBE_REPAIR.search(mathml):
        return mathml
    for name, char in _XML_ENTITIES.items():
        mathml = mathml.replace(name, char)
    math = ET.fromstring(mathml)
    _plain_big_brackets(math)
    _primes_beside_base(math)
    return ET.tostring(math, encoding="unicode")


def _check_line_breaks(tex: str) -> None:
    """math-core drops a \\\\ outside an environment without a word: refuse it."""
    depth = 0
    for m in _ENVIRONMENT_OR_BREAK.finditer(tex):
        depth += {"begin": 1, "end": -1}.get(m.group(1), 0)
        if m.group(0) == "\\\\" and depth <= 0:
            raise ValueError("'\\\\' line break outside an environment: it would be dropped "
                             "(use \\begin{aligned} ... \\end{aligned})")


def _plain_big_brackets(math: ET.Element) -> None:
    """\\big( (math-core: minsize = maxsize = 1.2em; \\Big is 1.623em): a plain bracket drawn larger.

    Chromium gives a stretchy bracket the width of the font's widest size variant (0.88em against
    0.39em for a plain parenthesis): a visible gap inside the brackets."""
    for mo in math.iter("mo"):
        if mo.get("minsize") == mo.get("maxsize") == "1.2em":
            del mo.attrib["minsize"], mo.attrib["maxsize"]
            mo.set("stretchy", "false")
            mo.set("mathsize", "1.2em")


def _primes_beside_base(math: ET.Element) -> None:
    """msup(f, ′) -> f ′: the font's ′ is raised and small already (its superscript form needs the
    ssty feature, which Chromium does not apply): as a superscript it is tiny and too high."""
    for el in math.iter("msup"):
        prime = el[1] if len(el) == 2 else None
        if prime is not None and prime.tag in ("mi", "mo") and not len(prime) and prime.text \
                and set(prime.text) <= set(_PRIMES):
            el.tag, prime.tag = "mrow", "mi"
            prime.attrib.clear()


def _convert(tex: str, display: bool, where: str) -> str:
    try:
        return tex_to_mathml(tex, display)
    except ValueError as exc:
        raise MathError(f"{where}: cannot render {'display' if display else 'inline'} formula "
                        f"{tex!r}: {exc}") from exc


# --- HTML ----------------------------------------------------------------------------------------

# Punctuation that a line may otherwise start with, right after inline math.
_PUNCT = r"[,.;:!?)\]\uff0c\u3002\uff1b\uff1a\u3001\uff01\uff1f\uff09\u300d\u300f]*"
# arithmatex's element, while it holds escaped TeX only (once converted, it holds tags: idempotent).
_ARITHMATEX = re.compile(rf'<(span|div)( class="arithmatex"[^>]*)>([^<]*)</\1>({_PUNCT})')
_DELIMITERS = {"span": re.compile(r"\s*\\\((.*)\\\)\s*", re.S), "div": re.compile(r"\s*\\\[(.*)\\\]\s*", re.S)}
# Notebook pages: markdown cells, and in them code (left whole), a tag, or text.
_CELL = re.compile(r'(?=<div class="jp-Cell )')
_NB_PIECE = re.compile(r"<(pre|code|kbd|samp|math|svg|script|style)\b.*?</\1\s*>"
                       r"""|<(?:[^>"']|"[^"]*"|'[^']*')*>|[^<]+""", re.S | re.I)
# Notebook math, outside code: $$...$$ and \begin{env}...\end{env} are display math, $...$ inline
# math under pandoc's rule (the $ signs touch the formula, the closing one is not followed by a digit:
# "costs $5 and $6" stays text); a $...$ still holding TeX after that is an error (_NB_LEFTOVER).
_NB_MATH = re.compile(
    r"\$\$(?P<display>.+?)\$\$"
    r"|(?P<env>\\begin\{(?P<name>[A-Za-z]+\*?)\}.*?\\end\{(?P=name)\})"
    rf"|(?<![\\$])\$(?![\s$])(?P<inline>(?:[^$\\]|\\.)+?)(?<!\s)\$(?!\d)(?P<tail>{_PUNCT})",
    re.S,
)
_NB_LEFTOVER = re.compile(r"\$[^$]*?(?:\\[A-Za-z]|[\^_{}])[^$]*?\$", re.S)


def render_math(html: str, where: str) -> str:
    """``html`` with every formula as MathML; ``where`` names the page in a :class:`MathError`."""
    if "arithmatex" not in html and "jp-RenderedMarkdown" not in html:
        return html  # a page without math: the patterns below need not scan it
    html = _ARITHMATEX.sub(lambda m: _arithmatex(m, where), html)
    return _notebook_cells(html, where) if "jp-RenderedMarkdown" in html else html


def _arithmatex(m: re.Match, where: str) -> str:
    """One arithmatex element with its formula as MathML; punctuation after inline math joins it."""
    name, attrs, body, tail = m.group(1), m.group(2), _html.unescape(m.group(3)), m.group(4)
    delimited = _DELIMITERS[name].fullmatch(body)
    mathml = _convert(delimited.group(1) if delimited else body.strip(), name == "div", where)
    if name == "div":
        return f"<div{attrs}>{mathml}</div>{tail}"
    return f"<span{attrs}>{mathml}{tail}</span>"


def _notebook_cells(html: str, where: str) -> str:
    """Convert the math in the text of notebook markdown cells (each from its <div class="jp-Cell"> to
    the next one's), outside code."""
    return "".join(_NB_PIECE.sub(lambda m: m[0] if m[0][0] == "<" else _nb_text(m[0], where), cell)
                   if cell.startswith('<div class="jp-Cell jp-MarkdownCell') else cell for cell in _CELL.split(html))


def _nb_text(text: str, where: str) -> str:
    """One text node of a notebook markdown cell (HTML-escaped, as nbconvert leaves it)."""
    for gap in _NB_MATH.sub("\0", text).split("\0"):
        if leftover := _NB_LEFTOVER.search(gap):
            raise MathError(f"{where}: {_html.unescape(leftover.group(0))!r} looks like TeX but is not "
                            "math under the notebook rule ($ must touch the formula: $x$, not $ x $); "
                            "fix the delimiters, or put it in `code`")

    def formula(m: re.Match) -> str:
        if m["inline"] is not None:
            return f'<span class="arithmatex">{_convert(_html.unescape(m["inline"]), False, where)}{m["tail"]}</span>'
        mathml = _convert(_html.unescape(m["display"] or m["env"]), True, where)
        return f'<span class="arithmatex arithmatex-display">{mathml}</span>'

    return _NB_MATH.sub(formula, text)


_TOC_INLINE = re.compile(r"\\\((.+?)\\\)", re.S)


def render_toc_title(title: str, where: str, notebook: bool = False) -> str:
    """A heading's formulas reach the table of contents as TeX text: convert them there too."""
    if notebook:
        return _nb_text(title, where)
    return _TOC_INLINE.sub(
        lambda m: f'<span class="arithmatex">{_convert(_html.unescape(m.group(1)), False, where)}</span>', title)


def on_page_content(html: str, page, config, files) -> str:
    items = list(page.toc or [])
    while items:  # every heading of the table of contents, at every level
        item = items.pop()
        item.title = render_toc_title(item.title, page.file.src_uri, "jp-RenderedMarkdown" in html)
        items += item.children
    return render_math(html, page.file.src_uri)
