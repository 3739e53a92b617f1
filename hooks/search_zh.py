"""Search that answers a learner's questions, in every language, Chinese in particular (Material
9.8.1; the query side, which no configuration can fix, is overrides/assets/search/search_zh.js).

* ``on_config``: each site's index gets the site's language (Material's search defaults to "en");
  a Chinese site loads the course terms of ``search_zh.userdict.txt`` into jieba, which Material
  segments Han text with: 学习率 and 批量大小 stay whole (jieba's format, a term a line; add one when
  a query for it lists the wrong page first; ``jieba_dict_user:`` would depend on the working folder).
* ``on_page_content``: a program page's code and printed output stay out of the index
  (``data-search-exclude`` on each ``<pre>`` of a code cell): a program that uses ``view`` in
  passing and prints hundreds of numbers outranked the glossary entry that explains it.
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
