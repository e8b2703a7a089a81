"""Spec + allocation -> NetworkPlan: every route follows from the intent of DESIGN §3.3.

- Hub public tables: 0.0.0.0/0 -> IGW, pool -> TGW (the return path from NAT to spokes).
- Hub transit (and hub workload) tables: 0.0.0.0/0 -> the NAT in the same AZ (nat-per-az)
  or the single NAT; nothing with egress none.
- Spoke workload tables: 0.0.0.0/0 -> TGW (pool -> TGW with egress none); spoke transit
  tables hold only the local route.
- TGW: one table per segment plus `hub`. The hub table learns every spoke. A segment table
  learns the spokes it may reach, sends 0.0.0.0/0 to the hub attachment and blackholes the
  pool, so nothing hairpins between segments through the hub.
"""

from __future__ import annotations

import string
from collections import Counter
from collections.abc import Mapping
from dataclasses import replace
from typing import Any, Literal, TypedDict

from foundation.config.accounts import NETWORK
from foundation.config.spec import NetworkSpec, StackSpec
from foundation.errors import InputError, Problem
from foundation.network.alarms import plan_monitoring
from foundation.network.hybrid import apply_hybrid
from foundation.network.model import (
    Account,
    DefaultSecurityGroup,
    FlowLog,
    GatewayEndpoint,
    NatGateway,
    NetworkPlan,
    RamShare,
    Route,
    RouteTable,
    RouteTarget,
    Segment,
    Subnet,
    TgwAttachment,
    TgwRouteTable,
    TgwStaticRoute,
    TransitGateway,
    Vpc,
)
from ipam.layout import Allocation

DEFAULT_ROUTE = "0.0.0.0/0"


def letter(slot: int) -> str:
    """The letter naming an AZ slot in logical names (slot 0 -> a)."""
    return string.ascii_lowercase[slot]


def reachable_segments(net: NetworkSpec) -> dict[str, set[str]]:
    """Segment -> the segments its spokes may reach (connectsTo is symmetric)."""
    reach = {name: set() if seg.isolated else {name} for name, seg in net.segments.items()}
    for name, seg in net.segments.items():
        for other in seg.connects_to:
            reach[name].add(other)
            reach[other].add(name)
    return reach


def _tiers(allocation: Allocation, vpc: str, slot: int) -> list[str]:
    prefix = f"{allocation.stack}/{vpc}/az{slot}/"
    return sorted(k[len(prefix) :] for k in allocation.entries if k.startswith(prefix))


def slot_positions(spec: StackSpec, allocation: Allocation) -> dict[int, int]:
    """AZ slot -> position in the config's AZs (the lock's binding for an explicit list).

    For a count, slot i is the i-th AZ; for a list, each slot keeps the AZ it was first
    allocated for, wherever that AZ now stands in the list.
    """
    listed = spec.network.availability_zones
    if isinstance(listed, int) or not allocation.az_slots:
        return {i: i for i in range(spec.network.az_count)}
    return {slot: listed.index(az) for slot, az in sorted(allocation.az_slots.items())}


def _subnets(
    allocation: Allocation, vpc: str, tier: str, azs: Mapping[int, str], table: str | None
) -> list[Subnet]:
    out = []
    for slot, az in azs.items():
        key = f"{allocation.stack}/{vpc}/az{slot}/{tier}"
        name = f"{vpc}-{tier}-{letter(slot)}"
        out.append(
            Subnet(
                name=name,
                vpc=vpc,
                tier=tier,
                az=az,
                slot=slot,
                cidr=str(allocation.entries[key]),
                route_table=table or f"{vpc}-{tier}-{letter(slot)}",
                lock_key=key,
                new=allocation.is_new(key),
            )
        )
    return out


class _SecureDefaults(TypedDict):
    flow_log: FlowLog | None
    endpoints: tuple[GatewayEndpoint, ...]
    default_security_group: DefaultSecurityGroup


def _common(spec: StackSpec, vpc: str, tables: list[RouteTable]) -> _SecureDefaults:
    """What every VPC gets: flow logs, gateway endpoints, a closed default SG."""
    net = spec.network
    flow = net.flow_logs
    return {
        "flow_log": FlowLog(
            f"{vpc}-flow-log",
            vpc,
            flow.destination,
            flow.traffic_type,
            flow.retention_days,
            f"/foundation/{spec.name}/{vpc}/flow-logs",
            flow.bucket_arn,
            kms_key=flow.kms_key,
            kms_key_arn=flow.kms_key_arn,
        )
        if flow.enabled
        else None,
        "endpoints": tuple(
            GatewayEndpoint(
                f"{vpc}-endpoint-{svc}", vpc, svc, tuple(t.name for t in tables if t.private)
            )
            for svc in net.gateway_endpoints
            if any(t.private for t in tables)
        ),
        "default_security_group": DefaultSecurityGroup(f"{vpc}-default-sg", vpc),
    }


def allocated_vpc(
    spec: StackSpec,
    allocation: Allocation,
    name: str,
    role: Literal["hub", "spoke", "inspection", "services"],
    subnets: list[Subnet],
    tables: list[RouteTable],
    segment: str | None = None,
    **extra: Any,
) -> Vpc:
    """A VPC with what the allocation and the stack decide for every VPC alike.

    Its CIDR, lock key and AZ slots come from the allocation, its flow log, endpoints and
    default security group from the stack's secure defaults; `extra` sets the rest.
    """
    key = f"{spec.name}/{name}"
    return Vpc(
        name=name,
        role=role,
        segment=segment,
        cidr=str(allocation.vpc(name)),
        lock_key=key,
        az_slots=allocation.slot_capacity.get(name, 0),
        subnets=tuple(subnets),
        route_tables=tuple(tables),
        new=allocation.is_new(key),
        **_common(spec, name, tables),
        **extra,
    )


def _hub(spec: StackSpec, allocation: Allocation, azs: Mapping[int, str], pool: str) -> Vpc:
    net = spec.network
    egress = net.hub.egress
    nats = (
        []
        if egress == "none"
        else [
            NatGateway(
                f"hub-nat-{letter(s)}",
                azs[s],
                f"hub-public-{letter(s)}",
                f"hub-nat-{letter(s)}-eip",
            )
            for s in (list(azs) if egress == "nat-per-az" else [min(azs)])
        ]
    )
    nat_of = dict(zip(azs, nats, strict=False)) if egress == "nat-per-az" else {}

    def to_nat(slot: int) -> tuple[Route, ...]:
        if not nats:
            return ()
        nat = nat_of[slot] if egress == "nat-per-az" else nats[0]
        return (Route(DEFAULT_ROUTE, RouteTarget("nat", nat.name)),)

    subnets: list[Subnet] = []
    tables: list[RouteTable] = []
    for tier in _tiers(allocation, "hub", min(azs)):
        tier_subnets = _subnets(allocation, "hub", tier, azs, None)
        subnets += tier_subnets
        for sub in tier_subnets:
            if tier == "public":
                routes: tuple[Route, ...] = (
                    Route(DEFAULT_ROUTE, RouteTarget("igw")),
                    Route(pool, RouteTarget("tgw")),
                )
            elif tier == "transit":
                routes = to_nat(sub.slot)
            else:
                routes = (*to_nat(sub.slot), Route(pool, RouteTarget("tgw")))
            tables.append(
                RouteTable(
                    sub.route_table,
                    "hub",
                    routes,
                    (sub.name,),
                    private=tier not in ("public", "transit"),
                )
            )
    return allocated_vpc(
        spec,
        allocation,
        "hub",
        "hub",
        subnets,
        tables,
        nat_gateways=tuple(nats),
        internet_gateway="hub-igw",
    )


def _spoke(
    spec: StackSpec, allocation: Allocation, azs: Mapping[int, str], pool: str, name: str
) -> Vpc:
    net = spec.network
    outbound = (
        Route(pool, RouteTarget("tgw"))
        if net.hub.egress == "none"
        else Route(DEFAULT_ROUTE, RouteTarget("tgw"))
    )
    subnets: list[Subnet] = []
    tables: list[RouteTable] = []
    for tier in _tiers(allocation, name, min(azs)):
        table = f"{name}-{tier}"
        tier_subnets = _subnets(allocation, name, tier, azs, table)
        subnets += tier_subnets
        routes = () if tier == "transit" else (outbound,)
        tables.append(
            RouteTable(
                table, name, routes, tuple(s.name for s in tier_subnets), private=tier != "transit"
            )
        )
    spoke = net.spokes[name]
    return allocated_vpc(
        spec, allocation, name, "spoke", subnets, tables, spoke.segment, account=spoke.account
    )


def _accounts(net: NetworkSpec) -> tuple[Account, ...]:
    """The network account first, then every account a spoke uses, by name."""
    pin = net.accounts.get(NETWORK)
    out = [Account(NETWORK, str(pin.id) if pin and pin.id is not None else None)]
    used = sorted({s.account for s in net.spokes.values()} - {NETWORK})
    for name in used:
        a = net.accounts[name]
        out.append(Account(name, str(a.id), a.role, a.read_role or a.role))
    return tuple(out)


def _share(spec: StackSpec, accounts: tuple[Account, ...]) -> RamShare | None:
    """The RAM share of the TGW: with spokes in other accounts, or principals listed."""
    net = spec.network
    share = net.share
    spoke_accounts = [a for a in accounts if a.name != NETWORK]
    if not spoke_accounts and not (share and share.principals):
        return None
    principals = (
        tuple(share.principals)
        if share and share.principals
        else tuple(sorted({str(a.id) for a in spoke_accounts}))
    )
    accept = bool(share and share.accept_invitations)
    return RamShare(
        name="tgw-share",
        principals=principals,
        allow_external_principals=bool(share and share.allow_external_principals),
        accepters=tuple(a.name for a in spoke_accounts) if accept else (),
    )


def _transit(spec: StackSpec, vpcs: list[Vpc], pool: str) -> TransitGateway:
    net = spec.network
    reach = reachable_segments(net)
    attachments = tuple(
        TgwAttachment(
            v.name, v.name, tuple(s.name for s in v.subnets_of("transit")), account=v.account
        )
        for v in vpcs
    )
    spokes = [v for v in vpcs if v.role == "spoke"]
    tables = []
    for segment in sorted(net.segments):
        statics = [TgwStaticRoute(pool, blackhole=True)]
        if net.hub.egress != "none":
            statics.insert(0, TgwStaticRoute(DEFAULT_ROUTE, attachment="hub"))
        tables.append(
            TgwRouteTable(
                name=segment,
                associations=tuple(s.name for s in spokes if s.segment == segment),
                propagations=tuple(s.name for s in spokes if s.segment in reach[segment]),
                static_routes=tuple(statics),
            )
        )
    tables.append(TgwRouteTable("hub", ("hub",), tuple(s.name for s in spokes), ()))
    tgw = net.transit_gateway
    return TransitGateway(
        name="tgw",
        asn=tgw.asn,
        auto_accept_shared_attachments=tgw.auto_accept_shared_attachments,
        default_route_table_association=False,
        default_route_table_propagation=False,
        dns_support=True,
        attachments=attachments,
        route_tables=tuple(tables),
    )


def _unique_names(plan_vpcs: list[Vpc], source: str) -> None:
    names: Counter[tuple[str, str]] = Counter()
    for v in plan_vpcs:
        names.update(("subnet", s.name) for s in v.subnets)
        names.update(("route table", t.name) for t in v.route_tables)
    clashes = [f"{kind} {name}" for (kind, name), n in names.items() if n > 1]
    if clashes:
        raise InputError(
            [
                Problem(
                    source,
                    "foundation:network.spokes",
                    f"two resources would share the name {c}",
                    "rename the spoke or tier so logical names stay unique",
                )
                for c in sorted(clashes)
            ]
        )


def build_plan(
    spec: StackSpec,
    allocation: Allocation,
    azs: list[str],
    pool: str,
    pool_allocatable: int = 0,
    pool_allocated: int = 0,
) -> NetworkPlan:
    """Build the NetworkPlan of a stack from its spec, allocation and resolved AZs.

    Args:
        spec: the validated stack.
        allocation: its CIDRs (and, for an explicit AZ list, the binding of AZs to slots).
        azs: the resolved AZ names (or IDs) of the config's AZs, in config order (the first
            N for a count); slots are mapped to them by `slot_positions`. AZ IDs when spokes
            live in other accounts (the lock then binds AZ IDs to slots).
        pool: the pool CIDR (blackholed at the TGW, routed back from the hub).
        pool_allocatable: addresses of the pool less reserved ranges.
        pool_allocated: addresses of the pool allocated to VPCs (all stacks).
    """
    net = spec.network
    positions = slot_positions(spec, allocation)
    by_slot = {slot: azs[position] for slot, position in positions.items()}
    vpcs = [_hub(spec, allocation, by_slot, pool)]
    vpcs += [_spoke(spec, allocation, by_slot, pool, name) for name in sorted(net.spokes)]
    if net.inspection is not None:  # DESIGN §3.10 (imported here: it builds on this module)
        from foundation.network.inspection import inspection_vpc

        vpcs.append(inspection_vpc(spec, allocation, by_slot))
    _unique_names(vpcs, spec.source)
    segments = tuple(
        Segment(n, tuple(s.connects_to), s.isolated) for n, s in sorted(net.segments.items())
    )
    accounts = _accounts(net)
    transit = _transit(spec, vpcs, pool)
    inspection = None
    if net.inspection is not None:  # §3.10 first: hybrid and shared services are not inspected
        from foundation.network.inspection import plan_firewall, route_through_inspection

        spokes = [v for v in vpcs if v.role == "spoke"]
        reach = reachable_segments(net)
        transit = route_through_inspection(spec, transit, spokes, reach, pool)
        inspection = plan_firewall(spec, vpcs[-1], spokes, reach, pool)
    from foundation.network.services import add_shared_services, with_hybrid  # they build on us

    onprem_cidrs = tuple(net.on_premises.cidrs) if net.on_premises else ()
    vpcs, transit, shared = add_shared_services(
        spec, allocation, by_slot, pool, vpcs, transit, onprem_cidrs
    )
    dns = shared is not None and (shared.inbound is not None or shared.outbound is not None)
    # §3.14 with §3.15: on-premises reaches `services` for DNS, and `services` reaches back
    vpcs, transit, on_premises = apply_hybrid(
        spec, vpcs, transit, also=(shared.vpc,) if shared is not None and dns else ()
    )
    transit = with_hybrid(transit, shared, tuple(h.name for h in transit.hybrid))
    monitoring = plan_monitoring(spec.name, net.alarms, vpcs[0].nat_gateways, transit)
    if monitoring is not None and inspection is not None:
        from foundation.network.inspection import firewall_alarms

        extra = firewall_alarms(spec.name, inspection, monitoring.runbook_base_url)
        monitoring = replace(monitoring, alarms=monitoring.alarms + extra)
    return NetworkPlan(
        stack=spec.name,
        region=spec.region,
        pool_name=net.pool,
        pool_cidr=pool,
        availability_zones=tuple(by_slot.values()),
        az_slots=tuple(by_slot),
        az_positions=tuple(positions.values()),
        egress=net.hub.egress,
        production=net.production,
        segments=segments,
        vpcs=tuple(vpcs),
        transit_gateway=transit,
        warnings=allocation.warnings,
        new_allocations=tuple(sorted(allocation.new)),
        allocated_cidrs=tuple((k, str(allocation.entries[k])) for k in sorted(allocation.new)),
        released_allocations=tuple((k, str(v)) for k, v in sorted(allocation.released.items())),
        quota_headroom=net.quotas.headroom,
        pool_allocatable=pool_allocatable,
        pool_allocated=pool_allocated,
        accounts=accounts,
        share=_share(spec, accounts),
        az_ids=net.multi_account,
        monitoring=monitoring,
        inspection=inspection,
        on_premises=on_premises,
        shared_services=shared,
    )


def with_azs(plan: NetworkPlan, azs: list[str]) -> NetworkPlan:
    """The plan with its AZ names replaced slot by slot (offline names -> live names).

    Args:
        plan: the plan.
        azs: the live AZ names of the config's AZs, in config order (the first N for a count).
    """
    live = [azs[p] for p in plan.positions]
    mapping = dict(zip(plan.availability_zones, live, strict=True))
    vpcs = tuple(
        replace(
            v,
            subnets=tuple(replace(s, az=mapping[s.az]) for s in v.subnets),
            nat_gateways=tuple(replace(n, az=mapping[n.az]) for n in v.nat_gateways),
            route_tables=tuple(
                replace(
                    t,
                    routes=tuple(
                        replace(r, target=replace(r.target, az=mapping[r.target.az]))
                        if r.target.az
                        else r
                        for r in t.routes
                    ),
                )
                for t in v.route_tables
            ),
        )
        for v in plan.vpcs
    )
    inspection = plan.inspection
    if inspection is not None:
        inspection = replace(
            inspection,
            endpoints=tuple(replace(e, az=mapping[e.az]) for e in inspection.endpoints),
        )
    monitoring = plan.monitoring
    if monitoring is not None:
        alarms = tuple(
            replace(
                a,
                extra_dimensions=tuple(
                    (k, mapping[v] if k == "AvailabilityZone" else v) for k, v in a.extra_dimensions
                ),
            )
            for a in monitoring.alarms
        )
        monitoring = replace(monitoring, alarms=alarms)
    return replace(
        plan,
        availability_zones=tuple(live),
        vpcs=vpcs,
        inspection=inspection,
        monitoring=monitoring,
    )
