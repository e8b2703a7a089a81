"""The example GitHub workflows validate against GitHub's schema (vendored, offline)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from tests.conftest import REPO

WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.yml"))


def test_workflows_validate_against_the_github_schema() -> None:
    assert [w.name for w in WORKFLOWS] == ["drift.yml", "plan.yml"]
    checker = Path(sys.executable).parent / "check-jsonschema"
    proc = subprocess.run(
        [str(checker), "--builtin-schema", "vendor.github-workflows", *map(str, WORKFLOWS)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_the_checker_rejects_a_broken_workflow(tmp_path: Path) -> None:
    """The schema check can fail: a job without runs-on is refused."""
    broken = tmp_path / "broken.yml"
    broken.write_text("on: push\njobs:\n  x:\n    steps: [{run: echo}]\n")
    checker = Path(sys.executable).parent / "check-jsonschema"
    proc = subprocess.run(
        [str(checker), "--builtin-schema", "vendor.github-workflows", str(broken)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode != 0


def test_the_pr_workflow_plans_frozen_in_markdown_and_previews() -> None:
    plan = yaml.safe_load((REPO / ".github/workflows/plan.yml").read_text())
    steps = plan["jobs"]["plan"]["steps"]
    commands = " ".join(str(s.get("run", "")) for s in steps)
    assert "foundation plan" in commands and "--frozen" in commands and "markdown" in commands
    assert any(s.get("with", {}).get("command") == "preview" for s in steps)
    assert any("sticky-pull-request-comment" in str(s.get("uses", "")) for s in steps)


def test_the_pr_workflow_runs_ipam_check_and_fails_on_it(tmp_path: Path) -> None:
    plan = yaml.safe_load((REPO / ".github/workflows/plan.yml").read_text())
    job = plan["jobs"]["ipam"]
    assert job["permissions"] == {"contents": "read"}  # no cloud credentials needed
    (step,) = [s for s in job["steps"] if "foundation ipam check" in str(s.get("run", ""))]
    assert "continue-on-error" not in step
    # the step's script itself, run as the runner would: it passes on the committed lock ...
    summary = tmp_path / "summary.md"
    run = subprocess.run(
        ["bash", "-e", "-c", step["run"]],
        cwd=REPO,
        env={"GITHUB_STEP_SUMMARY": str(summary), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert summary.read_text() == run.stdout and run.stdout
    # ... and fails the job when the check fails, despite the pipe into tee
    broken = tmp_path / "project"
    shutil.copytree(REPO / "stacks", broken / "stacks")
    lock = broken / "stacks" / "addresses.lock.yaml"
    lock.write_text(lock.read_text().replace("10.16.", "172.17.", 1))
    script = step["run"].replace("ipam check", f"--project {broken} ipam check")
    run = subprocess.run(
        ["bash", "-e", "-c", script],
        cwd=REPO,
        env={"GITHUB_STEP_SUMMARY": str(summary), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 1 and "is outside pool dev-use1" in run.stdout, run.stdout + run.stderr


def test_the_pr_workflow_plans_against_the_base_branch_with_its_history() -> None:
    plan = yaml.safe_load((REPO / ".github/workflows/plan.yml").read_text())
    steps = plan["jobs"]["plan"]["steps"]
    checkout = next(s for s in steps if str(s.get("uses", "")).startswith("actions/checkout"))
    assert checkout["with"]["fetch-depth"] == 0  # a shallow clone has no origin/<base>
    step = next(s for s in steps if "foundation plan" in str(s.get("run", "")))
    assert '--base "origin/$BASE_REF"' in step["run"]
    assert step["env"]["BASE_REF"] == "${{ github.base_ref }}"


def test_the_drift_workflow_is_scheduled_and_notifies() -> None:
    drift = yaml.safe_load((REPO / ".github/workflows/drift.yml").read_text())
    assert drift[True]["schedule"]  # YAML 1.1 reads the key `on` as True
    run = " ".join(str(s.get("run", "")) for s in drift["jobs"]["drift"]["steps"])
    assert "foundation drift" in run and "--notify" in run


def test_the_drift_workflow_keeps_the_history_between_runs() -> None:
    """The previous history is restored before the check and saved (always) after it."""
    steps = yaml.safe_load((REPO / ".github/workflows/drift.yml").read_text())["jobs"]["drift"][
        "steps"
    ]
    uses = [str(s.get("uses", "")) for s in steps]
    runs = [str(s.get("run", "")) for s in steps]
    restore = uses.index("actions/cache/restore@v4")
    check = next(i for i, r in enumerate(runs) if "foundation drift" in r)
    save = uses.index("actions/cache/save@v4")
    assert restore < check < save
    history = "drift-history-${{ matrix.stack }}.jsonl"
    assert f'--history "{history}"' in runs[check]
    assert steps[restore]["with"]["path"] == steps[save]["with"]["path"] == history
    assert steps[restore]["with"]["restore-keys"] == "drift-history-${{ matrix.stack }}-"
    assert steps[save]["if"] == "always()"  # an error run (exit 2) is kept too
    assert any(history in str(s.get("with", {}).get("path", "")) for s in steps[save + 1 :])
