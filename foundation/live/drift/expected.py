"""What the plan says should be live, as Items keyed by (type, logical name). Pure."""

from __future__ import annotations

from dataclasses import replace

from foundation.live.drift.hybrid import hybrid_items
from foundation.live.drift.model import Item
from foundation.live.drift.peering import expected_peerings
from foundation.live.drift.services import TAGGABLE as SERVICES_TAGGABLE
from foundation.live.drift.services import services_items
from foundation.network.model import NetworkPlan

TAGGABLE = {
    "vpc",
    "subnet",
    "route-table",
    "internet-gateway",
    "nat-gateway",
    "elastic-ip",
    "transit-gateway",
    "tgw-attachment",
    "tgw-route-table",
    "default-security-group",
    "flow-log",
    "gateway-endpoint",
} | SERVICES_TAGGABLE


def _target(kind: str, name: str | None) -> str:
    return f"nat:{name}" if kind == "nat" else kind  # a firewall endpoint: "firewall"


def expected_items(plan: NetworkPlan) -> dict[tuple[str, str], Item]:
    """Every resource the plan creates, with the attributes drift compares."""
    items: list[Item] = []
    for v in plan.vpcs:
        first = len(items)
        items.append(Item("vpc", v.name, {"cidr": v.cidr}))
        for s in v.subnets:
            items.append(
                Item(
                    "subnet",
                    s.name,
                    {
                        "vpc": v.name,
                        "cidr": s.cidr,
                        ("azId" if plan.az_ids else "az"): s.az,
                        "routeTable": s.route_table,
                        "mapPublicIpOnLaunch": str(v.map_public_ip_on_launch).lower(),
                    },
                )
            )
        for t in v.route_tables:
            items.append(Item("route-table", t.name, {"vpc": v.name}))
            for r in t.routes:
                items.append(
                    Item(
                        "route",
                        f"{t.name} {r.destination}",
                        {"target": _target(r.target.type, r.target.name)},
                    )
                )
        if v.internet_gateway:
            items.append(Item("internet-gateway", v.internet_gateway, {"vpc": v.name}))
        for n in v.nat_gateways:
            items.append(Item("nat-gateway", n.name, {"subnet": n.subnet, "state": "available"}))
            items.append(Item("elastic-ip", n.eip, {}))
        if v.default_security_group:
            items.append(
                Item(
                    "default-security-group",
                    v.default_security_group.name,
                    {"vpc": v.name, "ingressRules": "0", "egressRules": "0"},
                )
            )
        if v.flow_log:
            items.append(
                Item(
                    "flow-log",
                    v.flow_log.name,
                    {
                        "vpc": v.name,
                        "trafficType": v.flow_log.traffic_type,
                        "destinationType": "cloud-watch-logs"
                        if v.flow_log.destination == "cloudwatch"
                        else "s3",
                    },
                )
            )
        for e in v.endpoints:
            items.append(
                Item(
                    "gateway-endpoint",
                    e.name,
                    {
                        "vpc": v.name,
                        "service": e.service,
                        "routeTables": ",".join(sorted(e.route_tables)),
                    },
                )
            )
        items[first:] = [replace(i, account=v.account) for i in items[first:]]
    tgw = plan.transit_gateway
    items.append(
        Item(
            "transit-gateway",
            tgw.name,
            {
                "autoAcceptSharedAttachments": "enable"
                if tgw.auto_accept_shared_attachments
                else "disable",
                "defaultRouteTableAssociation": "disable",
                "defaultRouteTablePropagation": "disable",
                "dnsSupport": "enable",
                "amazonSideAsn": str(tgw.asn),
            },
        )
    )
    for a in tgw.attachments:
        items.append(
            Item(
                "tgw-attachment",
                a.name,
                {
                    "vpc": a.vpc,
                    "subnets": ",".join(sorted(a.subnets)),
                    # the inspection attachment's appliance mode keeps flows symmetric (§3.10)
                    **({"applianceMode": "enable"} if a.appliance_mode else {}),
                },
                account=a.account,
            )
        )
    for table in tgw.route_tables:
        items.append(Item("tgw-route-table", table.name, {}))
        items += [Item("tgw-association", f"{table.name} {a}", {}) for a in table.associations]
        items += [Item("tgw-propagation", f"{table.name} {a}", {}) for a in table.propagations]
        items += [
            Item(
                "tgw-route",
                f"{table.name} {s.destination}",
                {"target": "blackhole" if s.blackhole else f"attachment:{s.attachment}"},
            )
            for s in table.static_routes
        ]
    items += expected_peerings(plan)
    items += alarm_items(plan)
    items += hybrid_items(plan)
    items += services_items(plan)  # DESIGN §3.15: nothing without shared services
    return {(i.type, i.name): i for i in items}


def topic_name(arn_or_name: str) -> str:
    """A topic's name from its ARN (alarm actions are compared by topic, not by account)."""
    return arn_or_name.rsplit(":", 1)[-1]


def alarm_items(plan: NetworkPlan) -> list[Item]:
    """The CloudWatch alarms of DESIGN §3.13: each must exist and notify the topic."""
    monitoring = plan.monitoring
    if monitoring is None:
        return []
    topic = topic_name(monitoring.topic.name or str(monitoring.topic.arn))
    return [
        Item(
            "alarm",
            a.name,
            {
                "metric": f"{a.namespace} {a.metric}",
                "subject": a.subject,
                "actionsEnabled": "true",
                "alarmActions": topic,
                "okActions": topic,
            },
        )
        for a in monitoring.alarms
    ]
