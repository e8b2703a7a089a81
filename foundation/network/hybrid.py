"""The `onPremises:` block built into the plan (DESIGN §3.14): hybrid attachments and tables.

- one VPN attachment `vpn-<gateway>` per customer gateway, and `dx` for a DX gateway;
- TGW table `onprem`, associated with every hybrid attachment, routes to what
  `onprem_destinations` lists (the spokes of the listed segments; §3.15 adds `services`);
- the listed segments' tables learn the on-premises prefixes (propagation from every
  hybrid attachment); every other segment table blackholes the on-premises CIDRs;
- spokes of listed segments whose route tables do not already send the on-premises
  CIDRs to the TGW (hub `egress: none`: only the pool goes there) get a route for each.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from netaddr import IPNetwork, IPSet, cidr_merge

from foundation.config.hybrid import PATH
from foundation.config.spec import StackSpec
from foundation.errors import InputError, Problem
from foundation.network.model import (
    HybridAttachment,
    OnPremises,
    Route,
    RouteTable,
    RouteTarget,
    TgwRouteTable,
    TgwStaticRoute,
    TransitGateway,
    Vpc,
)

ONPREM_TABLE = "onprem"
DX_ATTACHMENT = "dx"
DX_ALLOWED_PREFIXES = 200  # allowed prefixes per DX gateway association to a TGW (AWS quota)


def vpn_attachment(gateway: str) -> str:
    """The logical name of a customer gateway's VPN attachment."""
    return f"vpn-{gateway}"


def onprem_destinations(
    vpcs: Sequence[Vpc], segments: Sequence[str], also: Sequence[str] = ()
) -> list[Vpc]:
    """What the `onprem` table routes to and the hybrid attachments advertise.

    `also` names further VPCs on-premises reaches: §3.15's `services` when it serves DNS.
    """
    return [v for v in vpcs if (v.role == "spoke" and v.segment in segments) or v.name in also]


def summarise(cidrs: Sequence[str], source: str) -> tuple[str, ...]:
    """Adjacent CIDRs merged (never widened past what is routed), within the DX limit."""
    merged = tuple(str(n) for n in cidr_merge([IPNetwork(c) for c in cidrs]))
    if len(merged) > DX_ALLOWED_PREFIXES:
        raise InputError.single(
            source,
            f"{PATH}.segments",
            f"on-premises would be advertised {len(merged)} prefixes; a Direct Connect "
            f"association allows {DX_ALLOWED_PREFIXES}",
            "list fewer segments, or give their spokes adjacent CIDRs (explicit cidr:)",
        )
    return merged


def _overlaps(cidrs: Sequence[str], vpcs: Sequence[Vpc], source: str) -> None:
    problems = [
        Problem(
            source,
            f"{PATH}.cidrs[{i}]",
            f"{cidr} overlaps VPC {v.name} ({v.cidr})",
            "on-premises and VPC ranges must not overlap (REL02-BP05): correct the range, "
            "or reserve it in addresses.yaml before the VPC is allocated",
        )
        for i, cidr in enumerate(cidrs)
        for v in vpcs
        if not IPSet([IPNetwork(cidr)]).isdisjoint(IPSet([IPNetwork(v.cidr)]))
    ]
    if problems:
        raise InputError(problems)


def _to_tgw(table: RouteTable, cidrs: Sequence[str]) -> RouteTable:
    """A workload table with a TGW route for each on-premises CIDR not yet sent there."""
    via_tgw = [IPNetwork(r.destination) for r in table.routes if r.target.type == "tgw"]
    extra = tuple(
        Route(c, RouteTarget("tgw"))
        for c in cidrs
        if not any(IPNetwork(c) in net for net in via_tgw)
    )
    return replace(table, routes=table.routes + extra) if extra else table


def apply_hybrid(
    spec: StackSpec, vpcs: list[Vpc], transit: TransitGateway, also: Sequence[str] = ()
) -> tuple[list[Vpc], TransitGateway, OnPremises | None]:
    """The VPCs and TGW with the hybrid attachments and tables; unchanged without the block.

    `also`: VPCs besides the listed spokes that on-premises reaches (§3.15's DNS).

    Raises:
        InputError: an on-premises CIDR overlaps an allocated VPC, or too many prefixes.
    """
    block = spec.network.on_premises
    if block is None:
        return vpcs, transit, None
    cidrs = tuple(block.cidrs)
    _overlaps(cidrs, vpcs, spec.source)
    listed = tuple(block.segments)
    reached = onprem_destinations(vpcs, listed, also)
    advertises = summarise([v.cidr for v in reached], spec.source) if reached else ()
    hybrid = [
        HybridAttachment(
            vpn_attachment(name),
            "vpn",
            name,
            tuple(gw.cidrs or cidrs),
            advertises,
            ip=gw.ip,
            asn=gw.asn,
        )
        for name, gw in sorted(block.vpn.items())
    ]
    dx = block.direct_connect
    if dx is not None:
        hybrid.append(
            HybridAttachment(
                DX_ATTACHMENT,
                "directConnect",
                None,
                cidrs,
                advertises,
                gateway_id=dx.gateway_id,
            )
        )
    names = tuple(h.name for h in hybrid)
    tables = []
    for t in transit.route_tables:
        if t.name in listed:
            t = replace(t, propagations=t.propagations + names)
        elif t.name in spec.network.segments:
            blackholes = tuple(TgwStaticRoute(c, blackhole=True) for c in cidrs)
            t = replace(t, static_routes=t.static_routes + blackholes)
        tables.append(t)
    tables.append(TgwRouteTable(ONPREM_TABLE, names, tuple(v.name for v in reached), ()))
    reached_names = {v.name for v in reached}
    out = [
        replace(
            v,
            route_tables=tuple(_to_tgw(t, cidrs) if t.private else t for t in v.route_tables),
        )
        if v.name in reached_names and v.role == "spoke"
        else v
        for v in vpcs
    ]
    return (
        out,
        replace(transit, route_tables=tuple(tables), hybrid=tuple(hybrid)),
        OnPremises(cidrs, listed),
    )
