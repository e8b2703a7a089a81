"""Shared services (DESIGN §3.15): the services VPC, its endpoints, zones and Resolver.

`ServicesVpc` is a VPC like the others (subnets, tables, TGW attachment, flow logs, closed
default security group). `SharedServices` creates what lives in it: the security groups
(rules as separate resources, nothing inline), the interface endpoints (private DNS off),
a private hosted zone per service with alias records to its endpoint, the zone
associations (with an association authorisation for a spoke in another account), the
Resolver endpoints at their fixed addresses, the forwarding rules and their associations
(shared by AWS RAM with the spoke accounts that need them).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi
import pulumi_aws as aws

from components.flow_logs import FlowLogAccess
from components.tags import resource_name, tags
from components.vpc import _VpcBase
from foundation.network.model import NetworkPlan, ServiceSecurityGroup, Vpc
from foundation.network.model import SharedServices as SharedServicesPlan

NETWORK = "network"


class ServicesVpc(_VpcBase):
    """The `services` VPC: endpoints and transit subnets; the pool routes to the TGW."""

    def __init__(
        self,
        name: str,
        plan: NetworkPlan,
        vpc: Vpc,
        transit_gateway_id: pulumi.Input[str],
        access: FlowLogAccess | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("foundation:network:ServicesVpc", name, None, opts)
        self._build_core(plan, vpc, access or FlowLogAccess(None, None), transit_gateway_id)
        for table in vpc.route_tables:
            self._routes(table, {}, self._tgw_depends)
        self.subnet_ids_by_name = {n: s.id for n, s in self._subnets.items()}
        self.register_outputs(self._outputs())


def _first(entries: Any, key: str) -> str:
    """A field of an endpoint's first DNS entry ('' while the endpoint is not created)."""
    if not entries:
        return ""
    entry = entries[0]
    value = entry.get(key) if isinstance(entry, dict) else getattr(entry, key, None)
    if value is None and isinstance(entry, dict):
        value = getattr(entry, key, None)
    return str(value or "")


class SharedServices(pulumi.ComponentResource):
    """Endpoints, security groups, private hosted zones and Resolver of the services VPC."""

    endpoint_ids: dict[str, pulumi.Output[str]]
    zone_ids: dict[str, pulumi.Output[str]]

    def __init__(
        self,
        name: str,
        plan: NetworkPlan,
        vpc_ids: Mapping[str, pulumi.Input[str]],
        subnet_ids: Mapping[str, pulumi.Input[str]],
        providers: Mapping[str, aws.Provider],
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("foundation:network:SharedServices", name, None, opts)
        shared = plan.shared_services
        assert shared is not None
        self._stack = plan.stack
        child = pulumi.ResourceOptions(parent=self)
        account_of = {v.name: v.account for v in plan.vpcs}
        services_vpc = vpc_ids[shared.vpc]
        groups = {
            g.name: self._security_group(g, services_vpc, child) for g in shared.security_groups
        }
        resolvers: dict[str, aws.route53.ResolverEndpoint] = {}
        for resolver in (shared.inbound, shared.outbound):
            if resolver is None:
                continue
            resolvers[resolver.name] = aws.route53.ResolverEndpoint(
                resolver.name,
                name=f"{plan.stack}-{resolver.name}",
                direction=resolver.direction,
                security_group_ids=[groups[resolver.security_group].id],
                ip_addresses=[
                    aws.route53.ResolverEndpointIpAddressArgs(
                        subnet_id=subnet_ids[a.subnet], ip=a.ip
                    )
                    for a in resolver.addresses
                ],
                protocols=["Do53"],
                tags=tags(plan.stack, resolver.name),
                opts=child,
            )
        # Resolver endpoints hold fixed addresses: created first, so no endpoint ENI takes one
        after_resolvers = pulumi.ResourceOptions(parent=self, depends_on=list(resolvers.values()))
        endpoints: dict[str, aws.ec2.VpcEndpoint] = {}
        for ep in shared.endpoints:
            endpoints[ep.name] = aws.ec2.VpcEndpoint(
                ep.name,
                vpc_id=services_vpc,
                vpc_endpoint_type="Interface",
                service_name=ep.service_name,
                subnet_ids=[subnet_ids[s] for s in ep.subnets],
                security_group_ids=[groups[ep.security_group].id],
                private_dns_enabled=ep.private_dns,
                tags=tags(plan.stack, ep.name),
                opts=after_resolvers,
            )
        self.endpoint_ids = {n: e.id for n, e in endpoints.items()}
        self.zone_ids = {}
        for zone in shared.zones:
            hosted = aws.route53.Zone(
                zone.name,
                name=zone.domain,
                comment=f"{plan.stack}: {zone.service} through the central interface endpoint",
                vpcs=[aws.route53.ZoneVpcArgs(vpc_id=services_vpc, vpc_region=plan.region)],
                tags=tags(plan.stack, zone.name),
                # further VPCs are ZoneAssociation resources (the provider's documented pairing)
                opts=pulumi.ResourceOptions(parent=self, ignore_changes=["vpcs"]),
            )
            self.zone_ids[zone.name] = hosted.id
            endpoint = endpoints[zone.endpoint]
            dns_name = endpoint.dns_entries.apply(lambda e: _first(e, "dns_name"))
            dns_zone = endpoint.dns_entries.apply(lambda e: _first(e, "hosted_zone_id"))
            records = [zone.domain] + ([f"*.{zone.domain}"] if zone.wildcard else [])
            for record in records:
                aws.route53.Record(
                    resource_name(zone.name, "wildcard" if record.startswith("*") else "apex"),
                    zone_id=hosted.id,
                    name=record,
                    type="A",
                    aliases=[
                        aws.route53.RecordAliasArgs(
                            name=dns_name, zone_id=dns_zone, evaluate_target_health=True
                        )
                    ],
                    opts=child,
                )
            for vpc in zone.vpcs:
                if vpc == shared.vpc:
                    continue
                self._associate_zone(
                    zone.name, hosted, vpc, vpc_ids[vpc], account_of[vpc], providers
                )
        self._rules(plan, shared, resolvers, vpc_ids, account_of, providers)
        self.register_outputs({"endpointIds": self.endpoint_ids, "zoneIds": self.zone_ids})

    def _security_group(
        self, group: ServiceSecurityGroup, vpc_id: pulumi.Input[str], opts: pulumi.ResourceOptions
    ) -> aws.ec2.SecurityGroup:
        """A security group with exactly the planned rules (the default egress is removed)."""
        sg = aws.ec2.SecurityGroup(
            group.name,
            vpc_id=vpc_id,
            description=group.description,
            tags=tags(self._stack, group.name),
            opts=opts,
        )
        kinds = (
            ("ingress", aws.vpc.SecurityGroupIngressRule, group.ingress),
            ("egress", aws.vpc.SecurityGroupEgressRule, group.egress),
        )
        for kind, resource, rules in kinds:
            for rule in rules:
                rule_name = resource_name(
                    group.name, kind, rule.protocol, str(rule.port), rule.cidr
                )
                resource(
                    rule_name,
                    security_group_id=sg.id,
                    ip_protocol=rule.protocol,
                    from_port=rule.port,
                    to_port=rule.port,
                    cidr_ipv4=rule.cidr,
                    tags=tags(self._stack, rule_name),
                    opts=opts,
                )
        return sg

    def _associate_zone(
        self,
        zone: str,
        hosted: aws.route53.Zone,
        vpc: str,
        vpc_id: pulumi.Input[str],
        account: str,
        providers: Mapping[str, aws.Provider],
    ) -> None:
        """Associate a spoke VPC; in another account, authorise it first (zone owner side)."""
        name = resource_name(zone, "vpc", vpc)
        waits: list[pulumi.Resource] = []
        if account != NETWORK:
            waits.append(
                aws.route53.VpcAssociationAuthorization(
                    resource_name(zone, "authorise", vpc),
                    zone_id=hosted.id,
                    vpc_id=vpc_id,
                    opts=pulumi.ResourceOptions(parent=self, provider=providers.get(NETWORK)),
                )
            )
        aws.route53.ZoneAssociation(
            name,
            zone_id=hosted.id,
            vpc_id=vpc_id,
            opts=pulumi.ResourceOptions(
                parent=self, provider=providers.get(account), depends_on=waits
            ),
        )

    def _rules(
        self,
        plan: NetworkPlan,
        shared: SharedServicesPlan,
        resolvers: Mapping[str, aws.route53.ResolverEndpoint],
        vpc_ids: Mapping[str, pulumi.Input[str]],
        account_of: Mapping[str, str],
        providers: Mapping[str, aws.Provider],
    ) -> None:
        """Forwarding rules, RAM-shared with spoke accounts, associated with the spokes."""
        if not shared.rules or shared.outbound is None:
            return
        child = pulumi.ResourceOptions(parent=self)
        outbound = resolvers[shared.outbound.name]
        rules = {
            r.name: aws.route53.ResolverRule(
                r.name,
                name=f"{plan.stack}-{r.name}",
                domain_name=r.domain,
                rule_type="FORWARD",
                resolver_endpoint_id=outbound.id,
                target_ips=[aws.route53.ResolverRuleTargetIpArgs(ip=t, port=53) for t in r.targets],
                tags=tags(plan.stack, r.name),
                opts=child,
            )
            for r in shared.rules
        }
        elsewhere = sorted({account_of[v] for r in shared.rules for v in r.vpcs} - {NETWORK})
        ready: dict[str, list[pulumi.Resource]] = {}
        if elsewhere:
            share_name = f"{shared.vpc}-rules-share"
            share = aws.ram.ResourceShare(
                share_name,
                name=f"{plan.stack}-{share_name}",
                allow_external_principals=False,
                tags=tags(plan.stack, share_name),
                opts=child,
            )
            shared_rules = [
                aws.ram.ResourceAssociation(
                    resource_name(share_name, name),
                    resource_arn=rule.arn,
                    resource_share_arn=share.arn,
                    opts=child,
                )
                for name, rule in rules.items()
            ]
            for account in elsewhere:
                principal = aws.ram.PrincipalAssociation(
                    resource_name(share_name, account),
                    principal=str(plan.account(account).id),
                    resource_share_arn=share.arn,
                    opts=child,
                )
                ready[account] = [*shared_rules, principal]
        for r in shared.rules:
            for vpc in r.vpcs:
                account = account_of[vpc]
                aws.route53.ResolverRuleAssociation(
                    resource_name(r.name, vpc),
                    name=f"{plan.stack}-{r.name}-{vpc}",
                    resolver_rule_id=rules[r.name].id,
                    vpc_id=vpc_ids[vpc],
                    opts=pulumi.ResourceOptions(
                        parent=self,
                        provider=providers.get(account),
                        depends_on=ready.get(account, []),
                    ),
                )
