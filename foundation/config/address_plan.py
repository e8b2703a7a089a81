"""The organisation's address plan (stacks/addresses.yaml): named pools and reserved ranges.

Pools must not overlap each other; a reserved range inside a pool is carved out of it, and
one that covers a whole pool leaves nothing to allocate, so it is refused. A pool touching a
range AWS refuses for VPCs (this network, loopback, link-local, multicast and above) would
fail only at `pulumi up`, so it is refused here; a publicly routable pool is allowed (some
organisations own and reuse public space) but is named as a warning by `plan`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from netaddr import IPNetwork, IPSet

from foundation.config.yamlio import load_yaml
from foundation.errors import InputError, Problem
from ipam.cidr import CidrError, parse_cidr

# Ranges AWS refuses for a VPC CIDR (and that no VPC could route): refused in a pool.
UNUSABLE = (
    (IPNetwork("0.0.0.0/8"), "'this network' (0.0.0.0/8)"),
    (IPNetwork("127.0.0.0/8"), "loopback (127.0.0.0/8)"),
    (IPNetwork("169.254.0.0/16"), "link-local (169.254.0.0/16, used by AWS for instance metadata)"),
    (IPNetwork("224.0.0.0/3"), "multicast and reserved space (224.0.0.0/4 and above)"),
)
# Private space AWS recommends for VPCs (RFC 1918, and RFC 6598 shared address space).
PRIVATE = IPSet(["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"])


def unusable_overlap(net: IPNetwork) -> str | None:
    """The description of the first AWS-unusable range `net` touches, or None."""
    for bad, what in UNUSABLE:
        if not IPSet([net]).isdisjoint(IPSet([bad])):
            return what
    return None


def is_publicly_routable(net: IPNetwork) -> bool:
    """True when part of `net` lies outside RFC 1918 and 100.64.0.0/10 (and is usable)."""
    return not IPSet([net]) <= PRIVATE


@dataclass(frozen=True)
class Reserved:
    """A range no allocation may touch, and why."""

    cidr: IPNetwork
    reason: str


@dataclass(frozen=True)
class AddressPlan:
    """Validated pools and reserved ranges."""

    pools: dict[str, IPNetwork]
    reserved: tuple[Reserved, ...]
    source: str

    def reserved_in(self, pool: IPNetwork) -> list[IPNetwork]:
        """Reserved ranges that intersect a pool (they are carved out of it)."""
        return [r.cidr for r in self.reserved if not IPSet([r.cidr]).isdisjoint(IPSet([pool]))]

    def allocatable(self, pool: str) -> IPSet:
        """The pool's space less reserved ranges."""
        net = self.pools[pool]
        return IPSet([net]) - IPSet(self.reserved_in(net))


def parse_address_plan(raw: Any, source: str) -> AddressPlan:
    """Validate the address plan, reporting every problem at once.

    Raises:
        InputError: one Problem per invalid pool, reserved range or overlap.
    """
    problems: list[Problem] = []
    if not isinstance(raw, dict):
        raise InputError.single(
            source,
            "",
            "expected a mapping with pools and reserved",
            "see the README's address plan section",
        )
    for key in raw:
        if key not in ("pools", "reserved"):
            problems.append(
                Problem(source, str(key), f"unknown key '{key}'", "allowed keys: pools, reserved")
            )
    pools: dict[str, IPNetwork] = {}
    raw_pools = raw.get("pools")
    if not isinstance(raw_pools, dict) or not raw_pools:
        problems.append(
            Problem(
                source,
                "pools",
                "no pools defined",
                "name at least one pool, for example dev-use1: 10.16.0.0/14",
            )
        )
        raw_pools = {}
    for name, value in raw_pools.items():
        try:
            net = parse_cidr(value, 8, 24)
        except CidrError as exc:
            problems.append(Problem(source, f"pools.{name}", exc.message, exc.fix))
            continue
        unusable = unusable_overlap(net)
        if unusable is not None:
            problems.append(
                Problem(
                    source,
                    f"pools.{name}",
                    f"{net} overlaps {unusable}, which AWS refuses for VPCs",
                    "use private space: 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16 or 100.64.0.0/10",
                )
            )
            continue
        pools[str(name)] = net
    names = sorted(pools)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            if not IPSet([pools[a]]).isdisjoint(IPSet([pools[b]])):
                problems.append(
                    Problem(
                        source,
                        f"pools.{b}",
                        f"{pools[b]} overlaps pool {a} ({pools[a]})",
                        "give every pool its own range (REL02-BP05)",
                    )
                )
    reserved: list[Reserved] = []
    raw_reserved = raw.get("reserved", [])
    if not isinstance(raw_reserved, list):
        problems.append(
            Problem(
                source, "reserved", "expected a list", "write - {cidr: ..., reason: ...} entries"
            )
        )
        raw_reserved = []
    for i, entry in enumerate(raw_reserved):
        path = f"reserved[{i}]"
        if not isinstance(entry, dict) or set(entry) - {"cidr", "reason"}:
            problems.append(
                Problem(
                    source,
                    path,
                    "expected {cidr: ..., reason: ...}",
                    "give each reserved range a cidr and a reason",
                )
            )
            continue
        if not str(entry.get("reason") or "").strip():
            problems.append(
                Problem(
                    source,
                    f"{path}.reason",
                    "a reserved range needs a reason",
                    "say who uses it (on-premises, partner, ...)",
                )
            )
        try:
            net = parse_cidr(entry.get("cidr"), 0, 32)
        except CidrError as exc:
            problems.append(Problem(source, f"{path}.cidr", exc.message, exc.fix))
            continue
        reserved.append(Reserved(net, str(entry.get("reason") or "")))
        for name, pool in pools.items():
            if IPSet([pool]) <= IPSet([net]):
                problems.append(
                    Problem(
                        source,
                        f"{path}.cidr",
                        f"{net} covers the whole pool {name} ({pool})",
                        "shrink the reserved range or remove the pool",
                    )
                )
    for name, pool in sorted(pools.items()):
        touching = [r.cidr for r in reserved if not IPSet([r.cidr]).isdisjoint(IPSet([pool]))]
        single = any(IPSet([pool]) <= IPSet([r]) for r in touching)  # reported above
        if len(touching) > 1 and not single and IPSet([pool]) <= IPSet(touching):
            problems.append(
                Problem(
                    source,
                    "reserved",
                    f"reserved ranges {', '.join(map(str, touching))} together cover the "
                    f"whole pool {name} ({pool}): nothing is left to allocate",
                    "shrink or remove one of them, or remove the pool",
                )
            )
    if problems:
        raise InputError(problems)
    return AddressPlan(pools=pools, reserved=tuple(reserved), source=source)


def load_address_plan(path: Path) -> AddressPlan:
    """Read and validate stacks/addresses.yaml."""
    display = f"{path.parent.name}/{path.name}"
    if not path.exists():
        raise InputError.single(
            display,
            "",
            "the address plan is missing",
            "create it with pools and reserved ranges (see README)",
        )
    return parse_address_plan(load_yaml(path, display), display)
