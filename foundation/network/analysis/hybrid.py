"""On-premises reachability, the loss of each hybrid attachment, HYBRID.SINGLE-PATH (§3.14).

The walk goes all the way and back: from every workload tier of a spoke, in every AZ, to
every on-premises CIDR (it must leave through a hybrid attachment), then from each hybrid
attachment that brings that CIDR in, back to every workload tier of the spoke (the
`onprem` table must route the reply). BGP brings whatever on-premises announces; the
analysis assumes each gateway announces its `prefixes`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from netaddr import IPAddress, IPNetwork

from foundation.network.analysis.findings import Finding
from foundation.network.analysis.routing import Router, tier_address, tier_table, workload_tiers
from foundation.network.model import NetworkPlan, Vpc


@dataclass(frozen=True)
class OnPremReach:
    """Whether a spoke reaches every on-premises CIDR and the replies return."""

    vpc: str
    reachable: bool
    intended: bool
    outcome: str  # delivered, or where the first failing walk ended


@dataclass(frozen=True)
class HybridLoss:
    """What losing one hybrid attachment (a customer gateway, the DX gateway) cuts off."""

    lost: str
    cut_off: tuple[str, ...]


@dataclass(frozen=True)
class HybridAnalysis:
    """`reachability.onPremises` and `hybridFailure` of the plan JSON."""

    on_premises: tuple[OnPremReach, ...]
    failures: tuple[HybridLoss, ...]


def probe(cidr: str) -> IPAddress:
    """An address inside an on-premises CIDR (its second, or its only one)."""
    net = IPNetwork(cidr)
    return IPAddress(min(net.first + 1, net.last))


def _reach(plan: NetworkPlan, router: Router, vpc: Vpc, cidrs: tuple[str, ...]) -> str:
    """'delivered' when every tier in every AZ reaches on-premises and back, else why not."""
    tiers = workload_tiers(vpc)
    for slot in plan.slots:
        tables = dict.fromkeys(t for t in (tier_table(vpc, tier, slot) for tier in tiers) if t)
        homes = [tier_address(vpc, tier, slot) for tier in tiers if tier_table(vpc, tier, slot)]
        for table in tables:
            for cidr in cidrs:
                there = router.walk(vpc.name, table, slot, probe(cidr))
                if there.outcome != "delivered" or there.delivered_to not in router.hybrid:
                    return there.outcome if there.outcome != "delivered" else "no-route"
                entries = [
                    a
                    for a, prefixes in router.hybrid.items()
                    if any(probe(cidr) in IPNetwork(p) for p in prefixes)
                ]
                for entry in entries:
                    for home in homes:
                        back = router.walk(vpc.name, table, slot, home, entry=entry)
                        if not (back.outcome == "delivered" and back.delivered_to == vpc.name):
                            return f"reply {back.outcome}"
    return "delivered"


def on_premises(plan: NetworkPlan, router: Router | None = None) -> list[OnPremReach]:
    """One entry per spoke: reaches every on-premises CIDR and back, and whether intended."""
    onprem = plan.on_premises
    if onprem is None or not plan.transit_gateway.hybrid:
        return []
    router = router or Router(plan)
    out = []
    for vpc in plan.spokes:
        outcome = _reach(plan, router, vpc, onprem.cidrs)
        out.append(
            OnPremReach(vpc.name, outcome == "delivered", vpc.segment in onprem.segments, outcome)
        )
    return out


def without(plan: NetworkPlan, attachment: str) -> NetworkPlan:
    """The plan as if one hybrid attachment were down (its routes withdrawn)."""
    tgw = plan.transit_gateway
    tables = tuple(
        replace(
            t,
            associations=tuple(a for a in t.associations if a != attachment),
            propagations=tuple(a for a in t.propagations if a != attachment),
            static_routes=tuple(r for r in t.static_routes if r.attachment != attachment),
        )
        for t in tgw.route_tables
    )
    hybrid = tuple(h for h in tgw.hybrid if h.name != attachment)
    return replace(plan, transit_gateway=replace(tgw, route_tables=tables, hybrid=hybrid))


def hybrid_failure(plan: NetworkPlan, healthy: list[OnPremReach]) -> list[HybridLoss]:
    """For each hybrid attachment: the spokes that lose all on-premises reach without it."""
    reached = {r.vpc for r in healthy if r.reachable}
    out = []
    for h in plan.transit_gateway.hybrid:
        after = {r.vpc for r in on_premises(without(plan, h.name)) if r.reachable}
        out.append(HybridLoss(h.name, tuple(sorted(reached - after))))
    return out


def analyse_hybrid(plan: NetworkPlan, router: Router | None = None) -> HybridAnalysis | None:
    """Both analyses, or None for a stack without `onPremises`."""
    if plan.on_premises is None:
        return None
    healthy = on_premises(plan, router)
    return HybridAnalysis(tuple(healthy), tuple(hybrid_failure(plan, healthy)))


def hybrid_findings(plan: NetworkPlan, analysis: HybridAnalysis | None) -> list[Finding]:
    """HYBRID.SINGLE-PATH (REL02-BP02) and on-premises reach against the intent."""
    if analysis is None:
        return []
    findings = []
    hybrid = plan.transit_gateway.hybrid
    if len(hybrid) == 1:
        only = hybrid[0]
        findings.append(
            Finding(
                "HYBRID.SINGLE-PATH",
                "error" if plan.production else "warning",
                only.name,
                f"on-premises is reached only through {only.name}: losing it cuts off "
                f"{', '.join(analysis.failures[0].cut_off) or 'nothing'} (REL02-BP02)",
                "add a second customer gateway (another device, ideally another site) or a "
                "Direct Connect gateway under onPremises",
            )
        )
    else:
        # several attachments, yet one of them alone brings some on-premises CIDR (per-gateway
        # `cidrs:`): losing it cuts spokes off, which is a single path all the same
        for loss in analysis.failures:
            if loss.cut_off:
                findings.append(
                    Finding(
                        "HYBRID.SINGLE-PATH",
                        "error" if plan.production else "warning",
                        loss.lost,
                        f"some on-premises CIDR is reached only through {loss.lost}: losing it "
                        f"cuts off {', '.join(loss.cut_off)} (REL02-BP02)",
                        "announce each onPremises.cidrs entry through a second path: widen "
                        "onPremises.vpn.<gateway>.cidrs of another gateway, or add one",
                    )
                )
    for r in analysis.on_premises:
        if r.reachable != r.intended:
            verb = "reaches" if r.reachable else f"cannot reach ({r.outcome})"
            findings.append(
                Finding(
                    "REACH.INTENT",
                    "error",
                    f"{r.vpc} -> on-premises",
                    f"{r.vpc} {verb} on-premises, against onPremises.segments",
                    "check onPremises.segments and the onprem TGW table",
                )
            )
    return findings
