"""Spec -> IPAM: turning a stack's config into allocation requests, and running them.

The lock cycle (read, check, allocate, write) lives here so the CLI and the Pulumi program
share it: `plan` writes new entries; the program only reads (provisionally under preview).
A lock that contradicts the address plan is bad input before anything is allocated.
"""

from __future__ import annotations

import errno
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from netaddr import IPNetwork

from foundation.addresses.services import services_request
from foundation.config.address_plan import AddressPlan
from foundation.config.inspection import DEFAULT_INSPECTION_SIZE, FIREWALL_PREFIX, INSPECTION
from foundation.config.spec import DEFAULT_HUB_SIZE, DEFAULT_SPOKE_SIZE, ROOT, StackSpec
from foundation.errors import InputError, Problem, os_fix
from ipam.audit import contradictions, pool_usage
from ipam.cidr import parse_cidr
from ipam.errors import AllocationError
from ipam.layout import Allocation, StackRequest, TierRequest, VpcRequest, allocate_stack
from ipam.lock import LockFile, locked, read_lock_file, write_lock

LOCK_SOURCE = "stacks/addresses.lock.yaml"


def stack_request(spec: StackSpec, plan: AddressPlan, lock: LockFile | None = None) -> StackRequest:
    """Build the IPAM request of a stack: the hub first, then spokes by name.

    An explicit AZ list carries the lock's binding of its AZs to slots.
    """
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
    if net.inspection is not None:  # DESIGN §3.10: IPAM-allocated like every VPC
        block = net.inspection
        vpcs.append(
            VpcRequest(
                name=INSPECTION,
                path=f"{ROOT}.{INSPECTION}",
                azs=azs,
                tiers=(TierRequest("firewall", FIREWALL_PREFIX),),
                prefixlen=None if block.cidr else (block.size or DEFAULT_INSPECTION_SIZE),
                cidr=parse_cidr(block.cidr) if block.cidr else None,
            )
        )
    services = services_request(net)  # DESIGN §3.15, allocated like every VPC
    if services is not None:
        vpcs.append(services)
    pool = plan.pools[net.pool]
    reserved = tuple((r.cidr, r.reason) for r in plan.reserved)
    listed = net.availability_zones
    return StackRequest(
        spec.name,
        net.pool,
        pool,
        reserved,
        tuple(vpcs),
        azs=() if isinstance(listed, int) else tuple(listed),
        bound_azs=dict((lock or LockFile()).az_slots.get(spec.name, {})),
    )


@dataclass(frozen=True)
class AllocationResult:
    """An allocation and what happened to the lock."""

    allocation: Allocation
    lock_written: bool
    lock: Mapping[str, IPNetwork]  # the organisation's lock with this allocation in it


def lock_error(exc: AllocationError) -> InputError:
    """The lock's own problems (unreadable, malformed) as bad input."""
    return InputError(
        [
            Problem(
                LOCK_SOURCE, p.path.split(": ", 1)[1] if ": " in p.path else "", p.message, p.fix
            )
            for p in exc.problems
        ]
    )


def read_lock_checked(lock_path: Path) -> LockFile:
    """Read the lock, turning an unreadable one into bad input ("restore it from git")."""
    try:
        return read_lock_file(lock_path)
    except AllocationError as exc:
        raise lock_error(exc) from None


def _to_input_error(exc: AllocationError, source: str) -> InputError:
    return InputError([Problem(source, p.path, p.message, p.fix) for p in exc.problems])


def lock_problems(spec: StackSpec, plan: AddressPlan, lock: LockFile) -> list[Problem]:
    """Where the lock contradicts the address plan for this stack (the checker of ipam check).

    Only problems touching this stack's entries count: another stack's broken entries are
    that stack's (and `ipam check`'s) to report.
    """
    found = contradictions(
        lock.entries,
        plan.pools,
        [(r.cidr, r.reason) for r in plan.reserved],
        {spec.name: spec.network.pool},
        scope={spec.name},
    )
    return [Problem(LOCK_SOURCE, p.path.split(": ", 1)[1], p.message, p.fix) for p in found]


def empty_lock_warning(plan: AddressPlan, lock: LockFile) -> str | None:
    """A warning when the lock holds nothing while pools exist: everything is allocated anew."""
    if lock.entries or not plan.pools:
        return None
    return (
        f"{LOCK_SOURCE} holds no allocations: every CIDR of the stack is allocated afresh. "
        "If the lock was committed with entries, restore it from git "
        "(git checkout -- stacks/addresses.lock.yaml) before committing this one"
    )


def allocate_in_memory(spec: StackSpec, plan: AddressPlan, lock: LockFile) -> Allocation:
    """Check the lock against the address plan, then allocate the stack in memory.

    Raises:
        InputError: the lock contradicts the address plan, or allocation fails (exit 2).
    """
    problems = lock_problems(spec, plan, lock)
    if problems:
        raise InputError(problems)
    try:
        return allocate_stack(stack_request(spec, plan, lock), lock.entries)
    except AllocationError as exc:
        raise _to_input_error(exc, spec.source) from None


def merged_lock_file(lock: LockFile, allocation: Allocation) -> LockFile:
    """The lock with the stack's entries and AZ binding replaced by its allocation."""
    bindings = {s: b for s, b in lock.az_slots.items() if s != allocation.stack}
    if allocation.az_slots:
        bindings[allocation.stack] = dict(allocation.az_slots)
    return LockFile(merged_lock(lock.entries, allocation), dict(sorted(bindings.items())))


def lock_changes(lock: LockFile, allocation: Allocation) -> bool:
    """Whether recording the allocation changes the lock (entries or the AZ binding)."""
    bound = dict(lock.az_slots.get(allocation.stack, {}))
    return bool(allocation.new or allocation.freed or bound != dict(allocation.az_slots))


def record(lock_path: Path, merged: LockFile) -> bool:
    """Write the merged lock (atomically); returns whether the file changed.

    Raises:
        InputError: the lock could not be written (it is left as it was, with no temp file).
    """
    try:
        return write_lock(lock_path, merged.entries, merged.az_slots)
    except OSError as exc:
        raise InputError.single(
            LOCK_SOURCE,
            "",
            f"cannot be written ({exc.strerror or exc} "
            f"({errno.errorcode.get(exc.errno or 0, exc.errno)})); it is unchanged",
            os_fix(exc.errno),
        ) from None


def allocate(spec: StackSpec, plan: AddressPlan, lock_path: Path, write: bool) -> AllocationResult:
    """Allocate the stack's CIDRs against the lock; write new entries when `write` is true.

    Stale entries of this stack are freed.

    Raises:
        InputError: lock or allocation problems (exit 2); the lock is left untouched.
    """
    with locked(lock_path.parent):
        lock = read_lock_checked(lock_path)
        allocation = allocate_in_memory(spec, plan, lock)
        merged = merged_lock_file(lock, allocation)
        written = False
        if write and lock_changes(lock, allocation):
            written = record(lock_path, merged)
    return AllocationResult(allocation, written, merged.entries)


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
