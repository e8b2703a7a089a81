"""The Pulumi program: spec -> plan -> quota gate -> drift gate -> components -> outputs."""

import pulumi

from components import Network
from components.azs import resolve_availability_zones
from foundation import program

prepared = program.load()
plan = program.make_plan(prepared, resolve_availability_zones(prepared.spec))
network = Network("network", plan, profile=program.aws_profile())

pulumi.export("vpcIds", network.vpc_ids)
pulumi.export("subnetIds", network.subnet_ids)
pulumi.export("routeTableIds", network.route_table_ids)
pulumi.export("transitGatewayId", network.transit_gateway_id)
pulumi.export("transitGatewayRouteTableIds", network.transit_route_table_ids)
if network.vpn_connections:  # the customer devices' tunnel configuration (secret)
    pulumi.export("vpnConnections", network.vpn_connections)
