"""The HTML of notebook pages (mkdocs-jupyter's), small and consistent with the site.

mkdocs-jupyter inlines JupyterLab's stylesheet (about 590 KB), MathJax and Mermaid loaders from CDNs
and a copy of every cell's source into each page. This hook removes every <style>, <script> and copy
(overrides/assets/site/notebook.css styles the cells), and:
- gives code cells Material's code block markup: its colours and its copy button;
- moves nbconvert's tabindex="0" from cell wrappers (tab stops that do nothing) to printed output's
  <pre>, which scrolls sideways when a line is long;
- keeps code and printed output out of the search index (`data-search-exclude`): a program that
  uses `view` in passing and prints hundreds of numbers outranked the glossary entry on it;
- names plots "<page title>: Figure N" in the page's language (`extra.figure_alt`);
- applies the heading ids written in the program (`## 学习率 {#learning-rate}`) and rebuilds the
  table of contents from them;
- turns Markdown links relative to the program's page (`[Q4](../quiz-softmax.md#q4)`) into that
  page's URL in this build (the offline copy has no directory URLs); a missing page fails the build.
"""

import html as htmllib
import logging
import posixpath
import re

from markdown.extensions.toc import nest_toc_tokens
from mkdocs.exceptions import PluginError
from mkdocs.structure.toc import get_toc

_REMOVED = re.compile(
    r"<style\b[^>]*>.*?</style>|<script\b[^>]*>.*?</script>|<!--.*?-->"
    r'|<div class="zeroclipboard-container">.*?</clipboard-copy>\s*</div>'
    r'|<div class="clipboard-copy-txt" id="cell-\d+">.*?</div>',
    re.S | re.I,
)
_CODE = re.compile(r'<div class="highlight-ipynb hl-(\w+)[^"]*"><pre><span></span>(.*?)</pre></div>', re.S)
_HEADING = re.compile(r'<h([1-6]) id="[^"]*">(.*?)(?:<a class="anchor-link" href="[^"]*">¶</a>)?</h\1>', re.S)
_WRAPPER_TABINDEX = re.compile(r'(<div class="[^"]*\b(?:jp-Cell-inputWrapper|jp-Cell-outputWrapper|jp-OutputArea-output)\b'
                               r'[^"]*"[^>]*?) tabindex="0"')
_TEXT_OUTPUT_PRE = re.compile(r'(<div class="jp-RenderedText\b[^>]*>\s*)<pre>')
_EXPLICIT_ID = re.compile(r"\s*\{\s*#([A-Za-z][\w-]*)\s*\}\s*$")
_TAGS = re.compile(r"<[^>]+>")
_CELL_ID = re.compile(r'\bid="cell-id=([\w-]+)"')
_MD_LINK = re.compile(r'href="([^":#?]+\.md)(#[^"]*)?"')
# nbconvert warns about every plot without alt text; on_page_content gives them one.
logging.getLogger("traitlets").setLevel(logging.ERROR)
_NO_ALT = 'alt="No description has been provided for this image"'


def fix_headings(html: str, where: str) -> tuple[str, list[dict]]:
    """Apply explicit heading ids; return the new HTML and flat TOC tokens (h2 and below)."""
    tokens: list[dict] = []

    def heading(m: re.Match) -> str:
        level, inner = int(m[1]), m[2]
        explicit = _EXPLICIT_ID.search(inner)
        inner = _EXPLICIT_ID.sub("", inner)
        name = htmllib.unescape(_TAGS.sub("", inner)).strip()
        if not explicit and level > 1:
            raise PluginError(f"{where}: heading {name!r} needs an explicit id, e.g. '## {name} {{#some-id}}'")
        hid = explicit[1] if explicit else "title"
        if level > 1:
            tokens.append({"level": level, "id": hid, "name": name})
        return f'<h{level} id="{hid}">{inner}<a class="headerlink" href="#{hid}" title="Permanent link">#</a></h{level}>'

    return _HEADING.sub(heading, html), tokens


def link_pages(html: str, page, files) -> str:
    def url(m: re.Match) -> str:
        path = posixpath.normpath(posixpath.join(posixpath.dirname(page.file.src_uri), m[1]))
        target = files.get_file_from_path(path)
        if target is None:
            raise PluginError(f"{page.file.src_uri}: a link to {m[1]}, which is not a page of the site")
        return f'href="{target.url_relative_to(page.file)}{m[2] or ""}"'

    return _MD_LINK.sub(url, html)


def on_page_content(html, page, config, files):
    if not page.file.src_uri.endswith(".ipynb"):
        return html
    if "figure_alt" not in config.extra:
        raise PluginError(f"{config.config_file_path}: extra.figure_alt (the alt text of plots) is missing")
    html = link_pages(html, page, files)
    html = _CELL_ID.sub(r'id="\1"', html)  # nbconvert's "cell-id=cell-3" is no CSS id: Material's copy button fails on it
    html = _REMOVED.sub("", html)
    html = _TEXT_OUTPUT_PRE.sub(r'\1<pre tabindex="0" data-search-exclude>', _WRAPPER_TABINDEX.sub(r"\1", html))
    html = _CODE.sub(r'<div class="language-\1 highlight"><pre data-search-exclude><span></span><code>\2</code></pre></div>', html)
    parts = html.split(_NO_ALT)
    for n in range(1, len(parts)):
        alt = htmllib.escape(config.extra["figure_alt"].format(title=page.title or "", n=n), quote=True)
        parts[n] = f'alt="{alt}"{parts[n]}'
    html, tokens = fix_headings("".join(parts), page.file.src_uri)
    page.toc = get_toc(nest_toc_tokens(tokens))
    return html
