"""Every mention of a glossary API in code links to its entry, with the entry's one-line meaning
as the link's title (a tooltip: overrides/assets/site/site.css). CONTRIBUTING.md ("Pages") gives
the entry format; the entries are read from the glossary pages (GLOSSARY).

`Tensor.NAME` is a method: `.NAME` links in code (`w.detach()`), whatever the object. Any other
`A.NAME` (`torch.mm`, `nn.Linear`) links where code writes `A.NAME` (`torch.nn.Linear` included).
Inline code that is only the name (`detach`, `backward()`) links whole. Mentions link in highlighted
code (Pygments' name spans) and in inline code; not in a link, a heading, a <summary>, a button, a
self-check, a plain-text block, or a glossary page's own entries. The link is only an <a href
title> around the token, so Material's copy button copies the same. The build fails on an entry
the hook cannot read.
"""

import html as htmllib
import re
from dataclasses import dataclass

from mkdocs.exceptions import PluginError
from mkdocs.utils import get_relative_url

GLOSSARY = ("api-glossary.md", "api-shapes-modules.md")

_HEADING = re.compile(r"^##\s+`([^`]+)`(.*)$")
_ID = re.compile(r"\{\s*#([A-Za-z][\w-]*)\s*\}\s*$")
_LABEL = re.compile(r"^\*\*[^*\n]+[:：]\*\*\s*")           # **Meaning:** / **含义：**
_INLINE_MD = re.compile(r"\*\*|`|\[([^\]]*)\]\([^)]*\)")

# What is left as it is (comments, elements where a link does not belong, and a self-check block:
# hooks/selfcheck.py makes its text form labels, whose click a link would take), code blocks, inline code.
_PIECE = re.compile(r'<!--.*?-->|<(a|label|h[1-6]|summary|button|script|style|math)\b.*?</\1\s*>'
                    r'|<div class="selfcheck".*?</div>|(<pre\b.*?</pre>)|(<code\b[^>]*>)(.*?)</code>', re.S)
_BLOCK_CODE = re.compile(r"(<code\b[^>]*>)(.*?)</code>", re.S)

_NAME = r'<span class="n">\w+</span>'
_DOT = r'<span class="o">\.</span>'
_CODE_CHAIN = re.compile(rf"(?:{_DOT})?{_NAME}(?:{_DOT}{_NAME})*")
_CODE_NAME = re.compile(r'<span class="n">(\w+)</span>')
_TEXT_CHAIN = re.compile(r"(?<![\w.])\.?[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*")
_TEXT_NAME = re.compile(r"(\w+)")


@dataclass(frozen=True)
class Entry:
    name: str        # as the heading writes it: "Tensor.detach", "torch.mm", "nn.Linear"
    anchor: str      # the heading's explicit id
    meaning: str     # the one-line meaning, plain text
    file: object     # the glossary page's mkdocs File


_entries: dict[str, list[Entry]] = {}   # per docs_dir (every language is its own build)


def read_entries(markdown: str, where: str, file=None) -> list[Entry]:
    """The entries of one glossary page, in order."""
    found, lines = [], markdown.splitlines()
    for i, line in enumerate(lines):
        m = _HEADING.match(line)
        if not m:
            continue
        name, anchor = m[1], _ID.search(m[2])
        if not anchor:
            raise PluginError(f"{where}:{i + 1}: glossary entry {name!r} needs an explicit id, "
                              f"e.g. '## `{name}` {{ #some-id }}'")
        if not re.fullmatch(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+", name):
            raise PluginError(f"{where}:{i + 1}: glossary entry {name!r}: hooks/api_links.py links "
                              f"dotted names only (Tensor.name, torch.name, nn.Name)")
        paragraph = re.split(r"\n\s*\n", "\n".join(lines[i + 1:]).strip(), maxsplit=1)[0]  # the first below
        if not _LABEL.match(paragraph):
            raise PluginError(f"{where}:{i + 1}: glossary entry {name!r} must open with its one-line "
                              f"meaning ('**Meaning:** …' / '**含义：**…')")
        meaning = " ".join(_INLINE_MD.sub(lambda t: t[1] or "", _LABEL.sub("", paragraph)).split())
        found.append(Entry(name, anchor[1], meaning, file))
    return found


def on_files(files, config):
    entries = []
    for path in GLOSSARY:
        file = files.get_file_from_path(path)
        if file is None:
            raise PluginError(f"hooks/api_links.py: {config.docs_dir}/{path} (a glossary page) is missing")
        entries += read_entries(file.content_string, f"{config.docs_dir}/{path}", file)
    names = [e.name for e in entries]
    if not entries or len(set(names)) != len(names):
        raise PluginError(f"hooks/api_links.py: glossary entries in {config.docs_dir} are missing or "
                          f"named twice: {names}")
    _entries[config.docs_dir] = entries
    return files


# --- Linking: `links` is [(Entry, href, title)] for the page ----------------------------------


def _link_chain(text: str, names: list[re.Match], attribute: bool, links) -> str:
    """Link the names of one dotted chain in text; `names`: their matches, the name in group 1;
    `attribute`: the chain's first name follows a dot (`(x + 1).view`)."""
    found = {}  # index of a linked span's last name -> (index of its first name, href, title)
    words = [n[1] for n in names]
    for i, word in enumerate(words):
        for entry, href, title in links:
            parts = entry.name.split(".")
            if parts[0] == "Tensor":
                if word == parts[-1] and (i > 0 or attribute):
                    found[i] = (i, href, title)
            elif i + 1 >= len(parts) and words[i + 1 - len(parts):i + 1] == parts:
                found[i] = (i + 1 - len(parts), href, title)
    out, pos = [], 0
    for last, (first, href, title) in sorted(found.items()):
        a, b = names[first].start(), names[last].end()
        out += [text[pos:a], f'<a href="{href}" title="{title}">{text[a:b]}</a>']
        pos = b
    return "".join(out) + text[pos:]


def _code_block(inner: str, links) -> str:
    """Highlighted code: link the name spans of dotted chains."""
    return _CODE_CHAIN.sub(lambda m: _link_chain(m[0], list(_CODE_NAME.finditer(m[0])),
                                                 m[0].startswith('<span class="o">'), links), inner)


def _inline_code(open_tag: str, inner: str, links, where: str) -> str:
    """Inline code (escaped text): the whole <code> when it is only the name, else the names inside."""
    if "<" in inner:
        if "<span" in inner and "<a" not in inner:   # inline code highlighted by inlinehilite
            return open_tag + _code_block(inner, links) + "</code>"
        raise PluginError(f"hooks/api_links.py: {where}: inline code holds markup it does not know: {inner[:80]!r}")
    bare = htmllib.unescape(inner).strip().removesuffix("()").removeprefix(".")
    for entry, href, title in links:
        if bare in (entry.name, entry.name.split(".")[-1]):
            return f'<a href="{href}" title="{title}">{open_tag}{inner}</code></a>'
    return open_tag + _TEXT_CHAIN.sub(lambda m: _link_chain(m[0], list(_TEXT_NAME.finditer(m[0])),
                                                            m[0].startswith("."), links), inner) + "</code>"


def link_mentions(html: str, links, where: str) -> str:
    """The page's HTML with the mentions in its code linked."""
    def piece(m: re.Match) -> str:
        if m[2]:
            return _BLOCK_CODE.sub(lambda c: c[1] + _code_block(c[2], links) + "</code>", m[2])
        return _inline_code(m[3], m[4], links, where) if m[3] else m[0]

    return _PIECE.sub(piece, html)


def on_page_content(html, page, config, files):
    links = [(entry, f"{get_relative_url(entry.file.url, page.url)}#{entry.anchor}",
              htmllib.escape(entry.meaning, quote=True))
             for entry in _entries[config.docs_dir]
             if entry.file is not page.file]  # a page never links to itself (nor inside an entry)
    titles = {href: title for _, href, title in links}

    def titled(m: re.Match) -> str:  # existing links to an entry get its meaning as their title too
        if m[2] in titles and " title=" not in m[0]:
            return m[0][:-1] + f' title="{titles[m[2]]}">'
        return m[0]

    html = re.sub(r'<a\b([^>]*?\bhref="([^"]*)")?[^>]*>', titled, html)
    return link_mentions(html, links, page.file.src_uri)
