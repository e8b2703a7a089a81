"""Inputs AWS cannot change in place: changing one replaces the resource (delete + create).

One row per resource type the program registers, keyed by the Pulumi wire name of the
input, as the provider marks it (`ForceNew` in the upstream Terraform schema that
pulumi-aws bridges; checked against terraform-provider-aws's resource schemas). An input
not listed here updates in place. A reference to a replaced resource changes too (its id
is new): through a listed input it replaces the referrer as well, through another input
it updates it (foundation.offline.resource_diff cascades this).

Replaced when these inputs change (what updates in place instead, for contrast):

- ec2 Vpc: cidrBlock, instanceTenancy, ipv4IpamPoolId, ipv4NetmaskLength (enableDns*).
- ec2 Subnet: vpcId, cidrBlock, availabilityZone, availabilityZoneId, outpostArn
  (mapPublicIpOnLaunch).
- ec2 RouteTable: vpcId. ec2 RouteTableAssociation: subnetId, gatewayId (routeTableId,
  through ReplaceRouteTableAssociation).
- ec2 Route: routeTableId and the destination (its target, through ReplaceRoute).
- ec2 InternetGateway: nothing (vpcId detaches and attaches).
- ec2 Eip: domain, address, publicIpv4Pool, customerOwnedIpv4Pool, networkBorderGroup.
- ec2 NatGateway: allocationId, subnetId, connectivityType, privateIp.
- ec2 DefaultSecurityGroup: vpcId (its rules update).
- ec2 VpcEndpoint: vpcId, serviceName, vpcEndpointType (routeTableIds, subnetIds).
- ec2 FlowLog: vpcId, trafficType, logDestination, logDestinationType, iamRoleArn,
  logFormat, maxAggregationInterval.
- TGW TransitGateway: multicastSupport; default route table association or propagation
  going from disable to enable (amazonSideAsn and the rest: ModifyTransitGateway).
- TGW RouteTable: transitGatewayId. TGW VpcAttachment: transitGatewayId, vpcId
  (subnetIds and options update).
- TGW RouteTableAssociation and RouteTablePropagation: both of their inputs.
- TGW Route: every input (the resource has no update).
- cloudwatch LogGroup: name, namePrefix, logGroupClass (retentionInDays, kmsKeyId).
- iam Role: name, namePrefix, path; iam RolePolicy: role, name, namePrefix.
- ec2 CustomerGateway: every input (ipAddress, bgpAsn, type, ...) but tags.
- ec2 VpnConnection: staticRoutesOnly, enableAcceleration, tunnel inside CIDRs and IP
  version (customerGatewayId and transitGatewayId through ModifyVpnConnection; tunnel
  options and pre-shared keys through ModifyVpnTunnelOptions).
- directconnect GatewayAssociation: dxGatewayId, associatedGatewayId, its owner account,
  proposalId (allowedPrefixes update). ec2 Tag: resourceId, key (value).
- shared services (DESIGN §3.15): ec2 SecurityGroup: name, namePrefix, description, vpcId
  (its separate rules update in place, except their securityGroupId); route53 Zone: name,
  delegationSetId; ZoneAssociation and VpcAssociationAuthorization: zoneId, vpcId,
  vpcRegion; Record: zoneId, name, type; ResolverEndpoint: direction, securityGroupIds
  (ipAddresses update); ResolverRule: domainName, ruleType (targets update);
  ResolverRuleAssociation: every input.
- networkfirewall Firewall: name, vpcId (subnetMappings, policy, protections update);
  FirewallPolicy: name; RuleGroup: name, type, capacity (rules update in place);
  LoggingConfiguration: firewallArn.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

FORCE_NEW: dict[str, frozenset[str]] = {
    "aws:ec2/vpc:Vpc": frozenset(
        {"cidrBlock", "instanceTenancy", "ipv4IpamPoolId", "ipv4NetmaskLength"}
    ),
    "aws:ec2/subnet:Subnet": frozenset(
        {"vpcId", "cidrBlock", "availabilityZone", "availabilityZoneId", "outpostArn"}
    ),
    "aws:ec2/routeTable:RouteTable": frozenset({"vpcId"}),
    "aws:ec2/routeTableAssociation:RouteTableAssociation": frozenset({"subnetId", "gatewayId"}),
    "aws:ec2/route:Route": frozenset(
        {
            "routeTableId",
            "destinationCidrBlock",
            "destinationIpv6CidrBlock",
            "destinationPrefixListId",
        }
    ),
    "aws:ec2/internetGateway:InternetGateway": frozenset(),
    "aws:ec2/eip:Eip": frozenset(
        {"domain", "address", "publicIpv4Pool", "customerOwnedIpv4Pool", "networkBorderGroup"}
    ),
    "aws:ec2/natGateway:NatGateway": frozenset(
        {"allocationId", "subnetId", "connectivityType", "privateIp"}
    ),
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": frozenset({"vpcId"}),
    "aws:ec2/vpcEndpoint:VpcEndpoint": frozenset({"vpcId", "serviceName", "vpcEndpointType"}),
    "aws:ec2/flowLog:FlowLog": frozenset(
        {
            "vpcId",
            "trafficType",
            "logDestination",
            "logDestinationType",
            "iamRoleArn",
            "logFormat",
            "maxAggregationInterval",
        }
    ),
    "aws:ec2transitgateway/transitGateway:TransitGateway": frozenset({"multicastSupport"}),
    "aws:ec2transitgateway/routeTable:RouteTable": frozenset({"transitGatewayId"}),
    "aws:ec2transitgateway/vpcAttachment:VpcAttachment": frozenset({"transitGatewayId", "vpcId"}),
    "aws:ec2transitgateway/routeTableAssociation:RouteTableAssociation": frozenset(
        {"transitGatewayAttachmentId", "transitGatewayRouteTableId"}
    ),
    "aws:ec2transitgateway/routeTablePropagation:RouteTablePropagation": frozenset(
        {"transitGatewayAttachmentId", "transitGatewayRouteTableId"}
    ),
    "aws:ec2transitgateway/route:Route": frozenset(
        {
            "destinationCidrBlock",
            "transitGatewayRouteTableId",
            "transitGatewayAttachmentId",
            "blackhole",
        }
    ),
    "aws:cloudwatch/logGroup:LogGroup": frozenset({"name", "namePrefix", "logGroupClass"}),
    "aws:iam/role:Role": frozenset({"name", "namePrefix", "path"}),
    "aws:iam/rolePolicy:RolePolicy": frozenset({"role", "name", "namePrefix"}),
    # hybrid (§3.14)
    "aws:ec2/customerGateway:CustomerGateway": frozenset(
        {"bgpAsn", "bgpAsnExtended", "certificateArn", "deviceName", "ipAddress", "type"}
    ),
    "aws:ec2/vpnConnection:VpnConnection": frozenset(
        {
            "enableAcceleration",
            "staticRoutesOnly",
            "tunnelInsideIpVersion",
            "tunnel1InsideCidr",
            "tunnel2InsideCidr",
            "tunnel1InsideIpv6Cidr",
            "tunnel2InsideIpv6Cidr",
        }
    ),
    "aws:directconnect/gatewayAssociation:GatewayAssociation": frozenset(
        {"dxGatewayId", "associatedGatewayId", "associatedGatewayOwnerAccountId", "proposalId"}
    ),
    "aws:ec2/tag:Tag": frozenset({"resourceId", "key"}),
    # shared services (DESIGN §3.15)
    "aws:ec2/securityGroup:SecurityGroup": frozenset(
        {"name", "namePrefix", "description", "vpcId"}
    ),
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": frozenset({"securityGroupId"}),
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": frozenset({"securityGroupId"}),
    "aws:route53/zone:Zone": frozenset({"name", "delegationSetId"}),
    "aws:route53/zoneAssociation:ZoneAssociation": frozenset({"zoneId", "vpcId", "vpcRegion"}),
    "aws:route53/vpcAssociationAuthorization:VpcAssociationAuthorization": frozenset(
        {"zoneId", "vpcId", "vpcRegion"}
    ),
    "aws:route53/record:Record": frozenset({"zoneId", "name", "type"}),
    "aws:route53/resolverEndpoint:ResolverEndpoint": frozenset({"direction", "securityGroupIds"}),
    "aws:route53/resolverRule:ResolverRule": frozenset({"domainName", "ruleType"}),
    "aws:route53/resolverRuleAssociation:ResolverRuleAssociation": frozenset(
        {"resolverRuleId", "vpcId", "name"}
    ),
    # central inspection (DESIGN §3.10)
    "aws:networkfirewall/firewall:Firewall": frozenset({"name", "vpcId"}),
    "aws:networkfirewall/firewallPolicy:FirewallPolicy": frozenset({"name"}),
    "aws:networkfirewall/ruleGroup:RuleGroup": frozenset({"name", "type", "capacity"}),
    "aws:networkfirewall/loggingConfiguration:LoggingConfiguration": frozenset({"firewallArn"}),
}

# Inputs that replace only on one direction of change: (old, new) pairs that force it.
FORCE_NEW_IF: dict[str, dict[str, tuple[tuple[Any, Any], ...]]] = {
    "aws:ec2transitgateway/transitGateway:TransitGateway": {
        "defaultRouteTableAssociation": (("disable", "enable"),),
        "defaultRouteTablePropagation": (("disable", "enable"),),
    },
}


def forces_replacement(
    type_: str, key: str, old: Mapping[str, Any], new: Mapping[str, Any]
) -> bool:
    """Whether changing input `key` of a `type_` resource from `old` to `new` replaces it."""
    if key in FORCE_NEW.get(type_, frozenset()):
        return True
    pairs = FORCE_NEW_IF.get(type_, {}).get(key, ())
    return (old.get(key), new.get(key)) in pairs


def is_force_new(type_: str, key: str) -> bool:
    """Whether any change of `key` replaces a `type_` resource (a reference to a new id does)."""
    return key in FORCE_NEW.get(type_, frozenset())
