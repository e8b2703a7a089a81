"""`plan`: recording allocations, --frozen, --output and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import edit_stack, snapshot

LOCK = "stacks/addresses.lock.yaml"


def test_a_first_plan_records_the_allocations_and_a_second_changes_nothing(
    workspace: Path, cli
) -> None:
    (workspace / LOCK).unlink()
    first = cli(workspace, "plan", "dev", "--format", "json")
    assert first.code == 0, first.err
    doc = json.loads(first.out)
    assert len(doc["newAllocations"]) == 43 and all(v["new"] for v in doc["vpcs"])
    text = (workspace / LOCK).read_text()
    second = cli(workspace, "plan", "dev", "--format", "json")
    assert json.loads(second.out)["newAllocations"] == []
    assert (workspace / LOCK).read_text() == text  # byte-identical


def test_the_committed_lock_matches_the_committed_stacks(workspace: Path, cli) -> None:
    before = snapshot(workspace)
    for stack in ("dev", "prod"):
        assert cli(workspace, "plan", stack, "--frozen", "--format", "json").code == 0
    assert snapshot(workspace) == before


def test_frozen_names_missing_entries_exits_1_and_writes_nothing(workspace: Path, cli) -> None:
    edit_stack(
        workspace,
        "dev",
        "      tools:",
        "      extra:    {segment: shared, size: 23}\n      tools:",
    )
    before = snapshot(workspace)
    result = cli(workspace, "plan", "dev", "--frozen")
    assert result.code == 1
    assert "--frozen: 10 lock entries missing: dev/extra, dev/extra/az0" in result.out
    assert snapshot(workspace) == before


def test_frozen_names_stale_entries_exits_1_so_ipam_check_agrees(workspace: Path, cli) -> None:
    """Regression (found by the property test): a spoke removed from the config left its lock
    entries behind under --frozen, which exited 0 while `ipam check` then failed."""
    edit_stack(workspace, "dev", "      sandbox:  {segment: nonprod, size: 22}\n", "")
    before = snapshot(workspace)
    result = cli(workspace, "plan", "dev", "--frozen", "--format", "json")
    assert result.code == 1
    stale = json.loads(result.out)["frozenStale"]
    assert stale[0] == "dev/sandbox" and all(k.startswith("dev/sandbox") for k in stale)
    assert len(stale) == 10
    text = cli(workspace, "plan", "dev", "--frozen").out
    assert "--frozen: 10 lock entries no longer in the config: dev/sandbox," in text
    assert snapshot(workspace) == before
    assert cli(workspace, "ipam", "check").code == 1
    assert cli(workspace, "plan", "dev").code == 0  # frees them
    assert cli(workspace, "ipam", "check").code == 0


def test_allocations_are_recorded_even_when_a_later_check_fails(workspace: Path, cli) -> None:
    edit_stack(workspace, "dev", "production: false", "production: true")
    edit_stack(
        workspace,
        "dev",
        "      tools:",
        "      extra:    {segment: shared, size: 23}\n      tools:",
    )
    result = cli(workspace, "plan", "dev", "--format", "json")
    assert result.code == 1
    assert "REL11.PROD-EGRESS" in {f["rule"] for f in json.loads(result.out)["findings"]}
    assert "dev/extra: " in (workspace / LOCK).read_text()


def test_output_writes_the_file_and_nothing_to_stdout(workspace: Path, cli) -> None:
    target = workspace / "out" / "plan.md"
    target.parent.mkdir()
    result = cli(workspace, "plan", "dev", "--format", "markdown", "--output", str(target))
    assert result.code == 0 and result.out == ""
    assert target.read_text().startswith("## Network plan: `dev` (us-east-1)")
    assert f"wrote {target}" in result.err


def test_an_unwritable_output_is_bad_input(workspace: Path, cli) -> None:
    result = cli(workspace, "plan", "dev", "--output", str(workspace / "missing" / "plan.md"))
    assert result.code == 2 and "--output" in result.err and "Fix:" in result.err


def test_a_too_small_vpc_is_bad_input_naming_the_size_needed(workspace: Path, cli) -> None:
    edit_stack(
        workspace,
        "dev",
        "      tools:",
        "      tiny:     {segment: shared, size: 26}\n      tools:",
    )
    before = snapshot(workspace)
    result = cli(workspace, "plan", "dev")
    assert result.code == 2
    assert "foundation:network.spokes.tiny.size: /26 is too small" in result.err
    assert "use size 25 or less" in result.err
    assert snapshot(workspace) == before


def test_exhaustion_is_bad_input_naming_pool_and_free_space(workspace: Path, cli) -> None:
    edit_stack(
        workspace,
        "dev",
        "      tools:",
        "      huge:     {segment: shared, size: 15}\n      tools:",
    )
    assert cli(workspace, "plan", "dev").code == 2
    edit_stack(workspace, "dev", "size: 15}", "size: 16}")
    (workspace / "stacks" / "Pulumi.dev.yaml").write_text(
        (workspace / "stacks" / "Pulumi.dev.yaml")
        .read_text()
        .replace(
            "      tools:",
            "      huge2:    {segment: shared, size: 16}\n"
            "      huge3:    {segment: shared, size: 16}\n"
            "      huge4:    {segment: shared, size: 16}\n      tools:",
        )
    )
    before = snapshot(workspace)
    result = cli(workspace, "plan", "dev")
    assert result.code == 2
    assert "pool dev-use1 (10.16.0.0/14) has no free /16 left" in result.err
    assert "largest free block" in result.err
    assert snapshot(workspace) == before


def test_help_lists_every_command(cli, workspace: Path, capsys) -> None:
    import pytest

    with pytest.raises(SystemExit) as exc:
        cli(workspace, "--help")
    assert exc.value.code == 0
    out = capsys.readouterr().out
    for command in ("plan", "quotas", "drift", "ipam"):
        assert command in out
