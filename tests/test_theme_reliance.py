"""What the site relies on in Material that Material does not promise (CONTRIBUTING lists each).
Each test fails naming Material's version, so that an upgrade that changes one is caught at once.

1. overrides/main.html holds back Material's XMLHttpRequest for search/search_index.json until
   the reader reaches for the search (a third of a text page's weight otherwise).
2. overrides/assets/search/search_zh.js rewrites Chinese queries in the messages Material posts
   to its search worker: type 0 (set-up, with the index) and type 2 (a query string); and it
   divides each page entry's boost by the worker's fixed bonus for page entries (2.5 when every
   query word matches), so that a page's entry and its sections compete on their words alone.
3. hooks/theme_markup.py changes three pieces of Material's markup, and fails the build when it
   does not find them; it removes Pygments' spans around plain names (n) and whitespace (w), which
   Material draws in the code's own colour.
4. Material's header includes partials/palette.html, then partials/javascripts/palette.html,
   before the content: the site's scheme toggle replaces both.
"""

from __future__ import annotations

import re
from importlib.metadata import version

import pytest

from helpers import LANGS, PREFIX, REFERENCE, import_tool, open_search, settled_results

MATERIAL = f"mkdocs-material {version('mkdocs-material')}"
theme_markup = import_tool("theme_markup", "hooks")

RECORD_WORKER_MESSAGES = """
    window.__posted = [];
    const post = Worker.prototype.postMessage;
    Worker.prototype.postMessage = function (message) {
        __posted.push({type: message && message.type, data: message && typeof message.data === "string"
            ? message.data : message && message.data && Object.keys(message.data)});
        return post.apply(this, arguments);
    };
"""


@pytest.fixture
def page(browser, server):
    context = browser.new_context(service_workers="block")
    tab = context.new_page()
    index_requests = []
    tab.on("request", lambda r: "search_index.json" in r.url and index_requests.append(r.url))
    tab.index_requests = index_requests
    yield tab
    context.close()


def test_search_index_waits_for_the_reader(page, server):
    page.goto(server + PREFIX[REFERENCE], wait_until="networkidle")
    page.wait_for_timeout(500)
    assert not page.index_requests, (
        f"{MATERIAL}: the search index was requested on page load; overrides/main.html holds back "
        f"Material's XMLHttpRequest for it, which this version no longer seems to use")
    open_search(page)
    assert page.index_requests, f"{MATERIAL}: the search index was never requested once the reader searched"


WORKER_SCORES = """async () => {
    const config = JSON.parse(document.getElementById("__config").textContent)
    const worker = new Worker(new URL(config.search, new URL(config.base, location.href)))
    const reply = () => new Promise(done => worker.addEventListener("message", ev => done(ev.data), {once: true}))
    const doc = {title: "zebra", text: "zebra"}
    let next = reply()
    worker.postMessage({type: 0, data: {options: {suggest: false}, docs: [
        {location: "a/", ...doc}, {location: "a/#s", ...doc}],
        config: {lang: ["en"], separator: "[\\s]+", pipeline: [], fields: {title: {boost: 10}, text: {boost: 1}}}}})
    await next
    next = reply()
    worker.postMessage({type: 2, data: "zebra"})
    const result = await next
    worker.terminate()
    return Object.fromEntries(result.data.items.flat().map(item => [item.location, item.score]))
}"""


def test_search_page_entries_and_sections_score_alike(page, server):
    """A page entry and a section with the same words score the same once search_zh.js has divided
    the page entry's boost by the worker's page bonus (Material adds 1 to a page entry's post-query
    boost, then squares it)."""
    page.goto(server + PREFIX[REFERENCE], wait_until="load")
    scores = page.evaluate(WORKER_SCORES)
    assert set(scores) == {"a/", "a/#s"}, f"{MATERIAL}: unexpected search result {scores}"
    assert scores["a/"] == pytest.approx(scores["a/#s"], rel=1e-6), (
        f"{MATERIAL}: the search worker's bonus for a page's own entry is no longer 2.5 times its "
        f"sections' (scores {scores}); change PAGE_FACTOR in overrides/assets/search/search_zh.js")


def test_search_worker_messages_are_the_ones_search_zh_rewrites(page, server):
    page.context.add_init_script(RECORD_WORKER_MESSAGES)
    page.goto(server + PREFIX[REFERENCE], wait_until="load")
    open_search(page)
    page.keyboard.type("学习率", delay=40)
    _, links = settled_results(page)
    posted = page.evaluate("window.__posted")
    setup = [m for m in posted if m["type"] == 0 and isinstance(m["data"], list) and "docs" in m["data"]]
    queries = [m["data"] for m in posted if m["type"] == 2 and isinstance(m["data"], str)]
    assert setup, f"{MATERIAL}: no set-up message (type 0, with docs) to the search worker: {posted[:5]}"
    assert queries, f"{MATERIAL}: no query message (type 2, a string) to the search worker: {posted[:5]}"
    assert any("\\" in q for q in queries), (
        f"{MATERIAL}: search_zh.js did not rewrite the Chinese query: {queries}")
    assert links, f"{MATERIAL}: no result for 学习率"


class _Page:
    class file:
        src_uri = "page.md"


class _Config:
    extra = {"alternate": [{"lang": "zh", "link": "./"}]}


SEARCH = ('<div class="md-search" data-md-component="search" role="dialog"><input type="text" '
          'class="md-search__input" name="query" aria-label="搜索" placeholder="搜索">')
ALTERNATE = '<link rel="alternate" href="./" hreflang="zh">'


def test_theme_markup_changes_what_it_expects():
    out = theme_markup.on_post_page(f"<head>{ALTERNATE}</head>{SEARCH}", _Page, _Config)
    assert "hreflang" not in out
    assert 'role="dialog" aria-label="搜索">' in out
    assert theme_markup.on_page_content("<p>a</p><table><tr><td>1</td></tr></table>", _Page, _Config, None) \
        == "<p>a</p><div><table><tr><td>1</td></tr></table></div>"
    code = '<code><span class="n">x</span><span class="w"> </span><span class="o">=</span> <span class="mi">1</span></code>'
    assert theme_markup.on_page_content(code, _Page, _Config, None) \
        == '<code>x <span class="o">=</span> <span class="mi">1</span></code>'


def test_plain_names_are_drawn_in_the_code_colour():
    """Without its n span a name is plain code text: that is how Material draws it anyway, in
    both schemes, and it gives w (whitespace) no style at all."""
    from pathlib import Path

    import material

    sheets = Path(material.__file__).parent / "templates" / "assets" / "stylesheets"
    css = "".join(path.read_text("utf-8") for path in sorted(sheets.glob("*.css")))
    name_colours = set(re.findall(r"--md-code-hl-name-color:([^;}]*)", css))
    assert name_colours == {"var(--md-code-fg-color)"}, f"{MATERIAL}: names are coloured {name_colours}"
    assert re.search(r"\.highlight \.n[,{]", css) and not re.search(r"\.highlight \.w[,{]", css), \
        f"{MATERIAL} styles Pygments' n or w classes differently"


@pytest.mark.parametrize("html", [f"<head></head>{SEARCH}", f"<head>{ALTERNATE}</head><div>no search</div>"])
def test_theme_markup_fails_naming_the_version_when_markup_changed(html):
    with pytest.raises(Exception, match=r"Material \d+\.\d+"):
        theme_markup.on_post_page(html, _Page, _Config)


def test_built_pages_carry_the_changes(built_site):
    for path in (built_site / "index.html", built_site / PREFIX[REFERENCE] / "mini-batch-sgd" / "index.html"):
        html = path.read_text("utf-8")
        assert 'hreflang' not in html.split("</head>")[0], f"{path}: an hreflang link in <head>"
        assert 'role="dialog" aria-label=' in html, f"{path}: the search dialog has no name"
        assert not re.search(r'<span class="[nw]">', html), f"{path}: Pygments' n or w spans are left"


def test_the_scheme_toggle_replaces_materials_and_runs_before_the_content(built_site):
    """overrides/partials/palette.html and partials/javascripts/palette.html replace the two
    partials Material's header includes for its toggle. Their script finds the form by its id, so
    it must come after it in the header, and before the article (then setting <body>'s scheme
    restyles nothing)."""
    for path in [built_site / PREFIX[lang] / page / "index.html" for lang in LANGS for page in ("", "mini-batch-sgd")]:
        html = path.read_text("utf-8")
        assert 'data-md-component="palette"' not in html, f"{MATERIAL}: {path} carries Material's own toggle"
        form, script, article = (html.find(s) for s in ('id="site-palette"', 'getElementById("site-palette")', "<article"))
        assert -1 < form < script < article, (
            f"{MATERIAL}: in {path} the header no longer includes partials/palette.html and then "
            f"partials/javascripts/palette.html before the content (positions {form}, {script}, {article})")
