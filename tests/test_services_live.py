"""Shared services against moto (DESIGN §3.15): deploy, drift, quotas.

What the mocked program registers is deployed into moto (interface endpoints, security
groups and rules, private hosted zones and associations, Resolver endpoints, rules and
associations all work there); then the live network is mutated and drift must say so.
"""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import pytest

from tests.moto_deploy import deploy, record_stack
from tests.services_stack import record_lock, write_services_stack

pytestmark = pytest.mark.moto


@pytest.fixture
def services_ws(workspace: Path) -> Path:
    write_services_stack(workspace)
    record_lock(workspace)
    return workspace


@pytest.fixture
def deployed(aws, services_ws: Path) -> dict[str, str]:
    return deploy(record_stack(services_ws, "dev"))


def drift(cli, workspace: Path) -> tuple[int, dict]:
    result = cli(workspace, "drift", "dev", "--format", "json")
    assert result.code in (0, 1), result.err
    return result.code, json.loads(result.out)


def test_endpoints_and_resolver_deploy_and_drift_is_clean(deployed, services_ws: Path, cli) -> None:
    ec2 = boto3.client("ec2", region_name="us-east-1")
    endpoints = ec2.describe_vpc_endpoints(
        Filters=[{"Name": "vpc-endpoint-type", "Values": ["Interface"]}]
    )["VpcEndpoints"]
    assert sorted(e["ServiceName"] for e in endpoints) == sorted(
        f"com.amazonaws.us-east-1.{s}" for s in ("ssm", "sts", "ecr.api", "ecr.dkr")
    )
    assert all(len(e["SubnetIds"]) == 3 and not e["PrivateDnsEnabled"] for e in endpoints)
    resolver = boto3.client("route53resolver", region_name="us-east-1")
    directions = sorted(
        e["Direction"] for e in resolver.list_resolver_endpoints()["ResolverEndpoints"]
    )
    assert directions == ["INBOUND", "OUTBOUND"]
    code, doc = drift(cli, services_ws)
    assert (code, doc["status"]) == (0, "clean"), doc["findings"]


def _finding(doc: dict, kind: str, resource_type: str, name_part: str) -> dict:
    found = [
        f
        for f in doc["findings"]
        if f["kind"] == kind and f["resourceType"] == resource_type and name_part in f["name"]
    ]
    assert found, doc["findings"]
    return found[0]


def test_a_removed_zone_association_is_missing_drift(deployed, services_ws: Path, cli) -> None:
    route53 = boto3.client("route53", region_name="us-east-1")
    zone = next(
        z for z in route53.list_hosted_zones()["HostedZones"] if z["Name"].startswith("ssm.")
    )
    vpc = deployed["ec2/vpc:payments"]
    route53.disassociate_vpc_from_hosted_zone(
        HostedZoneId=zone["Id"], VPC={"VPCRegion": "us-east-1", "VPCId": vpc}
    )
    code, doc = drift(cli, services_ws)
    assert code == 1
    f = _finding(doc, "missing", "zone-association", "services-zone-ssm payments")
    assert f["severity"] == "high"
    assert len(doc["findings"]) == 1, doc["findings"]


def test_an_opened_security_group_rule_is_unmanaged_drift(deployed, services_ws: Path, cli) -> None:
    ec2 = boto3.client("ec2", region_name="us-east-1")
    group = deployed["ec2/securityGroup:services-endpoints-sg"]
    ec2.authorize_security_group_ingress(
        GroupId=group,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 443,
                "ToPort": 443,
                "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
            }
        ],
    )
    code, doc = drift(cli, services_ws)
    assert code == 1
    f = _finding(
        doc,
        "unmanaged",
        "security-group-rule",
        "services-endpoints-sg ingress tcp 443-443 0.0.0.0/0",
    )
    assert f["severity"] == "high" and f["handMade"] is True
    assert len(doc["findings"]) == 1, doc["findings"]


def test_a_removed_rule_association_and_endpoint_are_missing(
    deployed, services_ws: Path, cli
) -> None:
    resolver = boto3.client("route53resolver", region_name="us-east-1")
    tools = deployed["ec2/vpc:tools"]
    association = next(
        a
        for a in resolver.list_resolver_rule_associations()["ResolverRuleAssociations"]
        if a["VPCId"] == tools
    )
    resolver.disassociate_resolver_rule(VPCId=tools, ResolverRuleId=association["ResolverRuleId"])
    ec2 = boto3.client("ec2", region_name="us-east-1")
    ec2.delete_vpc_endpoints(VpcEndpointIds=[deployed["ec2/vpcEndpoint:services-endpoint-sts"]])
    code, doc = drift(cli, services_ws)
    assert code == 1
    _finding(doc, "missing", "resolver-rule-association", "services-rule-corp-example-com tools")
    _finding(doc, "missing", "interface-endpoint", "services-endpoint-sts")


def test_a_spokes_own_private_dns_endpoint_is_named_with_the_central_zone(
    deployed, services_ws: Path, cli
) -> None:
    ec2 = boto3.client("ec2", region_name="us-east-1")
    payments = deployed["ec2/vpc:payments"]
    subnet = deployed["ec2/subnet:payments-private-a"]
    own = ec2.create_vpc_endpoint(
        VpcId=payments,
        ServiceName="com.amazonaws.us-east-1.ssm",
        VpcEndpointType="Interface",
        SubnetIds=[subnet],
        PrivateDnsEnabled=True,
    )["VpcEndpoint"]["VpcEndpointId"]
    code, doc = drift(cli, services_ws)
    assert code == 1
    f = _finding(doc, "unmanaged", "interface-endpoint", f"{own} (payments/ssm)")
    assert f["attribute"] == "privateDns" and "services-zone-ssm" in f["expected"]
    assert own in f["actual"]


def test_quotas_count_the_resolver_endpoints_of_others(aws, services_ws: Path, cli) -> None:
    ec2 = boto3.client("ec2", region_name="us-east-1")
    vpc = ec2.create_vpc(CidrBlock="10.200.0.0/24")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=c, AvailabilityZone=az)["Subnet"]["SubnetId"]
        for c, az in (("10.200.0.0/26", "us-east-1a"), ("10.200.0.64/26", "us-east-1b"))
    ]
    group = ec2.create_security_group(GroupName="other", Description="other", VpcId=vpc)["GroupId"]
    resolver = boto3.client("route53resolver", region_name="us-east-1")
    for n in range(2):
        resolver.create_resolver_endpoint(
            CreatorRequestId=f"other-{n}",
            Name=f"someone-else-{n}",
            SecurityGroupIds=[group],
            Direction="INBOUND",
            IpAddresses=[{"SubnetId": s} for s in subnets],
        )
    result = cli(services_ws, "quotas", "dev", "--format", "json")
    rows = {r["code"]: r for r in json.loads(result.out)["quotas"]}
    row = rows["RESOLVER-ENDPOINTS"]
    assert (row["existing"], row["planned"], row["limit"]) == (2, 2, 4)
    assert row["status"] == "warn"  # 4 of 4 with 15% headroom: not over, but no room left
    assert rows["L-29B6F2EB"]["planned"] == 4 and rows["L-29B6F2EB"]["scope"] == "services"
