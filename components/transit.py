"""The Transit Gateway, its segment route tables, and the routing between segments.

`TransitHub` creates the gateway (default association and propagation off, auto-accept
off, DNS support on) and one route table per segment plus `hub`. `SegmentRouting` wires the
attachments once they exist: associations, propagations, static and blackhole routes.
"""

from __future__ import annotations

from collections.abc import Mapping

import pulumi
import pulumi_aws as aws

from components.tags import resource_name, tags
from foundation.network.model import TransitGateway


def _enable(flag: bool) -> str:
    return "enable" if flag else "disable"


class TransitHub(pulumi.ComponentResource):
    """The Transit Gateway and its (empty) route tables."""

    transit_gateway_id: pulumi.Output[str]
    route_table_ids: dict[str, pulumi.Output[str]]

    def __init__(
        self,
        name: str,
        stack: str,
        plan: TransitGateway,
        opts: pulumi.ResourceOptions | None = None,
        protect: bool = False,
    ):
        super().__init__("foundation:network:TransitHub", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.gateway = aws.ec2transitgateway.TransitGateway(
            plan.name,
            amazon_side_asn=plan.asn,
            auto_accept_shared_attachments=_enable(plan.auto_accept_shared_attachments),
            default_route_table_association=_enable(plan.default_route_table_association),
            default_route_table_propagation=_enable(plan.default_route_table_propagation),
            dns_support=_enable(plan.dns_support),
            # ECMP spreads traffic over the VPN tunnels (§3.14); unset without hybrid
            vpn_ecmp_support="enable" if plan.hybrid else None,
            description=f"{stack} network foundation",
            tags=tags(stack, plan.name),
            # peers and other accounts reference it: never deleted by accident (DESIGN §3.13)
            opts=pulumi.ResourceOptions(parent=self, protect=protect),
        )
        self.transit_gateway_id = self.gateway.id
        self.route_tables = {
            table.name: aws.ec2transitgateway.RouteTable(
                table.name,
                transit_gateway_id=self.gateway.id,
                tags=tags(stack, table.name),
                opts=child,
            )
            for table in plan.route_tables
        }
        self.route_table_ids = {n: t.id for n, t in self.route_tables.items()}
        self.register_outputs(
            {"transitGatewayId": self.transit_gateway_id, "routeTableIds": self.route_table_ids}
        )


class SegmentRouting(pulumi.ComponentResource):
    """Associations, propagations and static routes that make the segments."""

    def __init__(
        self,
        name: str,
        plan: TransitGateway,
        route_table_ids: Mapping[str, pulumi.Input[str]],
        attachment_ids: Mapping[str, pulumi.Input[str]],
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("foundation:network:SegmentRouting", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        for table in plan.route_tables:
            table_id = route_table_ids[table.name]
            links = (
                ("association", aws.ec2transitgateway.RouteTableAssociation, table.associations),
                ("propagation", aws.ec2transitgateway.RouteTablePropagation, table.propagations),
            )
            for kind, resource, attachments in links:
                for attachment in attachments:
                    resource(
                        resource_name(table.name, kind, attachment),
                        transit_gateway_attachment_id=attachment_ids[attachment],
                        transit_gateway_route_table_id=table_id,
                        opts=child,
                    )
            for route in table.static_routes:
                aws.ec2transitgateway.Route(
                    resource_name(table.name, "route", route.destination),
                    destination_cidr_block=route.destination,
                    transit_gateway_route_table_id=table_id,
                    blackhole=True if route.blackhole else None,
                    transit_gateway_attachment_id=(
                        None if route.blackhole else attachment_ids[str(route.attachment)]
                    ),
                    # a new target replaces the route, and a table holds one route per CIDR:
                    # creating the new one first would fail (RouteAlreadyExists)
                    opts=pulumi.ResourceOptions.merge(
                        child, pulumi.ResourceOptions(delete_before_replace=True)
                    ),
                )
        self.register_outputs({})
