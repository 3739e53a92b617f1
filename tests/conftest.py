"""Shared fixtures: one `mkdocs build` of the whole site per test session, served on 127.0.0.1,
and one Chromium (all from tools/localsite.py, which `make bench` and `make audit` use too)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from helpers import ROOT, import_tool

localsite = import_tool("localsite")


def pytest_collection_modifyitems(config, items):
    """With pytest-xdist (--dist loadgroup), tests spread one by one over the workers, except the
    code blocks of a page, which stay together and in order: one may continue another. Tests
    marked `sweep` (tens of seconds each) go first, so that no worker starts one at the end."""
    for item in items:
        if item.nodeid.startswith("docs/"):
            item.add_marker(pytest.mark.xdist_group(item.nodeid.split("::")[0]))
    items.sort(key=lambda item: item.get_closest_marker("sweep") is None)  # the long ones first


@pytest.fixture(scope="session")
def built_site(tmp_path_factory, request) -> Path:
    """The whole site (every language), built by plain `mkdocs build` (strict) into build/test-site
    (or $TEST_SITE_DIR, so that two test runs in one checkout do not build into each other's).
    With pytest-xdist, the first worker that needs it builds it and the others wait for it.

    Programs run through the cache in .cache/programs (hooks/programs.py)."""
    from filelock import FileLock

    out = Path(os.environ.get("TEST_SITE_DIR") or ROOT / "build" / "test-site")
    worker = hasattr(request.config, "workerinput")  # a pytest-xdist worker: its siblings share the parent
    shared = tmp_path_factory.getbasetemp().parent if worker else tmp_path_factory.getbasetemp()
    with FileLock(str(shared / "built_site.lock")):
        done = shared / "built_site.done"
        if not done.is_file():
            try:
                localsite.build(out)
            except RuntimeError as err:
                pytest.fail(str(err), pytrace=False)
            done.write_text(str(out))
    return out


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, driven by Playwright (one instance for the whole session)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        try:
            b = localsite.chromium(p)
        except RuntimeError as err:
            pytest.fail(str(err), pytrace=False)
        yield b
        b.close()


@pytest.fixture(scope="session")
def server(built_site):
    """The built site served on 127.0.0.1 (a free port)."""
    with localsite.serve(built_site) as url:
        yield url
