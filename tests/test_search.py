"""Site search in a real browser: a reader's query lists the right page first.

For each case the test opens the built site, waits until Material's search worker is ready,
presses '/', enters the query the way a reader does, waits until the results stop changing,
and asserts the first result's page. The Chinese site's results must all be Chinese pages (its
own index), the English site's all English, and no request may go to another host.

Chinese queries are entered two ways, because Material's search box reacts to `keyup` only and
an input method commits text without one (overrides/assets/search/search_zh.js bridges that):
  * "type": Playwright's keyboard.type, which inserts non-US-keyboard characters as text (an
    `input` event, no key events), as pasting or picking a candidate with the mouse does;
  * "ime": a real composition through Chromium's input-method pipeline (the pinyin, then the
    committed word).
"""

from __future__ import annotations

import time
from urllib.parse import urljoin, urlsplit

import pytest

LR = ("mini-batch-sgd/", "programs/sgd_learning_rate/")  # the chapter, or the program on η
BS = ("mini-batch-sgd/", "programs/sgd_batch_size/")  # the chapter, or the program on |B|

# (site, query, the page(s) that may come first, pinyin for the "ime" entry)
CASES = [
    ("zh", "学习率", LR, "xuexilv"),
    ("zh", "批量大小", BS, "piliangdaxiao"),
    ("zh", "小批量", "mini-batch-sgd/", "xiaopiliang"),
    ("zh", "随机梯度下降", "mini-batch-sgd/", "suijitiduxiajiang"),
    ("zh", "张量", "api-glossary/", "zhangliang"),
    # the glossary's entry, or the chapter where backward() and leaf tensors are used and go wrong
    ("zh", "反向传播", ("api-glossary/", "mini-batch-sgd/"), "fanxiangchuanbo"),
    ("zh", "叶子张量", ("api-glossary/", "mini-batch-sgd/"), "yezizhangliang"),
    ("zh", "课后测验", "quiz/", "kehouceyan"),
    ("zh", "detach", "api-glossary/", None),
    ("zh", "index_select", "api-glossary/", None),
    ("en", "learning rate", LR, None),
    ("en", "batch size", BS, None),
    ("en", "detach", "api-glossary/", None),
    ("en", "quiz", "quiz/", None),
]


def _params():
    for site, query, expected, pinyin in CASES:
        for how in (["type", "ime"] if pinyin else ["keys"]):
            yield pytest.param(site, query, expected, pinyin, how, id=f"{site}-{query}-{how}")


RESULT_LINKS = "li.md-search-result__item > a.md-search-result__link"


def open_search(page, base: str) -> None:
    """Load the site, focus the search box as a reader would, wait for the search to be ready.

    The index is only fetched once the reader reaches for the search (overrides/main.html)."""
    page.goto(base)
    box = page.locator("input.md-search__input")
    page.keyboard.press("/")
    if not box.evaluate("el => el === document.activeElement"):
        page.locator("label.md-header__button[for=__search]").first.click()
        box.click()
    assert box.evaluate("el => el === document.activeElement"), "search box is not focused"
    page.wait_for_function(
        """() => {
            const config = JSON.parse(document.querySelector('#__config').textContent)
            const meta = document.querySelector('.md-search-result__meta')
            return meta && meta.textContent.trim() === config.translations['search.result.placeholder']
        }""", timeout=15_000)                        # "键入以开始搜索": the worker is ready


def enter_query(page, query: str, how: str, pinyin: str | None = None) -> None:
    if how in ("keys", "type"):
        page.keyboard.type(query, delay=40)
    elif how == "ime":
        cdp = page.context.new_cdp_session(page)
        for i in range(1, len(pinyin) + 1):
            cdp.send("Input.imeSetComposition",
                     {"text": pinyin[:i], "selectionStart": i, "selectionEnd": i})
            time.sleep(0.02)
        cdp.send("Input.insertText", {"text": query})  # commit the candidate
        cdp.detach()
    else:
        raise ValueError(how)


def settled_results(page, timeout: float = 6.0, quiet: float = 0.6) -> tuple[str, list[str]]:
    """(result count line, result links) once neither has changed for `quiet` seconds."""
    deadline = time.monotonic() + timeout
    last, since = None, time.monotonic()
    while time.monotonic() < deadline:
        now = (page.locator(".md-search-result__meta").inner_text().strip(),
               page.locator(RESULT_LINKS).evaluate_all("els => els.map(e => e.href)"))
        if now != last:
            last, since = now, time.monotonic()
        elif now[1] and time.monotonic() - since >= quiet:
            return now
        time.sleep(0.1)
    return last


def search_first_result(browser, base: str, query: str, how: str = "keys",
                        pinyin: str | None = None) -> tuple[str, list[str], list[str]]:
    """Search `query` on the site at `base`: (count line, result URLs, requests to other hosts)."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, service_workers="block")
    page = context.new_page()
    host = urlsplit(base).netloc
    foreign: list[str] = []
    page.on("request", lambda r: urlsplit(r.url).scheme in ("http", "https")
            and urlsplit(r.url).netloc != host and foreign.append(r.url))
    try:
        open_search(page, base)
        enter_query(page, query, how, pinyin)
        meta, links = settled_results(page)
    finally:
        context.close()
    return meta, links, foreign


# --- the test ----------------------------------------------------------------------------------


@pytest.mark.parametrize("site, query, expected, pinyin, how", list(_params()))
def test_search_lists_the_right_page_first(browser, server, site, query, expected, pinyin, how):
    base = server if site == "zh" else server + "en/"
    meta, links, foreign = search_first_result(browser, base, query, how, pinyin)
    assert links, f"{query!r} ({how}): no result at all, the search box says {meta!r}"
    paths = [urlsplit(link).path for link in links]
    want = [urlsplit(urljoin(base, page)).path for page in ([expected] if isinstance(expected, str) else expected)]
    assert paths[0] in want, f"{query!r} ({how}): first result {paths[0]}, want one of {want}; all: {paths}"
    if site == "zh":
        assert not [p for p in paths if p.startswith("/en/")], f"English pages in {paths}"
    else:
        assert all(p.startswith("/en/") for p in paths), f"non-English pages in {paths}"
    assert not foreign, f"requests to other hosts: {foreign}"
