"""Central inspection, proven on the route tables: symmetry and losing a firewall AZ.

Symmetry: a stateful firewall drops a reply it did not see leave. For every inspected
spoke pair and egress path, each source AZ, each AZ of the peer host and each AZ the
TGW's flow hash may pick, the reply is walked back with the same flow hash: it must pass
the same firewall endpoint (else `INSPECT.ASYMMETRIC`, e.g. appliance mode off, where
the TGW keeps the AZ each direction entered in).

Losing an AZ with appliance mode (AWS, "Example: Appliance in a shared services VPC",
docs.aws.amazon.com/vpc/latest/tgw/transit-gateway-appliance-scenario.html: the TGW picks
one appliance-VPC interface per flow by a flow hash and keeps it for the life of the flow).
Modelled here: flows in flight that were hashed to the lost AZ lose their firewall state
and are reset (about 1/N of inspected flows, N = firewall AZs); new flows hash to the
attachment's interfaces in the remaining AZs (the TGW stops using the interfaces of an
impaired AZ) and are walked through those; whatever then still fails from a healthy AZ
is lost elsewhere. AWS does not document how fast the TGW moves new flows away from a
lost AZ: the model assumes it does.
"""

from __future__ import annotations

from dataclasses import dataclass

from netaddr import IPAddress

from foundation.network.analysis.findings import Finding
from foundation.network.analysis.reachability import intended_pairs
from foundation.network.analysis.routing import (
    INTERNET_PROBE,
    Router,
    Walk,
    tier_address,
    tier_table,
    workload_tiers,
)
from foundation.network.model import NetworkPlan, Vpc

MAX_SPOKE_PAIRS = 400  # beyond this, one representative pair per segment pair is proven


@dataclass(frozen=True)
class Asymmetry:
    """An inspected flow whose reply passes another firewall AZ (or none, or is lost)."""

    source: str
    target: str  # a spoke, or "internet"
    source_az: str
    target_az: str | None  # the peer host's AZ (None for the internet)
    flow_az: str  # the AZ the flow hash picked
    forward: tuple[str, ...]  # firewall AZs the request passed
    reply: tuple[str, ...]  # firewall AZs the reply passed
    reply_outcome: str


@dataclass(frozen=True)
class FirewallAzLoss:
    """What losing one AZ's firewall endpoint takes, with appliance mode."""

    az: str
    in_flight_share: float  # share of inspected flows in flight that are reset
    lost_elsewhere: tuple[str, ...]  # inspected pairs / egress from healthy AZs that fail


@dataclass(frozen=True)
class InspectionAnalysis:
    """The inspection proofs of one plan."""

    appliance_mode: bool
    asymmetries: tuple[Asymmetry, ...]
    az_loss: tuple[FirewallAzLoss, ...]
    flows_checked: int

    @property
    def symmetric(self) -> bool:
        """Whether every inspected flow returns through the same firewall AZ."""
        return not self.asymmetries


def _tables(vpc: Vpc, slot: int) -> list[str]:
    found = [tier_table(vpc, t, slot) for t in workload_tiers(vpc)]
    return list(dict.fromkeys(t for t in found if t is not None))


def _host(vpc: Vpc, slot: int) -> IPAddress:
    return tier_address(vpc, workload_tiers(vpc)[0], slot)


def _pairs(plan: NetworkPlan) -> list[tuple[str, str]]:
    pairs = sorted(intended_pairs(plan))
    if len(pairs) <= MAX_SPOKE_PAIRS:
        return pairs
    seg = {v.name: v.segment for v in plan.spokes}
    seen: dict[tuple[str | None, str | None], tuple[str, str]] = {}
    for a, b in pairs:
        seen.setdefault((seg[a], seg[b]), (a, b))
    return sorted(seen.values())


def _az(plan: NetworkPlan, slot: int) -> str:
    return plan.availability_zones[plan.slots.index(slot)]


def _mismatch(forward: Walk, reply: Walk, home: str) -> bool:
    """The reply is lost or passes other firewall AZs than the request did."""
    if not forward.firewalls and not reply.firewalls:
        return False  # not inspected either way
    arrived = reply.outcome == "delivered" and reply.delivered_to == home
    return not arrived or set(forward.firewalls) != set(reply.firewalls)


def symmetry(
    plan: NetworkPlan, router: Router | None = None, failed: int | None = None
) -> tuple[list[Asymmetry], int, list[tuple[str, bool]]]:
    """Every inspected spoke pair and egress path, per AZ combination and flow hash.

    Returns the asymmetries, the number of flows checked, and per flow a (label, ok)
    for the failure analysis (ok: the request arrived and the reply returned).
    """
    router = router or Router(plan)
    slots = [s for s in plan.slots if s != failed]
    out: list[Asymmetry] = []
    results: list[tuple[str, bool]] = []
    checked = 0
    for a, b in _pairs(plan):
        src, dst = plan.vpc(a), plan.vpc(b)
        for s in slots:
            for t in slots:
                for f in slots:
                    for table in _tables(src, s):
                        fwd = router.walk(a, table, s, _host(dst, t), failed, flow_slot=f)
                        arrived = fwd.outcome == "delivered" and fwd.delivered_to == b
                        if not arrived:
                            results.append((f"{a} -> {b}", False))
                            continue
                        for back_table in _tables(dst, t):
                            checked += 1
                            back = router.walk(b, back_table, t, _host(src, s), failed, flow_slot=f)
                            bad = _mismatch(fwd, back, a)
                            returned = back.outcome == "delivered" and back.delivered_to == a
                            results.append((f"{a} -> {b}", returned and not bad))
                            if bad:
                                out.append(
                                    Asymmetry(
                                        a,
                                        b,
                                        _az(plan, s),
                                        _az(plan, t),
                                        _az(plan, f),
                                        fwd.firewalls,
                                        back.firewalls,
                                        back.outcome,
                                    )
                                )
    if plan.egress != "none":
        hub = plan.hub
        for spoke in plan.spokes:
            for s in slots:
                for f in slots:
                    for table in _tables(spoke, s):
                        fwd = router.walk(spoke.name, table, s, INTERNET_PROBE, failed, flow_slot=f)
                        label = f"{spoke.name} -> internet"
                        if fwd.outcome != "internet" or fwd.nat is None:
                            results.append((label, False))
                            continue
                        nat = next(n for n in hub.nat_gateways if n.name == fwd.nat)
                        checked += 1
                        back = router.walk(
                            "hub",
                            hub.subnet(nat.subnet).route_table,
                            plan.slot_of(nat.az),
                            _host(spoke, s),
                            failed,
                            flow_slot=f,
                        )
                        bad = _mismatch(fwd, back, spoke.name)
                        returned = back.outcome == "delivered" and back.delivered_to == spoke.name
                        results.append((label, returned and not bad))
                        if bad:
                            out.append(
                                Asymmetry(
                                    spoke.name,
                                    "internet",
                                    _az(plan, s),
                                    None,
                                    _az(plan, f),
                                    fwd.firewalls,
                                    back.firewalls,
                                    back.outcome,
                                )
                            )
    return out, checked, results


def firewall_az_loss(plan: NetworkPlan, router: Router | None = None) -> list[FirewallAzLoss]:
    """Per AZ: flows in flight reset there, and what fails from the other AZs afterwards."""
    if plan.inspection is None:
        return []
    router = router or Router(plan)
    healthy = {label for label, ok in symmetry(plan, router)[2] if ok}
    n = len(plan.inspection.endpoints)
    out = []
    for slot in plan.slots:
        after: dict[str, bool] = {}
        for label, ok in symmetry(plan, router, failed=slot)[2]:
            after[label] = after.get(label, True) and ok
        lost = sorted(label for label, ok in after.items() if not ok and label in healthy)
        out.append(FirewallAzLoss(_az(plan, slot), round(1 / n, 4) if n else 0.0, tuple(lost)))
    return out


def analyse_inspection(
    plan: NetworkPlan, router: Router | None = None
) -> InspectionAnalysis | None:
    """The symmetry proof and the firewall-AZ failure analysis (None without inspection)."""
    if plan.inspection is None:
        return None
    router = router or Router(plan)
    asymmetries, checked, _ = symmetry(plan, router)
    appliance = any(a.appliance_mode for a in plan.transit_gateway.attachments)
    return InspectionAnalysis(
        appliance, tuple(asymmetries), tuple(firewall_az_loss(plan, router)), checked
    )


def inspection_findings(analysis: InspectionAnalysis | None) -> list[Finding]:
    """One INSPECT.ASYMMETRIC error per source and target whose replies miss the firewall."""
    if analysis is None:
        return []
    grouped: dict[tuple[str, str], list[Asymmetry]] = {}
    for a in analysis.asymmetries:
        grouped.setdefault((a.source, a.target), []).append(a)
    findings = []
    for (source, target), cases in sorted(grouped.items()):
        first = cases[0]
        where = f" (host in {first.target_az})" if first.target_az else ""
        findings.append(
            Finding(
                "INSPECT.ASYMMETRIC",
                "error",
                f"{source} -> {target}",
                f"{len(cases)} inspected flow(s) return through another firewall AZ or are "
                f"lost, e.g. from {first.source_az}{where}: request via firewall "
                f"{', '.join(first.forward) or 'none'}, reply via "
                f"{', '.join(first.reply) or 'none'} ({first.reply_outcome}); the stateful "
                "firewall drops such replies",
                "turn appliance mode on for the inspection attachment, and route the hub "
                "table's spoke CIDRs back through the inspection attachment",
            )
        )
    return findings
