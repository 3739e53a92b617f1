"""The two languages state the same numbers: per page and per section (heading id), the numbers in
the prose of a zh page and of its en counterpart are the same multiset; so are the numbers of each
zh markdown cell of a program and of the en cell that pairs with it.

test_parity.py compares the code; this compares what the text says around it. Prose here means
everything outside fenced blocks: sentences, headings, tables, admonition titles, inline code and
math. Link targets and bare URLs are left out (test_parity compares links). Numbers are compared
by value, without sign: 1e-4, 10⁻⁴, 10^{-4}, 1\\times10^{-4} and 0.0001 are one number; 65,536,
65{,}536 and 65_536 are one number; full-width digits count as digits; 6500 万 and 65 million
are one number; 一维, 二维 and 一阶 read as 1-D, 2-D and order 1 (but not 那一维, "that dimension")."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from decimal import Decimal, InvalidOperation

import jupytext
import pytest

from helpers import DOCS, HEADING, HEADING_ID, LANGS, REFERENCE, SNIPPETS, pages, strip_fences

REF, OTHERS = REFERENCE, LANGS[1:]  # each language is compared with the reference one
TOP = "(top of the page)"

# --- From text to numbers ------------------------------------------------------------------------

SUPERSCRIPT = re.compile("[⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺]+")  # 10⁻⁴ is read as 10^{-4}
PLAIN = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺", "0123456789-+")
MINUS = "-−–"  # hyphen, minus sign, en dash (a range "0–9" is two numbers; an exponent keeps its sign)

URL = re.compile(r"https?://[^\s)>\]]+")
LINK_TARGET = re.compile(r"(\]\()\s*<?[^)\s>]*>?(?:\s+\"[^\"]*\")?\s*\)")
REF_DEFINITION = re.compile(r"^\s*\[[^\]]+\]:\s*\S+.*$", re.M)
HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)
ATTRS = re.compile(r"\{\s*[#.][^}]*\}")  # { #id } after a heading, {#id} in a program
FRAC = re.compile(r"\\[dt]?frac\s*(\d)\s*(\d)")  # \frac12 is one half, not twelve
BRACED = re.compile(r"\\[dt]?frac\s*\{\s*([\d.]+)\s*\}\s*\{\s*([\d.]+)\s*\}")

# 5\times10^{-5}, 5×10⁻⁵, 10^{-4}, 10⁻⁴, 1e-4, 1E-4: one number each
NUM = r"\d+(?:[,_]\d{3}|\{,\}\d{3})*(?:\.\d+)?"
TIMES = r"\s*(?:\\times|×|\\cdot|·|\*)\s*"
POWER = re.compile(rf"(?:(?P<mantissa>{NUM}){TIMES})?10\s*\^\s*\{{?\s*(?P<sign>[+{MINUS}]?)\s*(?P<exponent>\d+)\s*\}}?")
E_NOTATION = re.compile(rf"(?P<mantissa>{NUM})[eE](?P<sign>[+{MINUS}]?)(?P<exponent>\d+)(?!\w|\.\d)")
NUMBER = re.compile(NUM)
# 6500 万 (ten thousands), 3 亿 (hundred millions), 65 million, 2 billion, 10 thousand
SCALE = re.compile(rf"({NUM})\s*(?:多\s*)?(万|亿|million|billion|thousand)")
SCALES = {"万": 4, "亿": 8, "million": 6, "billion": 9, "thousand": 3}
# 一维 / 二维 张量, 一阶张量: the zh spelling of 1-D, 2-D, order 1
HAN_DIMENSION = re.compile("(?<![那这每某同任哪])([一二两三四])(?=\\s*[维阶])")  # not 那一维, "that dimension"
HAN_DIGITS = {"一": "1", "二": "2", "两": "2", "三": "3", "四": "4"}


def _value(text: str) -> Decimal:
    """'65{,}536', '65,536', '65_536' -> Decimal('65536')."""
    return Decimal(text.replace("{,}", "").replace(",", "").replace("_", ""))


def canonical(text: str) -> str:
    """A number as written ('65{,}536', '0.0001', '1.0') -> its value in one spelling ('65536', '1e-4', '1')."""
    return _spell(_value(text))


def _spell(value: Decimal) -> str:
    value = abs(value).normalize()
    if value == value.to_integral_value() and value < Decimal(10) ** 15:
        return str(int(value))
    if Decimal("0.001") <= value < Decimal(10) ** 15:
        return format(value, "f")
    return format(value, "e").replace("e+", "e")


def numbers(text: str) -> Counter:
    """The multiset of numbers a piece of Markdown prose states (fences already removed)."""
    text = SUPERSCRIPT.sub(lambda m: "^{" + m[0].translate(PLAIN) + "}", text)
    text = unicodedata.normalize("NFKC", text)
    text = HAN_DIMENSION.sub(lambda m: " " + HAN_DIGITS[m[1]], text)  # full-width digits -> ASCII
    text = HTML_COMMENT.sub(" ", text)
    text = REF_DEFINITION.sub(" ", text)
    text = LINK_TARGET.sub(r"\1)", text)
    text = URL.sub(" ", text)
    text = ATTRS.sub(" ", text)
    text = BRACED.sub(r" \1 / \2 ", text)
    text = FRAC.sub(r" \1 / \2 ", text)
    found: list[str] = []

    def power(m: re.Match) -> str:  # [mantissa ×] 10^exponent, or mantissa e exponent
        mantissa = _value(m["mantissa"]) if m["mantissa"] else Decimal(1)
        found.append(_spell(mantissa.scaleb(int(m["exponent"]) * (-1 if m["sign"] in MINUS else 1))))
        return " "

    def scaled(m: re.Match) -> str:
        found.append(_spell(_value(m[1]).scaleb(SCALES[m[2]])))
        return " "

    text = POWER.sub(power, text)
    text = E_NOTATION.sub(power, text)
    text = SCALE.sub(scaled, text)
    for m in NUMBER.finditer(text):
        try:
            found.append(canonical(m[0]))
        except InvalidOperation:  # pragma: no cover - the pattern only matches numbers
            raise AssertionError(f"cannot read the number {m[0]!r}")
    return Counter(found)


def sections(markdown: str) -> dict[str, Counter]:
    """Numbers of the prose, keyed by the id of the ## or ### heading they stand under (TOP before the
    first one; the page's # title belongs to TOP). Fenced blocks are left out."""
    body = strip_fences(markdown)
    result: dict[str, Counter] = {TOP: Counter()}
    key, start = TOP, 0
    for m in HEADING.finditer(body):
        result[key] += numbers(body[start:m.start()])
        if len(m[1]) >= 2:
            idm = HEADING_ID.search(m[2])
            key = idm[1] if idm else f"(heading without id: {m[2]})"
            result.setdefault(key, Counter())
        result[key] += numbers(m[2])  # the heading's own text
        start = m.end()
    result[key] += numbers(body[start:])
    return result


def differences(zh: dict[str, Counter], en: dict[str, Counter]) -> list[str]:
    """One line per section whose numbers differ, naming the numbers found in one language only."""
    lines = []
    for key in list(dict.fromkeys([*zh, *en])):
        a, b = zh.get(key, Counter()), en.get(key, Counter())
        if a != b:
            only_zh, only_en = sorted((a - b).elements(), key=_order), sorted((b - a).elements(), key=_order)
            lines.append(f"  section {key}: only in zh {only_zh}, only in en {only_en}")
    return lines


def _order(spelled: str) -> float:
    return float(spelled)


# --- Pages -----------------------------------------------------------------------------------------

PAIRS = [(page, other) for other in OTHERS for page in sorted(set(pages(REF)) & set(pages(other)))]
# (a page missing in one language: test_parity says so)


@pytest.mark.parametrize("page,other", PAIRS)
def test_pages_state_the_same_numbers(page, other):
    zh = sections((DOCS / REF / page).read_text("utf-8"))
    en = sections((DOCS / other / page).read_text("utf-8"))
    diff = differences(zh, en)
    assert not diff, (f"docs/{REF}/{page} and docs/{other}/{page} state different numbers "
                      f"(prose outside code blocks, per heading id):\n" + "\n".join(diff))


# --- Programs --------------------------------------------------------------------------------------

SNIPPET_FILES = sorted(SNIPPETS.glob("*.py"))


def language_cells(path, lang: str) -> list[str]:
    """The markdown cells tagged `lang`, in order."""
    nb = jupytext.read(path)
    return [c.source for c in nb.cells
            if c.cell_type == "markdown" and lang in c.get("metadata", {}).get("tags", [])]


def cell_name(n: int, source: str) -> str:
    """'cell 3 (#learning-rate)': the cell's number among its language's cells and its first heading id."""
    ids = HEADING_ID.findall(source)
    return f"markdown cell {n}" + (f" (#{ids[0]})" if ids else "")


@pytest.mark.parametrize("other", OTHERS)
@pytest.mark.parametrize("path", SNIPPET_FILES, ids=lambda p: p.name)
def test_programs_state_the_same_numbers(path, other):
    zh, en = language_cells(path, REF), language_cells(path, other)
    if len(zh) != len(en):
        pytest.skip(f"the {REF} and {other} cells do not pair up (reported by test_parity)")
    diff = []
    for n, (a, b) in enumerate(zip(zh, en), 1):
        for line in differences(sections(a), sections(b)):
            diff.append(f"  {cell_name(n, b)}:{line.strip().removeprefix('section')}")
    assert not diff, (f"snippets/{path.name}: the {REF} and {other} markdown cells state different numbers:\n"
                      + "\n".join(diff))


# --- The reader itself -----------------------------------------------------------------------------


@pytest.mark.parametrize("text, expected", [
    ("1e-4", ["1e-4"]), ("10⁻⁴", ["1e-4"]), ("$10^{-4}$", ["1e-4"]), ("0.0001", ["1e-4"]),
    ("$5\\times10^{-5}$", ["5e-5"]), ("5×10⁻⁵", ["5e-5"]), ("$\\sigma^2/2 = 5\\times10^{-5}$", ["2", "2", "5e-5"]),
    ("65,546,000", ["65546000"]), ("$65{,}536$", ["65536"]), ("1_000_000", ["1000000"]),
    ("６５ 个", ["65"]), ("一维张量、二维张量、一阶张量", ["1", "2", "1"]), ("一个视图", []), ("沿某一维，那一维", []), ("6500 多万个浮点数", ["65000000"]), ("65 million floats", ["65000000"]),
    ("0.25 和 1.0", ["0.25", "1"]), ("−0.81、0.09", ["0.81", "0.09"]), ("数字 0–9", ["0", "9"]),
    ("$\\frac12$ 和 $\\frac{1}{2}$", ["1", "2", "1", "2"]), ("float32 和 float64", ["32", "64"]),
    ("[文档](https://pytorch.org/docs/2.13/x.html)", []), ("## 第 1 题 { #q1 }", ["1"]),
])
def test_numbers_are_read_by_value(text, expected):
    assert numbers(text) == Counter(expected)


def test_a_drift_is_named():
    zh = "## 学习率 { #learning-rate }\n\n学习率取 0.03，批量大小 10。\n\n## 结果 { #result }\n\n损失约 $5\\times10^{-5}$。\n"
    en = "## Learning rate { #learning-rate }\n\nThe learning rate is 0.3, the batch size 10.\n\n## Result { #result }\n\nThe loss is about 5e-5.\n"
    diff = differences(sections(zh), sections(en))
    assert diff == ["  section learning-rate: only in zh ['0.03'], only in en ['0.3']"]
