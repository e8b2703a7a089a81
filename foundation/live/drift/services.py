"""Drift of the shared services (DESIGN §3.15): endpoints, security group rules, zones, Resolver.

Expected Items come from the plan; observed ones from a few list/describe calls in the
network account, none per spoke: the services VPC's security groups (one describe),
our zones (list, then one read per zone for its VPCs), Resolver endpoints (list, then
their addresses), rules and rule associations (one list each). Interface endpoints are
read by the VPC endpoint describe that drift already makes (`interface_item`).

Security group rules are compared one CIDR at a time, so an opened rule (say 443 from
0.0.0.0/0) is an unmanaged rule and a removed one is missing.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from foundation.live.aws import Aws
from foundation.live.drift.model import DriftFinding, Item
from foundation.network.analysis.services import private_dns_conflicts
from foundation.network.model import NetworkPlan, ServiceSecurityGroup

TYPES = (
    "interface-endpoint",
    "security-group",
    "private-hosted-zone",
    "zone-association",
    "resolver-endpoint",
    "resolver-rule",
    "resolver-rule-association",
)
TAGGABLE = {"interface-endpoint", "security-group"}  # the ones drift reads tags of


def _rule_name(group: str, direction: str, protocol: str, port: Any, cidr: str) -> str:
    return f"{group} {direction} {protocol} {port}-{port} {cidr}"


def _group_items(group: ServiceSecurityGroup) -> list[Item]:
    items = [Item("security-group", group.name, {"vpc": group.vpc})]
    for direction, rules in (("ingress", group.ingress), ("egress", group.egress)):
        items += [
            Item(
                "security-group-rule", _rule_name(group.name, direction, r.protocol, r.port, r.cidr)
            )
            for r in rules
        ]
    return items


def services_items(plan: NetworkPlan) -> list[Item]:
    """What the plan's shared services should have live (nothing without the block)."""
    shared = plan.shared_services
    if shared is None:
        return []
    items: list[Item] = []
    for e in shared.endpoints:
        items.append(
            Item(
                "interface-endpoint",
                e.name,
                {
                    "vpc": shared.vpc,
                    "service": e.service,
                    "privateDns": str(e.private_dns).lower(),
                    "subnets": ",".join(sorted(e.subnets)),
                    "securityGroups": e.security_group,
                },
            )
        )
    for g in shared.security_groups:
        items += _group_items(g)
    for z in shared.zones:
        items.append(Item("private-hosted-zone", z.name, {"domain": z.domain}))
        items += [Item("zone-association", f"{z.name} {v}") for v in z.vpcs]
    for r in (shared.inbound, shared.outbound):
        if r is not None:
            items.append(
                Item(
                    "resolver-endpoint",
                    r.name,
                    {
                        "direction": r.direction,
                        "addresses": ",".join(sorted(a.ip for a in r.addresses)),
                    },
                )
            )
    for rule in shared.rules:
        items.append(
            Item(
                "resolver-rule",
                rule.name,
                {"domain": rule.domain, "targets": ",".join(rule.targets)},
            )
        )
        items += [
            Item("resolver-rule-association", f"{rule.name} {v}", account=plan.vpc(v).account)
            for v in rule.vpcs
        ]
    return items


def interface_item(endpoint: dict[str, Any], name: str, tagged: bool, names: Any) -> Item:
    """An interface endpoint as drift observes it (from the VPC endpoint describe)."""
    service = str(endpoint.get("ServiceName", ""))
    parts = service.split(".")
    short = ".".join(parts[3:]) if service.startswith("com.amazonaws.") else service
    return Item(
        "interface-endpoint",
        name,
        {
            "vpc": names(endpoint.get("VpcId")),
            "service": short,
            "privateDns": str(bool(endpoint.get("PrivateDnsEnabled"))).lower(),
            "subnets": ",".join(sorted(names(s) for s in endpoint.get("SubnetIds", []))),
            # group ids: named once the services' groups are read (`name_groups`)
            "securityGroups": ",".join(
                sorted(g.get("GroupId", "") for g in endpoint.get("Groups", []))
            ),
        },
        {t["Key"]: t["Value"] for t in endpoint.get("Tags", []) or []},
        tagged,
    )


def _observe_groups(aws: Aws, plan: NetworkPlan, vpc_id: str, ids: dict[str, str]) -> list[Item]:
    out: list[Item] = []
    groups = aws.pages(
        "ec2",
        "describe_security_groups",
        "SecurityGroups",
        Filters=[{"Name": "vpc-id", "Values": [vpc_id]}],
    )
    for g in groups:
        if g.get("GroupName") == "default":
            continue  # the closed default group: drift's own check
        tags = {t["Key"]: t["Value"] for t in g.get("Tags", []) or []}
        tagged = tags.get("foundation:stack") == plan.stack and "foundation:name" in tags
        name = tags["foundation:name"] if tagged else g["GroupId"]
        ids[g["GroupId"]] = name
        out.append(Item("security-group", name, {"vpc": ids.get(vpc_id, vpc_id)}, tags, tagged))
        for direction, key in (("ingress", "IpPermissions"), ("egress", "IpPermissionsEgress")):
            for p in g.get(key, []):
                port = (
                    p.get("FromPort", "*")
                    if p.get("FromPort") == p.get("ToPort")
                    else (f"{p.get('FromPort', '*')}:{p.get('ToPort', '*')}")
                )
                sources = [x.get("CidrIp", "") for x in p.get("IpRanges", [])]
                sources += [x.get("CidrIpv6", "") for x in p.get("Ipv6Ranges", [])]
                sources += [x.get("GroupId", "") for x in p.get("UserIdGroupPairs", [])]
                for cidr in sources or ["-"]:
                    rule = _rule_name(name, direction, str(p.get("IpProtocol")), port, cidr)
                    out.append(Item("security-group-rule", rule, tagged=False, producible=False))
    return out


def _observe_zones(aws: Aws, plan: NetworkPlan, ids: dict[str, str]) -> list[Item]:
    shared = plan.shared_services
    assert shared is not None
    by_domain = {z.domain: z.name for z in shared.zones}
    zones: list[dict[str, Any]] = []
    marker: str | None = None
    while True:
        page = aws.call("route53", "list_hosted_zones", **({"Marker": marker} if marker else {}))
        zones += page.get("HostedZones", [])
        marker = page.get("NextMarker")
        if not page.get("IsTruncated") or not marker:
            break
    out: list[Item] = []
    for zone in zones:
        config = zone.get("Config", {})
        if not (
            config.get("PrivateZone")
            and str(config.get("Comment", "")).startswith(f"{plan.stack}:")
        ):
            continue
        domain = str(zone["Name"]).rstrip(".")
        name = by_domain.get(domain, f"zone {domain}")
        out.append(Item("private-hosted-zone", name, {"domain": domain}, tagged=False))
        detail = aws.call("route53", "get_hosted_zone", Id=zone["Id"])
        for vpc in detail.get("VPCs", []):
            vpc_id = vpc.get("VPCId", "")
            out.append(
                Item(
                    "zone-association",
                    f"{name} {ids.get(vpc_id, vpc_id)}",
                    tagged=False,
                    producible=vpc_id in ids,
                )
            )
    return out


def _observe_resolver(
    aws: Aws, plan: NetworkPlan, ids: dict[str, str], readers: list[tuple[str, Aws]]
) -> list[Item]:
    prefix = f"{plan.stack}-"
    out: list[Item] = []
    for e in aws.pages("route53resolver", "list_resolver_endpoints", "ResolverEndpoints"):
        if not str(e.get("Name", "")).startswith(prefix):
            continue
        addresses = aws.pages(
            "route53resolver",
            "list_resolver_endpoint_ip_addresses",
            "IpAddresses",
            ResolverEndpointId=e["Id"],
        )
        out.append(
            Item(
                "resolver-endpoint",
                str(e["Name"]).removeprefix(prefix),
                {
                    "direction": str(e.get("Direction", "")),
                    "addresses": ",".join(sorted(a.get("Ip", "") for a in addresses)),
                },
                tagged=False,
            )
        )
    rules: dict[str, str] = {}
    for r in aws.pages("route53resolver", "list_resolver_rules", "ResolverRules"):
        if not str(r.get("Name", "")).startswith(prefix):
            continue
        name = str(r["Name"]).removeprefix(prefix)
        rules[r["Id"]] = name
        out.append(
            Item(
                "resolver-rule",
                name,
                {
                    "domain": str(r.get("DomainName", "")).rstrip("."),
                    "targets": ",".join(t.get("Ip", "") for t in r.get("TargetIps", [])),
                },
                tagged=False,
            )
        )
    # a spoke account associates the RAM-shared rule itself: only it lists the association
    for account, reader in readers:
        for a in reader.pages(
            "route53resolver", "list_resolver_rule_associations", "ResolverRuleAssociations"
        ):
            rule = rules.get(a.get("ResolverRuleId", ""))
            if rule is None:
                continue
            vpc_id = a.get("VPCId", "")
            out.append(
                Item(
                    "resolver-rule-association",
                    f"{rule} {ids.get(vpc_id, vpc_id)}",
                    tagged=False,
                    producible=vpc_id in ids,
                    account=account,
                )
            )
    return out


def observe_services(
    aws: Aws,
    plan: NetworkPlan,
    ids: dict[str, str],
    accounts: list[tuple[str, Aws]] | None = None,
) -> list[Item]:
    """The live shared services (nothing without the block); each Item names its account.

    Args:
        aws: the network account's clients (it owns every resource of the block).
        plan: the plan (its stack name and, for naming zones, its shared services).
        ids: AWS id -> logical name of everything drift has already read (VPCs, subnets).
        accounts: (name, clients) of every account whose spokes use the rules (default:
            the network account): rule associations are listed where they were made.
    """
    shared = plan.shared_services
    if shared is None:
        return []
    vpc_id = next((i for i, n in ids.items() if n == shared.vpc and i.startswith("vpc-")), None)
    items = _observe_groups(aws, plan, vpc_id, ids) if vpc_id else []
    used = {plan.vpc(v).account for r in shared.rules for v in r.vpcs}
    readers = [(n, a) for n, a in (accounts or [("network", aws)]) if n in used]
    return items + _observe_zones(aws, plan, ids) + _observe_resolver(aws, plan, ids, readers)


def name_groups(items: dict[tuple[str, str], Item], ids: dict[str, str]) -> None:
    """Name the security groups of observed interface endpoints (ids read before the groups)."""
    for key, item in items.items():
        if item.type == "interface-endpoint" and "securityGroups" in item.attrs:
            groups = item.attrs["securityGroups"].split(",") if item.attrs["securityGroups"] else []
            attrs = {
                **item.attrs,
                "securityGroups": ",".join(sorted(ids.get(g, g) for g in groups)),
            }
            items[key] = replace(item, attrs=attrs)


def dns_conflicts(plan: NetworkPlan, observed: dict[tuple[str, str], Item]) -> list[DriftFinding]:
    """A listed spoke's own interface endpoint with private DNS for a central service."""
    own = [
        (i.attrs.get("vpc", ""), i.name, i.attrs.get("service", ""))
        for i in observed.values()
        if i.type == "interface-endpoint" and not i.tagged and i.attrs.get("privateDns") == "true"
    ]
    shared = plan.shared_services
    zone_of = {z.service: z.name for z in shared.zones} if shared else {}
    account_of = {v.name: v.account for v in plan.vpcs}
    out = []
    for f in private_dns_conflicts(plan, own):
        vpc, _, service = f.subject.partition("/")
        endpoint = next(e for v, e, s in own if v == vpc and s == service)
        out.append(
            DriftFinding(
                "unmanaged",
                "interface-endpoint",
                f"{endpoint} ({vpc}/{service})",
                "privateDns",
                f"central zone {zone_of.get(service, '?')} associated",
                f"own endpoint {endpoint} with private DNS on ({f.rule}: AWS refuses the zone)",
                "medium",
                hand_made=True,
                account=account_of.get(vpc, "network"),
            )
        )
    return out
