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

_DOT = r'<span class="o">\.</span>'


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


def _mention(entry: Entry, highlighted: bool) -> str:
    """A pattern of a mention of entry in highlighted code (Pygments' name spans) or in code text.
    `Tensor.NAME` is a method: NAME after a dot."""
    parts = [re.escape(part) for part in entry.name.split(".")]
    if highlighted:
        names = [f'<span class="n">{part}</span>' for part in parts]
        return f"(?<={_DOT}){names[-1]}" if parts[0] == "Tensor" else _DOT.join(names)
    dotted = r"\.".join(parts)
    return rf"(?<=\.){parts[-1]}\b" if parts[0] == "Tensor" else rf"(?<!\w){dotted}\b"


def _linked(code: str, links, highlighted: bool) -> str:
    """code with each mention of an entry of `links` inside the entry's link."""
    def link(m: re.Match) -> str:
        _, href, title = links[int(m.lastgroup[1:])]
        return f'<a href="{href}" title="{title}">{m[0]}</a>'

    pattern = "|".join(f"(?P<e{i}>{_mention(entry, highlighted)})" for i, (entry, _, _) in enumerate(links))
    return re.sub(pattern, link, code) if links else code


def _inline_code(open_tag: str, inner: str, links, where: str) -> str:
    """Inline code (escaped text): the whole <code> when it is only the name, else the names inside."""
    if "<" in inner:
        if "<span" in inner and "<a" not in inner:   # inline code highlighted by inlinehilite
            return open_tag + _linked(inner, links, True) + "</code>"
        raise PluginError(f"hooks/api_links.py: {where}: inline code holds markup it does not know: {inner[:80]!r}")
    bare = htmllib.unescape(inner).strip().removesuffix("()").removeprefix(".")
    for entry, href, title in links:
        if bare in (entry.name, entry.name.split(".")[-1]):
            return f'<a href="{href}" title="{title}">{open_tag}{inner}</code></a>'
    return open_tag + _linked(inner, links, False) + "</code>"


def link_mentions(html: str, links, where: str) -> str:
    """The page's HTML with the mentions in its code linked."""
    def piece(m: re.Match) -> str:
        if m[2]:
            return _BLOCK_CODE.sub(lambda c: c[1] + _linked(c[2], links, True) + "</code>", m[2])
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
