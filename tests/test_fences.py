"""Guard: no Python-looking fence may be silently skipped by pytest-codeblocks.

pytest-codeblocks runs only fences whose info string is exactly `python` (or sh/bash), opened with
backticks. ```py, ```python3, ```python title="x", ~~~python ... look like code on the page but
never run. A block that is deliberately not run must say so with a reason:
<!--pytest.mark.skip(reason="...")--> on the line before a ```python fence.
"""

import re

import pytest

from helpers import DOCS, fences

PYTHONISH = re.compile(r"^\{?\.?(py|python|python3|py3|pycon|ipython|ipython3|pytorch)\b", re.I)
MD_FILES = sorted(DOCS.rglob("*.md"))


def problems(path) -> list[str]:
    found = []
    for block in fences(path.read_text("utf-8")):
        where = f"{path.relative_to(DOCS.parent)}:{block['line']}"
        info = block["info"]
        if not PYTHONISH.match(info):
            continue
        if block["fence"].startswith("~"):
            found.append(f"{where}: '~~~' fences are never run; use ```python")
        elif info != "python":
            found.append(f"{where}: ```{info} is never run by pytest-codeblocks; use exactly ```python "
                         f"(or mark it <!--pytest.mark.skip(reason=\"...\")--> with a reason)")
        elif "pytest.mark.skip" in block["before"] and "reason=" not in block["before"]:
            found.append(f"{where}: a skipped block must give its reason: {block['before']}")
    return found


@pytest.mark.parametrize("path", MD_FILES, ids=lambda p: str(p.relative_to(DOCS)))
def test_every_python_fence_runs(path):
    found = problems(path)
    assert not found, "\n".join(found)


def test_guard_catches_silent_fences(tmp_path):
    page = tmp_path / "docs" / "zh" / "bad.md"
    page.parent.mkdir(parents=True)
    page.write_text("```py\nx = 1\n```\n\n~~~python\ny = 2\n~~~\n\n```python title=\"a.py\"\nz = 3\n```\n\n"
                    "<!--pytest.mark.skip-->\n```python\nw = 4\n```\n\n```python\nok = 5\n```\n", "utf-8")
    import helpers
    old = helpers.DOCS
    try:
        globals()["DOCS"] = tmp_path / "docs"
        found = problems(page)
    finally:
        globals()["DOCS"] = old
    assert [f.split(":")[1] for f in found] == ["1", "5", "9", "14"], found
