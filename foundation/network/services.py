"""Spec + allocation -> the shared-services part of the plan (DESIGN §3.15).

- VPC `services` (role `services`): an `endpoints` subnet and a transit /28 per AZ. The
  endpoints table routes the pool (and the on-premises CIDRs, §3.14) to the TGW; no 0/0.
- TGW: attachment `services`, associated with table `services`, which learns only the
  spokes of the listed segments and blackholes the pool; the listed segments' tables
  propagate `services`; every other segment keeps its pool blackhole (reaches nothing).
- Interface endpoints once, private DNS off, a security group allowing 443 only from the
  listed spokes; per service a private hosted zone with an alias to the endpoint,
  associated with the listed spokes and `services`.
- Resolver: inbound endpoint (`dns.inbound`), outbound endpoint and one forwarding rule per
  domain (`dns.forward`), each endpoint with fixed addresses in the first two AZs.

On-premises (§3.14) plugs in through `onprem_cidrs` (empty until that block exists): the
endpoints table routes them, the inbound Resolver group admits them, and forward targets
must lie inside them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from netaddr import IPAddress, IPNetwork

from foundation.addresses.services import ENDPOINTS_TIER
from foundation.config.services import (
    KEY,
    VPC_NAME,
    catalogue_source,
    endpoint_service,
)
from foundation.config.spec import ROOT, StackSpec
from foundation.errors import InputError, Problem
from foundation.network.build import _subnets, allocated_vpc
from foundation.network.model import (
    ForwardRule,
    HostedZone,
    InterfaceEndpoint,
    ResolverAddress,
    ResolverEndpoint,
    Route,
    RouteTable,
    RouteTarget,
    ServiceSecurityGroup,
    SgRule,
    SharedServices,
    TgwAttachment,
    TgwRouteTable,
    TgwStaticRoute,
    TransitGateway,
    Vpc,
)
from ipam.layout import Allocation

HTTPS, DNS = 443, 53
ENDPOINTS_TABLE = f"{VPC_NAME}-{ENDPOINTS_TIER}"
TRANSIT_TABLE = f"{VPC_NAME}-transit"
RESOLVER_AZS = 2  # Route 53 Resolver endpoints need addresses in at least two AZs


def safe(name: str) -> str:
    """A DNS or service name as a logical-name part (`ecr.api` -> `ecr-api`)."""
    return name.strip(".").replace(".", "-").replace("*", "wildcard")


def listed_segments(spec: StackSpec) -> tuple[str, ...]:
    """The segments that use the shared services (default: every segment)."""
    block = spec.network.shared_services
    assert block is not None
    return tuple(sorted(block.segments if block.segments is not None else spec.network.segments))


def _vpc(
    spec: StackSpec,
    allocation: Allocation,
    azs: Mapping[int, str],
    pool: str,
    onprem_cidrs: Sequence[str],
) -> Vpc:
    subnets = []
    tables = []
    for tier, table in ((ENDPOINTS_TIER, ENDPOINTS_TABLE), ("transit", TRANSIT_TABLE)):
        tier_subnets = _subnets(allocation, VPC_NAME, tier, azs, table)
        subnets += tier_subnets
        routes = (
            tuple(Route(c, RouteTarget("tgw")) for c in (pool, *onprem_cidrs))
            if tier == ENDPOINTS_TIER
            else ()
        )
        # not a workload table: no gateway endpoints (nothing here goes to S3 or DynamoDB)
        tables.append(
            RouteTable(table, VPC_NAME, routes, tuple(s.name for s in tier_subnets), False)
        )
    return allocated_vpc(spec, allocation, VPC_NAME, "services", subnets, tables)


def _transit(
    transit: TransitGateway, vpc: Vpc, pool: str, segments: Sequence[str], users: Sequence[Vpc]
) -> TransitGateway:
    """Attach `services`; the listed segments learn it, table `services` learns them."""
    attachment = TgwAttachment(VPC_NAME, VPC_NAME, tuple(s.name for s in vpc.subnets_of("transit")))
    tables = [
        replace(t, propagations=(*t.propagations, VPC_NAME)) if t.name in segments else t
        for t in transit.route_tables
    ]
    tables.append(
        TgwRouteTable(
            VPC_NAME,
            (VPC_NAME,),
            tuple(v.name for v in users),
            (TgwStaticRoute(pool, blackhole=True),),
        )
    )
    return replace(
        transit,
        attachments=(*transit.attachments, attachment),
        route_tables=tuple(tables),
    )


def _forward_problems(
    spec: StackSpec, vpcs: Sequence[Vpc], onprem_cidrs: Sequence[str]
) -> list[Problem]:
    """Forward targets must not sit in a VPC of the stack, and (with §3.14) be on-premises."""
    block = spec.network.shared_services
    assert block is not None
    out = []
    for domain, targets in block.dns.forward.items():
        for i, target in enumerate(targets):
            ip = IPAddress(target)
            path = f"{ROOT}.{KEY}.dns.forward.{domain}[{i}]"
            inside = next((v for v in vpcs if ip in IPNetwork(v.cidr)), None)
            if inside is not None:
                out.append(
                    Problem(
                        spec.source,
                        path,
                        f"forward target {target} is inside VPC {inside.name} ({inside.cidr}): "
                        "the rule would send queries back into AWS",
                        "use the address of a resolver on-premises",
                    )
                )
            elif onprem_cidrs and not any(ip in IPNetwork(c) for c in onprem_cidrs):
                out.append(
                    Problem(
                        spec.source,
                        path,
                        f"forward target {target} is outside the on-premises CIDRs "
                        f"({', '.join(onprem_cidrs)})",
                        "use a resolver inside onPremises.cidrs, or add its range there",
                    )
                )
    return out


def _resolver_addresses(vpc: Vpc, offset: int) -> tuple[ResolverAddress, ...]:
    """Fixed Resolver addresses near the top of the first two `endpoints` subnets.

    `offset` below the last usable address, away from where endpoint ENIs are placed first.
    """
    subnets = sorted(vpc.subnets_of(ENDPOINTS_TIER), key=lambda s: s.slot)[:RESOLVER_AZS]
    return tuple(
        ResolverAddress(s.name, str(IPAddress(IPNetwork(s.cidr).last - 1 - offset)))
        for s in subnets
    )


def _both(port: int, cidrs: Sequence[str]) -> tuple[SgRule, ...]:
    return tuple(SgRule(p, port, c) for c in cidrs for p in ("tcp", "udp"))


def add_shared_services(
    spec: StackSpec,
    allocation: Allocation,
    azs: Mapping[int, str],
    pool: str,
    vpcs: list[Vpc],
    transit: TransitGateway,
    onprem_cidrs: Sequence[str] = (),
) -> tuple[list[Vpc], TransitGateway, SharedServices | None]:
    """The plan's VPCs and TGW with `services` added, and the shared services (or None).

    Args:
        spec: the validated stack.
        allocation: its CIDRs (with the `services` entries).
        azs: AZ slot -> AZ name (or ID).
        pool: the pool CIDR (routed to the TGW, blackholed in table `services`).
        vpcs: hub and spokes as built.
        transit: the TGW as built.
        onprem_cidrs: on-premises CIDRs of §3.14 (empty until that block exists).

    Raises:
        InputError: a forward target inside a VPC of the stack (or outside on-premises).
    """
    block = spec.network.shared_services
    if block is None:
        return vpcs, transit, None
    segments = listed_segments(spec)
    users = [v for v in vpcs if v.role == "spoke" and v.segment in segments]
    vpc = _vpc(spec, allocation, azs, pool, onprem_cidrs)
    problems = _forward_problems(spec, [*vpcs, vpc], onprem_cidrs)
    if problems:
        raise InputError(problems)
    transit = _transit(transit, vpc, pool, segments, users)
    user_cidrs = [v.cidr for v in users]
    endpoint_sg = ServiceSecurityGroup(
        f"{VPC_NAME}-endpoints-sg",
        VPC_NAME,
        "Interface endpoints: HTTPS from the spokes of the listed segments only",
        ingress=tuple(SgRule("tcp", HTTPS, c) for c in user_cidrs),
    )
    groups = [endpoint_sg]
    endpoint_subnets = tuple(s.name for s in vpc.subnets_of(ENDPOINTS_TIER))
    endpoints, zones = [], []
    zone_vpcs = (*(v.name for v in users), VPC_NAME)
    for service in block.interface_endpoints:
        entry = endpoint_service(spec.region, service)
        endpoint = InterfaceEndpoint(
            f"{VPC_NAME}-endpoint-{safe(service)}",
            service,
            f"com.amazonaws.{spec.region}.{service}",
            endpoint_subnets,
            endpoint_sg.name,
        )
        endpoints.append(endpoint)
        zones.append(
            HostedZone(
                f"{VPC_NAME}-zone-{safe(service)}",
                entry.zone,
                service,
                endpoint.name,
                entry.wildcard,
                zone_vpcs,
            )
        )
    inbound = outbound = None
    if block.dns.inbound:
        group = ServiceSecurityGroup(
            f"{VPC_NAME}-resolver-inbound-sg",
            VPC_NAME,
            "Resolver inbound: DNS from the listed spokes and on-premises",
            ingress=_both(DNS, [*user_cidrs, *onprem_cidrs]),
        )
        groups.append(group)
        inbound = ResolverEndpoint(
            f"{VPC_NAME}-resolver-inbound", "INBOUND", _resolver_addresses(vpc, 0), group.name
        )
    rules = []
    if block.dns.forward:
        targets = sorted({t for ts in block.dns.forward.values() for t in ts}, key=IPAddress)
        group = ServiceSecurityGroup(
            f"{VPC_NAME}-resolver-outbound-sg",
            VPC_NAME,
            "Resolver outbound: DNS to the forward targets only",
            egress=_both(DNS, [f"{t}/32" for t in targets]),
        )
        groups.append(group)
        outbound = ResolverEndpoint(
            f"{VPC_NAME}-resolver-outbound", "OUTBOUND", _resolver_addresses(vpc, 1), group.name
        )
        rules = [
            ForwardRule(
                f"{VPC_NAME}-rule-{safe(domain)}",
                domain.rstrip(".").lower(),
                tuple(block.dns.forward[domain]),
                tuple(v.name for v in users),
            )
            for domain in sorted(block.dns.forward)
        ]
    source, date = catalogue_source()
    shared = SharedServices(
        vpc=VPC_NAME,
        segments=segments,
        spokes=tuple(v.name for v in users),
        endpoints=tuple(endpoints),
        security_groups=tuple(groups),
        zones=tuple(zones),
        inbound=inbound,
        outbound=outbound,
        rules=tuple(rules),
        catalogue_source=source,
        catalogue_date=date,
    )
    return [*vpcs, vpc], transit, shared


def with_hybrid(
    transit: TransitGateway,
    shared: SharedServices | None,
    hybrid_attachments: Sequence[str],
    onprem_table: str = "onprem",
) -> TransitGateway:
    """Wire §3.14 into §3.15: DNS both ways between on-premises and the services VPC.

    With a Resolver endpoint (`dns.inbound` or `dns.forward`), table `services` learns the
    hybrid attachments (their on-premises prefixes) and table `onprem` learns `services`.
    Without shared services, DNS, or hybrid attachments, the TGW is returned unchanged.
    """
    if shared is None or not hybrid_attachments:
        return transit
    if shared.inbound is None and shared.outbound is None:
        return transit
    tables = []
    for t in transit.route_tables:
        if t.name == shared.vpc:
            extra = tuple(a for a in hybrid_attachments if a not in t.propagations)
            t = replace(t, propagations=(*t.propagations, *extra))
        elif t.name == onprem_table and shared.vpc not in t.propagations:
            t = replace(t, propagations=(*t.propagations, shared.vpc))
        tables.append(t)
    return replace(transit, route_tables=tuple(tables))
