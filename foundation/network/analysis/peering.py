"""Reachability across TGW peerings and what each Region's loss takes (DESIGN §3.9).

A packet is walked by longest-prefix match through this stack's tables; when a TGW route
names a peering attachment it enters the peer's TGW in the table associated with the
peering (`peer-<this stack>`) and goes on through the peer's own plan, built from the
org-wide lock. A remote pair `a -> <peer>/<spoke>` is reachable when every workload tier
of `a`, in every AZ, arrives at every workload tier of the remote spoke, and the replies
come back. A Region failure drops every walk that enters a stack of that Region.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from netaddr import IPAddress

from foundation.config.peers import peering_name
from foundation.network.analysis.findings import Finding
from foundation.network.analysis.reachability import PairResult, _Probes
from foundation.network.analysis.routing import Router, Walk
from foundation.network.model import NetworkPlan
from foundation.network.peering import global_reach

MAX_CROSSINGS = 4


@dataclass(frozen=True)
class RegionLoss:
    """What local spokes lose when one peered Region fails."""

    region: str
    lost: tuple[str, ...]  # "payments -> prod-euw1/ledger"


class PeeredRouter:
    """Routers of this stack and its peers, joined at the peering attachments."""

    def __init__(self, plan: NetworkPlan, peers: Mapping[str, NetworkPlan]):
        self.plans = {plan.stack: plan, **peers}
        self.routers = {name: Router(p) for name, p in self.plans.items()}

    def walk(
        self,
        stack: str,
        vpc: str,
        table: str,
        slot: int,
        dst: IPAddress,
        failed_region: str | None = None,
    ) -> tuple[str, Walk]:
        """Walk from a VPC route table; returns the stack where the packet ended and how."""
        w = self.routers[stack].walk(vpc, table, slot, dst)
        hops = list(w.hops)
        for _ in range(MAX_CROSSINGS):
            if w.outcome != "peering":
                return stack, replace(w, hops=tuple(hops))
            plan = self.plans[stack]
            peering = next(
                (p for p in plan.transit_gateway.peerings if p.name == w.delivered_to), None
            )
            peer = self.plans.get(peering.peer_stack) if peering is not None else None
            if peering is None or peer is None or peering.state != "planned":
                return stack, Walk("no-route", tuple(hops))
            hops.append(f"peering:{peering.name}")
            if failed_region is not None and peer.region == failed_region:
                return peer.stack, Walk("region-failed", tuple(hops))
            back = self.routers[peer.stack].association.get(peering_name(stack))
            if back is None:  # the peer has not associated the peering with a table
                return peer.stack, Walk("no-route", tuple(hops))
            peer_slot = slot if slot in peer.slots else peer.slots[0]
            stack = peer.stack
            w = self.routers[stack].walk("", back, peer_slot, dst, from_tgw=True)
            hops += w.hops
        return stack, Walk("loop", tuple(hops))


def _arrived(result: tuple[str, Walk], stack: str, vpc: str) -> bool:
    where, w = result
    return where == stack and w.outcome == "delivered" and w.delivered_to == vpc


def remote_pairs(
    plan: NetworkPlan, peers: Mapping[str, NetworkPlan], router: PeeredRouter | None = None
) -> list[PairResult]:
    """Every local spoke to every remote spoke: reachable both ways, and intended."""
    router = router or PeeredRouter(plan, peers)
    segments = [*plan.segments, *(s for p in peers.values() for s in p.segments)]
    reach = global_reach(segments)
    local = _Probes(plan, router.routers[plan.stack])
    remote = {name: _Probes(p, router.routers[name]) for name, p in peers.items()}
    out = []
    for a in plan.spokes:
        for r in plan.remote_spokes:
            there = remote.get(r.stack)
            if there is None or r.name not in there.sources:
                continue
            outcome = "delivered"
            ok = True
            for slot in local.slots:
                for table in local.sources[a.name][slot]:
                    for ip in there.addresses[r.name]:
                        res = router.walk(plan.stack, a.name, table, slot, ip)
                        if not _arrived(res, r.stack, r.name):
                            ok, outcome = False, res[1].outcome
            if ok:  # and the replies return, from each of the remote spoke's tiers
                for slot in there.slots:
                    for table in there.sources[r.name][slot]:
                        for ip in local.addresses[a.name]:
                            res = router.walk(r.stack, r.name, table, slot, ip)
                            if not _arrived(res, plan.stack, a.name):
                                ok, outcome = False, f"reply {res[1].outcome}"
            out.append(
                PairResult(
                    a.name, r.key, ok, r.segment in reach.get(str(a.segment), set()), outcome
                )
            )
    return out


def region_failure(
    plan: NetworkPlan,
    peers: Mapping[str, NetworkPlan],
    pairs: list[PairResult],
    router: PeeredRouter | None = None,
) -> list[RegionLoss]:
    """For each peered Region: the reachable pairs that fail when it does.

    Local pairs never cross a peering (their healthy walks end in this stack), so only
    remote pairs are walked again with the Region failed.
    """
    router = router or PeeredRouter(plan, peers)
    local = _Probes(plan, router.routers[plan.stack])
    by_key = {r.key: r for r in plan.remote_spokes}
    probes = {name: _Probes(p, router.routers[name]) for name, p in peers.items()}
    out = []
    for region in sorted({p.peer_region for p in plan.transit_gateway.peerings}):
        lost = []
        for p in pairs:
            r = by_key.get(p.target)
            if not p.reachable or r is None or r.stack not in peers:
                continue
            ip = probes[r.stack].address[r.name]
            slot = local.slots[0]
            res = router.walk(
                plan.stack, p.source, local.sources[p.source][slot][0], slot, ip, region
            )
            if not _arrived(res, r.stack, r.name):
                lost.append(f"{p.source} -> {p.target}")
        out.append(RegionLoss(region, tuple(sorted(lost))))
    return out


def peering_findings(plan: NetworkPlan) -> list[Finding]:
    """A pending peering routes nothing yet: a warning saying what to run next."""
    return [
        Finding(
            "PEER.PENDING",
            "warning",
            p.name,
            f"peering with {p.peer_stack} ({p.peer_region}) is pending: {p.peer_stack} has no "
            "entries in stacks/addresses.lock.yaml yet, so nothing is routed to it",
            f"run `python -m foundation plan {p.peer_stack}`, commit the lock, then plan "
            f"{plan.stack} again",
        )
        for p in plan.transit_gateway.peerings
        if p.state == "pending"
    ]


def cross_region(
    plan: NetworkPlan, peers: Mapping[str, NetworkPlan]
) -> tuple[list[PairResult], list[RegionLoss]]:
    """Remote pairs and Region-failure losses (both empty for a stack without peerings)."""
    if not plan.transit_gateway.peerings:
        return [], []
    router = PeeredRouter(plan, peers)
    pairs = remote_pairs(plan, peers, router)
    return pairs, region_failure(plan, peers, pairs, router)
