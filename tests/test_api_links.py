"""API names link to their glossary entries (hooks/api_links.py), on the built site.

- highlighted code and inline code link each glossary API to its entry, in every language, on
  Markdown pages and program pages alike; no mention in code is left unlinked;
- every link resolves (page and id exist) and its title is the entry's one-line meaning;
- no page links to itself, nor inside the entry being defined; no link inside a link or heading;
- Material's copy button copies the code exactly as written (Markdown fence, program cell);
- keyboard focus shows the meaning beside the name, unclipped by the code block.

The entries come from the glossary pages themselves, read by the hook's own reader.
"""

from __future__ import annotations

import html
import html.parser
import posixpath
import re
from functools import lru_cache
from importlib.metadata import version
from pathlib import Path

import jupytext
import pytest

from helpers import DOCS, LANGS, PREFIX, SNIPPETS, fences, import_tool, parse_page

api_links = import_tool("api_links", "hooks")

CHAPTERS = ("sgd-from-scratch/", "mini-batch-sgd/", "programs/linear_regression_scratch/")
ENTRY_LINK = re.compile(r'<a href="([^"]*)" title="([^"]*)">(.*?)</a>', re.S)
PRE = re.compile(r"<pre\b[^>]*>(.*?)</pre>", re.S)
NOT_CODE = re.compile(r'<span class="(?:c|s)\w*">.*?</span>', re.S)   # comments and strings
TAGS = re.compile(r"<[^>]+>")


@lru_cache(maxsize=None)
def entries(lang: str) -> list:
    """(entry, page of the glossary it is on, without .md)."""
    found = []
    for name in api_links.GLOSSARY:
        md = DOCS / lang / name
        found += [(e, name.removesuffix(".md")) for e in api_links.read_entries(md.read_text("utf-8"), str(md))]
    assert found, f"no glossary entry read from docs/{lang}"
    return found


def site_pages(site: Path, lang: str) -> dict[str, Path]:
    """Page path in its language ('sgd-from-scratch/', '' for home) -> built file."""
    root = site / PREFIX[lang]
    pages = {}
    for f in sorted(root.rglob("index.html")):
        rel = f.relative_to(root).as_posix().removesuffix("index.html")
        if any(rel.startswith(PREFIX[other]) for other in LANGS if PREFIX[other] and other != lang):
            continue
        if not rel.startswith(("assets/", "search/", "downloads/")):
            pages[rel] = f
    return pages


def resolve(page: str, href: str) -> tuple[str, str]:
    """(page path, fragment) a relative href leads to from a page path."""
    path, _, frag = href.partition("#")
    target = posixpath.normpath(posixpath.join(page or ".", path)) + "/" if path else page
    return ("" if target == "./" else target), frag


def entry_links(text: str) -> list[tuple[str, str, str]]:
    """(href, title, inner HTML) of every titled link to an anchor."""
    return [(h, html.unescape(t), inner) for h, t, inner in ENTRY_LINK.findall(text) if "#" in h]


def mentions(code: str, entry) -> int:
    """Mentions of an entry in plain code text (`.detach`, `torch.mm`, `torch.nn.Linear`)."""
    parts = entry.name.split(".")
    if parts[0] == "Tensor":
        return len(re.findall(rf"\.{parts[-1]}\b", code))
    return len(re.findall(rf"(?<![\w.]){re.escape(entry.name)}\b|\.{re.escape(entry.name)}\b", code))


# --- The built HTML -------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_code_links_glossary_apis_on_chapter_and_program_pages(built_site, lang):
    pages = site_pages(built_site, lang)
    linked_in_code: dict[str, int] = {}
    problems = []
    for rel, path in pages.items():
        text = path.read_text("utf-8")
        for block in PRE.findall(text):
            for href, _, inner in entry_links(block):
                anchor = href.rsplit("#", 1)[1]
                linked_in_code[anchor] = linked_in_code.get(anchor, 0) + 1
                plain = html.unescape(TAGS.sub("", inner))
                if not re.fullmatch(r"[\w.]+", plain):
                    problems.append(f"/{PREFIX[lang]}{rel}: a code link holds {plain!r}, not an API name")
            unlinked = html.unescape(TAGS.sub("", re.sub(r"<a\b[^>]*>.*?</a>", "", NOT_CODE.sub("", block), flags=re.S)))
            for entry, glossary in entries(lang):
                if rel != glossary + "/" and mentions(unlinked, entry):
                    problems.append(f"/{PREFIX[lang]}{rel}: {entry.name} in code is not linked: "
                                    f"{unlinked.strip()[:120]!r}")
    for rel in CHAPTERS:
        code = "".join(PRE.findall(pages[rel].read_text("utf-8")))
        if not entry_links(code):
            problems.append(f"/{PREFIX[lang]}{rel}: no API name in its code links to the glossary")
    anywhere = {h.rsplit("#", 1)[1] for p in pages.values() for h, _, _ in entry_links(p.read_text("utf-8"))}
    for entry, _ in entries(lang):
        if entry.anchor not in anywhere:
            problems.append(f"{lang}: no page links {entry.name} to #{entry.anchor}")
    if len(linked_in_code) < len(entries(lang)) // 2:
        problems.append(f"{lang}: code links only {sorted(linked_in_code)}")
    assert not problems, "\n".join(sorted(set(problems)))


class _InlineCode(html.parser.HTMLParser):
    """Inline <code> (not in <pre>) outside links, headings, summaries and labels: their text."""

    SKIP = {"a", "h1", "h2", "h3", "h4", "h5", "h6", "summary", "label", "pre", "button"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.free: list[str] = []
        self._code: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        cls = (a.get("class") or "").split()
        if tag == "div" and ("selfcheck" in cls or (self.stack and self.stack[-1] == "selfcheck")):
            self.stack.append("selfcheck")
        elif tag in self.SKIP:
            self.stack.append(tag)
        elif tag == "code" and not self.stack:
            self._code = []

    def handle_endtag(self, tag):
        if tag == "code" and self._code is not None:
            self.free.append("".join(self._code))
            self._code = None
        elif self.stack and (tag == self.stack[-1] or (tag == "div" and self.stack[-1] == "selfcheck")):
            self.stack.pop()

    def handle_data(self, data):
        if self._code is not None:
            self._code.append(data)


@pytest.mark.parametrize("lang", LANGS)
def test_inline_code_naming_an_api_is_linked(built_site, lang):
    problems, linked = [], 0
    for rel, path in site_pages(built_site, lang).items():
        text = path.read_text("utf-8")
        article = text[text.find("<article"):text.find("</article>")]
        parser = _InlineCode()
        parser.feed(article)
        for entry, glossary in entries(lang):
            if rel == glossary + "/":
                continue
            bare = {entry.name, entry.name.split(".")[-1]}
            for code in parser.free:
                if code.strip().removesuffix("()").removeprefix(".") in bare:
                    problems.append(f"/{PREFIX[lang]}{rel}: inline `{code}` is not linked to #{entry.anchor}")
        linked += len(re.findall(r'title="[^"]*"><code>', article))
    assert linked, f"{lang}: no inline code links to the glossary"
    assert not problems, "\n".join(sorted(set(problems)))


@pytest.mark.parametrize("lang", LANGS)
def test_links_resolve_to_entries_and_carry_their_meaning(built_site, lang):
    pages = site_pages(built_site, lang)
    meaning = {(glossary + "/", e.anchor): e.meaning for e, glossary in entries(lang)}
    problems, count = [], 0
    for rel, path in pages.items():
        for href, title, _ in entry_links(path.read_text("utf-8")):
            target = resolve(rel, href)
            if target not in meaning:
                continue   # another titled link (a footnote's, say)
            count += 1
            if target[0] not in pages or target[1] not in parse_page(pages[target[0]]).ids:
                problems.append(f"/{PREFIX[lang]}{rel}: {href} leads nowhere")
            if title != meaning[target]:
                problems.append(f"/{PREFIX[lang]}{rel}: {href} has title {title!r}, not the entry's meaning")
    assert count, f"{lang}: no link to a glossary entry"
    assert not problems, "\n".join(sorted(set(problems)))


@pytest.mark.parametrize("lang", LANGS)
def test_no_page_links_to_itself_or_inside_a_link(built_site, lang):
    problems = []
    for rel, path in site_pages(built_site, lang).items():
        text = path.read_text("utf-8")
        body = text[text.find("<article"):text.find("</article>")]
        for href, _, _ in entry_links(body):
            if resolve(rel, href)[0] == rel:
                problems.append(f"/{PREFIX[lang]}{rel}: links to its own page: {href}")
        if re.search(r"<a\b(?:(?!</a>).)*<a\b", body, re.S):
            problems.append(f"/{PREFIX[lang]}{rel}: a link inside a link")
        for heading in re.findall(r"<h[1-6]\b.*?</h[1-6]>", body, re.S):
            if re.search(r'<a href="[^"]*" title=', heading):
                problems.append(f"/{PREFIX[lang]}{rel}: a link inside a heading: {heading[:100]}")
    # Inside each entry of a glossary page, no mention links anywhere (its own entry above all).
    for _, glossary in entries(lang):
        text = site_pages(built_site, lang)[glossary + "/"].read_text("utf-8")
        for entry, page in entries(lang):
            if page != glossary:
                continue
            start = text.index(f'<h2 id="{entry.anchor}"')
            end = text.find("<h2", start + 1)
            section = text[start:end if end != -1 else None]
            if re.search(rf'<a href="[^"]*#{entry.anchor}" title=', section):
                problems.append(f"/{PREFIX[lang]}{glossary}/: the entry {entry.name} links to itself")
    assert not problems, "\n".join(sorted(set(problems)))


# --- In Chromium ----------------------------------------------------------------------------------


def _sources(lang: str, rel: str) -> set[str]:
    """The code as written: the page's fences, or the program's code cells."""
    if rel.startswith("programs/"):
        nb = jupytext.read(SNIPPETS / (rel.split("/")[1] + ".py"))
        return {c.source.rstrip() for c in nb.cells if c.cell_type == "code"}
    md = (DOCS / lang / (rel.rstrip("/") + ".md")).read_text("utf-8")
    return {f["code"].rstrip() for f in fences(md)}


def _copied(page, block, click: bool) -> str:
    """What Material's copy button of a block copies (click), or its clipboard target's text."""
    if not click:
        target = block.locator('button[data-md-type="copy"]').get_attribute("data-clipboard-target")
        return page.evaluate("""target => {
            const pre = document.getElementById(target.slice(1, target.lastIndexOf(' > ')));
            return pre.querySelector(':scope > code').innerText.trimEnd();
        }""", target)
    block.hover()
    block.locator('button[data-md-type="copy"]').click()
    copied = page.evaluate("navigator.clipboard.readText()")
    page.evaluate("navigator.clipboard.writeText('')")
    return copied


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("rel, click", [
    ("sgd-from-scratch/", True),
    ("programs/linear_regression_scratch/", False),
    ("programs/linear_regression_scratch/", True),  # cell ids Material's copy button accepts (hooks/notebook_html.py)
])
def test_copy_button_copies_the_code_as_written(server, browser, lang, rel, click):
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"], service_workers="block")
    try:
        page = context.new_page()
        page.goto(server + PREFIX[lang] + rel, wait_until="load")
        blocks = page.locator("pre:has(code a[title])")
        assert blocks.count(), f"/{PREFIX[lang]}{rel}: no code block with an API link"
        sources, problems = _sources(lang, rel), []
        for i in range(blocks.count()):
            copied = _copied(page, blocks.nth(i), click)
            if copied.rstrip() not in sources:
                problems.append(f"/{PREFIX[lang]}{rel}, block {i + 1}: the copy button copies\n{copied[:400]}")
        assert not problems, (f"Material {version('mkdocs-material')}: its copy button no longer copies the "
                              f"code as written when names in it are links:\n" + "\n".join(problems))
    finally:
        context.close()


FOCUS_NEXT_CODE_LINK = """() => {
    const link = window.apiLink = document.querySelector('pre code a[title]');
    link.scrollIntoView({block: 'center'});
    const stops = [...document.querySelectorAll('a[href], button, [tabindex]')];
    stops[stops.indexOf(link) - 1].focus();
}"""
TOOLTIP = """() => {
    const a = window.apiLink, tip = getComputedStyle(a, '::after');
    if (tip.content === 'none' || tip.display === 'none') return {link: a.textContent, shown: false};
    const x = parseFloat(tip.left) + parseFloat(tip.width) / 2, y = parseFloat(tip.top) + parseFloat(tip.height) / 2;
    return {link: a.textContent, title: a.title, shown: true, content: tip.content,
            hit: document.elementFromPoint(x, y) === a, inside: x > 0 && x < innerWidth && y > 0 && y < innerHeight};
}"""


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 800}, {"width": 375, "height": 740}], ids=["desktop", "phone"])
def test_keyboard_focus_shows_the_meaning(server, browser, lang, viewport):
    context = browser.new_context(viewport=viewport, service_workers="block")
    try:
        page = context.new_page()
        page.goto(server + PREFIX[lang] + "sgd-from-scratch/", wait_until="load")
        page.evaluate(FOCUS_NEXT_CODE_LINK)
        assert not page.evaluate(TOOLTIP)["shown"], "the meaning shows before the link has focus"
        page.keyboard.press("Tab")
        tip = page.evaluate(TOOLTIP)
        assert page.evaluate("document.activeElement === window.apiLink"), "Tab did not reach the link"
        assert tip["shown"], f"keyboard focus on {tip['link']!r} shows no meaning"
        assert tip["content"].startswith(f'"{tip["title"]}"'), f"the focused link shows {tip['content']!r}"
        assert tip["inside"] and tip["hit"], (f"the meaning of {tip['link']!r} is off screen or hidden "
                                              f"(clipped by the code block?)")
        page.keyboard.press("Tab")   # focus moves on: the meaning goes
        assert not page.evaluate(TOOLTIP)["shown"], "the meaning stays after focus has left"
    finally:
        context.close()


def _rows(png: bytes) -> list[bytes]:
    """The image's rows of pixels, each as RGB bytes."""
    import io

    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB")
    data, stride = image.tobytes(), image.width * 3
    return [data[y * stride:(y + 1) * stride] for y in range(image.height)]


@pytest.mark.parametrize("kind, selector", [("inline code", ".md-typeset a:has(> code)"),
                                            ("code block", ".md-typeset pre a")])
def test_underline_of_a_linked_name_leaves_its_underscore_visible(server, browser, kind, selector):
    """site.css: in code the underline goes below the descenders; at its usual place it covers the
    underscore and a linked `index_select` reads "index select". The link is drawn with and without
    its underline: every row the underline adds lies below the lowest row of the text's own ink."""
    page = browser.new_page(device_scale_factor=3)
    try:
        page.goto(server + "sgd-from-scratch/", wait_until="load")
        link = page.locator(selector, has_text="index_select").first
        link.scroll_into_view_if_needed()
        box = link.bounding_box()
        clip = {"x": box["x"], "y": box["y"], "width": box["width"], "height": box["height"] + 8}
        underlined = _rows(page.screenshot(clip=clip))
        link.evaluate("a => a.style.textDecorationLine = 'none'")
        plain = _rows(page.screenshot(clip=clip))
    finally:
        page.close()
    background = plain[0][:3] * (len(plain[0]) // 3)  # the clip's top row is the code's background
    ink = [y for y, row in enumerate(plain) if row != background]
    added = [y for y, (a, b) in enumerate(zip(underlined, plain)) if a != b]
    assert ink and added, f"{kind}: no text or no underline in the screenshot"
    assert min(added) > max(ink), (f"{kind}: the underline (rows {min(added)}-{max(added)}) meets the "
                                   f"text, which reaches row {max(ink)}: the underscore is hidden")
