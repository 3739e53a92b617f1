"""Every language carries the same pages, anchors, code, images and links as the reference
language (the first of mkdocs.yml's extra.alternate); programs too."""

from __future__ import annotations

import io
import tokenize

import jupytext
import pytest

from helpers import DOCS, LANGS, LANGUAGES, REFERENCE, SNIPPETS, fences, headings, images, import_tool, links, pages

REF = REFERENCE
OTHERS = LANGS[1:]  # each compared with the reference language
ALL = sorted(set().union(*(pages(lang) for lang in LANGS)))


@pytest.mark.parametrize("other", OTHERS)
def test_same_pages(other):
    ref, mine = set(pages(REF)), set(pages(other))
    missing = [f"docs/{other}/{p} (counterpart of docs/{REF}/{p})" for p in sorted(ref - mine)]
    missing += [f"docs/{REF}/{p} (counterpart of docs/{other}/{p})" for p in sorted(mine - ref)]
    assert not missing, "pages missing in one language:\n" + "\n".join(missing)


def nav(lang: str) -> list:
    """The `nav` of a language's configuration, with its section titles replaced by "section"."""
    from mkdocs.utils import yaml_load

    def files(items):
        return [item if isinstance(item, str) else
                [files(v) if isinstance(v, list) else v for v in item.values()] for item in items]

    config = next(lg.config for lg in LANGUAGES if lg.lang == lang)
    with open(config, encoding="utf-8") as f:  # yaml_load follows INHERIT
        return files(yaml_load(f)["nav"])


@pytest.mark.parametrize("other", OTHERS)
def test_same_navigation(other):
    """Every language lists the same files in the same places of its navigation."""
    assert nav(other) == nav(REF)


def test_each_language_has_its_own_search_language_and_notebook_cache():
    """Material's search indexes a site in the language it is told (its default is English), and
    mkdocs-jupyter evicts every cache entry its build did not use: two languages sharing a cache
    would convert every notebook on every build."""
    from mkdocs.config import load_config

    search, caches = {}, set()
    for lg in LANGUAGES:  # (MkDocs reuses plugin instances: read each configuration as it is loaded)
        config = load_config(config_file=str(lg.config))
        search[lg.lang] = config.plugins["material/search"].config["lang"]
        caches.add(config.plugins["mkdocs-jupyter"].config["cache_dir"])
    assert search == {lang: [lang] for lang in LANGS}
    assert len(caches) == len(LANGS), caches


def read(lang, page):
    path = DOCS / lang / page
    if not path.exists():
        pytest.skip(f"docs/{lang}/{page} is missing (reported by test_same_pages)")
    return path.read_text("utf-8")


@pytest.mark.parametrize("other", OTHERS)
@pytest.mark.parametrize("page", ALL)
def test_headings_have_the_same_explicit_ids(page, other):
    ids = {}
    for lang in (REF, other):
        hs = headings(read(lang, page))
        bare = [title for level, title, hid in hs if level >= 2 and hid is None]
        assert not bare, f"docs/{lang}/{page}: headings without an explicit id {{ #id }}: {bare}"
        ids[lang] = [hid for level, title, hid in hs if level >= 2]
    assert ids[REF] == ids[other], f"{page}: heading ids differ\n  {REF}: {ids[REF]}\n  {other}: {ids[other]}"


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


@pytest.mark.parametrize("other", OTHERS)
@pytest.mark.parametrize("page", ALL)
def test_same_code_blocks(page, other):
    ref, mine = blocks(REF, page), blocks(other, page)
    assert len(ref) == len(mine), f"{page}: {len(ref)} code blocks in {REF}, {len(mine)} in {other}"
    for n, (a, b) in enumerate(zip(ref, mine), 1):
        assert a == b, (f"{page}: code block {n} differs between {REF} and {other} (comments aside)\n"
                        f"{REF}:\n{a[1]}\n{other}:\n{b[1]}")


@pytest.mark.parametrize("other", OTHERS)
@pytest.mark.parametrize("page", ALL)
def test_same_images_and_links(page, other):
    ref, mine = read(REF, page), read(other, page)
    assert images(ref) == images(mine), f"{page}: images differ\n  {REF}: {images(ref)}\n  {other}: {images(mine)}"
    only_ref, only_mine = set(links(ref)) - set(links(mine)), set(links(mine)) - set(links(ref))
    assert not only_ref and not only_mine, (f"{page}: links differ\n  only in {REF}: {sorted(only_ref)}\n"
                                            f"  only in {other}: {sorted(only_mine)}")


# --- Programs ----------------------------------------------------------------------------------------

programs = import_tool("programs", "hooks")
SNIPPET_FILES = sorted(SNIPPETS.glob("*.py"))


def program_shape(path, lang):
    nb = jupytext.read(path)
    nb = programs.for_language(nb, lang)
    return nb


@pytest.mark.parametrize("path", SNIPPET_FILES, ids=lambda p: p.name)
def test_programs_have_every_language(path):
    programs.cell_lines(path)  # starts with a cell marker
    nb = jupytext.read(path)
    kinds = {lang: [] for lang in LANGS}
    for cell in nb.cells:
        lang = programs.cell_language(cell)
        for target in LANGS:
            if lang in (None, target):
                kinds[target].append("shared" if lang is None else cell.cell_type)
    for other in OTHERS:
        assert kinds[REF] == kinds[other], \
            f"snippets/{path.name}: the {REF} and {other} markdown cells do not match one to one"
    for lang in LANGS:
        md = [c.source for c in program_shape(path, lang).cells if c.cell_type == "markdown"]
        assert md and md[0].lstrip().startswith("# "), f"snippets/{path.name}: the first {lang} cell must start with a '# ' title"
    ids = {lang: [hid for c in program_shape(path, lang).cells if c.cell_type == "markdown"
                  for level, _, hid in headings(c.source) if level >= 2] for lang in LANGS}
    for other in OTHERS:
        assert ids[REF] == ids[other], \
            f"snippets/{path.name}: heading ids differ\n  {REF}: {ids[REF]}\n  {other}: {ids[other]}"
