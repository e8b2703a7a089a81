"""A lock that contradicts the address plan: `plan` refuses it (exit 2), `ipam check` exit 1.

Both run the one checker (ipam/audit.py) and name the lock keys and the fix. A lock that
cannot be read (duplicate key, unknown top-level key) is exit 2 everywhere.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import edit_stack, snapshot

LOCK = "stacks/addresses.lock.yaml"
ADDR = "stacks/addresses.yaml"


def edit(project: Path, rel: str, old: str, new: str) -> None:
    path = project / rel
    text = path.read_text()
    assert old in text, f"{old!r} not in {rel}"
    path.write_text(text.replace(old, new, 1))


def reserve(project: Path, *lines: str) -> None:
    path = project / ADDR
    path.write_text(path.read_text() + "".join(f"  - {line}\n" for line in lines))


# (id, edit, fragments in plan's error, fragments in ipam check's problems)
CASES = [
    (
        "reserved-over-a-vpc",
        lambda p: reserve(p, "{cidr: 10.16.16.0/21, reason: partner VPN}"),
        [
            "stacks/addresses.lock.yaml: allocations.dev/payments: 10.16.16.0/21 overlaps "
            "reserved 10.16.16.0/21 (partner VPN)",
            "narrow or remove the reserved range 10.16.16.0/21",
        ],
    ),
    (
        "stack-switched-pool",
        lambda p: edit_stack(p, "dev", "pool: dev-use1", "pool: prod-use1"),
        [
            "allocations.dev/hub: 10.16.0.0/20 is outside pool prod-use1 but inside pool "
            "dev-use1: stack dev was switched to another pool",
            "set the stack's pool back to dev-use1",
        ],
    ),
    (
        "pool-cidr-changed",
        lambda p: edit(p, ADDR, "dev-use1: 10.16.0.0/14", "dev-use1: 10.20.0.0/14"),
        [
            "allocations.dev/hub: 10.16.0.0/20 is outside pool dev-use1 (10.20.0.0/14) and "
            "every other pool: was the pool's CIDR changed?",
            "restore pool dev-use1's CIDR in stacks/addresses.yaml from git",
        ],
    ),
    (
        "hand-edited-overlap",
        lambda p: edit(p, LOCK, "dev/tools: 10.16.", "dev/tools: 10.16.24.0/22\n  dev/x: 10.16."),
        [],  # filled below: the overlap depends on the committed lock
    ),
]


def _overlap_case(project: Path) -> list[str]:
    text = (project / LOCK).read_text()
    sandbox = next(line for line in text.splitlines() if line.startswith("  dev/sandbox: "))
    tools = next(line for line in text.splitlines() if line.startswith("  dev/tools: "))
    edit(project, LOCK, tools, f"  dev/tools: {sandbox.split(': ')[1]}")
    return ["overlaps dev/", "restore stacks/addresses.lock.yaml from git (it was edited by hand)"]


@pytest.mark.parametrize("case", [c[0] for c in CASES])
def test_plan_refuses_and_ipam_check_reports(workspace: Path, cli, case: str) -> None:
    _, apply, fragments = next(c for c in CASES if c[0] == case)
    if case == "hand-edited-overlap":
        fragments = _overlap_case(workspace)
    else:
        apply(workspace)
    before = snapshot(workspace / "stacks")
    for args in (("plan", "dev"), ("plan", "dev", "--frozen")):
        result = cli(workspace, *args)
        assert result.code == 2, result.out + result.err
        assert result.out == "" and "Traceback" not in result.err
        for fragment in fragments:
            assert fragment in result.err
    check = cli(workspace, "ipam", "check", "--format", "json")
    assert check.code == 1, check.err
    text = "\n".join(
        f"{p['path']}: {p['message']}. Fix: {p['fix']}" for p in json.loads(check.out)["problems"]
    )
    for fragment in fragments:
        assert fragment in text
    assert snapshot(workspace / "stacks") == before


def test_another_stacks_broken_entries_do_not_block_this_stacks_plan(workspace: Path, cli) -> None:
    edit_stack(workspace, "prod", "pool: prod-use1", "pool: dev-use1")
    assert cli(workspace, "plan", "prod").code == 2
    assert cli(workspace, "plan", "dev", "--format", "json").code == 0


def test_reserved_ranges_that_together_cover_a_pool_are_bad_input(workspace: Path, cli) -> None:
    reserve(workspace, "{cidr: 10.16.0.0/15, reason: a}", "{cidr: 10.18.0.0/15, reason: b}")
    before = snapshot(workspace / "stacks")
    for args in (("plan", "dev"), ("ipam", "check")):
        result = cli(workspace, *args)
        assert result.code == 2
        assert (
            "stacks/addresses.yaml: reserved: reserved ranges 10.16.0.0/15, 10.18.0.0/15 "
            "together cover the whole pool dev-use1 (10.16.0.0/14)"
        ) in result.err
    assert snapshot(workspace / "stacks") == before


@pytest.mark.parametrize(
    ("append", "fragment"),
    [
        ("  dev/hub: 10.16.0.0/20\n", "allocations.dev/hub: duplicate key (line"),
        ("extra:\n  note: hi\n", "extra: unknown top-level key 'extra'"),
    ],
)
def test_an_unreadable_lock_is_exit_2_everywhere(
    workspace: Path, cli, append: str, fragment: str
) -> None:
    path = workspace / LOCK
    path.write_text(path.read_text() + append)
    before = snapshot(workspace / "stacks")
    for args in (("plan", "dev"), ("plan", "dev", "--frozen"), ("ipam", "check")):
        result = cli(workspace, *args)
        assert result.code == 2, args
        assert f"stacks/addresses.lock.yaml: {fragment}" in result.err
        assert "restore it from git" in result.err
    assert snapshot(workspace / "stacks") == before


def test_the_program_refuses_a_contradicting_lock_too(workspace: Path) -> None:
    import pulumi

    from foundation.offline.mockrun import run_program
    from foundation.offline.plan_run import PROGRAM

    reserve(workspace, "{cidr: 10.16.16.0/21, reason: partner VPN}")
    network = (workspace / "stacks" / "Pulumi.dev.yaml").read_text()
    import yaml

    config = yaml.safe_load(network)["config"]["foundation:network"]
    with pytest.raises(
        pulumi.RunError, match=r"allocations\.dev/payments: 10\.16\.16\.0/21 overlaps"
    ):
        run_program(PROGRAM, "dev", "us-east-1", config, preview=True, project_root=workspace)


@pytest.mark.parametrize("content", ["", "# nothing\n", "allocations: {}\n"])
def test_an_empty_lock_warns_and_still_plans(workspace: Path, cli, content: str) -> None:
    (workspace / LOCK).write_text(content)
    result = cli(workspace, "plan", "dev", "--format", "json")
    assert result.code == 0
    assert "warning: stacks/addresses.lock.yaml holds no allocations" in result.err
    assert "restore it from git" in result.err
    (workspace / LOCK).write_text(content)
    check = cli(workspace, "ipam", "check")
    assert "warning: stacks/addresses.lock.yaml holds no allocations" in check.out


def test_a_full_lock_gives_no_empty_warning(workspace: Path, cli) -> None:
    assert "holds no allocations" not in cli(workspace, "plan", "dev").err
