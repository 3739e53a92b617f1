"""Tests for hooks/math.py: TeX -> MathML at build time.

The hook is loaded from its path under another module name: a module called "math" on sys.path
would shadow the standard library's math (never put hooks/ on sys.path).
"""

from __future__ import annotations

import functools
import http.server
import importlib.util
import logging
import re
import shutil
import sys
import textwrap
import threading
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Loaded by path: a module named `math` on sys.path would shadow the standard library's.
HOOK = ROOT / "hooks" / "math.py"
ASSETS = ROOT / "overrides" / "assets" / "math"


def _load_hook():
    spec = importlib.util.spec_from_file_location("site_math_hook", HOOK)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


hook = _load_hook()

SITE_FORMULAS = [
    r"(\mathbf{w},b) \leftarrow (\mathbf{w},b) - \frac{\eta}{|\mathcal{B}|} \sum_{i \in \mathcal{B}} "
    r"\partial_{(\mathbf{w},b)} l^{(i)}(\mathbf{w},b)",
    r"l^{(i)}(\mathbf{w}, b) = \frac{1}{2}\left(\hat{y}^{(i)} - y^{(i)}\right)^2",
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
]
SGD = SITE_FORMULAS[0]
MD_CELL = (
    '<div class="jp-RenderedHTMLCommon jp-RenderedMarkdown jp-MarkdownOutput" '
    'data-mime-type="text/markdown">{}</div>'
)


def _math_elements(html: str) -> list[ET.Element]:
    return [ET.fromstring(m) for m in re.findall(r"<math\b.*?</math>", html, re.S)]


def _text(el: ET.Element) -> str:
    return "".join(el.itertext())


# ---------------------------------------------------------------------------------------------
# Conversion


@pytest.mark.parametrize("tex", SITE_FORMULAS)
@pytest.mark.parametrize("display", [False, True])
def test_site_formulas_convert_to_clean_mathml(tex, display):
    out = hook.tex_to_mathml(tex, display)
    root = ET.fromstring(out)  # well-formed
    assert root.tag == "math"
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
    root = ET.fromstring(hook.tex_to_mathml(SGD, True))
    # the sum's limits go under it (munder + movablelimits: beside it when inline)
    munder = next(root.iter("munder"))
    assert munder[0].text == "∑" and munder[0].get("movablelimits") == "true"
    assert _text(munder[1]) == "i∈ℬ"
    assert "𝐰" in _text(root)  # \mathbf{w} as a Unicode bold letter
    inline = ET.fromstring(hook.tex_to_mathml(SGD, False))
    assert next(inline.iter("munder"))[0].get("movablelimits") == "true"


def test_tex_spacing_fixes():
    top = ET.fromstring(hook.tex_to_mathml(r"\mathbf{X}^\top"))
    assert next(top.iter("msup"))[1].tag == "mi"  # ⊤ is an ordinary symbol, no operator gap
    softmax = ET.fromstring(hook.tex_to_mathml(r"\operatorname{softmax}(x)"))
    assert any(el.tag == "mi" and el.text == "softmax" for el in softmax.iter())
    norm = ET.fromstring(hook.tex_to_mathml(r"\lVert\nabla_{\mathbf{w}}\ell\rVert"))
    bars = [el for el in norm.iter("mo") if el.text == "‖"]
    assert len(bars) == 2 and all(b.get("stretchy") == "false" for b in bars)
    assert "mathvariant=\"normal\">d</mi>" in hook.tex_to_mathml(r"\mathrm{d}x")
    prime = ET.fromstring(hook.tex_to_mathml("f'(x)"))
    assert not list(prime.iter("msup"))  # the font's prime is already raised
    aligned = hook.tex_to_mathml(r"\begin{aligned} a &= b \\ c &= d \end{aligned}", True)
    assert "<mtable" in aligned and "text-align:right" in aligned and "&amp;" not in aligned


def test_brackets_stay_text_size_around_text_high_content():
    # A stretchy bracket is as wide as the font's widest variant in Chromium (a visible gap).
    loss = ET.fromstring(hook.tex_to_mathml(SITE_FORMULAS[1]))
    fences = [el for el in loss.iter("mo") if el.get("fence") == "true"]
    assert [f.text for f in fences] == ["(", ")"] and all(f.get("stretchy") == "false" for f in fences)
    script = next(el for el in loss.iter("msup") if el[0].text == ")")  # (...)^2: 2 on the ")"
    assert script[1].text == "2"
    big = ET.fromstring(hook.tex_to_mathml(r"\frac{1}{2}\bigl(\hat{y} - y\bigr)^2"))
    assert [el.get("mathsize") for el in big.iter("mo") if el.get("fence")] == ["1.2em", "1.2em"]
    tall = ET.fromstring(hook.tex_to_mathml(r"\left(\frac{a}{b}\right)", True))
    assert all(el.get("stretchy") == "true" for el in tall.iter("mo") if el.get("fence"))


@pytest.mark.parametrize(
    "tex, tag, text",
    [
        (r"\epsilon \sim \mathcal{N}(0, 1)", "mo", "∼"),  # latex2mathml: <mi>~</mi>
        (r"a \pm b", "mo", "±"),
        (r"A \setminus B", "mo", "⧵"),
        (r"f\colon X \to Y", "mo", ":"),
        (r"\arg\max_x f", "mi", "arg"),  # unknown to latex2mathml
        (r"a \& b", "mi", "&"),  # an escaped ampersand is a character
    ],
)
def test_latex2mathml_gaps_repaired(tex, tag, text):
    root = ET.fromstring(hook.tex_to_mathml(tex))
    assert any(el.tag == tag and el.text == text for el in root.iter())


def test_text_in_formula_is_escaped():
    out = hook.tex_to_mathml(r"\text{a < b & c}")
    assert "a\u00a0&lt;\u00a0b\u00a0&amp;\u00a0c" in out  # latex2mathml keeps \text spaces as no-break spaces
    ET.fromstring(out)


@pytest.mark.parametrize(
    "tex, reason",
    [
        (r"\frac{1}{", "latex2mathml failed"),
        (r"\foo{x}", "unknown command \\foo"),
        (r"a & b", "'&' outside"),
        (r"x \\ y", "line break"),
        (r"  ", "empty formula"),
    ],
)
def test_bad_formula_raises_naming_page_and_formula(tex, reason):
    html = f'<p>x <span class="arithmatex">\\({tex}\\)</span></p>'
    with pytest.raises(hook.MathError) as err:
        hook.render_math(html, "zh/sgd.md")
    msg = str(err.value)
    assert msg.startswith("zh/sgd.md: ")
    assert repr(tex) in msg and reason in msg


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
        "<p>The learning rate $\\eta$ scales the step:</p>\n"
        "<p>$$\\frac{\\eta}{|\\mathcal{B}|}\\sum_{i\\in\\mathcal{B}}$$</p>\n"
        "<p>Inline <code>$x$</code> code and $a_1 &lt; b$.</p>\n"
        '<div class="highlight"><pre><span></span><span class="s2">"$y$"</span>\n</pre></div>\n'
    )
    code_cell = (
        '<div class="jp-CodeCell"><pre>print("$not math$")</pre>'
        '<div class="clipboard-copy-txt">x = "$a$"</div></div>'
    )
    out = hook.render_math(cell + code_cell, "en/programs/sgd.py")
    inline, block, lt = _math_elements(out)
    assert _text(inline) == "η"
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
        "One $ alone.",
    ],
)
def test_notebook_dollars_in_ordinary_text_stay_text(text):
    html = MD_CELL.format(f"<p>{text}</p>")
    assert hook.render_math(html, "en/nb.py") == html


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


def test_mathjax_loader_is_removed():
    html = (
        '<!-- Load mathjax -->\n'
        '<script src="https://cdnjs.cloudflare.com/ajax/libs/mathjax/2.7.7/latest.js"> </script>\n'
        '<script type="text/x-mathjax-config">init_mathjax();</script>\n'
        "<!-- End of mathjax configuration -->"
        + MD_CELL.format("<p>$x$</p>")
    )
    out = hook.render_math(html, "en/nb.py")
    assert "mathjax" not in out.lower() and "<math>" in out


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
    out = hook.render_math(nb2html(str(src), execute=False), "en/nb.py")
    assert "$\\eta$" not in out and "$$" not in out
    assert len(_math_elements(out)) == 2
    assert "It costs $5 and $6." in out
    assert "<code>$x$</code>" in out
    assert '"$not math$"' in out
    assert "cdnjs.cloudflare.com/ajax/libs/mathjax" not in out


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


@pytest.fixture(scope="module")
def page_server(tmp_path_factory):
    root = tmp_path_factory.mktemp("mathpage")
    shutil.copytree(ASSETS, root / "assets" / "math")
    long = (
        r"\mathbf{w} \leftarrow \mathbf{w} - \frac{\eta}{|\mathcal{B}|} \sum_{i \in \mathcal{B}} "
        r"\mathbf{x}^{(i)} \left(\mathbf{w}^\top \mathbf{x}^{(i)} + b - y^{(i)}\right) "
        r"+ \lambda \lVert \mathbf{w} \rVert^2"
    )
    body = hook.render_math(
        f'<p>Rate <span class="arithmatex">\\(\\eta\\)</span>.</p>'
        f'<div class="arithmatex" id="sgd">\\[{SGD}\\]</div>'
        f'<div class="arithmatex" id="long">\\[{long}\\]</div>'
        f'<p>Inline: <span class="arithmatex" id="long-inline">\\({long}\\)</span>,'
        " too long for a phone.</p>",
        "test",
    )
    (root / "index.html").write_text(
        '<!doctype html><html><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<link rel="stylesheet" href="assets/math/math.css"></head>'
        f'<body style="margin:0 16px"><article class="md-typeset">{body}</article></body></html>',
        encoding="utf-8",
    )
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    handler.log_message = lambda *a, **k: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/index.html"
    server.shutdown()


def test_browser_layout(browser, page_server):
    page = browser.new_page(viewport={"width": 375, "height": 700}, java_script_enabled=True)
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(page_server, wait_until="networkidle")
    page.evaluate("document.fonts.ready")
    assert page.evaluate("""document.fonts.check('16px "Docs Math"')""")
    assert all(u.startswith("http://127.0.0.1:") for u in requests), requests
    # the sum's limit sits under the sum in display math
    sum_box = page.locator("#sgd munder > mo").bounding_box()
    lim_box = page.locator("#sgd munder > :nth-child(2)").bounding_box()
    assert lim_box["y"] >= sum_box["y"] + sum_box["height"] - 2
    assert abs((lim_box["x"] + lim_box["width"] / 2) - (sum_box["x"] + sum_box["width"] / 2)) < 3
    # a long formula scrolls inside its own box; the page does not scroll sideways on a phone
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert page.evaluate("(e => e.scrollWidth > e.clientWidth)(document.querySelector('#long'))")
    assert page.evaluate("(e => e.scrollWidth > e.clientWidth)(document.querySelector('#long-inline math'))")
    page.close()
