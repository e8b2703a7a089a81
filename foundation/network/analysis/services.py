"""Proofs for the shared services (DESIGN §3.15), from route-table walks of the plan.

A spoke *reaches* the services when every workload tier of it, in every AZ, reaches the
`endpoints` subnet of every AZ and the reply from each of those subnets comes back to that
tier. It is *intended* to when its segment is listed. Any difference is an error finding
(`SERVICES.REACH`): a listed spoke cut off from its endpoints, or an unlisted one that can
reach them (the bulkhead is the pool blackhole of its segment table).
"""

from __future__ import annotations

from dataclasses import dataclass

from netaddr import IPAddress, IPNetwork

from foundation.network.analysis.findings import Finding
from foundation.network.analysis.routing import (
    Router,
    Walk,
    tier_address,
    tier_table,
    workload_tiers,
)
from foundation.network.model import NetworkPlan, Vpc

TIER = "endpoints"


@dataclass(frozen=True)
class ServiceReach:
    """Whether a spoke reaches the services' endpoint subnets and back, and should."""

    vpc: str
    reachable: bool
    intended: bool
    outcome: str  # the first failed walk's outcome, or 'delivered'
    detail: str = ""  # where it failed: tier, AZ, endpoint subnet, direction


def _delivered(walk: Walk, vpc: str) -> bool:
    return walk.outcome == "delivered" and walk.delivered_to == vpc


def _spoke_reach(router: Router, plan: NetworkPlan, spoke: Vpc, services: Vpc) -> ServiceReach:
    shared = plan.shared_services
    intended = shared is not None and spoke.name in shared.spokes
    targets = services.subnets_of(TIER)
    for tier in workload_tiers(spoke):
        for slot, az in zip(plan.slots, plan.availability_zones, strict=True):
            table = tier_table(spoke, tier, slot)
            if table is None:
                continue
            home = tier_address(spoke, tier, slot)
            for target in targets:
                there = router.walk(
                    spoke.name, table, slot, IPAddress(IPNetwork(target.cidr).first + 5)
                )
                if not _delivered(there, services.name):
                    where = f"{tier} in {az} -> {target.name}"
                    return ServiceReach(spoke.name, False, intended, there.outcome, where)
                back = router.walk(services.name, target.route_table, target.slot, home)
                if not _delivered(back, spoke.name):
                    where = f"reply {target.name} -> {tier} in {az}"
                    return ServiceReach(spoke.name, False, intended, back.outcome, where)
    return ServiceReach(spoke.name, True, intended, "delivered")


def services_reach(plan: NetworkPlan, router: Router | None = None) -> list[ServiceReach]:
    """One entry per spoke (none without shared services), in plan order."""
    shared = plan.shared_services
    if shared is None:
        return []
    router = router or Router(plan)
    services = plan.vpc(shared.vpc)
    return [_spoke_reach(router, plan, s, services) for s in plan.spokes]


def services_findings(reach: list[ServiceReach]) -> list[Finding]:
    """An error for every spoke whose reach of the services differs from the intent."""
    out = []
    for r in reach:
        if r.reachable == r.intended:
            continue
        if r.intended:
            message = (
                f"{r.vpc} is in a listed segment but cannot use the central endpoints "
                f"({r.outcome} at {r.detail})"
            )
            fix = "check the segment table's propagation of `services` and table `services`"
        else:
            message = f"{r.vpc} is not in a listed segment yet reaches the services VPC"
            fix = "check that its segment table blackholes the pool and does not learn `services`"
        out.append(Finding("SERVICES.REACH", "error", r.vpc, message, fix))
    return out


def forward_reach(plan: NetworkPlan, router: Router | None = None) -> list[Finding]:
    """A warning for every forward target the outbound endpoint cannot reach by the walk.

    The `services` subnets route only the pool and the on-premises CIDRs (§3.14) to the
    TGW: without a hybrid path to the target, every forwarded query times out.
    """
    shared = plan.shared_services
    if shared is None or shared.outbound is None:
        return []
    router = router or Router(plan)
    services = plan.vpc(shared.vpc)
    out = []
    for target in sorted({t for r in shared.rules for t in r.targets}, key=IPAddress):
        lost = []
        for address in shared.outbound.addresses:
            sub = services.subnet(address.subnet)
            walk = router.walk(services.name, sub.route_table, sub.slot, IPAddress(target))
            if walk.outcome != "delivered" or walk.delivered_to not in router.hybrid:
                lost.append(f"{address.subnet} ({walk.outcome})")
        if lost:
            domains = sorted(r.domain for r in shared.rules if target in r.targets)
            out.append(
                Finding(
                    "SERVICES.FORWARD-UNREACHABLE",
                    "warning",
                    target,
                    f"forward target {target} ({', '.join(domains)}) is not reached from the "
                    f"outbound Resolver endpoint in {', '.join(lost)}: queries forwarded "
                    "there time out",
                    "connect on-premises (`onPremises:` with a VPN or Direct Connect) and "
                    "keep the target inside `onPremises.cidrs`",
                )
            )
    return out


def forward_shadowing(plan: NetworkPlan) -> list[Finding]:
    """A forwarding rule for a central zone's name or a parent of it (a warning each).

    Resolver rules take precedence over private hosted zones (AWS knowledge center,
    "How can I use and override reverse DNS rules with Route 53 Resolver?"): queries the
    central endpoint zone should answer may go to the forward targets instead.
    """
    shared = plan.shared_services
    if shared is None:
        return []
    out = []
    for rule in shared.rules:
        domain = rule.domain.rstrip(".").lower()
        zones = [z.domain.rstrip(".").lower() for z in shared.zones]
        shadowed = [z for z in zones if z == domain or z.endswith("." + domain)]
        if shadowed:
            out.append(
                Finding(
                    "SERVICES.FORWARD-SHADOWS",
                    "warning",
                    rule.domain,
                    f"forwarding rule {rule.domain} covers the central endpoint zone(s) "
                    f"{', '.join(sorted(shadowed))}: Resolver rules take precedence over "
                    "private hosted zones, so those names may be answered by the forward "
                    "targets instead of the central endpoints",
                    "forward a narrower domain (e.g. corp.example.com), or add a SYSTEM rule "
                    "for each endpoint zone name so the private hosted zones answer",
                )
            )
    return out


def private_dns_conflicts(
    plan: NetworkPlan, own_endpoints: list[tuple[str, str, str]]
) -> list[Finding]:
    """A listed spoke's own interface endpoint with private DNS for a central service.

    AWS refuses to associate the central zone with a VPC that already has that name from
    its own endpoint's private DNS, so the spoke silently keeps its own endpoint.

    Args:
        plan: the plan.
        own_endpoints: (spoke VPC, endpoint id, service short name) of interface endpoints
            with private DNS on, found live in the spokes.
    """
    shared = plan.shared_services
    if shared is None:
        return []
    central = {e.service: e.name for e in shared.endpoints}
    return [
        Finding(
            "SERVICES.PRIVATE-DNS-CONFLICT",
            "warning",
            f"{vpc}/{service}",
            f"{vpc} has its own {service} endpoint {endpoint_id} with private DNS, so the "
            f"central zone of {central[service]} cannot be associated with it",
            f"delete {endpoint_id} (or turn its private DNS off), then run pulumi up",
        )
        for vpc, endpoint_id, service in sorted(own_endpoints)
        if vpc in shared.spokes and service in central
    ]
