"""moto translations of the shared-services resources (DESIGN §3.15), for moto_deploy.

Records (alias targets are unknown under the mock engine) and cross-account association
authorisations (404 in moto, DESIGN §4) are not deployed: drift does not compare them.
"""

from __future__ import annotations

import uuid
from typing import Any

import boto3

from foundation.offline.mockrun import Registration

TYPES = (
    "aws:ec2/securityGroup:SecurityGroup",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
    "aws:route53/",
)
SKIP = ("aws:route53/record:Record", "aws:route53/vpcAssociationAuthorization")


def handles(r: Registration) -> bool:
    """Whether this module deploys (or deliberately skips) the resource."""
    interface = r.type == "aws:ec2/vpcEndpoint:VpcEndpoint" and (
        r.inputs.get("vpcEndpointType") == "Interface"
    )
    return interface or r.type.startswith(TYPES)


def _tags(inputs: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    tags = inputs.get("tags") or {}
    return [{"ResourceType": kind, "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}]


def create(r: Registration, session: boto3.session.Session, region: str, real: Any) -> str:
    """Create one shared-services resource in moto; returns its real id."""
    i, t = r.inputs, r.type
    if t.startswith(SKIP):
        return f"skipped:{r.name}"
    ec2 = session.client("ec2", region_name=region)
    if t == "aws:ec2/vpcEndpoint:VpcEndpoint":
        return str(
            ec2.create_vpc_endpoint(
                VpcId=real(i["vpcId"]),
                ServiceName=i["serviceName"],
                VpcEndpointType="Interface",
                SubnetIds=[real(s) for s in i["subnetIds"]],
                SecurityGroupIds=[real(g) for g in i["securityGroupIds"]],
                PrivateDnsEnabled=bool(i.get("privateDnsEnabled")),
                TagSpecifications=_tags(i, "vpc-endpoint"),
            )["VpcEndpoint"]["VpcEndpointId"]
        )
    if t == "aws:ec2/securityGroup:SecurityGroup":
        group = ec2.create_security_group(
            GroupName=i["tags"]["Name"],
            Description=i["description"],
            VpcId=real(i["vpcId"]),
            TagSpecifications=_tags(i, "security-group"),
        )["GroupId"]
        egress = ec2.describe_security_groups(GroupIds=[group])["SecurityGroups"][0]
        if egress.get("IpPermissionsEgress"):  # the provider removes AWS's allow-all egress
            ec2.revoke_security_group_egress(
                GroupId=group, IpPermissions=egress["IpPermissionsEgress"]
            )
        return str(group)
    if t.startswith("aws:vpc/securityGroup"):
        permission = {
            "IpProtocol": i["ipProtocol"],
            "FromPort": int(i["fromPort"]),
            "ToPort": int(i["toPort"]),
            "IpRanges": [{"CidrIp": i["cidrIpv4"]}],
        }
        call = (
            ec2.authorize_security_group_ingress
            if "Ingress" in t
            else ec2.authorize_security_group_egress
        )
        call(GroupId=real(i["securityGroupId"]), IpPermissions=[permission])
        return f"sgr:{r.name}"
    route53 = session.client("route53", region_name=region)
    resolver = session.client("route53resolver", region_name=region)
    if t == "aws:route53/zone:Zone":
        vpc = i["vpcs"][0]
        return str(
            route53.create_hosted_zone(
                Name=i["name"],
                CallerReference=str(uuid.uuid4()),
                HostedZoneConfig={"Comment": i["comment"], "PrivateZone": True},
                VPC={"VPCRegion": vpc["vpcRegion"], "VPCId": real(vpc["vpcId"])},
            )["HostedZone"]["Id"]
        ).rsplit("/", 1)[-1]
    if t == "aws:route53/zoneAssociation:ZoneAssociation":
        route53.associate_vpc_with_hosted_zone(
            HostedZoneId=real(i["zoneId"]), VPC={"VPCRegion": region, "VPCId": real(i["vpcId"])}
        )
        return f"zone-assoc:{r.name}"
    if t == "aws:route53/resolverEndpoint:ResolverEndpoint":
        return str(
            resolver.create_resolver_endpoint(
                CreatorRequestId=str(uuid.uuid4()),
                Name=i["name"],
                SecurityGroupIds=[real(g) for g in i["securityGroupIds"]],
                Direction=i["direction"],
                IpAddresses=[
                    {"SubnetId": real(a["subnetId"]), "Ip": a["ip"]} for a in i["ipAddresses"]
                ],
            )["ResolverEndpoint"]["Id"]
        )
    if t == "aws:route53/resolverRule:ResolverRule":
        return str(
            resolver.create_resolver_rule(
                CreatorRequestId=str(uuid.uuid4()),
                Name=i["name"],
                RuleType=i["ruleType"],
                DomainName=i["domainName"],
                TargetIps=[{"Ip": x["ip"], "Port": int(x["port"])} for x in i["targetIps"]],
                ResolverEndpointId=real(i["resolverEndpointId"]),
            )["ResolverRule"]["Id"]
        )
    if t == "aws:route53/resolverRuleAssociation:ResolverRuleAssociation":
        return str(
            resolver.associate_resolver_rule(
                ResolverRuleId=real(i["resolverRuleId"]), VPCId=real(i["vpcId"]), Name=i["name"]
            )["ResolverRuleAssociation"]["Id"]
        )
    raise NotImplementedError(f"no moto translation for {t}")
