"""CI runs the README's test command and fails when it fails; publishing runs only what CI proves."""

import os
import shutil
import subprocess

import yaml

from helpers import ROOT

WORKFLOW = ROOT / ".github" / "workflows" / "publish.yml"


def test_ci_runs_make_test_and_fails_when_it_fails(tmp_path):
    """.ci/run with a `make` on PATH that records its arguments and exits with a chosen status."""
    (tmp_path / "make").write_text('#!/bin/sh\necho "$@" >> "$CALLS"\nexit "$MAKE_STATUS"\n')
    (tmp_path / "make").chmod(0o755)
    for status in (0, 2):
        calls = tmp_path / f"calls-{status}"
        env = {**os.environ, "PATH": f"{tmp_path}:{os.environ['PATH']}", "CALLS": str(calls), "MAKE_STATUS": str(status)}
        run = subprocess.run(["bash", str(ROOT / ".ci" / "run")], env=env, capture_output=True, text=True)
        assert run.returncode == status, (status, run.stdout, run.stderr)
        assert calls.read_text().splitlines() == ["test"]


def test_make_build_and_serve_run_plain_mkdocs():
    """What `make -n` would run: the README's commands are MkDocs' own, in the project's venv."""
    make = shutil.which("make")
    for target, command in (("build", "mkdocs build"), ("serve", "mkdocs serve")):
        env = {k: v for k, v in os.environ.items() if not k.startswith(("MAKE", "MFLAGS"))}  # not as a sub-make
        dry = subprocess.run([make, "-n", "--no-print-directory", "-W", "requirements.txt", target], cwd=ROOT, env=env,
                             capture_output=True, text=True)
        last = [ln for ln in dry.stdout.splitlines() if ln.strip()][-1]
        assert last.endswith(f".venv/bin/{command}"), dry.stdout


def test_workflow_only_calls_proven_make_targets():
    flow = yaml.safe_load(WORKFLOW.read_text("utf-8"))
    assert flow[True]["push"]["branches"] == ["main"]  # YAML reads the key `on` as True
    runs = [step["run"].strip() for job in flow["jobs"].values() for step in job.get("steps", []) if "run" in step]
    assert runs == ["make test", "make build"], runs
    uploads = [step for job in flow["jobs"].values() for step in job.get("steps", [])
               if step.get("uses", "").startswith("actions/upload-pages-artifact")]
    assert uploads and uploads[0]["with"]["path"] == "site"
