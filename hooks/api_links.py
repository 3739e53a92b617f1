"""Every mention of a glossary API links to its entry, with the entry's one-line meaning as the
link's title (shown as a tooltip: overrides/assets/site/site.css, "API links").

The entries are read from the glossary pages of each language (GLOSSARY below), never from a table
here: an entry is a `##` heading that opens with the API's name in code and carries an explicit
id, followed by its one-line meaning in bold-labelled prose:

    ## `Tensor.detach` { #detach }

    **Meaning:** the same data, cut off from the computational graph. Not a copy.

`Tensor.NAME` is a method: `.NAME` links in code (`w.detach()`, `torch.index_select`), whatever the
object. Any other `A.NAME` (`torch.mm`, `nn.Linear`) links where code writes `A.NAME`
(`torch.nn.Linear` included). Inline code that is only the name (`detach`, `backward()`, `mm`)
links as a whole.

Mentions are linked in highlighted code blocks (Pygments' name spans; Markdown pages and the
programs' cells alike) and in inline code, in the rendered HTML of each page. Left alone: code
inside an existing link, a heading, a <summary> or a button; mentions on the glossary page that
defines them (a page never links to itself); plain-text blocks (```text). The link is only an
<a href title> around the token: the text, and so what Material's copy button copies, is unchanged.

The hook fails the build on a glossary entry it cannot read and on HTML it cannot follow.
"""

from __future__ import annotations

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

_TOKEN = re.compile(r"<!--.*?-->|<[^>]*>|[^<]+", re.S)
_TAG = re.compile(r"<(/?)([A-Za-z][\w-]*)")
_SKIP = {"a", "label", "h1", "h2", "h3", "h4", "h5", "h6", "summary", "button", "script", "style", "math"}
_HREF = re.compile(r'\bhref="([^"]*)"')
# Blocks whose text becomes form labels later (hooks/selfcheck.py): a link there would take the
# click meant for the radio button.
_NO_LINKS = re.compile(r'<div\b[^>]*\bclass="(?:[^"]*\s)?selfcheck[\s"]')

_NAME = r'<span class="n">\w+</span>'
_DOT = r'<span class="o">\.</span>'
_CODE_CHAIN = re.compile(rf"(?:{_DOT})?{_NAME}(?:{_DOT}{_NAME})*")
_CODE_NAME = re.compile(r'<span class="n">(\w+)</span>')
_TEXT_CHAIN = re.compile(r"(?<![\w.])\.?[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*")


@dataclass(frozen=True)
class Entry:
    name: str        # as the heading writes it: "Tensor.detach", "torch.mm", "nn.Linear"
    anchor: str      # the heading's explicit id
    meaning: str     # the one-line meaning, plain text
    file: object     # the glossary page's mkdocs File

    @property
    def parts(self) -> list[str]:
        return self.name.split(".")

    @property
    def method(self) -> bool:
        return self.parts[0] == "Tensor"


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
        body = [ln.strip() for ln in lines[i + 1:]]
        start = next((k for k, ln in enumerate(body) if ln), None)
        if start is None or not _LABEL.match(body[start]):
            raise PluginError(f"{where}:{i + 1}: glossary entry {name!r} must open with its one-line "
                              f"meaning ('**Meaning:** …' / '**含义：**…')")
        end = next((k for k in range(start, len(body)) if not body[k]), len(body))
        text = _LABEL.sub("", " ".join(body[start:end]))
        meaning = " ".join(_INLINE_MD.sub(lambda t: t[1] or "", text).split())
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


# --- Linking ----------------------------------------------------------------------------------

def _link(inner: str, href: str, title: str) -> str:
    return f'<a href="{href}" title="{title}">{inner}</a>'


def _match(names: list[str], attribute: bool, entries) -> dict[int, tuple[int, object]]:
    """Linked spans of a dotted chain: {index of its last name: (index of its first, link)}.
    `attribute`: the chain's first name follows a dot (`(x + 1).view`)."""
    found = {}
    for i, name in enumerate(names):
        for entry, link in entries:
            parts = entry.parts
            if entry.method:
                if name == parts[-1] and (i > 0 or attribute):
                    found[i] = (i, link)
            elif i + 1 >= len(parts) and names[i + 1 - len(parts):i + 1] == parts:
                found[i] = (i + 1 - len(parts), link)
    return found


def _code_block(inner: str, entries) -> str:
    """Highlighted code: link the name spans of dotted chains."""
    def chain(m: re.Match) -> str:
        text = m[0]
        spans = list(_CODE_NAME.finditer(text))
        found = _match([s[1] for s in spans], text.startswith("<span class=\"o\">"), entries)
        out, pos = [], 0
        for last, (first, link) in sorted(found.items()):
            a, b = spans[first].start(), spans[last].end()
            out += [text[pos:a], link(text[a:b])]
            pos = b
        return "".join(out) + text[pos:]
    return _CODE_CHAIN.sub(chain, inner)


def _inline_code(open_tag: str, inner: str, entries, where: str) -> str:
    """Inline code (escaped text): the whole <code> when it is only the name, else the names inside."""
    if "<" in inner:
        if "<span" in inner and "<a" not in inner:   # inline code highlighted by inlinehilite
            return open_tag + _code_block(inner, entries) + "</code>"
        raise PluginError(f"hooks/api_links.py: {where}: inline code holds markup it does not know: {inner[:80]!r}")
    text = htmllib.unescape(inner).strip()
    bare = text.removesuffix("()").removeprefix(".")
    for entry, link in entries:
        if bare in (entry.name, entry.parts[-1]):
            return link(open_tag + inner + "</code>")

    def chain(m: re.Match) -> str:
        names = m[0].lstrip(".").split(".")
        found = _match(names, m[0].startswith("."), entries)
        if not found:
            return m[0]
        offsets, pos = [], len(m[0]) - len(m[0].lstrip("."))
        for n in names:
            offsets.append((pos, pos + len(n)))
            pos += len(n) + 1
        out, pos = [], 0
        for last, (first, link) in sorted(found.items()):
            a, b = offsets[first][0], offsets[last][1]
            out += [m[0][pos:a], link(m[0][a:b])]
            pos = b
        return "".join(out) + m[0][pos:]
    return open_tag + _TEXT_CHAIN.sub(chain, inner) + "</code>"


def link_mentions(html: str, entries, where: str) -> str:
    """`entries`: [(Entry, link(inner) -> <a>…</a>)]; returns the page's HTML with mentions linked."""
    out: list[str] = []
    skip: dict[str, int] = {}
    in_pre = 0
    no_links = 0   # depth of <div> inside a _NO_LINKS block
    tokens = iter(_TOKEN.findall(html))
    for tok in tokens:
        tag = _TAG.match(tok)
        if not tag or tok.startswith("<!--"):
            out.append(tok)
            continue
        closing, name = tag[1] == "/", tag[2].lower()
        if name == "pre":
            in_pre += -1 if closing else 1
        elif name == "div" and (no_links or _NO_LINKS.match(tok)):
            no_links += -1 if closing else 1
        elif name in _SKIP and not tok.endswith("/>"):
            skip[name] = skip.get(name, 0) + (-1 if closing else 1)
            if skip[name] < 0:
                raise PluginError(f"hooks/api_links.py: {where}: </{name}> without <{name}>")
        if name != "code" or closing:
            if name == "code":
                raise PluginError(f"hooks/api_links.py: {where}: </code> without <code>")
            out.append(tok)
            continue
        inner = []
        for t in tokens:
            if t.lower().startswith("</code"):
                break
            if t.lower().startswith("<code"):
                raise PluginError(f"hooks/api_links.py: {where}: <code> inside <code>")
            inner.append(t)
        else:
            raise PluginError(f"hooks/api_links.py: {where}: <code> never closed")
        body = "".join(inner)
        if no_links or any(skip.values()):
            out += [tok, body, "</code>"]
        elif in_pre:
            out += [tok, _code_block(body, entries), "</code>"]
        else:
            out.append(_inline_code(tok, body, entries, where))
    if in_pre or no_links or any(skip.values()):
        raise PluginError(f"hooks/api_links.py: {where}: unbalanced <pre> or {sorted(k for k, v in skip.items() if v)}")
    return "".join(out)


def _titled(html: str, titles: dict[str, str]) -> str:
    """Existing links to an entry get its meaning as their title too."""
    def add(m: re.Match) -> str:
        tag = m[0]
        href = _HREF.search(tag)
        if href and href[1] in titles and " title=" not in tag:
            return tag[:-1] + f' title="{titles[href[1]]}">'
        return tag
    return re.sub(r"<a\b[^>]*>", add, html)


def on_page_content(html, page, config, files):
    entries = _entries.get(config.docs_dir)
    if entries is None:
        raise PluginError("hooks/api_links.py: on_files has not read the glossary")
    linked = []
    for entry in entries:
        if entry.file is page.file:
            continue  # a page never links to itself (nor inside the entry being defined)
        href = f"{get_relative_url(entry.file.url, page.url)}#{entry.anchor}"
        title = htmllib.escape(entry.meaning, quote=True)
        linked.append((entry, lambda inner, h=href, t=title: _link(inner, h, t)))
    titles = {}
    for entry, link in linked:
        m = _HREF.search(link(""))
        titles[m[1]] = htmllib.escape(entry.meaning, quote=True)
    where = page.file.src_uri
    return link_mentions(_titled(html, titles), linked, where)
