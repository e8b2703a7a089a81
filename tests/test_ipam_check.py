from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import edit_stack, snapshot

LOCK = "stacks/addresses.lock.yaml"


def add_lock_lines(project: Path, *lines: str) -> None:
    path = project / LOCK
    path.write_text(path.read_text() + "".join(f"  {line}\n" for line in lines))


def test_the_committed_lock_is_clean_and_reports_utilisation(workspace: Path, cli) -> None:
    result = cli(workspace, "ipam", "check")
    assert result.code == 0, result.out + result.err
    assert "pool dev-use1" in result.out and "pool prod-use1" in result.out
    doc = json.loads(cli(workspace, "ipam", "check", "--format", "json").out)
    dev = next(p for p in doc["pools"] if p["name"] == "dev-use1")
    assert dev["vpcs"] == 4 and 0 < dev["utilisation"] < 0.1


def test_overlaps_outside_pool_reserved_and_stale_entries_are_found(workspace: Path, cli) -> None:
    add_lock_lines(
        workspace,
        "dev/ghost: 10.16.64.0/20",  # VPC no longer in the stack
        "prod/intruder: 10.16.0.0/22",  # outside prod's pool, overlaps dev/hub
        "dev/onprem: 10.0.0.0/20",
    )  # reserved on-premises range
    before = snapshot(workspace)
    result = cli(workspace, "ipam", "check")
    assert result.code == 1
    out = result.out
    assert "allocations.dev/ghost: VPC 'ghost' is no longer in stack dev" in out
    assert "allocations.prod/intruder: 10.16.0.0/22 is outside pool prod-use1" in out
    assert "overlaps dev/hub (10.16.0.0/20)" in out
    assert "allocations.dev/onprem: 10.0.0.0/20 overlaps reserved 10.0.0.0/16" in out
    assert snapshot(workspace) == before


def test_removing_a_spoke_leaves_a_stale_entry_until_plan_frees_it(workspace: Path, cli) -> None:
    edit_stack(workspace, "dev", "      sandbox:  {segment: nonprod, size: 22}\n", "")
    assert cli(workspace, "ipam", "check").code == 1
    assert cli(workspace, "plan", "dev", "--format", "json").code == 0
    assert "dev/sandbox" not in (workspace / LOCK).read_text()
    assert cli(workspace, "ipam", "check").code == 0


def test_a_broken_lock_is_bad_input(workspace: Path, cli) -> None:
    (workspace / LOCK).write_text("allocations: [")
    result = cli(workspace, "ipam", "check")
    assert result.code == 2
    assert "not valid YAML" in result.err and "Fix:" in result.err
