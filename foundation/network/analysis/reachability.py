"""Segment reachability, egress paths and AZ-failure blast radius, from route-table walks."""

from __future__ import annotations

from dataclasses import dataclass

from foundation.network.analysis.findings import Finding
from foundation.network.analysis.routing import (
    INTERNET_PROBE,
    Router,
    Walk,
    probe_address,
    workload_table,
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


class _Probes:
    """Per-VPC probe data computed once: source tables per slot, a destination address."""

    def __init__(self, plan: NetworkPlan, router: Router | None = None):
        self.plan = plan
        self.router = router or Router(plan)
        self.slots = plan.slots
        self.tables = {v.name: {s: workload_table(v, s) for s in self.slots} for v in plan.vpcs}
        self.address = {v.name: probe_address(v) for v in plan.vpcs}

    def pair(self, source: str, target: str, failed: int | None = None) -> list[Walk]:
        ip = self.address[target]
        return [
            self.router.walk(source, self.tables[source][s], s, ip, failed)
            for s in self.slots
            if s != failed
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
            reachable = all(w.outcome == "delivered" and w.delivered_to == b.name for w in walks)
            out.append(
                PairResult(
                    a.name, b.name, reachable, (a.name, b.name) in intended, walks[0].outcome
                )
            )
    return out


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
    hub = plan.hub
    out = []
    for vpc in plan.spokes:
        for slot, az in zip(plan.slots, plan.availability_zones, strict=True):
            if slot == failed:
                continue
            w = probes.router.walk(
                vpc.name, probes.tables[vpc.name][slot], slot, INTERNET_PROBE, failed
            )
            returns = False
            if w.outcome == "internet" and w.nat is not None:
                nat = next(n for n in hub.nat_gateways if n.name == w.nat)
                back = probes.router.walk(
                    "hub",
                    hub.subnet(nat.subnet).route_table,
                    plan.slot_of(nat.az),
                    probes.address[vpc.name],
                    failed,
                )
                returns = back.outcome == "delivered" and back.delivered_to == vpc.name
            out.append(EgressPath(vpc.name, az, w.outcome, w.nat, w.nat_az, returns, w.hops))
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
    plan: NetworkPlan, pairs: list[PairResult], paths: list[EgressPath], impacts: list[AzImpact]
) -> list[Finding]:
    """Findings where the route tables disagree with the intent, or an AZ has a blast radius."""
    findings = []
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
