"""Make the HTML of notebook pages (rendered by mkdocs-jupyter) small and consistent with the site.

mkdocs-jupyter inlines JupyterLab's whole stylesheet (about 590 KB) into every notebook page, with
MathJax and Mermaid loaders pointing at third-party CDNs and a copy of every cell's source for its
own copy button. This hook:

- removes every <style> and <script> element and the duplicate sources (overrides/assets/site/
  notebook.css styles the cells instead);
- turns code cells into the markup Material uses for code blocks, so they get its colours and its
  copy button;
- takes nbconvert's tabindex="0" off the wrappers of cells and outputs (JupyterLab's keyboard
  navigation: on a page, tab stops that do nothing) and puts it on printed output's <pre>, the
  element that scrolls sideways when a line is long, so a keyboard can scroll it;
- replaces nbconvert's placeholder alt text of plots with "<page title>: Figure N" in the
  page's language (`extra.figure_alt` of each language's configuration);
- gives headings the explicit ids written in the program (`## 学习率 {#learning-rate}`), the same
  in both languages, and rebuilds the page's table of contents from them;
- turns links to pages written as MkDocs writes them in Markdown, relative to the program's
  page in docs (`[Q4](../quiz-softmax.md#q4)`), into the URL of that page in this build (with or
  without directory URLs: the offline copy has none); a link to a missing page fails the build.

Markdown pages are left alone.
"""

from __future__ import annotations

import html as htmllib
import logging
import posixpath
import re

from mkdocs.exceptions import PluginError
from mkdocs.structure.toc import get_toc

_STYLE = re.compile(r"<style\b[^>]*>.*?</style>", re.S | re.I)
_SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>", re.S | re.I)
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_CLIPBOARD = re.compile(
    r'<div class="zeroclipboard-container">.*?</clipboard-copy>\s*</div>'
    r'|<div class="clipboard-copy-txt" id="cell-\d+">.*?</div>',
    re.S,
)
_CODE = re.compile(r'<div class="highlight-ipynb hl-(\w+)[^"]*"><pre><span></span>(.*?)</pre></div>', re.S)
_HEADING = re.compile(r'<h([1-6]) id="[^"]*">(.*?)(?:<a class="anchor-link" href="[^"]*">¶</a>)?</h\1>', re.S)
_WRAPPER_TABINDEX = re.compile(r'(<div class="[^"]*\b(?:jp-Cell-inputWrapper|jp-Cell-outputWrapper|jp-OutputArea-output)\b'
                               r'[^"]*"[^>]*?) tabindex="0"')
_TEXT_OUTPUT_PRE = re.compile(r'(<div class="jp-RenderedText\b[^>]*>\s*)<pre>')
_EXPLICIT_ID = re.compile(r"\s*\{\s*#([A-Za-z][\w-]*)\s*\}\s*$")
_TAGS = re.compile(r"<[^>]+>")
# nbconvert warns about every plot without alt text; name_figures() below gives them one.
logging.getLogger("traitlets").setLevel(logging.ERROR)
_NO_ALT = 'alt="No description has been provided for this image"'


def is_notebook(page) -> bool:
    return page.file.src_uri.endswith(".ipynb")


def _code(m: re.Match) -> str:
    return f'<div class="language-{m[1]} highlight"><pre><span></span><code>{m[2]}</code></pre></div>'


def fix_headings(html: str, where: str) -> tuple[str, list[dict]]:
    """Apply explicit heading ids; return the new HTML and flat TOC tokens (h2 and below)."""
    tokens: list[dict] = []

    def heading(m: re.Match) -> str:
        level, inner = int(m[1]), m[2]
        explicit = _EXPLICIT_ID.search(inner)
        name = htmllib.unescape(_TAGS.sub("", _EXPLICIT_ID.sub("", inner))).strip()
        if explicit:
            inner, hid = _EXPLICIT_ID.sub("", inner), explicit[1]
        elif level == 1:
            hid = "title"
        else:
            raise PluginError(f"{where}: heading {name!r} needs an explicit id, e.g. '## {name} {{#some-id}}'")
        if level > 1:
            tokens.append({"level": level, "id": hid, "name": name, "children": []})
        return f'<h{level} id="{hid}">{inner}<a class="headerlink" href="#{hid}" title="Permanent link">#</a></h{level}>'

    return _HEADING.sub(heading, html), tokens


def nest(tokens: list[dict]) -> list[dict]:
    """Nest flat heading tokens by level, as Python-Markdown's toc extension does."""
    root: list[dict] = []
    stack: list[dict] = []
    for tok in tokens:
        while stack and stack[-1]["level"] >= tok["level"]:
            stack.pop()
        (stack[-1]["children"] if stack else root).append(tok)
        stack.append(tok)
    return root


_CELL_ID = re.compile(r'\bid="cell-id=([\w-]+)"')


def slim(html: str) -> str:
    html = _CELL_ID.sub(r'id="\1"', html)  # nbconvert's "cell-id=cell-3" is no CSS id: Material's copy button fails on it
    html = _SCRIPT.sub("", _STYLE.sub("", html))
    html = _COMMENT.sub("", _CLIPBOARD.sub("", html))
    html = _TEXT_OUTPUT_PRE.sub(r'\1<pre tabindex="0">', _WRAPPER_TABINDEX.sub(r"\1", html))
    return _CODE.sub(_code, html)


def name_figures(html: str, title: str, template: str) -> str:
    parts = html.split(_NO_ALT)
    out = [parts[0]]
    for n, part in enumerate(parts[1:], 1):
        alt = htmllib.escape(template.format(title=title, n=n), quote=True)
        out += [f'alt="{alt}"', part]
    return "".join(out)


_MD_LINK = re.compile(r'href="([^":#?]+\.md)(#[^"]*)?"')


def link_pages(html: str, page, files) -> str:
    def url(m: re.Match) -> str:
        path = posixpath.normpath(posixpath.join(posixpath.dirname(page.file.src_uri), m[1]))
        target = files.get_file_from_path(path)
        if target is None:
            raise PluginError(f"{page.file.src_uri}: a link to {m[1]}, which is not a page of the site")
        return f'href="{target.url_relative_to(page.file)}{m[2] or ""}"'

    return _MD_LINK.sub(url, html)


def on_page_content(html, page, config, files):
    if not is_notebook(page):
        return html
    html = link_pages(html, page, files)
    if "figure_alt" not in config.extra:
        raise PluginError(f"{config.config_file_path}: extra.figure_alt (the alt text of plots) is missing")
    html = name_figures(slim(html), page.title or "", config.extra["figure_alt"])
    html, tokens = fix_headings(html, page.file.src_uri)
    page.toc = get_toc(nest(tokens))
    return html
