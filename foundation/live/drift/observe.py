"""Read the live network (read-only) into Items keyed like the plan's.

Managed resources are found by the tags of DESIGN §3.5; everything inside their scope
(subnets and route tables of managed VPCs, routes of managed route tables, attachments,
associations, propagations and static routes of the managed TGW, default security group
rules) is read too, so hand-made additions show up. Every read is a paged describe
filtered by tag or by the managed VPC ids (in chunks of 200), so the number of calls does
not grow with the number of spokes. TGW associations and propagations are read from the
route-table side (moto reports them wrongly from the attachment side).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from botocore.exceptions import ClientError

from foundation.config.accounts import NETWORK
from foundation.live.accounts import Sessions
from foundation.live.aws import Aws, client_error
from foundation.live.drift.expected import topic_name
from foundation.live.drift.hybrid import observe_hybrid, observe_learned
from foundation.live.drift.model import UNREPORTED, Item
from foundation.live.drift.peering import observe_peerings
from foundation.live.drift.services import interface_item

STACK, NAME = "foundation:stack", "foundation:name"
CHUNK = 200  # values per EC2 filter
GONE_NAT = {"deleted", "deleting", "failed"}


def _tags(resource: dict[str, Any]) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in resource.get("Tags", []) or []}


@dataclass
class Observed:
    """Live Items, plus whether anything of the stack exists at all."""

    items: dict[tuple[str, str], Item] = field(default_factory=dict)
    deployed: bool = False
    account: str = NETWORK  # the account being read: every item added names it
    ids: dict[str, str] = field(default_factory=dict)  # AWS id -> logical name, all accounts

    def add(self, item: Item, account: str | None = None) -> None:
        """Record an item (a second item with the same key gets the id appended)."""
        item = replace(item, account=account or self.account)
        key = (item.type, item.name)
        if key in self.items:
            item = Item(
                item.type,
                f"{item.name} ({len(self.items)})",
                item.attrs,
                item.tags,
                item.tagged,
                item.producible,
                item.account,
            )
            key = (item.type, item.name)
        self.items[key] = item


class _Names:
    """Maps resource ids to logical names (from tags; ids stand in for untagged ones)."""

    def __init__(self, stack: str):
        self.stack = stack
        self.names: dict[str, str] = {}
        self.tagged: set[str] = set()  # ids carrying this stack's tags

    def ours(self, resource: dict[str, Any]) -> bool:
        return _tags(resource).get(STACK) == self.stack

    def learn(self, rid: str, resource: dict[str, Any]) -> tuple[str, bool]:
        tags = _tags(resource)
        tagged = tags.get(STACK) == self.stack and NAME in tags
        name = tags[NAME] if tagged else rid
        self.names[rid] = name
        if tagged:
            self.tagged.add(rid)
        return name, tagged

    def __call__(self, rid: str | None) -> str:
        return self.names.get(rid or "", rid or "")


def _chunks(values: list[str]) -> Iterator[list[str]]:
    for i in range(0, len(values), CHUNK):
        yield values[i : i + CHUNK]


def observe(
    aws: Aws | Sessions,
    stack: str,
    pool: str,
    stack_cidrs: set[str],
    alarms: frozenset[str] = frozenset(),
    onprem: tuple[str, ...] | None = None,
    peerings: Mapping[str, str] | None = None,
) -> Observed:
    """Read everything of the stack, and everything inside its scope, from AWS.

    Across accounts (DESIGN §3.8) each account is read through its own session: its VPCs
    and everything inside them; the Transit Gateway side (attachments, tables,
    associations, propagations, static routes) and the alarms (they watch the hub's NAT
    gateways and the TGW) in the network account. One name map spans the accounts, so a
    cross-account attachment is named after its spoke. `alarms` are the logical names of
    the alarms the plan expects (read only when any). `onprem`: the on-premises CIDRs
    when the plan has hybrid attachments (DESIGN §3.14), else None.
    """
    sessions = aws if isinstance(aws, Sessions) else Sessions(aws)
    try:
        out = Observed()
        names = _Names(stack)
        network = sessions.network
        tgws = [
            t
            for t in network.pages("ec2", "describe_transit_gateways", "TransitGateways")
            if names.ours(t) and t.get("State") not in ("deleted", "deleting")
        ]
        found = False
        for account, session in sessions:
            out.account = account
            found |= _observe_account(session, out, names, pool, stack_cidrs, tgws)
        out.account = NETWORK
        out.ids = names.names
        out.deployed = found or bool(tgws)
        if out.deployed:
            # hybrid attachments are named first, so their TGW links read by name (§3.14)
            observe_hybrid(network, out, names, tgws, hybrid=onprem is not None)
            if peerings:  # DESIGN §3.9: before the routes, so they name the peering
                tgw_ids = {t["TransitGatewayId"] for t in tgws}
                observe_peerings(network, tgw_ids, _tags, names, out.add, peerings)
            _observe_tgw(network, out, names, tgws)
            observe_learned(network, out, names, onprem or ())
            if alarms:
                _observe_alarms(network, out, names, stack, alarms)
        return out
    except ClientError as exc:
        raise client_error(exc, "describe (drift)") from None


def _observe_account(
    aws: Aws,
    out: Observed,
    names: _Names,
    pool: str,
    stack_cidrs: set[str],
    tgws: list[dict[str, Any]],
) -> bool:
    """Read the stack's VPCs in one account and everything inside them; False if none."""
    tag_filter = [{"Name": f"tag:{STACK}", "Values": [names.stack]}]
    vpcs = list(aws.pages("ec2", "describe_vpcs", "Vpcs", Filters=tag_filter))
    vpc_ids = [v["VpcId"] for v in vpcs]
    for v in vpcs:
        name, tagged = names.learn(v["VpcId"], v)
        out.add(Item("vpc", name, {"cidr": v["CidrBlock"]}, _tags(v), tagged))

    def in_vpcs(
        operation: str,
        key: str,
        filter_name: str = "vpc-id",
        param: str = "Filters",
        extra: list[dict[str, Any]] | None = None,
    ) -> list[Any]:
        found: list[Any] = []
        for chunk in _chunks(vpc_ids):
            found += aws.pages(
                "ec2",
                operation,
                key,
                **{param: [{"Name": filter_name, "Values": chunk}, *(extra or [])]},
            )
        return found

    subnets = in_vpcs("describe_subnets", "Subnets")
    for s in subnets:
        names.learn(s["SubnetId"], s)
    tables = in_vpcs("describe_route_tables", "RouteTables")
    for t in tables:
        names.learn(t["RouteTableId"], t)
    igws = in_vpcs("describe_internet_gateways", "InternetGateways", "attachment.vpc-id")
    for g in igws:
        name, tagged = names.learn(g["InternetGatewayId"], g)
        vpc = next((a["VpcId"] for a in g.get("Attachments", [])), "")
        out.add(Item("internet-gateway", name, {"vpc": names(vpc)}, _tags(g), tagged))
    nats = in_vpcs("describe_nat_gateways", "NatGateways", param="Filter")
    for n in nats:
        if n.get("State") in GONE_NAT:
            continue  # a deleted NAT lingers in describes for a while: it is missing
        name, tagged = names.learn(n["NatGatewayId"], n)
        out.add(
            Item(
                "nat-gateway",
                name,
                {"subnet": names(n.get("SubnetId")), "state": n.get("State", "")},
                _tags(n),
                tagged,
            )
        )
    if not vpcs and not (out.account == NETWORK and tgws):
        return False

    for s in subnets:
        name, tagged = names.learn(s["SubnetId"], s)
        table = next(
            (
                t
                for t in tables
                for a in t.get("Associations", [])
                if a.get("SubnetId") == s["SubnetId"]
            ),
            None,
        )
        out.add(
            Item(
                "subnet",
                name,
                {
                    "vpc": names(s["VpcId"]),
                    "cidr": s["CidrBlock"],
                    "az": s["AvailabilityZone"],
                    "azId": s.get("AvailabilityZoneId", UNREPORTED),
                    "routeTable": names(table["RouteTableId"]) if table else "(main)",
                    "mapPublicIpOnLaunch": str(s.get("MapPublicIpOnLaunch", False)).lower(),
                },
                _tags(s),
                tagged,
            )
        )
    eips = list(aws.call("ec2", "describe_addresses", Filters=tag_filter)["Addresses"])
    for e in eips:
        name, tagged = names.learn(e["AllocationId"], e)
        out.add(Item("elastic-ip", name, {}, _tags(e), tagged))
    own_targets = {rid for rid in names.tagged if rid.startswith(("igw-", "nat-"))}
    own_targets |= {t["TransitGatewayId"] for t in tgws}
    for t in tables:
        main = any(a.get("Main") for a in t.get("Associations", []))
        name, tagged = names.learn(t["RouteTableId"], t)
        table_name = name if not main else f"{names(t['VpcId'])} (main)"
        if not main:
            out.add(Item("route-table", name, {"vpc": names(t["VpcId"])}, _tags(t), tagged))
        for r in t.get("Routes", []):
            if (
                r.get("GatewayId") == "local"
                or r.get("DestinationPrefixListId")
                or r.get("Origin") == "EnableVgwRoutePropagation"
            ):
                continue  # routes AWS adds itself: not drift
            destination = r.get("DestinationCidrBlock") or r.get("DestinationIpv6CidrBlock", "")
            target_id = (
                r.get("NatGatewayId")
                or r.get("TransitGatewayId")
                or r.get("GatewayId")
                or r.get("VpcPeeringConnectionId")
                or r.get("NetworkInterfaceId")
                or r.get("VpcEndpointId")
                or "?"
            )
            if target_id.startswith("nat-"):
                target = f"nat:{names(target_id)}"
            elif target_id.startswith("tgw-"):
                target = "tgw" if target_id in own_targets else target_id
            elif target_id.startswith("igw-"):
                target = "igw" if target_id in own_targets else target_id
            elif target_id.startswith("vpce-"):
                target = "firewall"  # a Network Firewall endpoint (inspection VPC, §3.10)
            else:
                target = target_id
            producible = (
                target_id in own_targets
                and (destination in ("0.0.0.0/0", pool) or destination in stack_cidrs)
                and not main
            )
            out.add(
                Item(
                    "route",
                    f"{table_name} {destination}",
                    {"target": target},
                    tagged=False,
                    producible=producible,
                )
            )
    for g in in_vpcs(
        "describe_security_groups",
        "SecurityGroups",
        extra=[{"Name": "group-name", "Values": ["default"]}],
    ):
        name, tagged = names.learn(g["GroupId"], g)
        if not tagged:
            name = f"{names(g['VpcId'])}-default-sg"
        ingress, egress = g.get("IpPermissions", []), g.get("IpPermissionsEgress", [])
        out.add(
            Item(
                "default-security-group",
                name,
                {
                    "vpc": names(g["VpcId"]),
                    "ingressRules": str(len(ingress)),
                    "egressRules": str(len(egress)),
                },
                _tags(g),
                tagged,
            )
        )
        for direction, rules in (("ingress", ingress), ("egress", egress)):
            for p in rules:
                ranges = [x.get("CidrIp", "") for x in p.get("IpRanges", [])] + [
                    x.get("GroupId", "") for x in p.get("UserIdGroupPairs", [])
                ]
                rule = (
                    f"{direction} {p.get('IpProtocol')} {p.get('FromPort', '*')}-"
                    f"{p.get('ToPort', '*')} {','.join(sorted(ranges)) or '-'}"
                )
                out.add(
                    Item(
                        "security-group-rule", f"{name} {rule}", {}, tagged=False, producible=False
                    )
                )
    for f in in_vpcs("describe_flow_logs", "FlowLogs", "resource-id", param="Filter"):
        name, tagged = names.learn(f["FlowLogId"], f)
        out.add(
            Item(
                "flow-log",
                name,
                {
                    "vpc": names(f["ResourceId"]),
                    "trafficType": f.get("TrafficType", ""),
                    "destinationType": f.get("LogDestinationType", ""),
                },
                _tags(f),
                tagged,
            )
        )
    for e in in_vpcs("describe_vpc_endpoints", "VpcEndpoints"):
        if e.get("VpcEndpointType") == "GatewayLoadBalancer":
            continue  # Network Firewall endpoints: the firewall's, compared by their routes
        name, tagged = names.learn(e["VpcEndpointId"], e)
        if e.get("VpcEndpointType") == "Interface":  # shared services (DESIGN §3.15)
            if str(e.get("State", "")).lower() not in ("deleted", "deleting"):
                out.add(interface_item(e, name, tagged, names))
            continue
        out.add(
            Item(
                "gateway-endpoint",
                name,
                {
                    "vpc": names(e["VpcId"]),
                    "service": e["ServiceName"].rsplit(".", 1)[-1],
                    "routeTables": ",".join(sorted(names(x) for x in e.get("RouteTableIds", []))),
                },
                _tags(e),
                tagged,
            )
        )
    return bool(vpcs)


def _topics(arns: list[str] | None) -> str:
    return ",".join(sorted(topic_name(a) for a in arns or []))


def _observe_alarms(
    aws: Aws, out: Observed, names: _Names, stack: str, expected: frozenset[str]
) -> None:
    """The stack's alarms: one paged describe filtered by the `<stack>-` name prefix.

    Only names the plan expects are read: another stack whose name starts with this one's
    (`dev` and `dev-euw1`) shares the prefix, so an unknown alarm is never called ours.
    """
    prefix = f"{stack}-"
    for a in aws.pages(
        "cloudwatch",
        "describe_alarms",
        "MetricAlarms",
        AlarmNamePrefix=prefix,
        AlarmTypes=["MetricAlarm"],
    ):
        name = str(a.get("AlarmName", ""))[len(prefix) :]
        if name not in expected:
            continue
        dimensions = a.get("Dimensions") or []
        subject = names(dimensions[0].get("Value")) if dimensions else ""
        if dimensions and dimensions[0].get("Name") == "FirewallName":
            subject = subject.removeprefix(prefix)  # firewalls are named <stack>-<logical>
        out.add(
            Item(
                "alarm",
                name,
                {
                    "metric": f"{a.get('Namespace', '')} {a.get('MetricName', '')}",
                    "subject": subject,
                    "actionsEnabled": str(a.get("ActionsEnabled", False)).lower(),
                    "alarmActions": ",".join(
                        sorted(topic_name(x) for x in a.get("AlarmActions", []))
                    ),
                    "okActions": ",".join(sorted(topic_name(x) for x in a.get("OKActions", []))),
                },
            )
        )


def _observe_tgw(aws: Aws, out: Observed, names: _Names, tgws: list[dict[str, Any]]) -> None:
    tgw_ids = {t["TransitGatewayId"] for t in tgws}
    vpc_accounts = {i.name: i.account for i in out.items.values() if i.type == "vpc"}
    for t in tgws:
        name, tagged = names.learn(t["TransitGatewayId"], t)
        o = t.get("Options", {})
        out.add(
            Item(
                "transit-gateway",
                name,
                {
                    "autoAcceptSharedAttachments": o.get("AutoAcceptSharedAttachments", ""),
                    "defaultRouteTableAssociation": o.get("DefaultRouteTableAssociation", ""),
                    "defaultRouteTablePropagation": o.get("DefaultRouteTablePropagation", ""),
                    "dnsSupport": o.get("DnsSupport", ""),
                    "amazonSideAsn": str(o.get("AmazonSideAsn", "")),
                },
                _tags(t),
                tagged,
            )
        )
    for a in aws.pages(
        "ec2", "describe_transit_gateway_vpc_attachments", "TransitGatewayVpcAttachments"
    ):
        if a.get("TransitGatewayId") not in tgw_ids or a.get("State") in ("deleted", "deleting"):
            continue
        if "VpcId" not in a:  # moto lists VPN and peering attachments here too
            continue
        name, tagged = names.learn(a["TransitGatewayAttachmentId"], a)
        out.add(
            Item(
                "tgw-attachment",
                name,
                {
                    "vpc": names(a["VpcId"]),
                    "subnets": ",".join(sorted(names(s) for s in a.get("SubnetIds", []))),
                    "applianceMode": a.get("Options", {}).get("ApplianceModeSupport", "disable"),
                },
                _tags(a),
                tagged,
            ),
            account=vpc_accounts.get(names(a["VpcId"]), NETWORK),
        )
    tables = [
        t
        for t in aws.pages(
            "ec2", "describe_transit_gateway_route_tables", "TransitGatewayRouteTables"
        )
        if t.get("TransitGatewayId") in tgw_ids and t.get("State") != "deleted"
    ]
    for t in tables:
        rid = t["TransitGatewayRouteTableId"]
        name, tagged = names.learn(rid, t)
        if t.get("DefaultAssociationRouteTable") and not tagged:
            continue  # moto (and AWS when defaults are on) creates one; ours are tagged
        out.add(Item("tgw-route-table", name, {}, _tags(t), tagged))
        for kind, operation, key in (
            ("tgw-association", "get_transit_gateway_route_table_associations", "Associations"),
            (
                "tgw-propagation",
                "get_transit_gateway_route_table_propagations",
                "TransitGatewayRouteTablePropagations",
            ),
        ):
            for link in aws.pages("ec2", operation, key, TransitGatewayRouteTableId=rid):
                attachment = link.get("TransitGatewayAttachmentId")
                out.add(
                    Item(
                        kind,
                        f"{name} {names(attachment)}",
                        {},
                        tagged=False,
                        producible=tagged and attachment in names.tagged,
                    )
                )
        routes = aws.call(
            "ec2",
            "search_transit_gateway_routes",
            TransitGatewayRouteTableId=rid,
            Filters=[{"Name": "type", "Values": ["static"]}],
        )["Routes"]
        for r in routes:
            attachments = r.get("TransitGatewayAttachments") or []
            if r.get("State") == "blackhole" and not attachments:
                target = "blackhole"
            elif not attachments:
                target = UNREPORTED  # moto 5.2 drops the attachment of a static route
            else:
                target = f"attachment:{names(attachments[0].get('TransitGatewayAttachmentId'))}"
            out.add(
                Item(
                    "tgw-route",
                    f"{name} {r.get('DestinationCidrBlock', '')}",
                    {"target": target},
                    tagged=False,
                    producible=tagged
                    and (target == "blackhole" or not target.startswith("attachment:tgw-attach")),
                )
            )
