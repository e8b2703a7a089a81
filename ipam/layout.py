r"""Deterministic, additive layout of a stack's VPCs and subnets inside its pool.

    pool 10.16.0.0/14
     ├─ dev/hub        10.16.0.0/20      (a VPC never takes the whole pool)
     │   ├─ az0        10.16.0.0/22      AZ slots: next power of two >= AZs + 1,
     │   │   ├─ public   10.16.0.0/24    so one slot is always spare when a VPC is
     │   │   └─ transit  10.16.1.0/28    first laid out (REL02-BP03)
     │   ├─ az1        10.16.4.0/22
     │   ├─ az2        10.16.8.0/22
     │   └─ (spare)    10.16.12.0/22     growing into it later is allowed (a warning)
     └─ dev/payments   10.16.16.0/21 ...

Lock keys: ``<stack>/<vpc>``, ``<stack>/<vpc>/az<slot>``, ``<stack>/<vpc>/az<slot>/<tier>``.
What the lock holds is never moved: only missing entries are allocated, from free space,
smallest sufficient block first, lowest address first, in a fixed order (largest requests,
then names), so the same inputs always give the same lock.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from netaddr import IPNetwork, IPSet

from ipam.azslots import bind_slots
from ipam.errors import AllocationError, IpamProblem
from ipam.freespace import FreeSpace

TRANSIT_PREFIX = 28
MIN_PREFIX, MAX_PREFIX = 16, 28


@dataclass(frozen=True)
class TierRequest:
    """A subnet tier in every AZ slot: an explicit prefix, or a share of the slot."""

    name: str
    prefixlen: int | None = None
    default_extra_bits: int = 1  # None prefix -> slot prefix + this (1 = half a slot)


@dataclass(frozen=True)
class VpcRequest:
    """One VPC as the stack asks for it; `path` is the config key path used in errors."""

    name: str
    path: str
    azs: int
    tiers: tuple[TierRequest, ...]
    prefixlen: int | None = None
    cidr: IPNetwork | None = None


@dataclass(frozen=True)
class StackRequest:
    """Everything one stack asks the IPAM for.

    `azs` is an explicit AZ list (empty for a count): its AZs keep the slots `bound_azs`
    (the lock's binding) gives them, see ipam.azslots.
    """

    stack: str
    pool_name: str
    pool: IPNetwork
    reserved: tuple[tuple[IPNetwork, str], ...]
    vpcs: tuple[VpcRequest, ...]
    azs: tuple[str, ...] = ()
    bound_azs: Mapping[int, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Allocation:
    """The stack's CIDRs (kept and new), what is new, what was freed, and warnings.

    `slots` are the AZ slots in use, ascending; `az_slots` binds each to its AZ for an
    explicit AZ list (empty for a count, where slot i is the i-th AZ).
    """

    stack: str
    entries: Mapping[str, IPNetwork]
    new: frozenset[str]
    freed: frozenset[str]
    warnings: tuple[str, ...] = ()
    slot_capacity: Mapping[str, int] = field(default_factory=dict)
    released: Mapping[str, IPNetwork] = field(default_factory=dict)
    slots: tuple[int, ...] = ()
    az_slots: Mapping[int, str] = field(default_factory=dict)

    def vpc(self, name: str) -> IPNetwork:
        """The VPC's CIDR."""
        return self.entries[f"{self.stack}/{name}"]

    def slot(self, name: str, slot: int) -> IPNetwork:
        """The CIDR of one AZ slot of a VPC."""
        return self.entries[f"{self.stack}/{name}/az{slot}"]

    def subnet(self, name: str, slot: int, tier: str) -> IPNetwork:
        """The CIDR of one tier subnet in one AZ slot."""
        return self.entries[f"{self.stack}/{name}/az{slot}/{tier}"]

    def is_new(self, key: str) -> bool:
        """Whether this run allocated the entry (not yet in the committed lock)."""
        return key in self.new


def next_power_of_two(n: int) -> int:
    """Smallest power of two >= n."""
    return 1 << max(0, (n - 1).bit_length())


def _exhausted(path: str, where: str, prefixlen: int, space: FreeSpace) -> IpamProblem:
    largest = space.largest()
    largest_text = f"/{largest}" if largest is not None else "none"
    return IpamProblem(
        path,
        f"{where} has no free /{prefixlen} left (free addresses: {space.total()}, "
        f"largest free block: {largest_text})",
        "ask for a smaller block, free space by removing unused VPCs, or add a pool",
    )


def _owner(
    net: IPNetwork, taken: Mapping[str, IPNetwork], reserved: tuple[tuple[IPNetwork, str], ...]
) -> str | None:
    for rnet, reason in reserved:
        if not IPSet([net]).isdisjoint(IPSet([rnet])):
            return f"reserved range {rnet} ({reason})"
    for key, other in taken.items():
        if not IPSet([net]).isdisjoint(IPSet([other])):
            return f"{key} ({other})"
    return None


def allocate_stack(request: StackRequest, lock: Mapping[str, IPNetwork]) -> Allocation:
    """Allocate every missing CIDR of a stack, keeping every CIDR the lock already holds.

    Raises:
        AllocationError: every conflict, renumbering attempt, too-small VPC or exhaustion.
    """
    stack = request.stack
    prefix = f"{stack}/"
    mine = {k: v for k, v in lock.items() if k.startswith(prefix)}
    problems: list[IpamProblem] = []
    entries: dict[str, IPNetwork] = {}
    warnings: list[str] = []
    capacity: dict[str, int] = {}
    az_slots = bind_slots(request.azs, request.bound_azs) if request.azs else {}

    # 1. VPCs in the pool: other stacks' VPCs in this pool and reserved ranges are taken.
    pool_taken = {
        k: v
        for k, v in lock.items()
        if not k.startswith(prefix)
        and k.count("/") == 1
        and not IPSet([v]).isdisjoint(IPSet([request.pool]))
    }
    # this stack's VPCs the lock keeps: an explicit CIDR must clear them whatever the order
    kept = {
        f"{stack}/{v.name}": mine[f"{stack}/{v.name}"]
        for v in request.vpcs
        if f"{stack}/{v.name}" in mine
    }
    pending: list[VpcRequest] = []
    for vpc in request.vpcs:
        key = f"{stack}/{vpc.name}"
        held = mine.get(key)
        wanted = vpc.cidr.prefixlen if vpc.cidr is not None else vpc.prefixlen
        if held is not None:
            if vpc.cidr is not None and vpc.cidr != held:
                problems.append(
                    IpamProblem(
                        vpc.path + ".cidr",
                        f"the lock holds {held} for {key}; a VPC is never renumbered",
                        f"set cidr back to {held}, or rename the VPC to create a new one",
                    )
                )
            elif wanted is not None and wanted != held.prefixlen:
                problems.append(
                    IpamProblem(
                        vpc.path + ".size",
                        f"the lock holds /{held.prefixlen} ({held}) for {key}; "
                        "a VPC is never resized",
                        f"set size back to {held.prefixlen}, or rename the VPC",
                    )
                )
            entries[key] = held
            continue
        if wanted is not None and wanted <= request.pool.prefixlen:
            problems.append(
                IpamProblem(
                    vpc.path,
                    f"/{wanted} would take the whole pool {request.pool_name} ({request.pool})",
                    f"use a prefix longer than /{request.pool.prefixlen}",
                )
            )
            continue
        if vpc.cidr is not None:
            if not IPSet([vpc.cidr]) <= IPSet([request.pool]):
                problems.append(
                    IpamProblem(
                        vpc.path + ".cidr",
                        f"{vpc.cidr} is outside pool {request.pool_name} ({request.pool})",
                        "adopt a network inside the pool, or change the pool",
                    )
                )
                continue
            owner = _owner(vpc.cidr, {**pool_taken, **kept, **entries}, request.reserved)
            if owner:
                problems.append(
                    IpamProblem(
                        vpc.path + ".cidr", f"{vpc.cidr} overlaps {owner}", "choose a free range"
                    )
                )
                continue
            entries[key] = vpc.cidr
        else:
            pending.append(vpc)
    used = [v for v in pool_taken.values()] + list(entries.values())
    used += [r for r, _ in request.reserved]
    space = FreeSpace(request.pool, used)
    for vpc in sorted(pending, key=lambda v: (v.prefixlen or 0, v.name)):
        assert vpc.prefixlen is not None
        got = space.take(vpc.prefixlen)
        if got is None:
            problems.append(
                _exhausted(
                    vpc.path, f"pool {request.pool_name} ({request.pool})", vpc.prefixlen, space
                )
            )
            continue
        entries[f"{stack}/{vpc.name}"] = got

    # 2. AZ slots and 3. tier subnets inside each VPC.
    for vpc in request.vpcs:
        key = f"{stack}/{vpc.name}"
        slots = tuple(az_slots) if az_slots else tuple(range(vpc.azs))
        if key in entries:
            _layout_vpc(vpc, key, entries[key], slots, mine, entries, problems, warnings, capacity)
    if problems:
        raise AllocationError(problems)
    freed = frozenset(k for k in mine if k not in entries)
    return Allocation(
        stack=stack,
        entries=dict(sorted(entries.items())),
        new=frozenset(k for k in entries if k not in mine),
        freed=freed,
        warnings=tuple(warnings),
        slot_capacity=capacity,
        released={k: mine[k] for k in sorted(freed)},
        slots=tuple(az_slots) if az_slots else tuple(range(_count(request))),
        az_slots=az_slots,
    )


def _count(request: StackRequest) -> int:
    return max((v.azs for v in request.vpcs), default=0)


def _layout_vpc(
    vpc: VpcRequest,
    key: str,
    net: IPNetwork,
    slots_used: tuple[int, ...],
    mine: Mapping[str, IPNetwork],
    entries: dict[str, IPNetwork],
    problems: list[IpamProblem],
    warnings: list[str],
    capacity: dict[str, int],
) -> None:
    held_slots = {k: v for k, v in mine.items() if k.startswith(key + "/") and k.count("/") == 2}
    if held_slots:
        slot_prefix = next(iter(held_slots.values())).prefixlen
    else:
        wanted = max(len(slots_used), max(slots_used, default=-1) + 1)
        slot_prefix = net.prefixlen + int(math.log2(next_power_of_two(wanted + 1)))
    slots = 1 << (slot_prefix - net.prefixlen)
    capacity[vpc.name] = slots
    held_tiers = {
        k.rsplit("/", 1)[1]: v.prefixlen
        for k, v in mine.items()
        if k.startswith(key + "/") and k.count("/") == 3
    }
    sizes: dict[str, int] = {"transit": TRANSIT_PREFIX}
    for tier in vpc.tiers:
        if tier.prefixlen is not None:
            size = tier.prefixlen
            if tier.name in held_tiers and held_tiers[tier.name] != size:
                problems.append(
                    IpamProblem(
                        f"{vpc.path}.tiers.{tier.name}",
                        f"the lock holds /{held_tiers[tier.name]} subnets for tier {tier.name}; "
                        "subnets are never resized",
                        f"set it back to {held_tiers[tier.name]}, or add a tier with a new name",
                    )
                )
                return
        else:
            size = held_tiers.get(tier.name, slot_prefix + tier.default_extra_bits)
        sizes[tier.name] = size
    need = sum(1 << (32 - p) for p in sizes.values())
    too_deep = [t for t, p in sizes.items() if p > MAX_PREFIX or p < slot_prefix]
    if need > (1 << (32 - slot_prefix)) or too_deep or slot_prefix > MAX_PREFIX:
        if not held_slots:
            explicit = [
                1 << (32 - p)
                for t, p in sizes.items()
                if any(x.name == t and x.prefixlen is not None for x in vpc.tiers) or t == "transit"
            ]
            defaults = [x for x in vpc.tiers if x.prefixlen is None]
            # smallest slot that holds the explicit tiers plus defaults at their shares
            slot_need = MAX_PREFIX
            while slot_need > MIN_PREFIX:
                total = sum(explicit) + sum(
                    1 << (32 - (slot_need + d.default_extra_bits)) for d in defaults
                )
                if total <= (1 << (32 - slot_need)) and all(
                    slot_need + d.default_extra_bits <= MAX_PREFIX for d in defaults
                ):
                    break
                slot_need -= 1
            vpc_need = slot_need - int(math.log2(slots))
            listing = ", ".join(f"{t} /{p}" for t, p in sorted(sizes.items()))
            problems.append(
                IpamProblem(
                    vpc.path + ".size",
                    f"/{net.prefixlen} is too small: {vpc.azs} AZs plus a spare need {slots} "
                    f"AZ slots of /{slot_prefix}, each holding {listing}",
                    f"use size {vpc_need} or less (a larger VPC), or smaller tiers",
                )
            )
        else:
            problems.append(
                IpamProblem(
                    f"{vpc.path}.tiers",
                    f"the tiers no longer fit the /{slot_prefix} AZ slots of {key}",
                    "use smaller tiers; AZ slots are never resized",
                )
            )
        return
    if max(slots_used, default=-1) >= slots:
        problems.append(
            IpamProblem(
                f"{vpc.path}",
                f"{key} was laid out for {slots} AZ slots and cannot hold {len(slots_used)} AZs "
                "without renumbering",
                "keep the AZ count, or create a new VPC for the extra AZs",
            )
        )
        return
    if len(slots_used) == slots:
        warnings.append(
            f"{key} uses all {slots} of its AZ slots: no spare slot is left "
            "for another AZ (REL02-BP03)"
        )
    kept_slots = {
        k: v for k, v in held_slots.items() if int(k.rsplit("az", 1)[1]) in set(slots_used)
    }
    slot_space = FreeSpace(net, kept_slots.values())
    for index in slots_used:
        slot_key = f"{key}/az{index}"
        slot_net = kept_slots.get(slot_key) or slot_space.take(slot_prefix)
        if slot_net is None:
            problems.append(_exhausted(vpc.path, key, slot_prefix, slot_space))
            return
        entries[slot_key] = slot_net
        held = {
            k.rsplit("/", 1)[1]: v
            for k, v in mine.items()
            if k.startswith(slot_key + "/") and k.rsplit("/", 1)[1] in sizes
        }
        tier_space = FreeSpace(slot_net, held.values())
        for tier_name, prefixlen in sorted(sizes.items(), key=lambda item: (item[1], item[0])):
            got = held.get(tier_name) or tier_space.take(prefixlen)
            if got is None:
                problems.append(
                    _exhausted(f"{vpc.path}.tiers.{tier_name}", slot_key, prefixlen, tier_space)
                )
                continue
            entries[f"{slot_key}/{tier_name}"] = got
