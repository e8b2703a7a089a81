"""Checks of the whole organisation's lock against the address plan (`ipam check`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from netaddr import IPNetwork, IPSet

from ipam.errors import IpamProblem


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


def audit(
    lock: Mapping[str, IPNetwork],
    pools: Mapping[str, IPNetwork],
    reserved: list[tuple[IPNetwork, str]],
    stack_pools: Mapping[str, str],
    expected: Mapping[str, set[str]],
) -> list[IpamProblem]:
    """Every problem in the lock, found across all stacks at once.

    Overlaps, entries outside their pool or parent, entries in reserved ranges, and entries
    for stacks or VPCs that no longer exist.

    Args:
        lock: the lock's entries.
        pools: pool name -> CIDR.
        reserved: reserved ranges with reasons.
        stack_pools: stack -> the pool its config names.
        expected: stack -> the VPC names its config defines.
    """
    problems: list[IpamProblem] = []
    where = "stacks/addresses.lock.yaml: allocations."
    vpc_keys = sorted(k for k in lock if k.count("/") == 1)
    for key in sorted(lock):
        net = lock[key]
        stack, vpc = key.split("/")[:2]
        if stack not in stack_pools:
            problems.append(
                IpamProblem(
                    where + key,
                    f"stack '{stack}' has no config file",
                    "rerun plan for the stack or delete its entries",
                )
            )
            continue
        if vpc not in expected.get(stack, set()):
            problems.append(
                IpamProblem(
                    where + key,
                    f"VPC '{vpc}' is no longer in stack {stack}",
                    f"run `python -m foundation plan {stack}` to free it",
                )
            )
        parent = parent_key(key)
        if parent is None:
            pool_name = stack_pools[stack]
            pool = pools.get(pool_name)
            if pool is None or not IPSet([net]) <= IPSet([pool]):
                problems.append(
                    IpamProblem(
                        where + key,
                        f"{net} is outside pool {pool_name}",
                        "move the stack to the right pool and reallocate",
                    )
                )
        elif parent not in lock:
            problems.append(
                IpamProblem(
                    where + key,
                    f"its parent {parent} is not in the lock",
                    "rerun plan for the stack",
                )
            )
        elif not IPSet([net]) <= IPSet([lock[parent]]):
            problems.append(
                IpamProblem(
                    where + key,
                    f"{net} is outside {parent} ({lock[parent]})",
                    "restore the lock from git and rerun plan",
                )
            )
        for rnet, reason in reserved:
            if not IPSet([net]).isdisjoint(IPSet([rnet])):
                problems.append(
                    IpamProblem(
                        where + key,
                        f"{net} overlaps reserved {rnet} ({reason})",
                        "reallocate the VPC outside the reserved range",
                    )
                )
    # siblings must be disjoint: VPCs across the org, slots within a VPC, tiers within a slot
    by_parent: dict[str | None, list[str]] = {}
    for key in lock:
        by_parent.setdefault(parent_key(key), []).append(key)
    by_parent[None] = vpc_keys
    for siblings in by_parent.values():
        reach: str | None = None  # the sibling reaching furthest so far
        for key in sorted(siblings, key=lambda k: (lock[k].first, k)):
            if reach is not None and lock[key].first <= lock[reach].last:
                problems.append(
                    IpamProblem(
                        where + key,
                        f"{lock[key]} overlaps {reach} ({lock[reach]})",
                        "restore the lock from git and rerun plan",
                    )
                )
            if reach is None or lock[key].last > lock[reach].last:
                reach = key
    return problems
