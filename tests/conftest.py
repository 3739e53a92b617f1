"""Shared fixtures: one build of the whole site per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import ROOT, import_tool


@pytest.fixture(scope="session")
def built_site() -> Path:
    """The whole site (both languages), built strictly into build/test-site.

    Programs run through the cache in .cache/programs, which is keyed on their text."""
    out = ROOT / "build" / "test-site"
    import_tool("website").build(out)
    return out
