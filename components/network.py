"""The top component: hub, spokes and the segmented Transit Gateway of one NetworkPlan."""

from __future__ import annotations

import pulumi

from components.alarms import Alarms
from components.flow_logs import flow_log_access
from components.transit import SegmentRouting, TransitHub
from components.vpc import HubVpc, SpokeVpc
from foundation.network.model import NetworkPlan


class Network(pulumi.ComponentResource):
    """Everything a NetworkPlan describes, with outputs other stacks consume."""

    vpc_ids: dict[str, pulumi.Output[str]]
    subnet_ids: dict[str, dict[str, dict[str, pulumi.Output[str]]]]
    route_table_ids: dict[str, dict[str, pulumi.Output[str]]]
    transit_gateway_id: pulumi.Output[str]
    transit_route_table_ids: dict[str, pulumi.Output[str]]

    def __init__(self, name: str, plan: NetworkPlan, opts: pulumi.ResourceOptions | None = None):
        super().__init__("foundation:network:Network", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        access = flow_log_access(plan, child)
        transit = TransitHub(
            "transit", plan.stack, plan.transit_gateway, opts=child, protect=plan.production
        )
        hub = HubVpc("hub", plan, transit.transit_gateway_id, access, opts=child)
        vpcs: list[HubVpc | SpokeVpc] = [hub]
        vpcs += [
            SpokeVpc(s.name, plan, s, transit.transit_gateway_id, access, opts=child)
            for s in plan.spokes
        ]
        SegmentRouting(
            "segments",
            plan.transit_gateway,
            transit.route_table_ids,
            {v.plan_vpc.name: v.attachment_id for v in vpcs},
            opts=child,
        )
        if plan.monitoring is not None:
            watched = {**hub.nat_gateway_ids, plan.transit_gateway.name: transit.transit_gateway_id}
            Alarms("alarms", plan.stack, plan.region, plan.monitoring, watched, opts=child)
        self.vpc_ids = {v.plan_vpc.name: v.vpc_id for v in vpcs}
        self.subnet_ids = {v.plan_vpc.name: v.subnet_ids for v in vpcs}
        self.route_table_ids = {v.plan_vpc.name: v.route_table_ids for v in vpcs}
        self.transit_gateway_id = transit.transit_gateway_id
        self.transit_route_table_ids = transit.route_table_ids
        self.register_outputs({"vpcIds": self.vpc_ids, "transitGatewayId": self.transit_gateway_id})
