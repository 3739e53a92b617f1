"""The publishing workflow runs only what CI already proves, and CI runs the README's command."""

import re

import yaml

from helpers import ROOT

WORKFLOW = ROOT / ".github" / "workflows" / "publish.yml"


def test_ci_runs_the_readme_test_command():
    run = (ROOT / ".ci" / "run").read_text("utf-8")
    commands = [ln.strip() for ln in run.splitlines() if ln.strip() and not ln.strip().startswith("#")]
    assert commands[-1] == "make test", commands
    assert "make test" in (ROOT / "README.md").read_text("utf-8")


def test_workflow_only_calls_proven_make_targets():
    flow = yaml.safe_load(WORKFLOW.read_text("utf-8"))
    assert flow[True]["push"]["branches"] == ["main"]  # YAML reads the key `on` as True
    runs = [step["run"].strip() for job in flow["jobs"].values() for step in job.get("steps", []) if "run" in step]
    # `make build` is what tests/conftest.py's built_site fixture runs (tools/website.py build).
    assert runs == ["make test", "make build"], runs
    makefile = (ROOT / "Makefile").read_text("utf-8")
    assert re.search(r"^build: install\n\t\$\(PY\) tools/website.py build$", makefile, re.M)
    uploads = [step for job in flow["jobs"].values() for step in job.get("steps", [])
               if step.get("uses", "").startswith("actions/upload-pages-artifact")]
    assert uploads and uploads[0]["with"]["path"] == "site"
