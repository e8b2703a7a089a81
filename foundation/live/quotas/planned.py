"""What the plan consumes of each quota, per scope (pure: no AWS)."""

from __future__ import annotations

from collections import Counter

from foundation.live.quotas.firewall import planned_firewall_usage
from foundation.live.quotas.services_planned import services_planned
from foundation.network.model import NetworkPlan

Usage = dict[str, dict[str, int]]  # counter -> scope id -> count


def tgw_routes(plan: NetworkPlan) -> set[tuple[str, str]]:
    """Every route the plan puts in the TGW: (table, destination), static and propagated.

    "Routes per transit gateway" (L-BCC1FB47) counts both kinds across all its tables; a
    propagation brings the attached VPC's CIDR into the table.
    """
    cidr = {v.name: v.cidr for v in plan.vpcs}
    routes = set()
    for table in plan.transit_gateway.route_tables:
        routes |= {(table.name, r.destination) for r in table.static_routes}
        routes |= {(table.name, cidr[a]) for a in table.propagations if a in cidr}
        hybrid = {h.name: h.prefixes for h in plan.transit_gateway.hybrid}  # §3.14
        routes |= {(table.name, p) for a in table.propagations for p in hybrid.get(a, ())}
    return routes


def planned_usage(plan: NetworkPlan, account: str = "network") -> Usage:
    """Planned count of every counter per scope id (region name, AZ, VPC, table, TGW).

    Only what is created in `account` counts: the Transit Gateway and its tables in the
    network account, each VPC in its own account (DESIGN §3.8).
    """
    region, tgw = plan.region, plan.transit_gateway
    vpcs = plan.vpcs_in(account)
    nats = Counter(n.az for v in vpcs for n in v.nat_gateways)
    endpoint_routes: Counter[str] = Counter(
        t for v in vpcs for e in v.endpoints for t in e.route_tables
    )
    usage: Usage = {
        "vpcs": {region: len(vpcs)},
        "internet-gateways": {region: sum(1 for v in vpcs if v.internet_gateway)},
        "elastic-ips": {region: sum(len(v.nat_gateways) for v in vpcs)},
        "nat-gateways": {az: nats.get(az, 0) for az in plan.availability_zones},
        "gateway-endpoints": {region: sum(len(v.endpoints) for v in vpcs)},
        "security-groups": {region: len(vpcs)},
        "subnets": {v.name: len(v.subnets) for v in vpcs},
        "cidr-blocks": {v.name: 1 for v in vpcs},
        "route-tables": {v.name: len(v.route_tables) + 1 for v in vpcs},  # + main table
        "network-acls": {v.name: 1 for v in vpcs},  # the default NACL
        "routes": {
            t.name: len(t.routes) + endpoint_routes.get(t.name, 0)
            for v in vpcs
            for t in v.route_tables
        },
        "tgw-per-vpc": {v.name: 1 for v in vpcs},
    }
    if account == "network":
        usage |= {
            "transit-gateways": {region: 1},
            # VPN and DX attachments (§3.14) and peerings (§3.9) are TGW attachments too
            "tgw-attachments": {tgw.name: len(tgw.attachments) + len(tgw.hybrid)},
            "tgw-route-tables": {tgw.name: len(tgw.route_tables)},
            "tgw-routes": {tgw.name: len(tgw_routes(plan))},
        }
        usage |= hybrid_usage(plan)
        usage |= planned_firewall_usage(plan)  # only with inspection (DESIGN §3.10)
        if tgw.peerings:  # DESIGN §3.9: peering attachments count as attachments too
            peerings = len(tgw.peerings)
            usage["tgw-attachments"] = {tgw.name: usage["tgw-attachments"][tgw.name] + peerings}
            usage["tgw-peering-attachments"] = {tgw.name: peerings}
    usage |= services_planned(plan, account)  # DESIGN §3.15: empty without the block
    return usage


def hybrid_usage(plan: NetworkPlan) -> Usage:
    """VPN connections and customer gateways (§3.14); nothing without hybrid attachments."""
    vpns = sum(1 for h in plan.transit_gateway.hybrid if h.type == "vpn")
    if not vpns:
        return {}
    return {"vpn-connections": {plan.region: vpns}, "customer-gateways": {plan.region: vpns}}
