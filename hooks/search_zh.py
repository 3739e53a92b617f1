"""Search that answers a learner's questions, in every language; Chinese search in particular
(Material for MkDocs 9.x, tested with 9.8.1). The query side, which no configuration can fix, is
overrides/assets/search/search_zh.js (its header explains it). This hook:

* ``on_config``: gives each site's index the site's own language (Material's search defaults to
  "en" for a zh theme) and, for a Chinese site, loads the course terms of
  ``search_zh.userdict.txt`` into jieba, with which Material segments Han text at build time:
  学习率 and 批量大小 stay whole instead of 学习|率, 批量|大小. (jieba's format, one term a line;
  add a term when a reader's query for it lists the wrong page first. ``search: jieba_dict_user:``
  would depend on the working directory.)
* ``on_page_content``: keeps a program page's code and printed output out of the index (Material's
  ``data-search-exclude`` on each ``<pre>`` of a code cell: on the cell's ``<div>``, the exclusion
  would end at its first inner ``</div>``). A program uses ``view`` or ``mm`` in passing and prints
  hundreds of numbers: as one long entry it outranked the glossary entry or quiz answer that
  explains the call. Its text cells stay in the index.
* ``on_post_build``: warns (an error under ``strict``) when the Chinese index is not segmented.
"""

import json
import logging
import re
from pathlib import Path

import jieba
from mkdocs.plugins import event_priority

log = logging.getLogger("mkdocs.hooks.search_zh")

USERDICT = Path(__file__).with_name("search_zh.userdict.txt")
_CELL = re.compile(r'(?=<div class="jp-Cell )')
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def _is_chinese(config) -> bool:
    langs = [config.theme["language"], *config.plugins["material/search"].config["lang"]]
    return any(str(lang).startswith("zh") for lang in langs)


@event_priority(100)  # before Material's search plugin fills in its defaults
def on_config(config):
    search = config.plugins["material/search"]
    search.config["lang"] = search.config.get("lang") or [config.theme["language"]]
    if _is_chinese(config):
        jieba.setLogLevel(logging.WARNING)
        jieba.load_userdict(str(USERDICT))
    return config


def on_page_content(html, page, config, files):
    if not page.file.src_uri.endswith(".ipynb"):
        return html
    return "".join(cell.replace("<pre", '<pre data-search-exclude="code"')
                   if cell.startswith('<div class="jp-Cell jp-CodeCell') else cell
                   for cell in _CELL.split(html))


@event_priority(-100)  # after the search plugin has written the index
def on_post_build(config):
    path = Path(config.site_dir) / "search" / "search_index.json"
    if not _is_chinese(config) or not path.is_file():
        return
    index = json.loads(path.read_text(encoding="utf-8"))
    texts = [doc.get("title", "") + doc.get("text", "") for doc in index["docs"]]
    if any(HAN.search(t) for t in texts) and not any("\u200b" in t for t in texts):
        log.warning("search_zh: the search index holds Chinese text but is not segmented (is jieba importable?)")
    if len(re.split(index["config"]["separator"], "a\u200bb")) != 2:
        log.warning("search_zh: the search separator does not split on U+200B, so jieba's segmentation is lost")
