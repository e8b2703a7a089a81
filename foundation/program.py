"""The Pulumi program's steps before any resource: spec -> lock -> plan -> live gates.

`__main__.py` calls these and builds the components; keeping the steps here keeps the
program thin and lets tests run each step alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pulumi

from foundation.addresses.allocation import (
    allocate_in_memory,
    merged_lock,
    pool_use,
    read_lock_checked,
)
from foundation.config.address_plan import AddressPlan, load_address_plan
from foundation.config.spec import StackSpec, parse_network
from foundation.config.workspace import Workspace, pool_problems
from foundation.errors import FoundationError, InputError
from foundation.network.build import build_plan
from foundation.network.model import NetworkPlan
from foundation.network.peering import PeerSide, peer_sides, with_peers
from foundation.offline import runtime
from ipam.layout import Allocation


@dataclass(frozen=True)
class Prepared:
    """A validated stack with its address plan and (possibly provisional) allocation."""

    spec: StackSpec
    addresses: AddressPlan
    allocation: Allocation
    lock_usage: tuple[int, int]
    peers: tuple[PeerSide, ...] = ()  # peered stacks as the lock knows them (DESIGN §3.9)


def _fail(exc: FoundationError) -> pulumi.RunError:
    """Pulumi shows a RunError as a message, without a traceback."""
    return pulumi.RunError("\n".join(str(p) for p in exc.problems))


def load(root: Path | None = None) -> Prepared:
    """Read the stack from Pulumi config and its addresses from the lock.

    Under `pulumi preview`, entries missing from the lock are allocated provisionally with a
    warning; under `pulumi up` the program refuses until the lock is complete. An explicit
    AZ list keeps the lock's binding of AZs to slots (reordering it moves nothing).
    """
    stack = pulumi.get_stack()
    source = f"stacks/Pulumi.{stack}.yaml"
    workspace = Workspace(root or runtime.project_root())
    try:
        raw = pulumi.Config("foundation").require_object("network")
        region = pulumi.Config("aws").require("region")
        spec = parse_network(raw, region, source, stack)
        addresses = load_address_plan(workspace.address_plan_path)
        problems = pool_problems(spec, addresses)
        if problems:
            raise InputError(problems)
        lock = read_lock_checked(workspace.lock_path)
        allocation = allocate_in_memory(spec, addresses, lock)
        peers = tuple(peer_sides(workspace, spec, addresses, lock.entries))
    except FoundationError as exc:
        raise _fail(exc) from None
    if allocation.new:
        missing = ", ".join(sorted(allocation.new)[:5]) + (
            " ..." if len(allocation.new) > 5 else ""
        )
        if pulumi.runtime.is_dry_run():
            pulumi.log.warn(
                f"{len(allocation.new)} CIDRs are not in stacks/addresses.lock.yaml "
                f"({missing}); allocated provisionally. Run `python -m foundation "
                f"plan {stack}` and commit the lock before `pulumi up`."
            )
        else:
            raise pulumi.RunError(
                f"{len(allocation.new)} CIDRs are missing from stacks/addresses.lock.yaml "
                f"({missing}). Run `python -m foundation plan {stack}` and commit the lock, "
                "then run pulumi up again."
            )
    usage = pool_use(spec, addresses, merged_lock(lock.entries, allocation))
    return Prepared(spec, addresses, allocation, usage, peers)


def make_plan(prepared: Prepared, azs: list[str]) -> NetworkPlan:
    """Build the plan, then run the live gates (skipped by the offline plan)."""
    spec = prepared.spec
    try:
        plan = build_plan(
            spec,
            prepared.allocation,
            azs,
            str(prepared.addresses.pools[spec.network.pool]),
            *prepared.lock_usage,
        )
        plan = with_peers(spec, plan, list(prepared.peers))
    except FoundationError as exc:
        raise _fail(exc) from None
    for warning in plan.warnings:
        pulumi.log.warn(warning)
    if not runtime.OFFLINE:
        run_live_gates(spec, plan)
    return plan


def aws_profile() -> str | None:
    """The stack's `aws:profile`: explicit providers (other accounts) start from it too."""
    return pulumi.Config("aws").get("profile")


def run_live_gates(spec: StackSpec, plan: NetworkPlan) -> None:
    """Quota preflight, then the drift check, each per its mode (see foundation.live.gates).

    Each spoke account is read through its read role (opened once, inside the gates, so
    an AssumeRole that fails degrades like any other AWS read).
    """
    from foundation.live.gates import run_live_gates as gates

    gates(spec, plan, aws_profile())  # the account pulumi deploys to


__all__ = ["Prepared", "aws_profile", "load", "make_plan"]
