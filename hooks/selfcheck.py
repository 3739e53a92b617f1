"""Self-check questions (CONTRIBUTING.md, "Pages", says how to write one): the reader picks an
option or types a number, submits, and is told right or wrong, with the reason a wrong pick is
wrong (the words its answer box marks with ``<span data-why="A">``); the answer box then opens.

Each ``<div class="selfcheck" data-answer="…">`` block becomes the form of
overrides/partials/selfcheck.html, named by the question's heading; the answer box after it gets an
id the form names. The words come from each language's ``extra.selfcheck``; overrides/main.html adds
assets/quiz/selfcheck.css and .js to the page. The build fails, naming page and question, on a
wrong option without a reason or an answer that is not one of the options.
"""

import html
import re
from decimal import Decimal, InvalidOperation

from mkdocs.exceptions import PluginError

import languages  # hooks/ is on sys.path while MkDocs loads a hook

BLOCK = re.compile(r'<div class="selfcheck" data-answer="(?P<answer>[^"]+)">(?P<body>.*?)</div>', re.S)
OPTION = re.compile(r"<li>(?P<key>[A-Z])\.\s(?P<text>.*?)</li>", re.S)
HEADING = re.compile(r'<h[23] id="(?P<id>[^"]+)"[^>]*>(?P<text>.*?)</h[23]>', re.S)
PERMALINK = re.compile(r'<a class="headerlink"[^>]*>.*?</a>', re.S)
TAG = re.compile(r"<[^>]+>")
DETAILS = re.compile(r"<details\b|</details>")
WHY = re.compile(r'data-why="([^"]+)"')
# The words of the form and, from "right" on, of its feedback (the script fills in {picked} and
# {answer}), in each language's extra.selfcheck.
WORDS = ("submit", "blank", "right", "wrong", "reason", "open", "empty", "empty_number")


def number(text: str) -> Decimal | None:
    try:
        return Decimal(text.replace(",", "").replace("−", "-"))
    except InvalidOperation:
        return None


def answer_box(output: str, start: int, where: str) -> tuple[int, int]:
    """(start, end) of the <details> that follows position start, nested boxes included."""
    tags, depth = list(DETAILS.finditer(output, start)), 0
    if not tags or tags[0].group() != "<details" or output[start:tags[0].start()].strip():
        raise PluginError(f"{where}: a self-check block must be followed directly by its answer box (??? success)")
    for tag in tags:
        depth += 1 if tag.group() == "<details" else -1
        if depth == 0:
            return tags[0].start(), tag.end()
    raise PluginError(f"{where}: the answer box is not closed")


def check(answer: str, body: str, box: str, where: str) -> list:
    """The options of a block, after checking them, its answer and the reasons marked in its box."""
    options = OPTION.findall(body)
    keys = [key for key, _ in options]
    marked = {key for spans in WHY.findall(box) for key in spans.split()}
    if not keys and (number(answer) is None or any(number(k) is None for k in marked)):
        raise PluginError(f"{where}: a blank's answer and its data-why keys must be numbers: {answer!r}, {sorted(marked)}")
    if keys and answer not in keys:
        raise PluginError(f"{where}: data-answer={answer!r} is not one of the options {keys}")
    if missing := [k for k in keys if k != answer and k not in marked]:
        raise PluginError(f"{where}: no reason marked (<span data-why=\"…\">) for wrong option(s) {missing}")
    if keys and (stray := sorted(marked - set(keys))):
        raise PluginError(f"{where}: data-why names no option: {stray}")
    leftover = OPTION.sub("", body).replace("<ul>", "").replace("</ul>", "").strip()
    if leftover:
        raise PluginError(f"{where}: a self-check block holds only a list of options 'A. …', not {leftover[:80]!r}")
    return options


def on_post_page(output, page, config):
    if 'class="selfcheck"' not in output:
        return output
    words = languages.words(config, "selfcheck", WORDS)
    parts, pos = [], 0
    for n, m in enumerate(BLOCK.finditer(output), 1):
        headings = list(HEADING.finditer(output, 0, m.start()))
        if not headings:
            raise PluginError(f"{page.file.src_uri}: self-check block {n} has no heading above it")
        heading = headings[-1]
        where = f"{page.file.src_uri} #{heading.group('id')}"
        legend = html.unescape(TAG.sub("", PERMALINK.sub("", heading.group("text")))).strip()
        start, end = answer_box(output, m.end(), where)
        options = check(m.group("answer"), m.group("body"), output[start:end], where)
        box_id = f"selfcheck-{n}-answer"
        form = languages.partial("selfcheck.html", n=n, legend=legend, answer=m.group("answer"), options=options,
                                 box_id=box_id, words=words, feedback=WORDS[2:])
        parts += [output[pos:m.start()], form, output[m.end():start],
                  output[start:end].replace("<details", f'<details id="{box_id}"', 1)]
        pos = end
    if 'class="selfcheck"' in output[pos:]:
        raise PluginError(f"{page.file.src_uri}: a self-check block not written as "
                          '<div class="selfcheck" data-answer="…" markdown>')
    return "".join(parts) + output[pos:]
