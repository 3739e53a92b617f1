"""Tests for hooks/tex_to_mathml.py: TeX -> MathML at build time, with math-core.

The renderer's own output is checked where the site relies on it (Unicode letters, no
mathvariant Chromium ignores, limits, spacing, tables, errors); each repair the hook makes to it
is checked by a test that fails without it: \bigl( brackets (test_big_brackets_are_plain_brackets_drawn_larger
and, in Chromium, test_browser_layout), primes (test_primes_sit_beside_the_base).
"""

from __future__ import annotations

import logging
import re
import shutil
import textwrap
import xml.etree.ElementTree as ET

import pytest

from helpers import ROOT, import_tool

HOOK = ROOT / "hooks" / "tex_to_mathml.py"
ASSETS = ROOT / "overrides" / "assets" / "math"

hook = import_tool("tex_to_mathml", "hooks")

SITE_FORMULAS = [
    r"(\mathbf{w},b) \leftarrow (\mathbf{w},b) - \frac{\eta}{|\mathcal{B}|} \sum_{i \in \mathcal{B}} "
    r"\partial_{(\mathbf{w},b)} l^{(i)}(\mathbf{w},b)",
    r"\frac{1}{2}\bigl(\hat{y}^{(i)} - y^{(i)}\bigr)^2",
    r"\mathbf{X}^\top(\mathbf{X}\mathbf{w} + b - \mathbf{y})/|\mathcal{B}|",
    r"\operatorname{softmax}(\mathbf{x})_i = \frac{\exp(x_i)}{\sum_j \exp(x_j)}",
    r"\tanh(x) = 2\sigma(2x) - 1",
    r"\sigma^2/2 = 5\times10^{-5}",
    r"\mathbf{H} = \phi(\mathbf{X}\mathbf{W}_1 + \mathbf{b}_1)",
    r"\hat{\mathbf{y}}",
    r"\text{...}",
    r"\mathbb{R}^{n\times d}",
    r"\nabla",
    r"\ell",
    r"\approx",
    r"\lVert\cdot\rVert",
    r"\eta\,\lVert\text{平均梯度}\rVert",
    r"65{,}536\times1000",
    r"o_j - \max - \log\sum_k e^{o_k - \max}",
]
SGD = SITE_FORMULAS[0]
MD_CELL = (  # a markdown cell as nbconvert writes it
    '<div class="jp-Cell jp-MarkdownCell jp-Notebook-cell"><div class="jp-RenderedHTMLCommon jp-RenderedMarkdown '
    'jp-MarkdownOutput" data-mime-type="text/markdown">{}</div></div>'
)
# math-core writes two references that HTML knows and XML does not.
_HTML_ONLY = {"&ApplyFunction;": "\u2061", "&InvisibleTimes;": "\u2062"}


def _xml(mathml: str) -> ET.Element:
    for name, char in _HTML_ONLY.items():
        mathml = mathml.replace(name, char)
    return ET.fromstring(mathml)


def _math_elements(html: str) -> list[ET.Element]:
    return [_xml(m) for m in re.findall(r"<math\b.*?</math>", html, re.S)]


def _text(el: ET.Element) -> str:
    return "".join(el.itertext())


def _brackets(root: ET.Element) -> list[ET.Element]:
    return [el for el in root.iter("mo") if el.text in ("(", ")")]


# ---------------------------------------------------------------------------------------------
# Conversion


@pytest.mark.parametrize("tex", SITE_FORMULAS)
@pytest.mark.parametrize("display", [False, True])
def test_site_formulas_convert_to_clean_mathml(tex, display):
    root = _xml(hook.tex_to_mathml(tex, display))  # well-formed
    assert root.tag == "math" and not root.attrib.get("xmlns")
    assert (root.get("display") == "block") is display
    assert "\\" not in _text(root), "raw TeX left in the MathML"
    # Chromium ignores mathvariant other than "normal": bold etc. must be Unicode letters.
    assert all(el.get("mathvariant") in (None, "normal") for el in root.iter())


def test_arithmatex_inline_and_block_become_mathml():
    html = (
        '<p>rate <span class="arithmatex">\\(\\eta\\)</span> and</p>\n'
        f'<div class="arithmatex">\\[\n{SGD}\n\\]</div>'
    )
    out = hook.render_math(html, "en/sgd.md")
    assert "\\(" not in out and "\\[" not in out
    inline, block = _math_elements(out)
    assert inline.get("display") is None and _text(inline) == "η"
    assert block.get("display") == "block"
    assert '<span class="arithmatex"><math>' in out
    assert '<div class="arithmatex"><math display="block">' in out


def test_sgd_formula_structure():
    root = _xml(hook.tex_to_mathml(SGD, True))
    # The sum's limits are an munder: under it in display math, beside it inline (∑ has
    # movablelimits in MathML Core's operator dictionary; test_browser_layout checks both).
    munder = next(root.iter("munder"))
    assert munder[0].text == "∑" and _text(munder[1]).startswith("i∈ℬ")
    assert "𝐰" in _text(root)  # \mathbf{w} as a Unicode bold letter
    assert next(_xml(hook.tex_to_mathml(SGD, False)).iter("munder"))[0].text == "∑"


@pytest.mark.parametrize(
    "tex, display, check",
    [
        # ⊤ is an ordinary symbol: no operator gap after X^⊤
        (r"\mathbf{X}^\top", False, lambda r: next(r.iter("msup"))[1].tag == "mi"),
        # \operatorname{softmax} is an upright name, not a spaced operator
        (r"\operatorname{softmax}(x)", False, lambda r: any(e.tag == "mi" and e.text == "softmax" for e in r.iter())),
        # \lVert ... \rVert does not grow past the subscript
        (r"\lVert\nabla_{\mathbf{w}}\ell\rVert", False,
         lambda r: [e.get("stretchy") for e in r.iter("mo") if e.text == "‖"] == ["false", "false"]),
        (r"\mathrm{d}x", False, lambda r: any(e.text == "d" and e.get("mathvariant") == "normal" for e in r.iter("mi"))),
        # aligned: a table, columns aligned by CSS (MathML Core ignores columnalign)
        (r"\begin{aligned} a &= b \\ c &= d \end{aligned}", True,
         lambda r: "text-align: right" in (next(r.iter("mtd")).get("style") or "")),
        (r"\epsilon \sim \mathcal{N}(0, 1)", False, lambda r: any(e.tag == "mo" and e.text == "∼" for e in r.iter())),
        (r"a \pm b", False, lambda r: any(e.tag == "mo" and e.text == "±" for e in r.iter())),
        (r"\arg\max_x f", False, lambda r: any(e.tag == "mi" and e.text == "arg" for e in r.iter())),
        # a lone operator takes no operator space
        (r"\approx", False, lambda r: next(r.iter("mo")).get("lspace") == "0"),
        # 65{,}536: the comma of a number, no space after it
        (r"65{,}536", False, lambda r: next(r.iter("mo")).get("rspace") == "0"),
        # a relation in a subscript takes no space (i∈ℬ under a ∑)
        (r"\sum_{i \in \mathcal{B}}", True, lambda r: [e.get("rspace") for e in r.iter("mo") if e.text == "∈"] == ["0"]),
        (r"a \& b", False, lambda r: any(e.text == "&" for e in r.iter())),
    ],
)
def test_renderer_gives_what_chromium_draws_right(tex, display, check):
    root = _xml(hook.tex_to_mathml(tex, display))
    assert check(root), ET.tostring(root, encoding="unicode")


def test_text_in_formula_is_escaped():
    out = hook.tex_to_mathml(r"\text{a < b}")
    assert "<mtext>a\u00a0&lt;\u00a0b</mtext>" in out  # spaces in \\text are no-break spaces
    _xml(out)


# ---------------------------------------------------------------------------------------------
# The hook's repairs of math-core's output (each test fails without its repair)


def test_big_brackets_are_plain_brackets_drawn_larger():
    # Chromium draws a stretchy bracket as wide as the font's widest size variant (a visible gap;
    # measured in test_browser_layout): \bigl( becomes a plain bracket at 1.2 times the size.
    big = _xml(hook.tex_to_mathml(SITE_FORMULAS[1]))
    fences = [el for el in big.iter("mo") if el.get("mathsize")]
    assert [(f.text, f.get("mathsize"), f.get("stretchy")) for f in fences] == [
        ("(", "1.2em", "false"), (")", "1.2em", "false")]
    assert "minsize" not in ET.tostring(big, encoding="unicode")
    # with a function name before it (math-core writes &ApplyFunction;, which XML lacks)
    log = _xml(hook.tex_to_mathml(r"\log\bigl(x^2\bigr)"))
    assert [b.get("stretchy") for b in _brackets(log)] == ["false", "false"]
    # \Bigl (1.62em) and \left( are left to the renderer
    for tex in (r"\Bigl( x \Bigr)", r"{\Bigl( x \Bigr)}^2", r"\left(\frac{a}{b}\right)"):
        assert [b.get("stretchy") for b in _brackets(_xml(hook.tex_to_mathml(tex)))] == [None, None], tex


def test_formulas_without_repairs_are_math_cores_own_text():
    from math_core import LatexToMathML

    tex = r"\operatorname{mean}(\mathbf{r}) \approx 0.39"
    assert hook.tex_to_mathml(tex) == LatexToMathML().convert_with_local_state(tex, displaystyle=False)


def test_primes_sit_beside_the_base():
    # The font's ′ is already a raised, small prime: as a superscript it is tiny and too high.
    root = _xml(hook.tex_to_mathml("f'(x) + g''(x)"))
    assert not list(root.iter("msup"))
    kids = [(el.tag, el.text) for el in root.iter() if el.tag in ("mi", "mo")]
    assert kids[:2] == [("mi", "f"), ("mi", "′")] and ("mi", "″") in kids


@pytest.mark.parametrize(
    "tex, reason",
    [
        (r"\frac{1}{", 'Expected closing token "}", but reached end of input (at offset 9)'),
        (r"\foo{x}", 'Unknown command "\\foo" (at offset 0)'),
        (r"a & b", 'Found "&", which may only appear in a table-like environment (at offset 2)'),
        (r"x \\ y", "line break outside an environment"),  # math-core drops it silently
        (r"\begin{aligned} a \\ b \end{aligned} \\ c", "line break outside an environment"),
        (r"  ", "empty formula"),  # math-core returns an empty <math>
    ],
)
def test_bad_formula_raises_naming_page_and_formula(tex, reason):
    html = f'<p>x <span class="arithmatex">\\({tex}\\)</span></p>'
    with pytest.raises(hook.MathError) as err:
        hook.render_math(html, "zh/sgd.md")
    msg = str(err.value)
    assert msg.startswith("zh/sgd.md: cannot render inline formula ")
    assert repr(tex) in msg and reason in msg


def test_line_breaks_inside_environments_are_fine():
    assert "<mtable" in hook.tex_to_mathml(r"\begin{aligned} a &= b \\ c &= d \end{aligned}", True)


def test_math_error_is_a_mkdocs_plugin_error():
    from mkdocs.exceptions import PluginError

    assert issubclass(hook.MathError, PluginError)


# ---------------------------------------------------------------------------------------------
# What is left alone


def test_code_untouched_on_markdown_pages():
    html = (
        '<pre><code>price = "$5"  # $\\eta$ and \\(x\\)</code></pre>\n'
        "<p>Inline <code>$\\eta$</code>, and $x$ in plain text stays text.</p>"
    )
    assert hook.render_math(html, "en/a.md") == html


def test_dollars_on_markdown_pages_are_text():
    # arithmatex decides what is math on Markdown pages; the hook converts only its elements.
    text = "<p>It costs $5 and $6, and $x$ here was not marked by arithmatex.</p>"
    out = hook.render_math(text + '<span class="arithmatex">\\(x\\)</span>', "en/a.md")
    assert out.startswith(text) and "<math>" in out


def test_punctuation_after_inline_math_stays_with_it():
    out = hook.render_math('<p>rate <span class="arithmatex">\\(\\eta\\)</span>，更新</p>', "zh/a.md")
    assert out.endswith("</math>，</span>更新</p>")


def test_render_math_is_idempotent():
    html = f'<p><span class="arithmatex">\\(\\eta\\)</span></p><div class="arithmatex">\\[{SGD}\\]</div>'
    once = hook.render_math(html, "en/a.md")
    assert hook.render_math(once, "en/a.md") == once


def test_page_without_math_is_returned_as_is():
    html = "<p>No formulas, $5.</p>"
    assert hook.render_math(html, "en/a.md") is html


# ---------------------------------------------------------------------------------------------
# Notebook pages (mkdocs-jupyter / nbconvert keep $...$ as text in markdown cells)


def test_notebook_markdown_cell_math_converted_code_untouched():
    cell = MD_CELL.format(
        "<p>The learning rate $\\eta$, with the step:</p>\n"
        "<p>$$\\frac{\\eta}{|\\mathcal{B}|}\\sum_{i\\in\\mathcal{B}}$$</p>\n"
        "<p>Inline <code>$x$</code> code and $a_1 &lt; b$.</p>\n"
        '<div class="highlight"><pre><span></span><span class="s2">"$y$"</span>\n</pre></div>\n'
    )
    code_cell = (
        '<div class="jp-Cell jp-CodeCell jp-Notebook-cell"><pre>print("$not math$")</pre>'
        '<div class="clipboard-copy-txt">x = "$a$"</div></div>'
    )
    out = hook.render_math(cell + code_cell, "en/programs/sgd.py")
    inline, block, lt = _math_elements(out)
    assert _text(inline) == "η" and "</math>,</span> with the step" in out
    assert block.get("display") == "block" and next(block.iter("munder"))[0].text == "∑"
    assert any(el.text == "<" for el in lt.iter("mo"))
    assert '<span class="arithmatex arithmatex-display"><math display="block">' in out
    assert "<code>$x$</code>" in out
    assert '<span class="s2">"$y$"</span>' in out
    assert out.endswith(code_cell)  # outside markdown cells nothing changes


@pytest.mark.parametrize(
    "text",
    [
        "It costs $5 and $6.",
        "From $20,000 to $30,000 in a year.",
        "Spaces: $ x $ is not math (pandoc rule).",
        "It costs $ 5, not 5$ as written.",  # the opening $ must touch the formula
        "Prices: $20,$30.",  # the closing $ must not be followed by a digit
        "One $ alone.",
    ],
)
def test_notebook_dollars_in_ordinary_text_stay_text(text):
    html = MD_CELL.format(f"<p>{text}</p>")
    assert hook.render_math(html, "en/nb.py") == html


def test_notebook_scripts_are_skipped_whole():
    script = '<script>var s = "<div>$x$</div>";</script>'
    out = hook.render_math(MD_CELL.format(f"{script}<p>$y$ here</p>"), "en/nb.py")
    assert script in out and len(_math_elements(out)) == 1


def test_notebook_environment_and_display_forms():
    html = MD_CELL.format("<p>\\begin{align*} a &amp;= b \\\\ c &amp;= d \\end{align*}</p><p>$$\nx^2\n$$</p>")
    out = hook.render_math(html, "en/nb.py")
    table, square = _math_elements(out)
    assert table.get("display") == "block" and next(table.iter("mtable")) is not None
    assert square.get("display") == "block"


def test_notebook_padded_tex_is_an_error_not_raw_tex():
    html = MD_CELL.format("<p>Rate $ \\eta $ here.</p>")
    with pytest.raises(hook.MathError, match=r"en/nb\.py: .*looks like TeX"):
        hook.render_math(html, "en/nb.py")


def test_notebook_bad_formula_names_page():
    html = MD_CELL.format("<p>Broken $\\frac{1}{$ here.</p>")
    with pytest.raises(hook.MathError, match=r"^en/nb\.py: cannot render inline formula '\\\\frac\{1\}\{'"):
        hook.render_math(html, "en/nb.py")


def test_real_nbconvert_output(tmp_path):
    nb2html = pytest.importorskip("mkdocs_jupyter.convert").nb2html
    src = tmp_path / "nb.py"
    src.write_text(
        textwrap.dedent(
            r"""
            # %% [markdown]
            # The learning rate $\eta$ and
            #
            # $$\frac{\eta}{|\mathcal{B}|}\sum_{i\in\mathcal{B}}$$
            #
            # It costs $5 and $6. Inline `$x$` code.

            # %%
            x = "$not math$"
            """
        ),
        encoding="utf-8",
    )
    # hooks/notebook_html.py (the hook before this one) removes nbconvert's MathJax loader and configuration
    page = import_tool("notebook_html", "hooks")._REMOVED.sub("", nb2html(str(src), execute=False))
    out = hook.render_math(page, "en/nb.py")
    assert "$\\eta$" not in out and "$$" not in out
    assert len(_math_elements(out)) == 2
    assert "It costs $5 and $6." in out
    assert "<code>$x$</code>" in out
    assert '"$not math$"' in out


def test_toc_titles_get_mathml_too():
    out = hook.render_toc_title("Learning rate \\(\\eta\\)", "en/sgd.md")
    assert out.startswith('Learning rate <span class="arithmatex"><math>') and "\\(" not in out
    assert "<math>" in hook.render_toc_title("Rate $\\eta$", "en/nb.py", notebook=True)


# ---------------------------------------------------------------------------------------------
# As MkDocs runs it


def test_mkdocs_build_with_the_hook(tmp_path):
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "index.md").write_text(
        "# SGD\n\n## Rate $\\eta$ { #rate }\n\nStep $\\eta$:\n\n$$\n" + SGD + "\n$$\n\n"
        "```text\n$\\eta$ stays\n```\n",
        encoding="utf-8",
    )
    cfg = tmp_path / "mkdocs.yml"
    cfg.write_text(
        textwrap.dedent(
            f"""
            site_name: t
            docs_dir: docs
            site_dir: site
            theme: {{name: mkdocs}}
            markdown_extensions:
              - attr_list
              - pymdownx.arithmatex:
                  generic: true
            hooks:
              - {HOOK}
            """
        ),
        encoding="utf-8",
    )
    build(load_config(str(cfg)))
    html = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert html.count("<math") >= 3  # heading (and its TOC entry), inline, display
    assert '<math display="block">' in html
    assert "$\\eta$ stays" in html
    assert "\\(" not in html and "\\[" not in html  # nor in the table of contents


def test_mkdocs_build_fails_on_bad_formula(tmp_path, caplog):
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "index.md").write_text("# T\n\nBad $\\frac{1}{$ here.\n", encoding="utf-8")
    cfg = tmp_path / "mkdocs.yml"
    cfg.write_text(
        "site_name: t\ntheme: {name: mkdocs}\nmarkdown_extensions:\n  - pymdownx.arithmatex:\n"
        f"      generic: true\nhooks:\n  - {HOOK}\n",
        encoding="utf-8",
    )
    with caplog.at_level(logging.ERROR), pytest.raises(Abort):
        build(load_config(str(cfg)))
    assert "index.md: cannot render inline formula '\\\\frac{1}{'" in caplog.text


# ---------------------------------------------------------------------------------------------
# Assets


def test_font_and_licence_present():
    css = (ASSETS / "math.css").read_text(encoding="utf-8")
    urls = re.findall(r'url\("([^"]+)"\)', css)
    assert urls == ["docs-math.woff2"]  # relative, served by the site itself
    assert "http" not in css.replace("https://www.latex-project.org", "")
    font = ASSETS / urls[0]
    assert font.read_bytes()[:4] == b"wOF2"
    assert font.stat().st_size <= 150_000
    assert (ASSETS / "GUST-FONT-LICENSE.txt").is_file()
    assert "fonts-lmodern" in (ASSETS / "docs-math.txt").read_text(encoding="utf-8")


# ---------------------------------------------------------------------------------------------
# In a browser

# `browser` is the session's Chromium, from conftest.py.


BRACKETS = {  # id -> TeX whose brackets the hook makes plain (measured against a plain "(")
    "bigl": r"\frac{1}{2}\bigl(\hat{y}^{(i)} - y^{(i)}\bigr)^2",
    "plain": r"(\hat{y}^{(i)} - y^{(i)})^2",
}


def _page_body() -> str:
    long = (
        r"\mathbf{w} \leftarrow \mathbf{w} - \frac{\eta}{|\mathcal{B}|} \sum_{i \in \mathcal{B}} "
        r"\mathbf{x}^{(i)} \left(\mathbf{w}^\top \mathbf{x}^{(i)} + b - y^{(i)}\right) "
        r"+ \lambda \lVert \mathbf{w} \rVert^2"
    )
    body = (
        f'<p>Rate <span class="arithmatex">\\(\\eta\\)</span>.</p>'
        f'<div class="arithmatex" id="sgd">\\[{SGD}\\]</div>'
        f'<p>Inline: <span class="arithmatex" id="sgd-inline">\\({SGD}\\)</span>.</p>'
        f'<div class="arithmatex" id="long">\\[{long}\\]</div>'
        f'<p>Inline: <span class="arithmatex" id="long-inline">\\({long}\\)</span>,'
        " too long for a phone.</p>"
    )
    body += "".join(f'<div class="arithmatex" id="{k}">\\[{tex}\\]</div>' for k, tex in BRACKETS.items())
    return body


def _serve(root, html_body):
    (root / "index.html").write_text(
        '<!doctype html><html><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<link rel="stylesheet" href="assets/math/math.css"></head>'
        f'<body style="margin:0 16px"><article class="md-typeset">{html_body}</article></body></html>',
        encoding="utf-8",
    )


@pytest.fixture(scope="module")
def page_server(tmp_path_factory):
    root = tmp_path_factory.mktemp("mathpage")
    shutil.copytree(ASSETS, root / "assets" / "math")
    _serve(root, hook.render_math(_page_body(), "test"))
    with import_tool("localsite").serve(root) as base:
        yield base + "index.html"


_BRACKET_WIDTHS = """id => [...document.querySelectorAll('#' + id + ' mo')]
    .filter(e => e.textContent === '(').map(e => e.getBoundingClientRect().width)"""


def test_browser_layout(browser, page_server):
    page = browser.new_page(viewport={"width": 375, "height": 700}, java_script_enabled=True)
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(page_server, wait_until="networkidle")
    page.evaluate("document.fonts.ready")
    assert page.evaluate("""document.fonts.check('16px "Docs Math"')""")
    assert all(u.startswith("http://127.0.0.1:") for u in requests), requests
    # the sum's limit sits under the sum in display math, beside it (lower right) inline
    sum_box = page.locator("#sgd munder > mo").bounding_box()
    lim_box = page.locator("#sgd munder > :nth-child(2)").bounding_box()
    assert lim_box["y"] >= sum_box["y"] + sum_box["height"] - 2
    assert abs((lim_box["x"] + lim_box["width"] / 2) - (sum_box["x"] + sum_box["width"] / 2)) < 3
    sum_box = page.locator("#sgd-inline munder > mo").bounding_box()
    lim_box = page.locator("#sgd-inline munder > :nth-child(2)").bounding_box()
    assert lim_box["x"] >= sum_box["x"] + sum_box["width"] - 1
    # \bigl( around text-high content: about as wide as a plain "(" (a stretchy one is more than
    # twice as wide in Chromium: the gap the hook's repair removes)
    plain = page.evaluate(f"({_BRACKET_WIDTHS})('plain')")[0]
    bigl = page.evaluate(f"({_BRACKET_WIDTHS})('bigl')")[0]
    assert plain * 1.1 < bigl < plain * 1.35, (plain, bigl)  # drawn 1.2 times larger
    # a long formula scrolls inside its own box; the page does not scroll sideways on a phone
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert page.evaluate("(e => e.scrollWidth > e.clientWidth)(document.querySelector('#long'))")
    assert page.evaluate("(e => e.scrollWidth > e.clientWidth)(document.querySelector('#long-inline math'))")
    page.close()
