"""Search that answers a learner's questions, in every language, and Chinese search in particular
(Material for MkDocs 9.x, tested with 9.8.1).

What it does, and why:

0. ``on_page_content``: in a program page's code cells, the code and the printed output (each a
   ``<pre>``) are marked ``data-search-exclude``, Material's documented switch, so they stay out
   of the search index. (Not the cell's ``<div>``: Material's indexer ends an exclusion at the
   first closing tag of the same name, here the cell's first inner ``</div>``.)
   A program uses ``view``, ``detach`` or ``mm`` in passing, prints hundreds of numbers, and sits
   in the index as one long entry that outranks the glossary entry or quiz answer that explains
   the call. The programs' text cells (their explanations and headings) stay in the index.

1. ``on_config``: if the site is Chinese (``theme.language`` zh, or ``zh`` in the
   search plugin's ``lang``), loads the course-term user dictionary
   ``hooks/search_zh.userdict.txt`` into jieba (jieba's format, one term a line, no comments;
   add a term when a reader's query for it lists the wrong page first). Material's search plugin segments
   Han text with jieba at build time when jieba is importable; the dictionary
   keeps terms such as 学习率 and 批量大小 whole instead of 学习|率, 批量|大小.
   The path is resolved relative to this file, so the build does not depend on
   the working directory (``search: jieba_dict_user:`` does). Without jieba
   the index is not segmented and most Chinese words cannot be found: that is
   reported as a warning, which ``mkdocs build --strict`` turns into an error.

2. ``overrides/assets/search/search_zh.js`` (listed in ``extra_javascript``, both languages)
   fixes the query side, which no configuration can fix (its header has the details):

   * a question's function and question words (的, 和, 吗, 什么, 区别, "what", "vs",
     "difference" …) are dropped, so its terms decide the ranking; ``torch.mm`` and
     ``Tensor.view`` are searched as ``mm`` and ``view``, an exact word above a longer one;
   * a page's own entry no longer gets the worker's fixed bonus over its sections, so a
     question lands on the section that answers it rather than on the top of a page;

   * Material reads the search box on ``keyup`` only, so a query committed by an
     input method with the mouse, pasted from the context menu or inserted by a
     test driver is never searched ("键入以开始搜索" stays).
   * Material's worker truncates Han queries (学习率 -> 学习*, 小批量 -> 小*,
     随机梯度下降 -> 梯度 随机*) in its experimental segmenter, so the wrong page
     or none comes first. The script segments the query against the index's own
     vocabulary and escapes it past that segmenter.

3. ``on_post_build``: checks that the written index is segmented (zero-width
   spaces present, and the separator splits on them) and warns otherwise.

The hook changes no Material file and no index entry. The script makes no
request to any other host.
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

from mkdocs.plugins import event_priority

log = logging.getLogger("mkdocs.hooks.search_zh")

USERDICT = Path(__file__).with_name("search_zh.userdict.txt")
_CELL = re.compile(r'(?=<div class="jp-Cell )')
_PRE = re.compile(r"<pre\b")
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def _is_chinese(config) -> bool:
    language = str(config.theme.get("language") or "")
    search = config.plugins.get("material/search") or config.plugins.get("search")
    langs = (search.config.get("lang") if search else None) or []
    return language.startswith("zh") or any(str(l).startswith("zh") for l in langs)


@event_priority(100)  # before Material's search plugin fills in its defaults
def on_config(config):
    # Material's search defaults to lang "en" for a zh theme (its zh translation names no search
    # language): each site's index takes the site's own language instead.
    search = config.plugins.get("material/search") or config.plugins.get("search")
    if search is not None and not search.config.get("lang"):
        search.config["lang"] = [str(config.theme.get("language") or "en")]
    if _is_chinese(config):
        try:
            import jieba
        except ImportError:
            log.warning("search_zh: jieba is not installed, so the Chinese search "
                        "index is not segmented; install jieba")
        else:
            jieba.setLogLevel(logging.WARNING)
            jieba.load_userdict(str(USERDICT))
    return config


def on_page_content(html, page, config, files):
    if not page.file.src_uri.endswith(".ipynb"):
        return html
    return "".join(_PRE.sub('<pre data-search-exclude="code"', cell)
                   if cell.startswith('<div class="jp-Cell jp-CodeCell') else cell
                   for cell in _CELL.split(html))


@event_priority(-100)  # after the search plugin has written the index
def on_post_build(config):
    if not _is_chinese(config):
        return
    path = Path(config.site_dir) / "search" / "search_index.json"
    if not path.is_file():
        return
    index = json.loads(path.read_text(encoding="utf-8"))
    separator = index["config"]["separator"]
    texts = [doc.get("title", "") + doc.get("text", "") for doc in index["docs"]]
    if any(HAN.search(t) for t in texts) and not any("\u200b" in t for t in texts):
        log.warning("search_zh: the search index holds Chinese text but is not "
                    "segmented (is jieba importable?)")
    try:
        splits = len(re.split(separator, "a\u200bb")) == 2
    except re.error:  # a JavaScript-only regular expression: cannot check it here
        splits = True
    if not splits:
        log.warning("search_zh: search separator %r does not split on U+200B, "
                    "so jieba's segmentation is lost", separator)
