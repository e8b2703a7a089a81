"""Live quota data: the account's limits (Service Quotas) and existing usage (describes).

Limits: GetServiceQuota (the applied value), then GetAWSDefaultServiceQuota, then the
catalogue default; each row says which. Usage: one paged, filtered describe per resource
type, so the number of API calls does not grow with the number of spokes. Resources
tagged `foundation:stack=<stack>` are this stack's own (a re-run): they are already in the
plan and are not counted again.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from typing import Any

from botocore.exceptions import ClientError

from foundation.config.accounts import NETWORK
from foundation.config.spec import StackSpec
from foundation.live.accounts import Sessions, as_sessions, resolve_account_azs
from foundation.live.aws import Aws, client_error
from foundation.live.quotas.catalog import catalog
from foundation.live.quotas.decide import Limit, QuotaRow, decide_per_account
from foundation.live.quotas.firewall import live_firewall_usage
from foundation.live.quotas.planned import Usage, planned_usage, tgw_routes
from foundation.live.quotas.services import services_existing
from foundation.network.build import with_azs
from foundation.network.model import NetworkPlan

STACK_TAG = "foundation:stack"
LIVE_NAT_STATES = ["pending", "available", "deleting"]  # these count against the quota


def _ours(item: dict[str, Any], stack: str) -> bool:
    return any(t.get("Key") == STACK_TAG and t.get("Value") == stack for t in item.get("Tags", []))


def live_limits(
    aws: Aws, counted: Collection[str] | None = None, optional: Collection[str] = ()
) -> dict[str, Limit]:
    """The limit of every catalogue quota (or of those whose counter is `counted`).

    A quota read only when used (`onlyWhenCounted`, e.g. peering attachments) is read
    when its counter is in `optional` (what the plan uses), so other stacks make no call.
    """
    limits: dict[str, Limit] = {}
    for quota in catalog():
        if quota.service == "none" or (counted is not None and quota.counts not in counted):
            continue
        if quota.optional and quota.counts not in optional:  # read only when the plan counts it
            continue
        for operation, source in (
            ("get_service_quota", "applied"),
            ("get_aws_default_service_quota", "aws-default"),
        ):
            try:
                answer = aws.call(
                    "service-quotas", operation, ServiceCode=quota.service, QuotaCode=quota.code
                )
            except ClientError:
                continue  # not served (NoSuchResource, not implemented): try the next source
            value = answer.get("Quota", {}).get("Value")
            if value is not None:
                limits[quota.code] = Limit(int(value), source)
                break
    return limits


def _name(item: dict[str, Any], default: str) -> str:
    tags = {t.get("Key"): t.get("Value") for t in item.get("Tags", [])}
    return str(tags.get("foundation:name") or default)


def live_tgw_routes(
    aws: Aws, tgw_ids: list[str], vpcs: list[dict[str, Any]]
) -> set[tuple[str, str]]:
    """The routes in our TGW's tables now, static and propagated: (table name, destination).

    Static and propagated routes come from SearchTransitGatewayRoutes; propagations of VPC
    attachments are also read from the table's propagations (with the VPC's CIDRs), since
    some endpoints (moto) list static routes only. One search and one propagation read per
    TGW table: flat in the number of spokes.
    """
    if not tgw_ids:
        return set()
    cidrs = {
        v["VpcId"]: [
            a["CidrBlock"]
            for a in v.get("CidrBlockAssociationSet", [])
            if a.get("CidrBlockState", {}).get("State", "associated") == "associated"
        ]
        or [v.get("CidrBlock", "")]
        for v in vpcs
    }
    routes: set[tuple[str, str]] = set()
    for table in aws.pages(
        "ec2", "describe_transit_gateway_route_tables", "TransitGatewayRouteTables"
    ):
        if table.get("TransitGatewayId") not in tgw_ids or table.get("State") == "deleted":
            continue
        rid = table["TransitGatewayRouteTableId"]
        name = _name(table, rid)
        found = aws.call(
            "ec2",
            "search_transit_gateway_routes",
            TransitGatewayRouteTableId=rid,
            Filters=[{"Name": "type", "Values": ["static", "propagated"]}],
        )["Routes"]  # up to 1,000 per table (AdditionalRoutesAvailable beyond): a lower bound
        routes |= {(name, r["DestinationCidrBlock"]) for r in found if "DestinationCidrBlock" in r}
        for link in aws.pages(
            "ec2",
            "get_transit_gateway_route_table_propagations",
            "TransitGatewayRouteTablePropagations",
            TransitGatewayRouteTableId=rid,
        ):
            if link.get("ResourceType") == "vpc" and link.get("State") != "disabled":
                routes |= {(name, c) for c in cidrs.get(link.get("ResourceId", ""), []) if c}
    return routes


def live_usage(aws: Aws, plan: NetworkPlan) -> Usage:
    """Existing usage in the Region (of one account) that is not this stack's own, per scope.

    AZ-scoped counts are keyed like the plan's slots: AZ names, or AZ IDs across accounts.
    """
    stack, region = plan.stack, plan.region
    try:
        vpcs = list(aws.pages("ec2", "describe_vpcs", "Vpcs"))
        igws = list(aws.pages("ec2", "describe_internet_gateways", "InternetGateways"))
        eips = aws.call(
            "ec2", "describe_addresses", Filters=[{"Name": "domain", "Values": ["vpc"]}]
        )["Addresses"]
        subnets = list(aws.pages("ec2", "describe_subnets", "Subnets"))
        nats = list(
            aws.pages(
                "ec2",
                "describe_nat_gateways",
                "NatGateways",
                Filter=[{"Name": "state", "Values": LIVE_NAT_STATES}],
            )
        )
        endpoints = list(
            aws.pages(
                "ec2",
                "describe_vpc_endpoints",
                "VpcEndpoints",
                Filters=[{"Name": "vpc-endpoint-type", "Values": ["Gateway"]}],
            )
        )
        groups = list(aws.pages("ec2", "describe_security_groups", "SecurityGroups"))
        tgws = list(
            aws.pages(
                "ec2",
                "describe_transit_gateways",
                "TransitGateways",
                Filters=[{"Name": "state", "Values": ["pending", "available", "modifying"]}],
            )
        )
        ours = [t["TransitGatewayId"] for t in tgws if _ours(t, stack)]
        # routes already in our TGW that this plan does not make (hand-made, VPN, peering)
        extra_routes = live_tgw_routes(aws, ours, vpcs) - tgw_routes(plan)
        other_peerings = _other_peerings(aws, plan, ours)
    except ClientError as exc:
        raise client_error(exc, "ec2 describe") from None
    az_key = "AvailabilityZoneId" if plan.az_ids else "AvailabilityZone"
    az_of_subnet = {s["SubnetId"]: s[az_key] for s in subnets}
    nat_per_az = Counter(
        az_of_subnet.get(n.get("SubnetId", ""), "?") for n in nats if not _ours(n, stack)
    )
    our_vpcs = {v["VpcId"] for v in vpcs if _ours(v, stack)}
    return (
        hybrid_live_usage(aws, plan)
        | services_existing(aws, plan)
        | live_firewall_usage(aws, plan)  # only with inspection (DESIGN §3.10)
        | other_peerings  # only with peers (DESIGN §3.9)
        | {
            "vpcs": {region: sum(1 for v in vpcs if not _ours(v, stack))},
            "internet-gateways": {region: sum(1 for i in igws if not _ours(i, stack))},
            "elastic-ips": {region: sum(1 for e in eips if not _ours(e, stack))},
            "nat-gateways": {az: nat_per_az.get(az, 0) for az in plan.availability_zones},
            "gateway-endpoints": {region: sum(1 for e in endpoints if not _ours(e, stack))},
            "security-groups": {
                region: sum(
                    1 for g in groups if not _ours(g, stack) and g.get("VpcId") not in our_vpcs
                )
            },
            "transit-gateways": {region: sum(1 for t in tgws if not _ours(t, stack))},
            "tgw-routes": {plan.transit_gateway.name: len(extra_routes)},
        }
    )


def _other_peerings(aws: Aws, plan: NetworkPlan, ours: list[str]) -> Usage:
    """Peering attachments on our TGW that the plan does not make (DESIGN §3.9).

    Read only for a stack with peers (one paged, filtered call), so other stacks' checks
    make no extra call.
    """
    tgw = plan.transit_gateway
    if not tgw.peerings or not ours:
        return {}
    planned = {p.name for p in tgw.peerings}
    found = aws.pages(
        "ec2",
        "describe_transit_gateway_peering_attachments",
        "TransitGatewayPeeringAttachments",
        Filters=[{"Name": "state", "Values": ["pendingAcceptance", "pending", "available"]}],
    )
    count = 0
    for att in found:
        sides = {
            att.get("RequesterTgwInfo", {}).get("TransitGatewayId"),
            att.get("AccepterTgwInfo", {}).get("TransitGatewayId"),
        }
        if sides & set(ours) and not (_ours(att, plan.stack) and _name(att, "") in planned):
            count += 1
    return {"tgw-peering-attachments": {tgw.name: count}}


def live_quota_rows(
    spec: StackSpec, plan: NetworkPlan, aws: Aws | Sessions | None = None
) -> list[QuotaRow]:
    """The quota table from each account's real usage and limits (per account and Region).

    The pin is checked first; each spoke account is read through its read role, and its
    account-scoped quotas (VPCs per Region, EIPs, ...) are decided against its own limits.
    """
    sessions = as_sessions(spec, aws)
    plan = with_azs(plan, resolve_account_azs(sessions, spec))
    existing = {name: live_usage(session, plan) for name, session in sessions}
    limits = {  # a spoke account has no Transit Gateway: its TGW limits are not read
        name: live_limits(
            session,
            None if name == NETWORK else planned_usage(plan, name),
            optional=planned_usage(plan, name),  # a feature's quotas when the plan has it
        )
        for name, session in sessions
    }
    return decide_per_account(
        plan, existing, limits, spec.network.quotas.headroom, fallback_source="catalog-default"
    )


LIVE_VPN_STATES = ["pending", "available"]


def hybrid_live_usage(aws: Aws, plan: NetworkPlan) -> Usage:
    """Existing VPN connections and customer gateways not this stack's (§3.14).

    Read only for a stack with VPN attachments: other stacks make no extra API call.
    """
    if not any(h.type == "vpn" for h in plan.transit_gateway.hybrid):
        return {}
    state = [{"Name": "state", "Values": LIVE_VPN_STATES}]
    try:
        vpns = aws.call("ec2", "describe_vpn_connections", Filters=state)["VpnConnections"]
        cgws = aws.call("ec2", "describe_customer_gateways", Filters=state)["CustomerGateways"]
    except ClientError as exc:
        raise client_error(exc, "ec2 describe") from None
    region = plan.region
    return {
        "vpn-connections": {region: sum(1 for v in vpns if not _ours(v, plan.stack))},
        "customer-gateways": {region: sum(1 for c in cgws if not _ours(c, plan.stack))},
    }
