"""The two languages carry the same pages, anchors, code, images and links; programs too."""

from __future__ import annotations

import io
import tokenize

import jupytext
import pytest

from helpers import DOCS, LANGS, SNIPPETS, fences, headings, images, import_tool, links, pages

ZH, EN = LANGS
BOTH = sorted(set(pages(ZH)) | set(pages(EN)))


def test_same_pages():
    zh, en = set(pages(ZH)), set(pages(EN))
    missing = [f"docs/{EN}/{p} (counterpart of docs/{ZH}/{p})" for p in sorted(zh - en)]
    missing += [f"docs/{ZH}/{p} (counterpart of docs/{EN}/{p})" for p in sorted(en - zh)]
    assert not missing, "pages missing in one language:\n" + "\n".join(missing)


def read(lang, page):
    path = DOCS / lang / page
    if not path.exists():
        pytest.skip(f"docs/{lang}/{page} is missing (reported by test_same_pages)")
    return path.read_text("utf-8")


@pytest.mark.parametrize("page", BOTH)
def test_headings_have_the_same_explicit_ids(page):
    ids = {}
    for lang in LANGS:
        hs = headings(read(lang, page))
        bare = [title for level, title, hid in hs if level >= 2 and hid is None]
        assert not bare, f"docs/{lang}/{page}: headings without an explicit id {{ #id }}: {bare}"
        ids[lang] = [hid for level, title, hid in hs if level >= 2]
    assert ids[ZH] == ids[EN], f"{page}: heading ids differ\n  zh: {ids[ZH]}\n  en: {ids[EN]}"


def without_comments(code: str, info: str) -> str:
    """The code with its # comments and blank lines removed (Python is tokenized properly)."""
    if info == "python":
        tokens = [t for t in tokenize.generate_tokens(io.StringIO(code + "\n").readline)
                  if t.type != tokenize.COMMENT]
        code = tokenize.untokenize(tokens)
    lines = [ln.rstrip() for ln in code.splitlines()]
    return "\n".join(ln for ln in lines if ln.strip() and not ln.strip().startswith("#"))


def blocks(lang, page):
    return [(b["info"], without_comments(b["code"], b["info"])) for b in fences(read(lang, page))]


@pytest.mark.parametrize("page", BOTH)
def test_same_code_blocks(page):
    zh, en = blocks(ZH, page), blocks(EN, page)
    assert len(zh) == len(en), f"{page}: {len(zh)} code blocks in zh, {len(en)} in en"
    for n, (a, b) in enumerate(zip(zh, en), 1):
        assert a == b, f"{page}: code block {n} differs between zh and en (comments aside)\nzh:\n{a[1]}\nen:\n{b[1]}"


@pytest.mark.parametrize("page", BOTH)
def test_same_images_and_links(page):
    zh, en = read(ZH, page), read(EN, page)
    assert images(zh) == images(en), f"{page}: images differ\n  zh: {images(zh)}\n  en: {images(en)}"
    only_zh, only_en = set(links(zh)) - set(links(en)), set(links(en)) - set(links(zh))
    assert not only_zh and not only_en, f"{page}: links differ\n  only in zh: {sorted(only_zh)}\n  only in en: {sorted(only_en)}"


# --- Programs ----------------------------------------------------------------------------------------

programs = import_tool("programs", "hooks")
SNIPPET_FILES = sorted(SNIPPETS.glob("*.py"))


def program_shape(path, lang):
    nb = jupytext.read(path)
    nb = programs.for_language(nb, lang)
    return nb


@pytest.mark.parametrize("path", SNIPPET_FILES, ids=lambda p: p.name)
def test_programs_have_both_languages(path):
    programs.cell_lines(path)  # starts with a cell marker
    nb = jupytext.read(path)
    kinds = {lang: [] for lang in LANGS}
    for cell in nb.cells:
        lang = programs.cell_language(cell)
        for target in LANGS:
            if lang in (None, target):
                kinds[target].append("shared" if lang is None else cell.cell_type)
    assert kinds[ZH] == kinds[EN], f"snippets/{path.name}: the zh and en markdown cells do not match one to one"
    for lang in LANGS:
        md = [c.source for c in program_shape(path, lang).cells if c.cell_type == "markdown"]
        assert md and md[0].lstrip().startswith("# "), f"snippets/{path.name}: the first {lang} cell must start with a '# ' title"
    ids = {lang: [hid for c in program_shape(path, lang).cells if c.cell_type == "markdown"
                  for level, _, hid in headings(c.source) if level >= 2] for lang in LANGS}
    assert ids[ZH] == ids[EN], f"snippets/{path.name}: heading ids differ\n  zh: {ids[ZH]}\n  en: {ids[EN]}"
