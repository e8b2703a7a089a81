"""The top component: hub, spokes and the segmented Transit Gateway of one NetworkPlan."""

from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws

from components.alarms import Alarms
from components.tags import tags
from components.transit import SegmentRouting, TransitHub
from components.vpc import HubVpc, SpokeVpc
from foundation.network.model import NetworkPlan

FLOW_LOG_TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "vpc-flow-logs.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}
FLOW_LOG_WRITE = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": [
                "logs:CreateLogStream",
                "logs:PutLogEvents",
                "logs:DescribeLogGroups",
                "logs:DescribeLogStreams",
            ],
            "Resource": "*",
        }
    ],
}


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
        role_arn: pulumi.Output[str] | None = None
        if any(v.flow_log and v.flow_log.destination == "cloudwatch" for v in plan.vpcs):
            role = aws.iam.Role(
                "flow-logs-role",
                assume_role_policy=json.dumps(FLOW_LOG_TRUST),
                description="Lets VPC flow logs write to CloudWatch Logs",
                tags=tags(plan.stack, "flow-logs-role"),
                opts=child,
            )
            aws.iam.RolePolicy(
                "flow-logs-policy", role=role.id, policy=json.dumps(FLOW_LOG_WRITE), opts=child
            )
            role_arn = role.arn
        transit = TransitHub(
            "transit", plan.stack, plan.transit_gateway, opts=child, protect=plan.production
        )
        hub = HubVpc("hub", plan, transit.transit_gateway_id, role_arn, opts=child)
        vpcs: list[HubVpc | SpokeVpc] = [hub]
        vpcs += [
            SpokeVpc(s.name, plan, s, transit.transit_gateway_id, role_arn, opts=child)
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
