"""The top component: hub, spokes and the segmented Transit Gateway of one NetworkPlan."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from components.accounts import TransitShare, account_providers
from components.alarms import Alarms
from components.flow_logs import flow_log_access
from components.hybrid import Hybrid
from components.inspection import InspectionVpc
from components.peering import Peerings
from components.services import ServicesVpc, SharedServices
from components.tags import resource_name, tags
from components.transit import SegmentRouting, TransitHub
from components.vpc import HubVpc, SharedTransit, SpokeVpc
from foundation.config.accounts import NETWORK
from foundation.network.model import NetworkPlan
from foundation.network.peering import routable


class Network(pulumi.ComponentResource):
    """Everything a NetworkPlan describes, with outputs other stacks consume."""

    vpc_ids: dict[str, pulumi.Output[str]]
    subnet_ids: dict[str, dict[str, dict[str, pulumi.Output[str]]]]
    route_table_ids: dict[str, dict[str, pulumi.Output[str]]]
    transit_gateway_id: pulumi.Output[str]
    transit_route_table_ids: dict[str, pulumi.Output[str]]

    def __init__(
        self,
        name: str,
        plan: NetworkPlan,
        opts: pulumi.ResourceOptions | None = None,
        profile: str | None = None,
    ):
        super().__init__("foundation:network:Network", name, None, opts)
        providers = account_providers(plan, profile, self)
        network = providers.get(NETWORK)  # None: the stack's default provider
        child = pulumi.ResourceOptions(parent=self, provider=network)
        # flow-log role (and key) per account, through that account's provider
        access = {
            account.name: flow_log_access(
                plan,
                pulumi.ResourceOptions(parent=self, provider=providers.get(account.name)),
                account.name,
            )
            for account in plan.accounts
        }
        transit = TransitHub(
            "transit", plan.stack, plan.transit_gateway, opts=child, protect=plan.production
        )
        share = (
            TransitShare(
                "share",
                plan.stack,
                plan.share,
                transit.gateway.arn,
                {a.name: str(a.id) for a in plan.accounts if a.name != NETWORK},
                providers,
                opts=child,
            )
            if plan.share is not None
            else None
        )

        def accept(
            vpc: str, attachment: aws.ec2transitgateway.VpcAttachment
        ) -> aws.ec2transitgateway.VpcAttachmentAccepter:
            """The network account accepts a spoke account's attachment (auto-accept is off)."""
            return aws.ec2transitgateway.VpcAttachmentAccepter(
                resource_name(vpc, "accept"),
                transit_gateway_attachment_id=attachment.id,
                transit_gateway_default_route_table_association=False,
                transit_gateway_default_route_table_propagation=False,
                tags=tags(plan.stack, vpc),
                opts=pulumi.ResourceOptions(parent=self, provider=network),
            )

        hub = HubVpc("hub", plan, transit.transit_gateway_id, access[NETWORK], opts=child)
        vpcs: list[HubVpc | SpokeVpc | InspectionVpc | ServicesVpc] = [hub]
        for s in plan.spokes:
            elsewhere = s.account != NETWORK and share is not None
            vpcs.append(
                SpokeVpc(
                    s.name,
                    plan,
                    s,
                    transit.transit_gateway_id,
                    access[s.account],
                    opts=pulumi.ResourceOptions(parent=self, provider=providers.get(s.account)),
                    shared=SharedTransit(share.ready[s.account], accept)
                    if elsewhere and share is not None
                    else None,
                )
            )
        hybrid = (
            Hybrid("hybrid", plan.stack, plan.transit_gateway, transit.transit_gateway_id, child)
            if plan.transit_gateway.hybrid
            else None
        )
        services = None
        if plan.shared_services is not None:  # DESIGN §3.15, in the network account
            services = ServicesVpc(
                plan.shared_services.vpc,
                plan,
                plan.vpc(plan.shared_services.vpc),
                transit.transit_gateway_id,
                access[NETWORK],
                opts=child,
            )
            vpcs.append(services)
        if plan.inspection is not None:  # DESIGN §3.10
            vpcs.append(
                InspectionVpc(
                    plan.inspection.vpc,
                    plan,
                    transit.transit_gateway_id,
                    access[NETWORK],
                    opts=child,
                )
            )
        attachment_ids = {v.plan_vpc.name: v.attachment_id for v in vpcs}
        attachment_ids |= hybrid.attachment_ids if hybrid else {}
        tgw = plan.transit_gateway
        if tgw.peerings:  # DESIGN §3.9: routes only over peerings that are available
            peerings = Peerings("peerings", plan, transit.transit_gateway_id, opts=child)
            attachment_ids.update(peerings.ready)
            tgw = routable(tgw, peerings.ready)
        SegmentRouting("segments", tgw, transit.route_table_ids, attachment_ids, opts=child)
        if services is not None:
            SharedServices(
                "shared-services",
                plan,
                {v.plan_vpc.name: v.vpc_id for v in vpcs},
                services.subnet_ids_by_name,
                providers,
                opts=child,
            )
        if plan.monitoring is not None:
            watched = {**hub.nat_gateway_ids, plan.transit_gateway.name: transit.transit_gateway_id}
            watched |= hybrid.vpn_ids if hybrid else {}
            watched |= {
                v.firewall_key: v.firewall_name for v in vpcs if isinstance(v, InspectionVpc)
            }
            az_names = {  # across accounts the plan's AZs are IDs; alarm dimensions need names
                az: name
                for v in vpcs
                if plan.az_ids and isinstance(v, InspectionVpc)
                for az, name in v.az_names.items()
            }
            Alarms(
                "alarms", plan.stack, plan.region, plan.monitoring, watched, az_names, opts=child
            )
        self.vpc_ids = {v.plan_vpc.name: v.vpc_id for v in vpcs}
        self.subnet_ids = {v.plan_vpc.name: v.subnet_ids for v in vpcs}
        self.route_table_ids = {v.plan_vpc.name: v.route_table_ids for v in vpcs}
        self.transit_gateway_id = transit.transit_gateway_id
        self.transit_route_table_ids = transit.route_table_ids
        self.vpn_connections = hybrid.tunnels if hybrid else {}  # secret: pre-shared keys
        self.register_outputs({"vpcIds": self.vpc_ids, "transitGatewayId": self.transit_gateway_id})
