"""Peered stacks in the plan: TGW peering, remote routes, blackholes, `peer-<stack>` tables.

DESIGN §3.9. Segments are global by name: a spoke reaches its own segment (unless
isolated) and connected segments in every peered Region. Peering does not propagate, so
each segment table gets a static route per permitted remote spoke CIDR to the peering
attachment, and a blackhole per peered pool keeps everything else out (a more specific
static route still wins). The peering attachment is associated with a table
`peer-<peerstack>` that learns exactly the local spokes some remote spoke may reach: no
hub, no 0/0, so egress never crosses Regions. The peer's CIDRs come from the org-wide
lock; a peer without lock entries leaves the peering `pending`, routing nothing to it.

    local segment table prod                 peer-<P> table (assoc. peering attachment)
      0.0.0.0/0     -> hub                     <local spokes a remote spoke may reach>
      <own pool>    -> blackhole               (propagated, nothing else)
      <P/ledger>    -> peer-<P>   (static)
      <P's pool>    -> blackhole
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Literal

from netaddr import IPNetwork

from foundation.addresses.allocation import allocate_in_memory
from foundation.config.address_plan import AddressPlan
from foundation.config.peer_set import load_peers
from foundation.config.peers import ROOT, peering_name
from foundation.config.spec import StackSpec
from foundation.config.workspace import Workspace
from foundation.errors import InputError, Problem
from foundation.network.build import build_plan
from foundation.network.model import (
    NetworkPlan,
    RemoteSpoke,
    Route,
    RouteTarget,
    Segment,
    TgwPeering,
    TgwRouteTable,
    TgwStaticRoute,
    TransitGateway,
)
from ipam.lock import LockFile


@dataclass(frozen=True)
class PeerSide:
    """What a stack knows of one peer offline: its config and its committed lock entries."""

    stack: str
    region: str
    pool: str
    segments: tuple[Segment, ...]
    spokes: tuple[RemoteSpoke, ...]  # spokes with lock entries: routable
    unallocated: tuple[str, ...]  # spokes the lock does not hold yet: not routed
    allocated: bool = False  # the peer's hub is in the lock (its plan has run)

    @property
    def state(self) -> Literal["planned", "pending"]:
        """`pending` while the peer has no lock entries (run `plan <peer>`), else `planned`."""
        return "planned" if self.allocated else "pending"


def segments_of(spec: StackSpec) -> tuple[Segment, ...]:
    """The configured segments as plan data."""
    return tuple(
        Segment(n, tuple(s.connects_to), s.isolated)
        for n, s in sorted(spec.network.segments.items())
    )


def peer_side(peer: StackSpec, addresses: AddressPlan, lock: Mapping[str, IPNetwork]) -> PeerSide:
    """A peer as seen from the org-wide lock (never allocating for it)."""
    spokes, missing = [], []
    for name, body in sorted(peer.network.spokes.items()):
        cidr = lock.get(f"{peer.name}/{name}")
        if cidr is None:
            missing.append(name)
        else:
            spokes.append(RemoteSpoke(peer.name, peer.region, name, body.segment, str(cidr)))
    return PeerSide(
        stack=peer.name,
        region=peer.region,
        pool=str(addresses.pools[peer.network.pool]),
        segments=segments_of(peer),
        spokes=tuple(spokes),
        unallocated=tuple(missing),
        allocated=f"{peer.name}/hub" in lock,
    )


def global_reach(segments: Iterable[Segment]) -> dict[str, set[str]]:
    """Segment -> segments its spokes may reach, over the segments of all peered stacks."""
    segs = list(segments)
    reach: dict[str, set[str]] = {s.name: set() for s in segs}
    for s in segs:
        if not s.isolated:
            reach[s.name].add(s.name)
        for other in s.connects_to:
            reach[s.name].add(other)
            reach.setdefault(other, set()).add(s.name)
    return reach


def overlap_problems(spec: StackSpec, plan: NetworkPlan, side: PeerSide) -> list[Problem]:
    """A remote spoke whose CIDR overlaps a local VPC could never be routed: bad input."""
    problems = []
    for r in side.spokes:
        for v in plan.vpcs:
            if IPNetwork(r.cidr) in IPNetwork(v.cidr) or IPNetwork(v.cidr) in IPNetwork(r.cidr):
                problems.append(
                    Problem(
                        spec.source,
                        f"{ROOT}.peers",
                        f"peer '{side.stack}' spoke {r.name} ({r.cidr}) overlaps {v.name} "
                        f"({v.cidr})",
                        "peered stacks need disjoint addresses: give one of them another pool "
                        "or cidr, then run plan",
                    )
                )
    return problems


def peering_warnings(plan: NetworkPlan, sides: Iterable[PeerSide]) -> tuple[str, ...]:
    """What the user must do next for each peering that cannot route yet."""
    out = []
    for side in sides:
        if side.state == "pending":
            out.append(
                f"peering with {side.stack} ({side.region}) is pending: {side.stack} has no "
                f"entries in stacks/addresses.lock.yaml yet; run `python -m foundation plan "
                f"{side.stack}`, commit the lock, and plan {plan.stack} again"
            )
        elif side.unallocated:
            out.append(
                f"spokes of {side.stack} not in the lock yet, not routed: "
                f"{', '.join(side.unallocated)}; run `python -m foundation plan {side.stack}`"
            )
    return tuple(out)


def apply_peering(plan: NetworkPlan, sides: Iterable[PeerSide]) -> NetworkPlan:
    """The plan with its peerings, remote routes, peered-pool blackholes and peer tables."""
    sides = sorted(sides, key=lambda s: s.stack)
    if not sides:
        return plan
    reach = global_reach([*plan.segments, *(seg for s in sides for seg in s.segments)])
    tgw = plan.transit_gateway
    peerings = tuple(
        TgwPeering(peering_name(s.stack), s.stack, s.region, plan.stack < s.stack, s.state)
        for s in sides
    )
    tables: list[TgwRouteTable] = []
    for table in tgw.route_tables:
        if table.name not in reach or table.name == "hub":
            tables.append(table)
            continue
        statics = list(table.static_routes)
        known = {r.destination for r in statics}
        for s in sides:
            if s.state == "planned":
                statics += [
                    TgwStaticRoute(r.cidr, attachment=peering_name(s.stack))
                    for r in s.spokes
                    if r.segment in reach[table.name]
                ]
            if s.pool not in known:  # one blackhole per peered pool (a shared pool has one)
                statics.append(TgwStaticRoute(s.pool, blackhole=True))
                known.add(s.pool)
        tables.append(replace(table, static_routes=tuple(statics)))
    remote: list[RemoteSpoke] = []
    for s in sides:
        if s.state != "planned":
            continue
        remote += s.spokes
        reached = set().union(*(reach.get(r.segment, set()) for r in s.spokes))
        tables.append(
            TgwRouteTable(
                peering_name(s.stack),
                (peering_name(s.stack),),
                tuple(v.name for v in plan.spokes if v.segment in reached),
                (),
            )
        )
    vpcs = plan.vpcs
    if plan.egress == "none":  # spokes route only the pool to the TGW: add the peered pools
        extra = [s.pool for s in sides if s.state == "planned" and s.pool != plan.pool_cidr]
        vpcs = tuple(
            v
            if v.role != "spoke"
            else replace(
                v,
                route_tables=tuple(
                    t
                    if not t.private
                    else replace(
                        t,
                        routes=t.routes
                        + tuple(
                            Route(p, RouteTarget("tgw"))
                            for p in dict.fromkeys(extra)
                            if p not in {r.destination for r in t.routes}
                        ),
                    )
                    for t in v.route_tables
                ),
            )
            for v in plan.vpcs
        )
    return replace(
        plan,
        vpcs=vpcs,
        transit_gateway=replace(tgw, route_tables=tuple(tables), peerings=peerings),
        remote_spokes=tuple(remote),
        warnings=plan.warnings + peering_warnings(plan, sides),
    )


def peer_sides(
    workspace: Workspace,
    spec: StackSpec,
    addresses: AddressPlan,
    lock: Mapping[str, IPNetwork],
) -> list[PeerSide]:
    """Load, validate and read every peer of `spec` (bad input: InputError naming the peer)."""
    if not spec.network.peers:
        return []
    peers = load_peers(workspace, spec)
    problems: list[Problem] = []
    for name, peer in peers.items():
        if peer.network.pool not in addresses.pools:
            problems.append(
                Problem(
                    peer.source,
                    f"{ROOT}.pool",
                    f"peer '{name}' names unknown pool '{peer.network.pool}'",
                    f"define it in {addresses.source} or fix {peer.source}",
                )
            )
    if problems:
        raise InputError(problems)
    return [peer_side(peers[n], addresses, lock) for n in sorted(peers)]


def with_peers(spec: StackSpec, plan: NetworkPlan, sides: list[PeerSide]) -> NetworkPlan:
    """`apply_peering` after checking that no remote spoke overlaps a local VPC."""
    problems = [p for s in sides for p in overlap_problems(spec, plan, s)]
    if problems:
        raise InputError(problems)
    return apply_peering(plan, sides)


def peer_plans(
    workspace: Workspace,
    spec: StackSpec,
    addresses: AddressPlan,
    plan: NetworkPlan,
    lock: LockFile,
    azs_of: Callable[[StackSpec], list[str]],
) -> dict[str, NetworkPlan]:
    """Each planned peer's own plan, peered back with this stack only (for the walks).

    Built from the committed lock, never allocating: what matters across the peering is
    the peer's segment tables and its `peer-<this stack>` table, which depend on this
    stack alone.
    """
    me = PeerSide(
        stack=spec.name,
        region=spec.region,
        pool=plan.pool_cidr,
        segments=plan.segments,
        spokes=tuple(
            RemoteSpoke(spec.name, spec.region, v.name, str(v.segment), v.cidr) for v in plan.spokes
        ),
        unallocated=(),
        allocated=True,
    )
    out = {}
    for peering in plan.transit_gateway.peerings:
        if peering.state != "planned":
            continue
        peer = workspace.load_stack(peering.peer_stack)
        allocation = allocate_in_memory(peer, addresses, lock)
        pool = str(addresses.pools[peer.network.pool])
        peer_plan = build_plan(peer, allocation, azs_of(peer), pool)
        out[peer.name] = apply_peering(peer_plan, [me])
    return out


def routable(tgw: TransitGateway, ready: Iterable[str]) -> TransitGateway:
    """The TGW without routes and associations of peerings that cannot carry them yet.

    Blackholes stay: they are the bulkhead, whatever state the peering is in.
    """
    waiting = {p.name for p in tgw.peerings} - set(ready)
    if not waiting:
        return tgw
    tables = tuple(
        replace(
            t,
            associations=tuple(a for a in t.associations if a not in waiting),
            static_routes=tuple(r for r in t.static_routes if r.attachment not in waiting),
        )
        for t in tgw.route_tables
    )
    return replace(tgw, route_tables=tables)
