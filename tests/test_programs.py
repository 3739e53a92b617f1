"""Programs in snippets/: a failing cell fails the build with a message that names it."""

from __future__ import annotations

import pytest
from mkdocs.exceptions import PluginError

from helpers import import_tool

programs = import_tool("programs", "hooks")


def test_a_cell_that_raises_names_file_cell_and_line(tmp_path, monkeypatch):
    bad = tmp_path / "broken_program.py"
    bad.write_text('# %% [markdown] tags=["zh"]\n# # 坏程序\n\n# %% [markdown] tags=["en"]\n# # Broken\n\n'
                   "# %%\nx = 1\n\n# %%\ny = x / 0\n", "utf-8")
    monkeypatch.setattr(programs, "CACHE", tmp_path / "cache")
    with pytest.raises(programs.ProgramError) as err:
        programs.executed([bad])
    message = str(err.value)
    assert "broken_program.py" in message and "cell 4 (line 10)" in message, message
    assert "ZeroDivisionError" in message, message


def test_programs_sharing_a_kernel_do_not_see_each_other(tmp_path):
    """The second program runs where the first did, but starts from a clean namespace and the
    kernel's first rcParams; only the imports are shared."""
    first, second = tmp_path / "first.py", tmp_path / "second.py"
    first.write_text("# %%\nimport matplotlib.pyplot as plt\nleaked = 1\n"
                     "start_width = plt.rcParams['lines.linewidth']\n"
                     "plt.rcParams['lines.linewidth'] = start_width + 7\n\n# %%\nleaked + 1\n", "utf-8")
    second.write_text("# %%\nimport sys\nimport matplotlib.pyplot as plt\n"
                      "print('leaked' in dir(), 'start_width' in dir(), plt.get_fignums(), "
                      "plt.rcParams['lines.linewidth'], 'matplotlib.pyplot' in sys.modules)\n", "utf-8")
    client = programs.kernel()
    try:
        first_nb = programs.execute(first, client)
        second_nb = programs.execute(second, client)
    finally:
        programs.close(client)
    # An expression's result is numbered like its cell, whatever the kernel ran before.
    (result,) = first_nb.cells[1].outputs
    assert result.data["text/plain"] == "2" and result.execution_count == first_nb.cells[1].execution_count == 2
    (out,) = second_nb.cells[0].outputs
    assert out.text.strip() == "False False [] 1.5 True", out.text


def test_a_program_must_start_with_a_cell_marker(tmp_path):
    bad = tmp_path / "no_marker.py"
    bad.write_text("import torch\n# %%\nx = 1\n", "utf-8")
    with pytest.raises(programs.ProgramError, match="no_marker.py: a program must start with a '# %%'"):
        programs.cell_lines(bad)


def test_language_tags_select_cells():
    import nbformat

    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# 标题", metadata={"tags": ["zh"]}),
        nbformat.v4.new_markdown_cell("# Title", metadata={"tags": ["en"]}),
        nbformat.v4.new_code_cell("x = 1"),
    ])
    assert [c.source for c in programs.for_language(nb, "zh").cells] == ["# 标题", "x = 1"]
    assert [c.source for c in programs.for_language(nb, "en").cells] == ["# Title", "x = 1"]


@pytest.mark.parametrize("path", programs.snippet_paths(), ids=lambda p: p.name)
def test_each_program_seeds_torch_itself(path):
    """Programs share kernels (hooks/programs.py): torch's random state and thread count carry
    over from the program before, so the cell that imports torch also sets both."""
    cells = path.read_text("utf-8").split("\n# %%")
    setup = next((c for c in cells if "import torch" in c), None)
    if setup is None:
        pytest.skip(f"{path.name} does not use torch")
    for call in ("torch.manual_seed(", "torch.set_num_threads("):
        assert call in setup, f"{path.name}: the cell that imports torch does not call {call}...)"


def test_program_links_to_pages_follow_the_build_and_fail_when_missing():
    from mkdocs.exceptions import PluginError
    from mkdocs.structure.files import File, Files

    notebook_html = import_tool("notebook_html", "hooks")
    for directory_urls, expected in ((True, "../../quiz/#q4"), (False, "../quiz.html#q4")):
        page_file = File("programs/x.md", "docs", "site", directory_urls)  # a page, as mkdocs-jupyter makes it
        files = Files([page_file, File("quiz.md", "docs", "site", directory_urls)])

        class Page:
            file = page_file

        html = notebook_html.link_pages('<a href="../quiz.md#q4">Q4</a>', Page, files)
        assert html == f'<a href="{expected}">Q4</a>'
        with pytest.raises(PluginError, match="missing.md"):
            notebook_html.link_pages('<a href="../missing.md">?</a>', Page, files)
