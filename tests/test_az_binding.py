"""Explicit AZ lists bind by value (DESIGN §3.4): a slot keeps the AZ it was first allocated
for. Reordering moves nothing; removing an AZ releases its slot; adding one takes the lowest
free slot; names and IDs never mix. `plan`, `plan --frozen`, `ipam check` and the program
under the mock engine all read the binding from the lock's azSlots section.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from netaddr import IPNetwork

from foundation.offline.mockrun import run_program
from foundation.offline.plan_run import PROGRAM
from ipam.azslots import bind_slots
from ipam.layout import StackRequest, TierRequest, VpcRequest, allocate_stack
from ipam.lock import read_lock_file
from tests.conftest import snapshot

LOCK = "stacks/addresses.lock.yaml"
THREE = "[use1-az1, use1-az2, use1-az4]"


# --- the pure binding ----------------------------------------------------------------------


def test_without_a_binding_the_list_order_decides() -> None:
    assert bind_slots(["b", "a", "c"], {}) == {0: "b", 1: "a", 2: "c"}


def test_reordering_keeps_every_slot() -> None:
    bound = {0: "a", 1: "b", 2: "c"}
    assert bind_slots(["c", "a", "b"], bound) == bound


def test_removing_frees_the_slot_and_adding_takes_the_lowest_free_one() -> None:
    assert bind_slots(["a", "c"], {0: "a", 1: "b", 2: "c"}) == {0: "a", 2: "c"}
    assert bind_slots(["d", "c", "a", "e"], {0: "a", 2: "c"}) == {0: "a", 1: "d", 2: "c", 3: "e"}


def _request(azs: tuple[str, ...], bound: dict[int, str]) -> StackRequest:
    vpc = VpcRequest("hub", "foundation:network.hub", len(azs), (TierRequest("public"),), 20)
    return StackRequest("dev", "p", IPNetwork("10.16.0.0/14"), (), (vpc,), azs=azs, bound_azs=bound)


def test_the_allocator_keeps_cidrs_by_az_not_by_position() -> None:
    first = allocate_stack(_request(("a", "b", "c"), {}), {})
    moved = allocate_stack(_request(("c", "b", "a"), dict(first.az_slots)), first.entries)
    assert moved.entries == first.entries and not moved.new and not moved.freed
    fewer = allocate_stack(_request(("a", "c"), dict(first.az_slots)), first.entries)
    assert fewer.slots == (0, 2) and fewer.az_slots == {0: "a", 2: "c"}
    assert set(fewer.released) == {"dev/hub/az1", "dev/hub/az1/public", "dev/hub/az1/transit"}
    assert fewer.entries["dev/hub/az2"] == first.entries["dev/hub/az2"]


# --- the CLI, the lock and ipam check -------------------------------------------------------


def set_azs(workspace: Path, value: str) -> None:
    path = workspace / "stacks" / "Pulumi.dev.yaml"
    text = path.read_text()
    line = next(x for x in text.splitlines() if "availabilityZones:" in x)
    path.write_text(text.replace(line, f"    availabilityZones: {value}"))


def subnets(doc: dict[str, Any]) -> dict[str, tuple[str, str]]:
    return {s["name"]: (s["az"], s["cidr"]) for v in doc["vpcs"] for s in v["subnets"]}


def plan_json(workspace: Path, cli, *args: str) -> dict[str, Any]:
    result = cli(workspace, "plan", "dev", "--format", "json", *args)
    assert result.code == 0, result.err + result.out
    doc: dict[str, Any] = json.loads(result.out)
    return doc


@pytest.fixture
def bound(workspace: Path, cli) -> Path:
    """dev with an explicit list of three AZ IDs, planned once (the binding recorded)."""
    (workspace / LOCK).unlink()
    set_azs(workspace, THREE)
    plan_json(workspace, cli)
    return workspace


def test_the_lock_records_the_binding_in_its_own_section(bound: Path) -> None:
    text = (bound / LOCK).read_text()
    assert "azSlots:\n  dev:\n    0: use1-az1\n    1: use1-az2\n    2: use1-az4\n" in text
    assert "  dev/hub/az0/public: 10.16.0.0/24\n" in text  # CIDR entries keep their form
    assert read_lock_file(bound / LOCK).az_slots == {
        "dev": {0: "use1-az1", 1: "use1-az2", 2: "use1-az4"}
    }


def test_reordering_the_list_moves_nothing(bound: Path, cli) -> None:
    first = plan_json(bound, cli)
    before = snapshot(bound / "stacks")
    set_azs(bound, "[use1-az4, use1-az1, use1-az2]")
    moved = plan_json(bound, cli)
    assert subnets(moved) == subnets(first)
    assert moved["cidrs"] == {"allocated": [], "released": []}
    after = snapshot(bound / "stacks")
    assert after.pop("Pulumi.dev.yaml") != before.pop("Pulumi.dev.yaml")
    assert after == before  # the lock is byte-identical
    assert plan_json(bound, cli, "--frozen")["frozenMissing"] == []
    assert cli(bound, "ipam", "check").code == 0


def test_removing_an_az_releases_its_slot_and_keeps_the_others(bound: Path, cli) -> None:
    first = subnets(plan_json(bound, cli))
    set_azs(bound, "[use1-az4, use1-az1]")
    stale = cli(bound, "ipam", "check")
    assert stale.code == 1
    assert "azSlots.dev.1: AZ 'use1-az2' is no longer in stack dev's availabilityZones" in (
        stale.out
    )
    doc = plan_json(bound, cli)
    assert {"key": "dev/hub/az1", "cidr": "10.16.4.0/22"} in doc["cidrs"]["released"]
    now = subnets(doc)
    assert now == {n: v for n, v in first.items() if not n.endswith("-b")}
    assert read_lock_file(bound / LOCK).az_slots["dev"] == {0: "use1-az1", 2: "use1-az4"}
    assert "dev/hub/az1" not in (bound / LOCK).read_text()
    assert cli(bound, "ipam", "check").code == 0


def test_adding_an_az_takes_the_lowest_free_slot(bound: Path, cli) -> None:
    set_azs(bound, "[use1-az4, use1-az1]")
    plan_json(bound, cli)
    set_azs(bound, "[use1-az4, use1-az1, use1-az6]")
    frozen = cli(bound, "plan", "dev", "--frozen", "--format", "json")
    assert frozen.code == 1
    assert "azSlots.dev.1 (use1-az6)" in json.loads(frozen.out)["frozenMissing"]
    doc = plan_json(bound, cli)
    assert subnets(doc)["hub-public-b"][0] == "use1-az6"
    assert read_lock_file(bound / LOCK).az_slots["dev"] == {
        0: "use1-az1",
        1: "use1-az6",
        2: "use1-az4",
    }


def test_a_list_mixing_names_and_ids_is_refused(workspace: Path, cli) -> None:
    set_azs(workspace, "[us-east-1a, use1-az1, use1-az2]")
    before = snapshot(workspace / "stacks")
    result = cli(workspace, "plan", "dev")
    assert result.code == 2
    assert "stacks/Pulumi.dev.yaml: foundation:network.availabilityZones: the list mixes" in (
        result.err
    )
    assert snapshot(workspace / "stacks") == before


def test_count_based_stacks_are_unaffected(workspace: Path, cli) -> None:
    before = snapshot(workspace / "stacks")
    doc = plan_json(workspace, cli)
    assert doc["availabilityZones"] == ["us-east-1a", "us-east-1b", "us-east-1c"]
    assert "azSlots" not in (workspace / LOCK).read_text()
    assert snapshot(workspace / "stacks") == before


# --- the program under the mock engine ------------------------------------------------------


def program_subnets(workspace: Path) -> dict[str, tuple[str, str]]:
    config = yaml.safe_load((workspace / "stacks" / "Pulumi.dev.yaml").read_text())["config"]
    recording = run_program(
        PROGRAM,
        "dev",
        "us-east-1",
        config["foundation:network"],
        preview=False,  # `pulumi up`: refuses unless the lock is complete
        project_root=workspace,
    )
    return {
        r.name: (r.inputs["availabilityZone"], r.inputs["cidrBlock"])
        for r in recording.custom
        if r.type == "aws:ec2/subnet:Subnet"
    }


def test_the_program_honours_the_binding(bound: Path, cli) -> None:
    first = program_subnets(bound)
    assert first["hub-public-c"] == ("us-east-1d", "10.16.8.0/24")  # use1-az4 is us-east-1d
    set_azs(bound, "[use1-az2, use1-az4, use1-az1]")
    assert program_subnets(bound) == first
    set_azs(bound, "[use1-az4, use1-az1]")
    plan_json(bound, cli)
    kept = program_subnets(bound)
    assert kept == {n: v for n, v in first.items() if not n.endswith("-b")}


def test_live_checks_relabel_azs_by_binding_not_by_position(bound: Path, cli) -> None:
    from foundation.config.workspace import Workspace
    from foundation.network.build import with_azs
    from foundation.network.stack_plan import read_only_plan

    set_azs(bound, "[use1-az4, use1-az1]")
    plan_json(bound, cli)
    _, plan = read_only_plan(Workspace(bound), "dev")
    assert plan.availability_zones == ("use1-az1", "use1-az4") and plan.slots == (0, 2)
    live = with_azs(plan, ["us-east-1d", "us-east-1a"])  # the account's names, config order
    assert live.availability_zones == ("us-east-1a", "us-east-1d")
    assert live.vpc("hub").subnet("hub-public-c").az == "us-east-1d"
