"""Checks of the lock against the address plan: one checker for `ipam check` and `plan`.

Comparisons use each block's first and last address (CIDR blocks are intervals), which is
exact and keeps a plan of hundreds of VPCs fast.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

from netaddr import IPNetwork, IPSet

from ipam.errors import IpamProblem

WHERE = "stacks/addresses.lock.yaml: allocations."
RESTORE = "restore stacks/addresses.lock.yaml from git (it was edited by hand) and rerun plan"


@dataclass(frozen=True)
class PoolUse:
    """How much of a pool is allocated to VPCs."""

    name: str
    cidr: IPNetwork
    allocatable: int
    allocated: int
    vpcs: int

    @property
    def ratio(self) -> float:
        """Allocated share of the allocatable space (0..1)."""
        return self.allocated / self.allocatable if self.allocatable else 1.0


def parent_key(key: str) -> str | None:
    """The lock key one level up (VPC for a slot, slot for a subnet), None for a VPC."""
    return key.rsplit("/", 1)[0] if key.count("/") > 1 else None


def pool_usage(
    pools: Mapping[str, IPNetwork], reserved: list[IPNetwork], lock: Mapping[str, IPNetwork]
) -> list[PoolUse]:
    """Utilisation of every pool by the VPCs in the lock."""
    out = []
    vpcs = [v for k, v in lock.items() if k.count("/") == 1]
    for name, pool in sorted(pools.items()):
        space = IPSet([pool]) - IPSet(reserved)
        inside = [v for v in vpcs if IPSet([v]) <= IPSet([pool])]
        out.append(PoolUse(name, pool, space.size, sum(v.size for v in inside), len(inside)))
    return out


def _overlaps(a: IPNetwork, b: IPNetwork) -> bool:
    return a.first <= b.last and b.first <= a.last


def _within(inner: IPNetwork, outer: IPNetwork) -> bool:
    return outer.first <= inner.first and inner.last <= outer.last


def audit(
    lock: Mapping[str, IPNetwork],
    pools: Mapping[str, IPNetwork],
    reserved: list[tuple[IPNetwork, str]],
    stack_pools: Mapping[str, str],
    expected: Mapping[str, set[str]],
    az_slots: Mapping[str, Mapping[int, str]] | None = None,
    az_lists: Mapping[str, tuple[str, ...]] | None = None,
) -> list[IpamProblem]:
    """Every problem in the lock, found across all stacks at once (`ipam check`).

    The contradictions of `contradictions`, plus stale entries, which `plan` of the stack
    frees: stacks or VPCs that no longer exist, AZ slots bound to an AZ no longer listed.

    Args:
        lock: the lock's entries.
        pools: pool name -> CIDR.
        reserved: reserved ranges with reasons.
        stack_pools: stack -> the pool its config names.
        expected: stack -> the VPC names its config defines.
        az_slots: the lock's AZ bindings (stack -> slot -> AZ).
        az_lists: stack -> its explicit AZ list (stacks with a count are absent).
    """
    problems = _stale_bindings(lock, az_slots or {}, az_lists or {}, stack_pools)
    for key in sorted(lock):
        stack, vpc = key.split("/")[:2]
        if stack not in stack_pools:
            problems.append(
                IpamProblem(
                    WHERE + key,
                    f"stack '{stack}' has no config file",
                    "rerun plan for the stack or delete its entries",
                )
            )
        elif vpc not in expected.get(stack, set()):
            problems.append(
                IpamProblem(
                    WHERE + key,
                    f"VPC '{vpc}' is no longer in stack {stack}",
                    f"run `python -m foundation plan {stack}` to free it",
                )
            )
    problems += contradictions(lock, pools, reserved, stack_pools)
    return sorted(problems, key=lambda p: p.path)


def _stale_bindings(
    lock: Mapping[str, IPNetwork],
    az_slots: Mapping[str, Mapping[int, str]],
    az_lists: Mapping[str, tuple[str, ...]],
    stack_pools: Mapping[str, str],
) -> list[IpamProblem]:
    problems: list[IpamProblem] = []
    where = "stacks/addresses.lock.yaml: azSlots."
    for stack, bound in sorted(az_slots.items()):
        if stack not in stack_pools:
            problems.append(
                IpamProblem(
                    where + stack,
                    f"stack '{stack}' has no config file",
                    "rerun plan for the stack or delete its entries",
                )
            )
            continue
        listed = az_lists.get(stack, ())
        for slot, az in sorted(bound.items()):
            if az not in listed:
                problems.append(
                    IpamProblem(
                        f"{where}{stack}.{slot}",
                        f"AZ '{az}' is no longer in stack {stack}'s availabilityZones list",
                        f"run `python -m foundation plan {stack}` to release slot az{slot}",
                    )
                )
        for key in sorted(lock):
            parts = key.split("/")
            if parts[0] == stack and len(parts) == 3 and int(parts[2][2:]) not in bound:
                problems.append(
                    IpamProblem(
                        WHERE + key,
                        f"slot {parts[2]} is bound to no AZ of stack {stack}",
                        f"run `python -m foundation plan {stack}` to free it",
                    )
                )
    return problems


def contradictions(
    lock: Mapping[str, IPNetwork],
    pools: Mapping[str, IPNetwork],
    reserved: list[tuple[IPNetwork, str]],
    stack_pools: Mapping[str, str],
    scope: Collection[str] | None = None,
) -> list[IpamProblem]:
    """Where the lock contradicts the address plan, with the lock keys and the fix.

    A VPC outside its stack's pool (the stack moved pool, or the pool's CIDR changed), an
    entry outside its parent or whose parent is missing, an entry in a reserved range,
    and overlapping siblings (VPCs across the organisation, slots in a VPC, tiers in a
    slot). `plan` refuses these (exit 2); `ipam check` reports them (exit 1).

    Args:
        lock: the lock's entries.
        pools: pool name -> CIDR.
        reserved: reserved ranges with reasons.
        stack_pools: stack -> the pool its config names (stacks missing here are skipped).
        scope: only report problems touching these stacks (None: every stack).
    """

    def in_scope(key: str) -> bool:
        return scope is None or key.split("/", 1)[0] in scope

    problems: list[IpamProblem] = []
    for key in sorted(k for k in lock if in_scope(k) and k.split("/", 1)[0] in stack_pools):
        net = lock[key]
        stack = key.split("/", 1)[0]
        parent = parent_key(key)
        if parent is None:
            problems += _pool_problems(key, net, stack, stack_pools[stack], pools)
        elif parent not in lock:
            problems.append(
                IpamProblem(WHERE + key, f"its parent {parent} is not in the lock", RESTORE)
            )
        elif not _within(net, lock[parent]):
            problems.append(
                IpamProblem(WHERE + key, f"{net} is outside {parent} ({lock[parent]})", RESTORE)
            )
        for rnet, reason in reserved:
            if _overlaps(net, rnet) and (parent is None or not _overlaps(lock[parent], rnet)):
                problems.append(
                    IpamProblem(
                        WHERE + key,
                        f"{net} overlaps reserved {rnet} ({reason}): the range was "
                        "reserved after this was allocated",
                        f"narrow or remove the reserved range {rnet} in stacks/addresses.yaml, "
                        f"or remove the VPC from the stack so plan frees {key}",
                    )
                )
    # siblings must be disjoint: VPCs across the org, slots within a VPC, tiers within a slot
    by_parent: dict[str | None, list[str]] = {}
    for key in lock:
        by_parent.setdefault(parent_key(key), []).append(key)
    for siblings in by_parent.values():
        reach: str | None = None  # the sibling reaching furthest so far
        for key in sorted(siblings, key=lambda k: (lock[k].first, k)):
            if (
                reach is not None
                and lock[key].first <= lock[reach].last
                and (in_scope(key) or in_scope(reach))
            ):
                problems.append(
                    IpamProblem(
                        WHERE + key, f"{lock[key]} overlaps {reach} ({lock[reach]})", RESTORE
                    )
                )
            if reach is None or lock[key].last > lock[reach].last:
                reach = key
    return problems


def _pool_problems(
    key: str, net: IPNetwork, stack: str, pool_name: str, pools: Mapping[str, IPNetwork]
) -> list[IpamProblem]:
    pool = pools.get(pool_name)
    if pool is not None and _within(net, pool):
        return []
    other = next((n for n, p in sorted(pools.items()) if _within(net, p)), None)
    if other is not None:
        return [
            IpamProblem(
                WHERE + key,
                f"{net} is outside pool {pool_name} but inside pool {other}: stack "
                f"{stack} was switched to another pool, and a VPC is never renumbered",
                f"set the stack's pool back to {other}, or remove the stack's entries from "
                "the lock to reallocate every VPC (AWS replaces them)",
            )
        ]
    where = f"pool {pool_name} ({pool})" if pool is not None else f"pool {pool_name}"
    return [
        IpamProblem(
            WHERE + key,
            f"{net} is outside {where} and every other pool: was the pool's CIDR changed?",
            f"restore pool {pool_name}'s CIDR in stacks/addresses.yaml from git "
            "(a pool may grow to contain its VPCs, never move)",
        )
    ]
