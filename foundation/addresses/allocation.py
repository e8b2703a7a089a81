"""Spec -> IPAM: turning a stack's config into allocation requests, and running them.

The lock cycle (read, allocate, write) lives here so the CLI and the Pulumi program share it:
`plan` writes new entries; the program only reads (provisionally under preview).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from netaddr import IPNetwork

from foundation.config.address_plan import AddressPlan
from foundation.config.spec import DEFAULT_HUB_SIZE, DEFAULT_SPOKE_SIZE, ROOT, StackSpec
from foundation.errors import InputError, Problem
from ipam.audit import pool_usage
from ipam.cidr import parse_cidr
from ipam.errors import AllocationError, LockError
from ipam.layout import Allocation, StackRequest, TierRequest, VpcRequest, allocate_stack
from ipam.lock import locked, read_lock, write_lock


def stack_request(spec: StackSpec, plan: AddressPlan) -> StackRequest:
    """Build the IPAM request of a stack: the hub first, then spokes by name."""
    net = spec.network
    azs = net.az_count
    hub_tiers = dict(net.hub.tiers or {})
    tiers = [TierRequest("public", hub_tiers.pop("public", None), default_extra_bits=2)]
    tiers += [TierRequest(name, size) for name, size in sorted(hub_tiers.items())]
    vpcs = [
        VpcRequest(
            name="hub",
            path=f"{ROOT}.hub",
            azs=azs,
            tiers=tuple(tiers),
            prefixlen=None if net.hub.cidr else (net.hub.size or DEFAULT_HUB_SIZE),
            cidr=parse_cidr(net.hub.cidr) if net.hub.cidr else None,
        )
    ]
    for name, spoke in sorted(net.spokes.items()):
        spoke_tiers = spoke.tiers if spoke.tiers is not None else {"private": None}
        vpcs.append(
            VpcRequest(
                name=name,
                path=f"{ROOT}.spokes.{name}",
                azs=azs,
                tiers=tuple(TierRequest(t, s) for t, s in sorted(spoke_tiers.items())),
                prefixlen=None if spoke.cidr else (spoke.size or DEFAULT_SPOKE_SIZE),
                cidr=parse_cidr(spoke.cidr) if spoke.cidr else None,
            )
        )
    pool = plan.pools[net.pool]
    reserved = tuple((r.cidr, r.reason) for r in plan.reserved)
    return StackRequest(spec.name, net.pool, pool, reserved, tuple(vpcs))


@dataclass(frozen=True)
class AllocationResult:
    """An allocation and what happened to the lock."""

    allocation: Allocation
    lock_written: bool
    lock: Mapping[str, IPNetwork]  # the organisation's lock with this allocation in it


def lock_problems(exc: LockError) -> list[Problem]:
    """A lock that cannot be read, as Problems led by the lock's own name (and line or key)."""
    return [Problem(p.path, "", p.message, p.fix) for p in exc.problems]


def _to_input_error(exc: AllocationError, source: str) -> InputError:
    return InputError([Problem(source, p.path, p.message, p.fix) for p in exc.problems])


def allocate(spec: StackSpec, plan: AddressPlan, lock_path: Path, write: bool) -> AllocationResult:
    """Allocate the stack's CIDRs against the lock; write new entries when `write` is true.

    The write happens whenever allocation succeeds, so a later failing check still leaves
    the recorded allocation for the pull request. Stale entries of this stack are freed.

    Raises:
        InputError: allocation problems (exit 2); the lock is left untouched.
    """
    request = stack_request(spec, plan)
    with locked(lock_path.parent):
        try:
            lock = read_lock(lock_path)
        except LockError as exc:
            raise InputError(lock_problems(exc)) from None
        try:
            allocation = allocate_stack(request, lock)
        except AllocationError as exc:
            raise _to_input_error(exc, spec.source) from None
        merged = merged_lock(lock, allocation)
        written = False
        if write and (allocation.new or allocation.freed):
            written = write_lock(lock_path, merged)
    return AllocationResult(allocation, written, merged)


def merged_lock(lock: Mapping[str, IPNetwork], allocation: Allocation) -> dict[str, IPNetwork]:
    """The lock with the stack's entries replaced by its allocation (freed ones dropped)."""
    merged = {k: v for k, v in lock.items() if not k.startswith(f"{allocation.stack}/")}
    merged.update(allocation.entries)
    return merged


def pool_use(spec: StackSpec, plan: AddressPlan, lock: Mapping[str, IPNetwork]) -> tuple[int, int]:
    """Allocatable and allocated addresses of the stack's pool, across every stack in it."""
    pool = plan.pools[spec.network.pool]
    usage = pool_usage({spec.network.pool: pool}, [r.cidr for r in plan.reserved], lock)[0]
    return usage.allocatable, usage.allocated


def read_only_allocation(
    spec: StackSpec, plan: AddressPlan, lock: Mapping[str, IPNetwork]
) -> Allocation:
    """Allocate in memory only (the Pulumi program and --frozen never write the lock)."""
    try:
        return allocate_stack(stack_request(spec, plan), lock)
    except AllocationError as exc:
        raise _to_input_error(exc, spec.source) from None
