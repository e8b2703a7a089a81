"""CIDRs a plan frees (removed spoke or tier, fewer AZs) are reported as prominently as new
ones, in text, Markdown and JSON, and removed from the lock when it is written.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ipam.lock import read_lock
from tests.conftest import edit_stack

LOCK = "stacks/addresses.lock.yaml"

EDITS = {
    "removed-spoke": ("      sandbox:  {segment: nonprod, size: 22}\n", "", "dev/sandbox"),
    "removed-tier": (
        "tiers: {private: 24, data: 26}",
        "tiers: {private: 24}",
        "dev/payments/az0/data",
    ),
    "fewer-azs": ("availabilityZones: 3", "availabilityZones: 2", "dev/hub/az2"),
}


@pytest.mark.parametrize("case", sorted(EDITS))
def test_released_cidrs_are_listed_and_dropped_from_the_lock(
    workspace: Path, cli, case: str
) -> None:
    old, new, key = EDITS[case]
    before = read_lock(workspace / LOCK)
    edit_stack(workspace, "dev", old, new)
    result = cli(workspace, "plan", "dev", "--format", "json", "--frozen")
    released = json.loads(result.out)["cidrs"]["released"]
    assert {"key": key, "cidr": str(before[key])} in released
    expected = sorted(k for k in before if k == key or k.startswith(key + "/"))
    assert set(expected) <= {r["key"] for r in released}
    assert read_lock(workspace / LOCK) == before  # --frozen writes nothing

    text = cli(workspace, "plan", "dev").out
    assert f"{len(released)} CIDR allocations released, their resources deleted " in text
    assert "(removed from stacks/addresses.lock.yaml)" in text
    assert f"  - {key} {before[key]}" in text
    after = read_lock(workspace / LOCK)
    assert not {r["key"] for r in released} & set(after)

    again = json.loads(cli(workspace, "plan", "dev", "--format", "json").out)
    assert again["cidrs"]["released"] == []  # released once, then gone


def test_markdown_shows_released_cidrs_in_a_warning_table(workspace: Path, cli) -> None:
    before = read_lock(workspace / LOCK)
    edit_stack(workspace, "dev", "      sandbox:  {segment: nonprod, size: 22}\n", "")
    markdown = cli(workspace, "plan", "dev", "--format", "markdown").out
    assert "> [!WARNING]\n> 10 CIDR allocations released: what holds them is deleted" in markdown
    assert "removed from `stacks/addresses.lock.yaml`" in markdown
    assert f"> | `dev/sandbox` | {before['dev/sandbox']} |" in markdown


def test_an_unchanged_plan_releases_nothing(workspace: Path, cli) -> None:
    doc = json.loads(cli(workspace, "plan", "dev", "--format", "json").out)
    assert doc["cidrs"] == {"allocated": [], "released": []}
