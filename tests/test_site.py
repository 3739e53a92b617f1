"""The built site: languages, notebook pages, no third-party loads, every internal link resolves."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest

from helpers import LANGS, PREFIX, SNIPPETS, built_pages, lang_of, parse_page

PROGRAMS = sorted(p.stem for p in SNIPPETS.glob("*.py"))
EXTERNAL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:)?//", re.I)
CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")]+)")


def test_html_lang_on_every_page(built_site):
    wrong = [f"{p.relative_to(built_site)}: lang={parse_page(p).lang!r}"
             for p in built_pages(built_site) if parse_page(p).lang != lang_of(built_site, p)]
    assert not wrong, "pages with the wrong <html lang>:\n" + "\n".join(wrong)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", PROGRAMS)
def test_program_pages_are_rendered_notebooks(built_site, lang, name):
    page = built_site / PREFIX[lang] / "programs" / name / "index.html"
    assert page.exists(), f"snippets/{name}.py was not published as {page.relative_to(built_site)}"
    html = page.read_text("utf-8")
    # Rendered cells with their outputs, not the program's source text (the failure mode of
    # mkdocs-static-i18n + mkdocs-jupyter is a page holding the raw file).
    assert 'class="jp-Cell jp-CodeCell' in html and 'class="jp-Cell jp-MarkdownCell' in html
    assert "jp-OutputArea-output" in html, f"{page}: no cell output"
    assert "# %%" not in html, f"{page}: raw percent-format source on the page"
    for other in set(LANGS) - {lang}:
        assert f"celltag_{other}" not in html, f"{page}: holds cells of the {other} page"
    if "plt." in (SNIPPETS / f"{name}.py").read_text("utf-8"):
        assert "data:image/png;base64," in html, f"{page}: the program plots, but the page has no image"


def external_loads(site: Path, page: Path) -> list[str]:
    p = parse_page(page)
    urls = [u for u in p.loads if EXTERNAL.match(u)]
    urls += [u for style in p.styles for u in CSS_URL.findall(style) if EXTERNAL.match(u)]
    return urls


def test_no_page_loads_from_another_host(built_site):
    found = [f"{page.relative_to(built_site)}: {url}" for page in built_pages(built_site)
             for url in external_loads(built_site, page)]
    for css in built_site.rglob("*.css"):
        found += [f"{css.relative_to(built_site)}: {u}" for u in CSS_URL.findall(css.read_text("utf-8", "replace"))
                  if EXTERNAL.match(u)]
    assert not found, "assets loaded from another host (page: URL):\n" + "\n".join(found)


def resolve(site: Path, page: Path, href: str) -> tuple[Path, str]:
    base = "/" + str(page.relative_to(site)).replace("\\", "/")
    parts = urlsplit(urljoin(base, href))
    target = site / unquote(parts.path).lstrip("/")
    if parts.path.endswith("/") or target.is_dir():
        target = target / "index.html"
    return target, unquote(parts.fragment)


def test_every_internal_link_and_anchor_resolves(built_site):
    broken = []
    for page in built_pages(built_site):
        for href in parse_page(page).anchors:
            if EXTERNAL.match(href) or href.startswith(("mailto:", "javascript:", "data:")):
                continue
            target, fragment = resolve(built_site, page, href)
            where = f"{page.relative_to(built_site)} -> {href}"
            if not target.exists():
                broken.append(f"{where} (no such file)")
            elif fragment and target.suffix == ".html" and fragment not in parse_page(target).ids:
                broken.append(f"{where} (no element with id {fragment!r})")
    assert not broken, "broken links (page -> target):\n" + "\n".join(broken)


def test_switcher_links_to_the_same_page_in_every_language(built_site):
    wrong = []
    for page in built_pages(built_site):
        rel = page.relative_to(built_site)
        if rel.name == "404.html":
            continue
        lang = lang_of(built_site, page)
        same = rel.relative_to(PREFIX[lang]) if PREFIX[lang] else rel
        html = page.read_text("utf-8")
        for other in LANGS:
            expected = built_site / PREFIX[other] / same
            m = re.search(rf'<a href="([^"]*)"[^>]*hreflang="{other}"[^>]*class="md-select__link"', html)
            if not m:
                wrong.append(f"{rel}: no switcher link to {other}")
                continue
            target, _ = resolve(built_site, page, m[1])
            if target != expected:
                wrong.append(f"{rel}: switcher -> {target.relative_to(built_site)}, expected {expected.relative_to(built_site)}")
    assert not wrong, "\n".join(wrong)
