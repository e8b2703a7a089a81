"""HubVpc and SpokeVpc: a VPC with its subnets, route tables, gateways and secure defaults.

Secure defaults on every VPC: the default security group is managed with no rules (EC2.2),
flow logs on (EC2.6), no public IP auto-assignment (EC2.15), gateway endpoints on the
workload route tables. Routes are separate `aws.ec2.Route` resources (never inline), and
every subnet is explicitly associated with its route table.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pulumi
import pulumi_aws as aws

from components.flow_logs import FlowLogAccess
from components.tags import resource_name, tags
from foundation.network.model import NetworkPlan, RouteTable, Vpc


class SharedTransit:
    """How a spoke in another account reaches the shared TGW.

    `ready`: what its attachment waits for (the RAM principal association); `accept`: makes
    the network account's accepter for it.
    """

    def __init__(
        self,
        ready: Sequence[pulumi.Resource],
        accept: Callable[[str, aws.ec2transitgateway.VpcAttachment], pulumi.CustomResource],
    ):
        self.ready = ready
        self.accept = accept


class _VpcBase(pulumi.ComponentResource):
    """What hub and spoke VPCs share; subclasses add gateways and call register_outputs."""

    vpc_id: pulumi.Output[str]
    subnet_ids: dict[str, dict[str, pulumi.Output[str]]]
    route_table_ids: dict[str, pulumi.Output[str]]
    attachment_id: pulumi.Output[str]

    def _build_core(
        self,
        plan: NetworkPlan,
        vpc: Vpc,
        access: FlowLogAccess,
        transit_gateway_id: pulumi.Input[str],
        shared: SharedTransit | None = None,
    ) -> None:
        self._plan = plan
        self.plan_vpc = vpc
        child = pulumi.ResourceOptions(parent=self)
        self.vpc = aws.ec2.Vpc(
            vpc.name,
            cidr_block=vpc.cidr,
            enable_dns_support=True,
            enable_dns_hostnames=True,
            tags=self._tags(vpc.name),
            opts=child,
        )
        self.vpc_id = self.vpc.id
        vpc_opts = pulumi.ResourceOptions(parent=self, depends_on=[self.vpc])
        aws.ec2.DefaultSecurityGroup(
            vpc.default_security_group.name if vpc.default_security_group else f"{vpc.name}-dsg",
            vpc_id=self.vpc.id,
            ingress=[],
            egress=[],
            tags=self._tags(f"{vpc.name}-default-sg"),
            opts=child,
        )
        self._subnets: dict[str, aws.ec2.Subnet] = {}
        self.subnet_ids = {}
        # the AZ name AWS gives each planned AZ (an ID across accounts): CloudWatch wants names
        self.az_names: dict[str, pulumi.Output[str]] = {}
        for sub in vpc.subnets:
            resource = aws.ec2.Subnet(
                sub.name,
                vpc_id=self.vpc.id,
                cidr_block=sub.cidr,
                # across accounts a slot is an AZ ID: the same name is another AZ elsewhere
                availability_zone_id=sub.az if plan.az_ids else None,
                availability_zone=None if plan.az_ids else sub.az,
                map_public_ip_on_launch=vpc.map_public_ip_on_launch,
                tags=self._tags(sub.name),
                opts=child,
            )
            self._subnets[sub.name] = resource
            self.az_names.setdefault(sub.az, resource.availability_zone)
            self.subnet_ids.setdefault(sub.tier, {})[sub.az] = resource.id
        self._tables: dict[str, aws.ec2.RouteTable] = {}
        self.route_table_ids = {}
        for table in vpc.route_tables:
            rt = aws.ec2.RouteTable(
                table.name, vpc_id=self.vpc.id, tags=self._tags(table.name), opts=child
            )
            self._tables[table.name] = rt
            self.route_table_ids[table.name] = rt.id
            for subnet in table.subnets:
                aws.ec2.RouteTableAssociation(
                    resource_name(subnet, "association"),
                    subnet_id=self._subnets[subnet].id,
                    route_table_id=rt.id,
                    opts=child,
                )
        subnet_ids = [self._subnets[s.name].id for s in vpc.subnets_of("transit")]
        self._tgw_depends: list[pulumi.Resource]
        if shared is None:
            self.attachment = aws.ec2transitgateway.VpcAttachment(
                vpc.name,
                transit_gateway_id=transit_gateway_id,
                vpc_id=self.vpc.id,
                subnet_ids=subnet_ids,
                dns_support="enable",
                # stateful appliances behind it (the inspection VPC, DESIGN §3.10)
                appliance_mode_support="enable" if self._appliance_mode(plan, vpc) else None,
                transit_gateway_default_route_table_association=False,
                transit_gateway_default_route_table_propagation=False,
                tags=self._tags(vpc.name),
                opts=child,
            )
            self.attachment_id = self.attachment.id
            self._tgw_depends = [self.attachment]
        else:
            # On a shared TGW the default association/propagation flags belong to the
            # accepter (network account): this side must not set them.
            self.attachment = aws.ec2transitgateway.VpcAttachment(
                vpc.name,
                transit_gateway_id=transit_gateway_id,
                vpc_id=self.vpc.id,
                subnet_ids=subnet_ids,
                dns_support="enable",
                tags=self._tags(vpc.name),
                opts=pulumi.ResourceOptions(parent=self, depends_on=list(shared.ready)),
            )
            accepter = shared.accept(vpc.name, self.attachment)
            self.attachment_id = accepter.id
            self._tgw_depends = [self.attachment, accepter]
        self._transit_gateway_id = transit_gateway_id
        if vpc.flow_log is not None:
            self._flow_log(vpc, access, vpc_opts)
        for endpoint in vpc.endpoints:
            aws.ec2.VpcEndpoint(
                endpoint.name,
                vpc_id=self.vpc.id,
                vpc_endpoint_type="Gateway",
                service_name=f"com.amazonaws.{plan.region}.{endpoint.service}",
                route_table_ids=[self._tables[t].id for t in endpoint.route_tables],
                tags=self._tags(endpoint.name),
                opts=child,
            )

    @staticmethod
    def _appliance_mode(plan: NetworkPlan, vpc: Vpc) -> bool:
        return any(a.appliance_mode for a in plan.transit_gateway.attachments if a.vpc == vpc.name)

    def _tags(self, name: str) -> dict[str, str]:
        return tags(self._plan.stack, name)

    def _flow_log(self, vpc: Vpc, access: FlowLogAccess, opts: pulumi.ResourceOptions) -> None:
        flow = vpc.flow_log
        assert flow is not None
        if flow.destination == "cloudwatch":
            group = aws.cloudwatch.LogGroup(
                resource_name(vpc.name, "flow-logs"),
                name=flow.log_group,
                retention_in_days=flow.retention_days,
                kms_key_id=access.kms_key_arn,
                tags=self._tags(f"{vpc.name}-flow-logs"),
                opts=opts,
            )
            destination: pulumi.Input[str] = group.arn
            kind, iam_role_arn = "cloud-watch-logs", access.role_arn
        else:
            destination, kind, iam_role_arn = str(flow.bucket_arn), "s3", None
        aws.ec2.FlowLog(
            flow.name,
            vpc_id=self.vpc.id,
            traffic_type=flow.traffic_type,
            log_destination_type=kind,
            log_destination=destination,
            tags=self._tags(flow.name),
            iam_role_arn=iam_role_arn,
            opts=opts,
        )

    def _routes(
        self,
        table: RouteTable,
        targets: dict[str, dict[str, pulumi.Input[str]]],
        tgw_depends: list[pulumi.Resource],
    ) -> None:
        """Create one aws.ec2.Route per planned route (never inline routes)."""
        for route in table.routes:
            name = resource_name(table.name, route.destination)
            rt_id = self._tables[table.name].id
            if route.target.type == "tgw":
                aws.ec2.Route(
                    name,
                    route_table_id=rt_id,
                    destination_cidr_block=route.destination,
                    transit_gateway_id=self._transit_gateway_id,
                    opts=pulumi.ResourceOptions(parent=self, depends_on=tgw_depends),
                )
            elif route.target.type == "igw":
                aws.ec2.Route(
                    name,
                    route_table_id=rt_id,
                    destination_cidr_block=route.destination,
                    gateway_id=targets["igw"][""],
                    opts=pulumi.ResourceOptions(parent=self),
                )
            else:
                aws.ec2.Route(
                    name,
                    route_table_id=rt_id,
                    destination_cidr_block=route.destination,
                    nat_gateway_id=targets["nat"][str(route.target.name)],
                    opts=pulumi.ResourceOptions(parent=self),
                )

    def _outputs(self) -> dict[str, object]:
        return {
            "vpcId": self.vpc_id,
            "subnetIds": self.subnet_ids,
            "routeTableIds": self.route_table_ids,
            "attachmentId": self.attachment_id,
        }


class HubVpc(_VpcBase):
    """The hub: public subnets, IGW, NAT gateways per the egress mode, the return path."""

    def __init__(
        self,
        name: str,
        plan: NetworkPlan,
        transit_gateway_id: pulumi.Input[str],
        access: FlowLogAccess | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("foundation:network:HubVpc", name, None, opts)
        vpc = plan.hub
        self._build_core(plan, vpc, access or FlowLogAccess(None, None), transit_gateway_id)
        child = pulumi.ResourceOptions(parent=self)
        igw = aws.ec2.InternetGateway(
            str(vpc.internet_gateway),
            vpc_id=self.vpc.id,
            tags=self._tags(str(vpc.internet_gateway)),
            opts=child,
        )
        self.nat_gateway_ids: dict[str, pulumi.Output[str]] = {}
        for nat in vpc.nat_gateways:
            eip = aws.ec2.Eip(
                nat.eip,
                domain="vpc",
                tags=self._tags(nat.eip),
                # partners allowlist these addresses: protected in production (DESIGN §3.13)
                opts=pulumi.ResourceOptions(parent=self, depends_on=[igw], protect=plan.production),
            )
            gateway = aws.ec2.NatGateway(
                nat.name,
                allocation_id=eip.allocation_id,
                subnet_id=self._subnets[nat.subnet].id,
                connectivity_type="public",
                tags=self._tags(nat.name),
                opts=pulumi.ResourceOptions(parent=self, depends_on=[igw]),
            )
            self.nat_gateway_ids[nat.name] = gateway.id
        targets: dict[str, dict[str, pulumi.Input[str]]] = {
            "igw": {"": igw.id},
            "nat": dict(self.nat_gateway_ids),
        }
        for table in vpc.route_tables:
            self._routes(table, targets, [self.attachment])
        self.internet_gateway_id = igw.id
        self.register_outputs(
            {**self._outputs(), "natGatewayIds": self.nat_gateway_ids, "internetGatewayId": igw.id}
        )


class SpokeVpc(_VpcBase):
    """A workload VPC: no IGW; workload tiers route out through the Transit Gateway."""

    def __init__(
        self,
        name: str,
        plan: NetworkPlan,
        vpc: Vpc,
        transit_gateway_id: pulumi.Input[str],
        access: FlowLogAccess | None = None,
        opts: pulumi.ResourceOptions | None = None,
        shared: SharedTransit | None = None,
    ):
        super().__init__("foundation:network:SpokeVpc", name, None, opts)
        self._build_core(plan, vpc, access or FlowLogAccess(None, None), transit_gateway_id, shared)
        for table in vpc.route_tables:
            self._routes(table, {}, self._tgw_depends)
        self.register_outputs(self._outputs())
