"""Search that answers a learner's questions, in every language, Chinese in particular (Material
9.8.1; the query side, which no configuration can fix, is overrides/assets/search/search_zh.js).

* ``on_config``: each site's index gets the site's language (Material's search defaults to "en");
  a Chinese site loads the course terms of ``search_zh.userdict.txt`` into jieba, which Material
  segments Han text with: 学习率 and 批量大小 stay whole (jieba's format, a term a line; add one when
  a query for it lists the wrong page first; ``jieba_dict_user:`` would depend on the working folder).
  tests/test_search.py checks that the built index is segmented and keeps those terms whole.
"""

import logging
from pathlib import Path

import jieba
from mkdocs.plugins import event_priority

USERDICT = Path(__file__).with_name("search_zh.userdict.txt")


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
