"""Drift of the hybrid parts (DESIGN §3.14): VPN connections, gateways, attachments.

Also the prefixes on-premises announces outside `onPremises.cidrs`.

The associations, propagations and blackholes of the hybrid attachments are TGW table
links like any other and are compared by the generic TGW reads; this module names the
hybrid attachments first (from their tags, or from their VPN connection's), so a
hand-added propagation of `vpn-dc1` into another table reads as exactly that.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from netaddr import IPNetwork, IPSet

from foundation.live.aws import Aws
from foundation.live.drift.model import UNREPORTED, Item
from foundation.network.model import NetworkPlan

if TYPE_CHECKING:
    from foundation.live.drift.observe import Observed, _Names

GONE = ("deleted", "deleting")
HYBRID_TYPES = {"vpn": "vpn", "direct-connect-gateway": "directConnect"}


def _tags(resource: dict[str, Any]) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in resource.get("Tags", []) or []}


def hybrid_items(plan: NetworkPlan) -> list[Item]:
    """What the plan's hybrid attachments should be live (none without onPremises)."""
    items = []
    for h in plan.transit_gateway.hybrid:
        items.append(Item("hybrid-attachment", h.name, {"type": h.type}))
        if h.type == "vpn":
            cgw = f"cgw-{h.customer_gateway}"
            items.append(Item("customer-gateway", cgw, {"ip": str(h.ip), "asn": str(h.asn)}))
            items.append(
                Item(
                    "vpn-connection",
                    h.name,
                    {"state": "available", "customerGateway": cgw, "routing": "bgp"},
                )
            )
    return items


def observe_hybrid(
    aws: Aws, out: Observed, names: _Names, tgws: list[dict[str, Any]], hybrid: bool
) -> None:
    """Read customer gateways, VPN connections and hybrid attachments of the stack's TGW.

    Three calls, only when the plan has hybrid attachments: a stack without `onPremises`
    makes exactly the calls it made before.
    """
    if not hybrid:
        return
    tgw_ids = {t["TransitGatewayId"] for t in tgws}
    attachments = [
        a
        for a in aws.pages(
            "ec2",
            "describe_transit_gateway_attachments",
            "TransitGatewayAttachments",
            Filters=[{"Name": "resource-type", "Values": list(HYBRID_TYPES)}],
        )
        if a.get("TransitGatewayId") in tgw_ids
        and a.get("ResourceType") in HYBRID_TYPES
        and a.get("State") not in GONE
    ]
    for c in aws.call(
        "ec2",
        "describe_customer_gateways",
        Filters=[{"Name": "tag:foundation:stack", "Values": [names.stack]}],
    )["CustomerGateways"]:
        if c.get("State") in GONE:
            continue
        name, tagged = names.learn(c["CustomerGatewayId"], c)
        attrs = {"ip": c.get("IpAddress", ""), "asn": str(c.get("BgpAsn", ""))}
        out.add(Item("customer-gateway", name, attrs, _tags(c), tagged, producible=tagged))
    for v in aws.call("ec2", "describe_vpn_connections")["VpnConnections"]:
        if v.get("TransitGatewayId") not in tgw_ids or v.get("State") in GONE:
            continue
        name, tagged = names.learn(v["VpnConnectionId"], v)
        options = v.get("Options") or {}
        routing = (
            ("static" if options["StaticRoutesOnly"] else "bgp")
            if "StaticRoutesOnly" in options
            else UNREPORTED  # moto reports no Options
        )
        attrs = {
            "state": v.get("State", ""),
            "customerGateway": names(v.get("CustomerGatewayId")),
            "routing": routing,
        }
        out.add(Item("vpn-connection", name, attrs, _tags(v), tagged, producible=tagged))
    for a in attachments:
        rid = a["TransitGatewayAttachmentId"]
        name, tagged = names.learn(rid, a)
        if not tagged and a.get("ResourceId") in names.tagged:
            name, tagged = names(a["ResourceId"]), True  # named after its VPN connection
            names.names[rid] = name
            names.tagged.add(rid)
        out.add(
            Item(
                "hybrid-attachment",
                name,
                {"type": HYBRID_TYPES[a["ResourceType"]]},
                _tags(a),
                tagged,
                producible=tagged,
            )
        )


def observe_learned(aws: Aws, out: Observed, names: _Names, onprem: tuple[str, ...]) -> None:
    """Prefixes the hybrid attachments propagate outside `onPremises.cidrs`.

    One call per managed TGW table: BGP brings whatever on-premises announces, e.g. a
    0.0.0.0/1 that would capture egress.
    """
    if not onprem:
        return
    allowed = IPSet([IPNetwork(c) for c in onprem])
    tables = sorted(
        rid for rid in names.tagged if rid.startswith("tgw-rtb-")
    )  # the managed TGW tables, read by the generic pass
    for rid in tables:
        routes = aws.call(
            "ec2",
            "search_transit_gateway_routes",
            TransitGatewayRouteTableId=rid,
            Filters=[{"Name": "type", "Values": ["propagated"]}],
        )["Routes"]
        for r in routes:
            via = [
                x
                for x in r.get("TransitGatewayAttachments") or []
                if x.get("ResourceType") in HYBRID_TYPES
            ]
            destination = r.get("DestinationCidrBlock", "")
            if not via or not destination or IPSet([IPNetwork(destination)]) <= allowed:
                continue
            out.add(
                Item(
                    "tgw-learned-route",
                    f"{names(rid)} {destination}",
                    {"via": names(via[0].get("TransitGatewayAttachmentId"))},
                    tagged=False,
                    producible=False,
                )
            )
