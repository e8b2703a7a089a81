"""Segment reachability, egress paths and AZ-failure blast radius, from route-table walks.

Every workload tier of every VPC is walked, not one representative: a spoke pair is
reachable only when each workload tier of the source, in each AZ, reaches each workload
tier of the target; an egress path fails when any tier's does; and a workload tier of a
VPC that is not a spoke (the hub) is walked to every spoke and back, so a reply the TGW
drops (the pool blackhole covers the hub's CIDR) is a finding, never silent.
"""

from __future__ import annotations

from dataclasses import dataclass

from foundation.network.analysis.findings import Finding
from foundation.network.analysis.routing import (
    INTERNET_PROBE,
    Router,
    Walk,
    probe_address,
    tier_address,
    tier_table,
    workload_table,
    workload_tiers,
)
from foundation.network.model import NetworkPlan


@dataclass(frozen=True)
class PairResult:
    """Whether `source` reaches `target` (in every AZ), and whether the intent says it should."""

    source: str
    target: str
    reachable: bool
    intended: bool
    outcome: str
    inspected: bool = False  # every walk passed a firewall endpoint (False when unreachable)


@dataclass(frozen=True)
class EgressPath:
    """How a spoke's workloads in one AZ reach the internet, and whether replies return."""

    vpc: str
    az: str
    outcome: str
    nat: str | None
    nat_az: str | None
    returns: bool
    hops: tuple[str, ...]
    inspected: bool = False  # the path passes a firewall endpoint (False when it fails)


@dataclass(frozen=True)
class AzImpact:
    """What an AZ failure takes down beyond the AZ itself."""

    az: str
    lost_in_az: tuple[str, ...]
    egress_lost_elsewhere: tuple[str, ...]
    connectivity_lost_elsewhere: tuple[str, ...]


def intended_pairs(plan: NetworkPlan) -> set[tuple[str, str]]:
    """Spoke pairs the segments allow (own segment unless isolated; connectsTo symmetric)."""
    reach: dict[str, set[str]] = {s.name: set() if s.isolated else {s.name} for s in plan.segments}
    for s in plan.segments:
        for other in s.connects_to:
            reach[s.name].add(other)
            reach[other].add(s.name)
    return {
        (a.name, b.name)
        for a in plan.spokes
        for b in plan.spokes
        if a.name != b.name and b.segment in reach[str(a.segment)]
    }


@dataclass(frozen=True)
class TierReturn:
    """A workload tier of a non-spoke VPC that reaches a spoke whose replies never return."""

    vpc: str
    tier: str
    az: str
    target: str
    outcome: str  # where the reply ended (blackhole, no-route, ...)
    hops: tuple[str, ...]


class _Probes:
    """Per-VPC probe data computed once: every workload tier's tables and addresses."""

    def __init__(self, plan: NetworkPlan, router: Router | None = None):
        self.plan = plan
        self.router = router or Router(plan)
        self.slots = plan.slots
        self.tables = {v.name: {s: workload_table(v, s) for s in self.slots} for v in plan.vpcs}
        self.tiers = {v.name: workload_tiers(v) for v in plan.vpcs}
        # every workload tier's route table per slot (deduplicated: tiers may share one)
        self.sources: dict[str, dict[int, list[str]]] = {}
        for v in plan.vpcs:
            per_slot: dict[int, list[str]] = {}
            for slot in self.slots:
                found = [tier_table(v, t, slot) for t in self.tiers[v.name]]
                tables = list(dict.fromkeys(t for t in found if t is not None))
                per_slot[slot] = tables or [self.tables[v.name][slot]]
            self.sources[v.name] = per_slot
        self.addresses = {
            v.name: [tier_address(v, t) for t in self.tiers[v.name]] or [probe_address(v)]
            for v in plan.vpcs
        }
        self.address = {v.name: self.addresses[v.name][0] for v in plan.vpcs}

    def pair(self, source: str, target: str, failed: int | None = None) -> list[Walk]:
        """Walks from each workload tier of `source` to each tier of `target`, per slot."""
        return [
            self.router.walk(source, table, s, ip, failed)
            for s in self.slots
            if s != failed
            for table in self.sources[source][s]
            for ip in self.addresses[target]
        ]


def matrix(plan: NetworkPlan, router: Router | None = None) -> list[PairResult]:
    """Every ordered pair of spokes: reachable by the route tables, and intended."""
    return _matrix(_Probes(plan, router))


def _matrix(probes: _Probes) -> list[PairResult]:
    plan = probes.plan
    intended = intended_pairs(plan)
    out = []
    for a in plan.spokes:
        for b in plan.spokes:
            if a.name == b.name:
                continue
            walks = probes.pair(a.name, b.name)
            failed = [w for w in walks if not _arrived(w, b.name)]
            out.append(
                PairResult(
                    a.name,
                    b.name,
                    not failed,
                    (a.name, b.name) in intended,
                    (failed or walks)[0].outcome,
                    inspected=not failed and all(w.firewalls for w in walks),
                )
            )
    return out


def _arrived(walk: Walk, vpc: str) -> bool:
    return walk.outcome == "delivered" and walk.delivered_to == vpc


def segment_matrix(plan: NetworkPlan, pairs: list[PairResult]) -> dict[str, dict[str, str]]:
    """Segment x segment: 'yes', 'no' or 'partial', from the spoke pairs."""
    seg_of = {v.name: v.segment for v in plan.spokes}
    results: dict[tuple[str | None, str | None], list[bool]] = {}
    for p in pairs:
        results.setdefault((seg_of[p.source], seg_of[p.target]), []).append(p.reachable)
    segs = [s.name for s in plan.segments]
    out: dict[str, dict[str, str]] = {}
    for a in segs:
        out[a] = {}
        for b in segs:
            got = results.get((a, b), [])
            out[a][b] = (
                "-" if not got else "yes" if all(got) else "no" if not any(got) else "partial"
            )
    return out


def egress(
    plan: NetworkPlan, failed: int | None = None, router: Router | None = None
) -> list[EgressPath]:
    """Each spoke's internet path per AZ (which NAT, in which AZ) and the return path."""
    return _egress(_Probes(plan, router), failed)


def _egress(probes: _Probes, failed: int | None) -> list[EgressPath]:
    plan = probes.plan
    out = []
    for vpc in plan.spokes:
        for slot, az in zip(plan.slots, plan.availability_zones, strict=True):
            if slot == failed:
                continue
            paths = [
                _egress_path(probes, vpc.name, table, slot, az, failed)
                for table in probes.sources[vpc.name][slot]
            ]
            # one entry per VPC and AZ: the first tier that fails, else the first tier
            out.append(next((e for e in paths if not _egress_ok(e)), paths[0]))
    return out


def _egress_ok(e: EgressPath) -> bool:
    return e.outcome == "internet" and e.returns


def _egress_path(
    probes: _Probes, vpc: str, table: str, slot: int, az: str, failed: int | None
) -> EgressPath:
    """The internet path from one route table in one slot, and whether replies return."""
    plan, hub = probes.plan, probes.plan.hub
    w = probes.router.walk(vpc, table, slot, INTERNET_PROBE, failed)
    returns = False
    if w.outcome == "internet" and w.nat is not None:
        nat = next(n for n in hub.nat_gateways if n.name == w.nat)
        source = next(s for s in plan.vpc(vpc).subnets if s.route_table == table and s.slot == slot)
        back = probes.router.walk(
            "hub",
            hub.subnet(nat.subnet).route_table,
            plan.slot_of(nat.az),
            tier_address(plan.vpc(vpc), source.tier, slot),
            failed,
        )
        returns = back.outcome == "delivered" and back.delivered_to == vpc
    inspected = w.outcome == "internet" and bool(w.firewalls)
    return EgressPath(vpc, az, w.outcome, w.nat, w.nat_az, returns, w.hops, inspected)


def tier_returns(plan: NetworkPlan, router: Router | None = None) -> list[TierReturn]:
    """Workload tiers of non-spoke VPCs (the hub) whose traffic reaches a spoke one way only.

    Each such tier, in each AZ, is walked to every spoke; where it arrives, the reply is
    walked back from each of the spoke's workload tiers in that AZ.
    """
    probes = _Probes(plan, router)
    out = []
    for vpc in plan.vpcs:
        if vpc.role in ("spoke", "inspection"):
            continue  # spoke pairs are the matrix; the firewall subnets hold no workloads
        for tier in probes.tiers[vpc.name]:
            for slot, az in zip(plan.slots, plan.availability_zones, strict=True):
                table = tier_table(vpc, tier, slot)
                if table is None:
                    continue
                home = tier_address(vpc, tier, slot)
                for spoke in plan.spokes:
                    there = probes.router.walk(vpc.name, table, slot, probes.address[spoke.name])
                    if not (there.outcome == "delivered" and there.delivered_to == spoke.name):
                        continue
                    for back_table in probes.sources[spoke.name][slot]:
                        back = probes.router.walk(spoke.name, back_table, slot, home)
                        if not (back.outcome == "delivered" and back.delivered_to == vpc.name):
                            out.append(
                                TierReturn(vpc.name, tier, az, spoke.name, back.outcome, back.hops)
                            )
                            break
    return out


def az_failure(
    plan: NetworkPlan,
    router: Router | None = None,
    pairs: list[PairResult] | None = None,
    paths: list[EgressPath] | None = None,
) -> list[AzImpact]:
    """For each AZ: what fails with it, and what loses egress or connectivity elsewhere.

    `pairs` and `paths` (the healthy matrix and egress) are computed when not given.
    """
    probes = _Probes(plan, router)
    pairs = pairs if pairs is not None else _matrix(probes)
    paths = paths if paths is not None else _egress(probes, None)
    healthy_egress = {(e.vpc, e.az) for e in paths if e.outcome == "internet" and e.returns}
    healthy_pairs = [(p.source, p.target) for p in pairs if p.reachable]
    out = []
    for slot, az in zip(plan.slots, plan.availability_zones, strict=True):
        lost_egress = sorted(
            f"{e.vpc} in {e.az}"
            for e in _egress(probes, slot)
            if (e.vpc, e.az) in healthy_egress and not (e.outcome == "internet" and e.returns)
        )
        lost_pairs = sorted(
            f"{a} -> {b}"
            for a, b in healthy_pairs
            if not all(w.outcome == "delivered" for w in probes.pair(a, b, failed=slot))
        )
        in_az = tuple(sorted(s.name for v in plan.vpcs for s in v.subnets if s.slot == slot))
        out.append(AzImpact(az, in_az, tuple(lost_egress), tuple(lost_pairs)))
    return out


def reachability_findings(
    plan: NetworkPlan,
    pairs: list[PairResult],
    paths: list[EgressPath],
    impacts: list[AzImpact],
    returns: list[TierReturn] | None = None,
) -> list[Finding]:
    """Findings where the route tables disagree with the intent, or an AZ has a blast radius."""
    findings = []
    for r in returns if returns is not None else tier_returns(plan):
        findings.append(
            Finding(
                "REACH.RETURN",
                "error",
                f"{r.vpc}-{r.tier} in {r.az} -> {r.target}",
                f"{r.vpc} tier {r.tier} reaches {r.target}, but the replies are dropped "
                f"({r.outcome} at {r.hops[-1] if r.hops else '?'})",
                "keep workloads in spokes: the segment tables blackhole the pool, which "
                "holds the hub's CIDR",
            )
        )
    for p in pairs:
        if p.reachable != p.intended:
            verb = "reaches" if p.reachable else "cannot reach"
            findings.append(
                Finding(
                    "REACH.INTENT",
                    "error",
                    f"{p.source} -> {p.target}",
                    f"{p.source} {verb} {p.target}, against the segment intent",
                    "check the segment's connectsTo and the TGW route tables",
                )
            )
    if plan.egress != "none":
        for e in paths:
            if not (e.outcome == "internet" and e.returns):
                findings.append(
                    Finding(
                        "REACH.EGRESS",
                        "error",
                        f"{e.vpc} in {e.az}",
                        f"no working internet path ({e.outcome})",
                        "check the spoke's default route and the hub NAT routes",
                    )
                )
    for impact in impacts:
        if impact.egress_lost_elsewhere:
            findings.append(
                Finding(
                    "REL11.AZ-BLAST-RADIUS",
                    "warning",
                    impact.az,
                    f"losing {impact.az} cuts internet egress of "
                    f"{len(impact.egress_lost_elsewhere)} workload AZs in other AZs",
                    "use egress: nat-per-az for static stability (REL11-BP05)",
                )
            )
    return findings
