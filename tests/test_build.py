"""Plain `mkdocs serve` gives the whole site and rebuilds after an edit in any language; the caches
of the build are used, and never serve a stale result."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from types import SimpleNamespace

import psutil
import pytest

from helpers import LANGUAGES, PREFIX, ROOT, import_tool

localsite = import_tool("localsite")
languages = import_tool("languages", "hooks")
offline = import_tool("offline", "hooks")
programs = import_tool("programs", "hooks")
playground = import_tool("playground", "hooks")
# extra.alternate as a loaded configuration holds it, for the stand-ins of MkDocs' configuration below
EXTRA = {"alternate": [{"lang": lang.lang, "link": lang.prefix or "./"} for lang in LANGUAGES]}

# --- mkdocs serve, in a copy of the project ----------------------------------------------------------


def fetch(url: str) -> str:
    return urllib.request.urlopen(url, timeout=30).read().decode("utf-8")


def wait_for(url: str, text: str = "", seconds: float = 120) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            page = fetch(url)
            if text in page:
                return page
        except OSError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{url} did not serve {text!r} within {seconds} s")


@pytest.fixture(scope="module")
def project(tmp_path_factory, built_site) -> Path:
    """The project's sources in a folder of their own (edits there touch no tracked file), sharing
    this checkout's caches, so that the programs are not executed again: after the test site's
    build (`built_site`), which fills them (on a fresh clone, both builds would run every program)."""
    copy = tmp_path_factory.mktemp("project")
    for name in ("docs", "hooks", "overrides", "snippets"):
        shutil.copytree(ROOT / name, copy / name)
    for path in [*ROOT.glob("mkdocs*.yml"), ROOT / "requirements.txt"]:
        shutil.copy(path, copy / path.name)
    (ROOT / ".cache").mkdir(exist_ok=True)
    (copy / ".cache").symlink_to(ROOT / ".cache", target_is_directory=True)
    (copy / "build").mkdir()
    if (offline.CACHE).is_file():  # the last offline zip: serve reuses it rather than build one
        shutil.copy(offline.CACHE, copy / "build" / offline.CACHE.name)
    return copy


@pytest.mark.sweep
def test_mkdocs_serve_serves_every_language_and_rebuilds_after_an_edit_in_any(project):
    port = localsite.free_port()
    base = f"http://127.0.0.1:{port}/"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    log = project / "serve.log"
    with open(log, "w") as out:
        server = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", "--dev-addr", f"127.0.0.1:{port}"],
                                  cwd=project, env=env, stdout=out, stderr=subprocess.STDOUT)
    children = []
    try:
        for lang in LANGUAGES:
            page = wait_for(base + lang.prefix)
            assert f'<html lang="{lang.lang}"' in page, f"/{lang.prefix} is not the {lang.lang} site"
            assert 'href="downloads/mini-batch-sgd-offline.zip"' in page
        for lang in LANGUAGES:  # an edit in each language reaches its page
            marker = f"serve-marker-{lang.lang}-{time.time_ns()}"
            with open(project / "docs" / lang.lang / "index.md", "a", encoding="utf-8") as f:
                f.write(f"\n{marker}\n")
            wait_for(base + lang.prefix, marker, 60)
        assert server.poll() is None, log.read_text()
        children = psutil.Process(server.pid).children(recursive=True)  # the other languages' worker ...
    finally:
        server.terminate()
        server.wait(20)
    # A SIGTERM skips MkDocs' on_shutdown: the worker must end with the server all the same.
    _, alive = psutil.wait_procs(children, timeout=10)
    assert not alive, f"processes of `mkdocs serve` still running after it ended: {alive}"
    text = log.read_text()
    assert "ERROR" not in text and "Traceback" not in text, text[-3000:]


# --- the other languages while serving -----------------------------------------------------------------


def test_serving_builds_another_language_again_only_when_its_inputs_change(monkeypatch, tmp_path):
    from concurrent.futures import Future

    others = languages.languages()[1:]
    built = []  # (language, whether its build started with the reference language's)
    building_reference = [False]

    def start_build(lang, folder, url):
        built.append((lang.lang, building_reference[0]))
        Path(folder, "index.html").write_text(lang.lang)
        done = Future()
        done.set_result(0.0)
        return done

    monkeypatch.setattr(languages, "start_build", start_build)
    monkeypatch.setattr(languages, "_command", "serve")
    monkeypatch.setattr(languages, "_serving", {})
    edits = {"page": 0, "hook": 0}
    monkeypatch.setattr(languages, "inputs", lambda lang: ((str(lang.docs / "index.md"), 1, edits["page"]),
                                                           (str(ROOT / "hooks" / "programs.py"), 1, edits["hook"])))

    class Config:
        extra = EXTRA
        theme = {"language": languages.languages()[0].lang}
        site_url = "http://127.0.0.1:8000/"
        site_dir = str(tmp_path / "site")

    def rebuild():  # what MkDocs does on a change: the reference language, from on_pre_build to on_post_build
        building_reference[0] = True
        languages.on_pre_build(Config)
        building_reference[0] = False
        languages.on_post_build(Config)

    os.makedirs(Config.site_dir)
    try:
        rebuild()
        first = [(lang.lang, False) for lang in others]
        assert built == first, "the first build of a language did not wait for the reference language's"
        for lang in others:
            assert (Path(Config.site_dir) / lang.prefix.rstrip("/")).is_symlink()
        rebuild()  # MkDocs rebuilt the reference language only
        assert built == first, "a language whose inputs did not change was built again"
        for edit in ("page", "hook"):
            edits[edit] += 1
            rebuild()
            assert built[-len(others):] == [(lang.lang, True) for lang in others], \
                f"an edit to a {edit} did not start the language's build with the reference language's"
        for folder, *_ in languages._serving.values():  # its folder emptied: built again
            (folder / "index.html").unlink()
        rebuild()
        assert len(built) == 4 * len(others), "a language whose folder was emptied was not built again"
    finally:
        for folder, *_ in languages._serving.values():
            shutil.rmtree(folder, ignore_errors=True)


def test_serving_starts_again_in_place_after_an_edit_to_a_hook(monkeypatch):
    """MkDocs 1.6 loads a hook once a process (mkdocs/mkdocs#3993): the new code runs only in a new one."""
    started = []
    monkeypatch.setattr(languages.os, "execv", lambda path, argv: started.append((path, argv)))
    monkeypatch.setattr(languages, "_command", "serve")
    monkeypatch.setattr(languages, "_serving", {})
    config = SimpleNamespace(extra=EXTRA, theme={"language": languages.languages()[0].lang})
    languages.on_pre_build(config)
    assert started == [], "`mkdocs serve` started again though no hook changed"
    monkeypatch.setattr(languages, "_hooks_run", "the code of another edit")
    languages.on_pre_build(config)
    assert started == [(sys.executable, sys.orig_argv)], "an edit to a hook did not start `mkdocs serve` again"


def test_theme_templates_are_compiled_once_not_on_every_build(tmp_path, monkeypatch):
    """Each build makes a new Jinja environment: a template it loads comes from the bytecode cache."""
    from mkdocs.config import load_config

    monkeypatch.setattr(languages, "ROOT", tmp_path)
    config = load_config(str(ROOT / "mkdocs.yml"))
    languages.on_env(config.theme.get_env(), config, None).get_template("main.html")
    again = languages.on_env(config.theme.get_env(), config, None)
    monkeypatch.setattr(again, "compile", lambda *args, **kwargs: pytest.fail("main.html was compiled again"))
    again.get_template("main.html")
    assert list(tmp_path.glob(".cache/templates/*"))


def test_inputs_change_with_a_page_of_that_language():
    lang = languages.languages()[1]
    before = languages.inputs(lang)
    page = sorted(lang.docs.glob("*.md"))[0]
    text, stat = page.read_bytes(), page.stat()
    try:
        os.utime(page, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
        assert languages.inputs(lang) == before, "a page touched but not changed counts as changed"
        page.write_bytes(text + b"\n")
        assert languages.inputs(lang) != before
    finally:
        page.write_bytes(text)
        os.utime(page, ns=(stat.st_atime_ns, stat.st_mtime_ns))


def test_one_list_of_languages():
    langs = languages.languages()
    assert [lang.prefix for lang in langs][0] == "" and all(lang.prefix.endswith("/") for lang in langs[1:])
    for lang in langs:
        assert lang.config.is_file() and lang.docs.is_dir(), lang
    assert set(PREFIX) == {lang.lang for lang in langs}


# --- the programs' cache -------------------------------------------------------------------------------

PROGRAM = """# %% [markdown] tags=["zh"]
# # 程序

# %% [markdown] tags=["en"]
# # Program

# %%
print(6 * 7)
"""


def test_program_cache_is_used_and_keyed_on_the_environment(tmp_path, monkeypatch):
    snippet = tmp_path / "answer.py"
    snippet.write_text(PROGRAM, "utf-8")
    monkeypatch.setattr(programs, "CACHE", tmp_path / "cache")
    runs = []
    real = programs.execute
    monkeypatch.setattr(programs, "execute", lambda path, *args: runs.append(path) or real(path, *args))
    env = ["torch==2.13.0"]
    monkeypatch.setattr(programs, "environment", lambda: env[0])

    first = programs.executed([snippet])[snippet]
    assert runs == [snippet] and "42" in first.cells[-1].outputs[0].text
    programs.executed([snippet])
    assert runs == [snippet], "the cached notebook was not used"
    env[0] = "torch==2.14.0"  # a package upgraded: the outputs may differ
    programs.executed([snippet])
    assert runs == [snippet, snippet], "a new package version did not execute the program again"
    snippet.write_text(PROGRAM.replace("6 * 7", "6 * 8"), "utf-8")
    assert "48" in programs.executed([snippet])[snippet].cells[-1].outputs[0].text


def test_program_environment_holds_the_hook_and_every_package():
    env = programs.environment()
    assert Path(programs.__file__).read_text("utf-8") in env
    for package in ("torch", "numpy", "matplotlib", "scikit-learn", "pillow", "ipykernel"):
        assert f"\n{package}==" in env.lower() or env.lower().startswith(f"{package}=="), package


# --- the playground's data, the offline copy ----------------------------------------------------------


def test_playground_data_cache_is_keyed_on_torch(tmp_path, monkeypatch):
    monkeypatch.setattr(playground, "CACHE", tmp_path)
    generated = []
    monkeypatch.setattr(playground, "generate", lambda: generated.append(1) or (b"\0" * 8, b"\0" * 4))
    playground.data_js()
    playground.data_js()
    assert generated == [1], "the cached data set was not used"
    real_version = playground.importlib.metadata.version
    monkeypatch.setattr(playground.importlib.metadata, "version", lambda name: "0.0" if name == "torch" else real_version(name))
    playground.data_js()
    assert generated == [1, 1], "another torch did not generate the data again"


def test_offline_copy_is_reused_while_the_site_is_unchanged(tmp_path, monkeypatch):
    site = tmp_path / "site"
    (site / "en").mkdir(parents=True)
    monkeypatch.setattr(offline, "CACHE", tmp_path / "copy.zip")
    monkeypatch.setattr(offline, "_command", "build")
    key = ["one"]
    monkeypatch.setattr(offline, "inputs_key", lambda: key[0])
    builds = []
    monkeypatch.setattr(offline, "start_copy", lambda folder: builds.append(folder) or "process")
    monkeypatch.setattr(offline, "finish_copy", lambda build, folder, zip_path: zip_path.write_bytes(b"zip"))

    class Config:
        extra = EXTRA
        config_file_path = str(ROOT / "mkdocs.yml")
        site_dir = str(site)
        plugins = {}

    def build():
        offline.on_env(None, Config, None)
        offline.on_post_build(Config)

    build()
    build()
    assert len(builds) == 1, "the zip of an unchanged site was built again"
    for lang in LANGUAGES:
        assert (site / lang.prefix / offline.DOWNLOAD).read_bytes() == b"zip"
    key[0] = "two"
    build()
    assert len(builds) == 2, "the zip was not built again for a changed site"


def test_offline_copy_key_covers_pages_hooks_and_installed_versions(tmp_path, monkeypatch):
    reference = "extra:\n  alternate:\n    - {lang: zh, link: ./}\n    - {lang: en, link: en/}\n"
    (tmp_path / "mkdocs.yml").write_text(reference)
    inputs = ("mkdocs.en.yml", "docs/zh/index.md", "docs/en/index.md", "docs/search-terms.zh.txt",
              "hooks/offline.py", "snippets/a.py", "overrides/main.html")
    for rel in inputs:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("one")
    hook_languages = sys.modules[offline.inputs.__module__]  # the module hooks/offline.py imported
    monkeypatch.setattr(hook_languages, "ROOT", tmp_path)
    monkeypatch.setattr(hook_languages, "REFERENCE_CONFIG", tmp_path / "mkdocs.yml")
    keys = {offline.inputs_key()}
    for rel in inputs:
        (tmp_path / rel).write_text("two")
        keys.add(offline.inputs_key())
    (tmp_path / "mkdocs.yml").write_text(reference + "# an edit\n")
    keys.add(offline.inputs_key())
    monkeypatch.setattr(offline, "environment", lambda: "mkdocs-material==0.0")  # another version installed
    keys.add(offline.inputs_key())
    assert len(keys) == len(inputs) + 3, "an edit or another installed version left the offline copy's key unchanged"


def test_a_failed_build_stops_the_offline_copy(tmp_path):
    folder = tmp_path / "offline-site.1"
    folder.mkdir()
    build = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"], stdout=subprocess.PIPE)
    offline._building.append((build, folder, "key", 0.0))
    offline.on_build_error(RuntimeError("a page failed"))
    assert build.poll() is not None and not folder.exists() and not offline._building


def test_download_cache_is_used_and_keyed_on_the_notebook(tmp_path, monkeypatch):
    import nbformat

    downloads = import_tool("program_downloads", "hooks")
    monkeypatch.setattr(downloads, "CACHE", tmp_path)
    cleaned = []
    real = downloads.clean_notebook
    monkeypatch.setattr(downloads, "clean_notebook", lambda nb: cleaned.append(1) or real(nb))
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print(6 * 7)")])
    text = nbformat.writes(nb)
    first = downloads.converted(text, "programs/x.ipynb")
    assert downloads.converted(text, "programs/x.ipynb") == first and cleaned == [1], "the cache was not used"
    nb.cells[0].source = "print(6 * 8)"
    assert "6 * 8" in downloads.converted(nbformat.writes(nb), "programs/x.ipynb")[1] and cleaned == [1, 1]


def test_which_distribution_provides_a_module_is_asked_once_a_process(monkeypatch):
    """hooks/program_downloads.py asks importlib.metadata once (0.2-0.4 s), not once a notebook."""
    downloads = import_tool("program_downloads", "hooks")
    calls = []
    monkeypatch.setattr(downloads.importlib.metadata, "packages_distributions",
                        lambda: calls.append(1) or {"torch": ["torch"]})
    pin = [line for line in downloads.REQUIREMENTS.read_text("utf-8").splitlines() if line.startswith("torch==")]
    downloads._packages.cache_clear()
    try:
        for _ in range(3):
            assert downloads.requirements("import torch\n", "programs/x.py") == pin
    finally:
        downloads._packages.cache_clear()
    assert calls == [1]
