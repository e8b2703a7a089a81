"""`plan` decides every exit-2 failure before it writes anything; the lock is written last.

Each case starts from a plan that *would* record new allocations (a new spoke), so a lock
written before the failure would show up in the snapshot of stacks/.
"""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path

import pytest

from tests.conftest import edit_stack, snapshot

LOCK = "stacks/addresses.lock.yaml"
NEW_SPOKE = "      extra:    {segment: shared, size: 23}\n      tools:"


def with_new_spoke(workspace: Path) -> None:
    edit_stack(workspace, "dev", "      tools:", NEW_SPOKE)


def assert_nothing_changed(workspace: Path, before: dict[str, str], result) -> None:
    assert result.code == 2, result.out + result.err
    assert "Traceback" not in result.err and result.out == ""
    assert snapshot(workspace / "stacks") == before


@pytest.mark.parametrize("case", ["missing-folder", "directory", "read-only-folder"])
def test_an_output_problem_is_found_before_the_lock_is_written(
    workspace: Path, cli, case: str
) -> None:
    with_new_spoke(workspace)
    target = workspace / "missing" / "plan.md"
    if case == "directory":
        target = workspace / "reports"
        target.mkdir()
    elif case == "read-only-folder":
        folder = workspace / "ro"
        folder.mkdir()
        folder.chmod(0o500)
        target = folder / "plan.md"
        if os.access(folder, os.W_OK):  # root ignores permissions: try a read-only mount
            if os.access("/proc/sys/kernel", os.W_OK):
                pytest.skip("no folder is read-only for this user")
            target = Path("/proc/sys/kernel/plan.md")
    before = snapshot(workspace / "stacks")
    result = cli(workspace, "plan", "dev", "--output", str(target))
    assert_nothing_changed(workspace, before, result)
    assert f"--output: {target}" in result.err and "Fix:" in result.err
    assert not target.is_file()


@pytest.mark.parametrize(
    "name", ["addresses.lock.yaml", "addresses.yaml", "Pulumi.dev.yaml", "plan.md", "."]
)
@pytest.mark.parametrize("via", ["path", "symlink"])
def test_an_output_onto_the_projects_own_files_is_refused(
    workspace: Path, cli, name: str, via: str
) -> None:
    # found by the property test: `--output stacks/addresses.lock.yaml` exited 0 and
    # replaced the freshly written lock with the report (every later command then failed)
    with_new_spoke(workspace)
    target = workspace / "stacks" / name
    if via == "symlink":
        link = workspace / "report.md"
        link.symlink_to(target)
        target = link
    before = snapshot(workspace / "stacks")
    result = cli(workspace, "plan", "dev", "--output", str(target))
    assert_nothing_changed(workspace, before, result)
    assert f"--output: {target}: is " in result.err and "would replace or corrupt" in result.err
    assert "Fix: choose a path outside it" in result.err


def test_history_output_onto_its_own_input_is_refused(tmp_path: Path, cli) -> None:
    history = tmp_path / "drift.jsonl"
    history.write_text('{"stack": "dev"}\n')
    result = cli(tmp_path, "history", str(history), "--output", str(history))
    assert result.code == 2 and "would replace or corrupt" in result.err
    assert history.read_text() == '{"stack": "dev"}\n'


@pytest.mark.parametrize("name", ["addresses.lock.yaml", "addresses.yaml", "drift.jsonl"])
def test_drift_history_inside_stacks_is_refused_before_any_aws_call(
    workspace: Path, cli, name: str
) -> None:
    # found by hand: `drift dev --history stacks/addresses.lock.yaml` appended a JSON line
    # to the lock (exit 2, and every later plan failed on the lock)
    before = snapshot(workspace)
    result = cli(workspace, "drift", "dev", "--history", str(workspace / "stacks" / name))
    assert result.code == 2 and "Traceback" not in result.err
    assert f"--history: {workspace / 'stacks' / name}: is " in result.err
    assert "would replace or corrupt it" in result.err and "Fix:" in result.err
    assert snapshot(workspace) == before


@pytest.mark.parametrize("case", ["folder", "broken-symlink", "symlink-loop"])
def test_a_stack_file_that_is_not_a_file_is_named_as_such(workspace: Path, cli, case: str) -> None:
    path = workspace / "stacks" / "Pulumi.x.yaml"
    if case == "folder":
        path.mkdir()
    else:
        path.symlink_to("missing.yaml" if case == "broken-symlink" else path.name)
    before = snapshot(workspace)
    result = cli(workspace, "plan", "x")
    assert result.code == 2 and "Traceback" not in result.err
    assert "STACK: x: stacks/Pulumi.x.yaml is " in result.err and "did you mean" not in result.err
    assert snapshot(workspace) == before


def test_a_project_without_stacks_is_named(tmp_path: Path, cli) -> None:
    result = cli(tmp_path / "nowhere", "plan", "dev")
    assert result.code == 2
    assert f"--project: {tmp_path / 'nowhere'}: has no stacks/ folder" in result.err
    assert not (tmp_path / "nowhere").exists()


@pytest.mark.parametrize("name", ["aaa", "zzz"])  # before and after payments, by name
@pytest.mark.parametrize("cidr", ["10.16.16.0/24", "10.16.0.0/21", "10.16.20.0/22"])
def test_an_explicit_cidr_over_a_kept_vpc_of_the_same_stack_is_refused(
    workspace: Path, cli, name: str, cidr: str
) -> None:
    # found by hand: a new spoke sorted before payments, with a cidr inside payments' /21,
    # was allocated and written (exit 1 with misleading routing errors), and every later
    # plan exited 2 telling the user to restore a lock the tool itself had written
    spoke = f"      {name}: {{segment: shared, cidr: {cidr}}}\n"
    edit_stack(workspace, "dev", "      tools:", spoke + "      tools:")
    before = snapshot(workspace / "stacks")
    result = cli(workspace, "plan", "dev")
    assert_nothing_changed(workspace, before, result)
    assert f"foundation:network.spokes.{name}.cidr: {cidr} overlaps dev/" in result.err
    assert "Fix: choose a free range" in result.err


def test_a_name_clash_found_after_allocation_writes_nothing(workspace: Path, cli) -> None:
    # spoke hub-public with tier a has the route table hub-public-a, and the hub's
    # public tier gives hub-public-a: the route table names collide only after allocation
    edit_stack(
        workspace,
        "dev",
        "      tools:",
        "      hub-public: {segment: shared, size: 22, tiers: {a: 26}}\n      tools:",
    )
    before = snapshot(workspace / "stacks")
    result = cli(workspace, "plan", "dev")
    assert_nothing_changed(workspace, before, result)
    assert "two resources would share the name" in result.err


def test_live_with_aws_unreachable_leaves_no_lock_written(
    workspace: Path, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    with_new_spoke(workspace)
    with socket.socket() as probe:  # a closed port on loopback: connection refused
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    for name, value in {
        "AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_CONFIG_FILE": "/dev/null",
        "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
    }.items():
        monkeypatch.setenv(name, value)
    from foundation.live import aws as aws_module

    monkeypatch.setattr(
        aws_module, "POLICY", aws_module.RetryPolicy(base_delay=0.005, max_delay=0.02, deadline=2)
    )
    before = snapshot(workspace / "stacks")
    result = cli(workspace, "plan", "dev", "--live")
    assert_nothing_changed(workspace, before, result)


def test_the_same_plan_with_a_good_output_records_the_lock_then_the_report(
    workspace: Path, cli
) -> None:
    with_new_spoke(workspace)
    target = workspace / "plan.json"
    result = cli(workspace, "plan", "dev", "--format", "json", "--output", str(target))
    assert result.code == 0, result.err
    assert "dev/extra: " in (workspace / LOCK).read_text()
    assert json.loads(target.read_text())["cidrs"]["allocated"][0]["key"] == "dev/extra"
