"""The whole Pulumi program under the mock engine, for dev and prod (DESIGN §4)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pulumi
import pytest

from foundation.addresses.allocation import allocate
from foundation.config.workspace import Workspace
from foundation.config.yamlio import load_yaml
from foundation.network.build import build_plan
from foundation.network.stack_plan import offline_azs
from foundation.offline.mockrun import Recording, run_program
from tests.conftest import REPO, edit_stack

PROGRAM = REPO / "__main__.py"
TAGGABLE = {
    "aws:ec2/vpc:Vpc",
    "aws:ec2/subnet:Subnet",
    "aws:ec2/routeTable:RouteTable",
    "aws:ec2/internetGateway:InternetGateway",
    "aws:ec2/natGateway:NatGateway",
    "aws:ec2/eip:Eip",
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
    "aws:ec2/flowLog:FlowLog",
    "aws:ec2/vpcEndpoint:VpcEndpoint",
    "aws:cloudwatch/logGroup:LogGroup",
    "aws:iam/role:Role",
    "aws:ec2transitgateway/transitGateway:TransitGateway",
    "aws:ec2transitgateway/vpcAttachment:VpcAttachment",
    "aws:ec2transitgateway/routeTable:RouteTable",
    "aws:cloudwatch/metricAlarm:MetricAlarm",
    "aws:sns/topic:Topic",
    "aws:kms/key:Key",
}


def record(project: Path, stack: str, preview: bool = True, **options: Any) -> Recording:
    """Run the program for a stack under the mock engine (`options` go to run_program)."""
    config = load_yaml(project / "stacks" / f"Pulumi.{stack}.yaml")["config"]
    return run_program(
        PROGRAM,
        stack,
        config["aws:region"],
        config["foundation:network"],
        preview=preview,
        offline=True,
        project_root=project,
        **options,
    )


def plan_of(project: Path, stack: str):
    ws = Workspace(project)
    spec, addresses = ws.load(stack)
    allocation = allocate(spec, addresses, ws.lock_path, write=False).allocation
    return build_plan(spec, allocation, offline_azs(spec), str(addresses.pools[spec.network.pool]))


def of_type(rec: Recording, suffix: str) -> list:
    return [r for r in rec.custom if r.type.endswith(suffix)]


@pytest.mark.parametrize(
    ("stack", "nats", "spokes", "segments"), [("dev", 1, 3, 3), ("prod", 3, 6, 3)]
)
def test_resource_counts_follow_the_plan(
    workspace: Path, stack: str, nats: int, spokes: int, segments: int
) -> None:
    rec = record(workspace, stack)
    counts = Counter(r.type for r in rec.custom)
    assert counts["aws:ec2/natGateway:NatGateway"] == nats
    assert counts["aws:ec2/eip:Eip"] == nats
    assert counts["aws:ec2/vpc:Vpc"] == spokes + 1
    assert counts["aws:ec2transitgateway/vpcAttachment:VpcAttachment"] == spokes + 1
    assert counts["aws:ec2transitgateway/routeTable:RouteTable"] == segments + 1
    assert counts["aws:ec2transitgateway/transitGateway:TransitGateway"] == 1
    assert counts["aws:ec2/internetGateway:InternetGateway"] == 1
    assert counts["aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"] == spokes + 1
    assert counts["aws:ec2/flowLog:FlowLog"] == spokes + 1
    subnets = counts["aws:ec2/subnet:Subnet"]
    assert counts["aws:ec2/routeTableAssociation:RouteTableAssociation"] == subnets
    assert rec.exports == [
        "routeTableIds",
        "subnetIds",
        "transitGatewayId",
        "transitGatewayRouteTableIds",
        "vpcIds",
    ]


def test_nat_per_az_puts_one_nat_in_each_az_public_subnet(workspace: Path) -> None:
    rec = record(workspace, "prod")
    nats = sorted(r.inputs["subnetId"] for r in of_type(rec, "natGateway:NatGateway"))
    assert nats == ["ec2/subnet:hub-public-a", "ec2/subnet:hub-public-b", "ec2/subnet:hub-public-c"]


def test_every_route_points_where_the_plan_says(workspace: Path) -> None:
    for stack in ("dev", "prod"):
        rec = record(workspace, stack)
        plan = plan_of(workspace, stack)
        expected = set()
        for vpc in plan.vpcs:
            for table in vpc.route_tables:
                for route in table.routes:
                    target = {
                        "igw": "ec2/internetGateway:hub-igw",
                        "tgw": "ec2transitgateway/transitGateway:tgw",
                        "nat": f"ec2/natGateway:{route.target.name}",
                    }[route.target.type]
                    expected.add((f"ec2/routeTable:{table.name}", route.destination, target))
        actual = set()
        for r in of_type(rec, "aws:ec2/route:Route"):
            target = (
                r.inputs.get("gatewayId")
                or r.inputs.get("natGatewayId")
                or r.inputs.get("transitGatewayId")
            )
            actual.add((r.inputs["routeTableId"], r.inputs["destinationCidrBlock"], target))
        assert actual == expected, stack


def test_tgw_routing_matches_the_plan(workspace: Path) -> None:
    rec = record(workspace, "dev")
    plan = plan_of(workspace, "dev")
    tgw = plan.transit_gateway
    table = "ec2transitgateway/routeTable:"
    attach = "ec2transitgateway/vpcAttachment:"
    assoc = {
        (r.inputs["transitGatewayRouteTableId"], r.inputs["transitGatewayAttachmentId"])
        for r in of_type(rec, "routeTableAssociation:RouteTableAssociation")
        if "transitGatewayRouteTableId" in r.inputs
    }
    assert assoc == {(table + t.name, attach + a) for t in tgw.route_tables for a in t.associations}
    props = {
        (r.inputs["transitGatewayRouteTableId"], r.inputs["transitGatewayAttachmentId"])
        for r in of_type(rec, "routeTablePropagation:RouteTablePropagation")
    }
    assert props == {(table + t.name, attach + a) for t in tgw.route_tables for a in t.propagations}
    statics = {
        (
            r.inputs["transitGatewayRouteTableId"],
            r.inputs["destinationCidrBlock"],
            r.inputs.get("blackhole", False),
            r.inputs.get("transitGatewayAttachmentId"),
        )
        for r in of_type(rec, "aws:ec2transitgateway/route:Route")
    }
    assert (table + "prod", "10.16.0.0/14", True, None) in statics
    assert (table + "prod", "0.0.0.0/0", False, attach + "hub") in statics
    gateway = of_type(rec, "transitGateway:TransitGateway")[0].inputs
    assert gateway["autoAcceptSharedAttachments"] == "disable"
    assert gateway["defaultRouteTableAssociation"] == "disable"
    assert gateway["defaultRouteTablePropagation"] == "disable"
    assert gateway["dnsSupport"] == "enable"


def test_every_taggable_resource_carries_the_three_tags(workspace: Path) -> None:
    rec = record(workspace, "prod")
    taggable = [r for r in rec.custom if r.type in TAGGABLE]
    assert len(taggable) > 100
    for r in taggable:
        tags = r.inputs.get("tags")
        assert tags is not None, f"{r.type} {r.name} has no tags"
        assert tags["foundation:stack"] == "prod"
        assert tags["Name"] == f"prod-{tags['foundation:name']}"
    names = Counter((r.type, r.inputs["tags"]["foundation:name"]) for r in taggable)
    assert [k for k, n in names.items() if n > 1] == []


def test_no_inline_routes_and_unique_resource_names(workspace: Path) -> None:
    rec = record(workspace, "prod")
    for r in of_type(rec, "aws:ec2/routeTable:RouteTable"):
        assert "routes" not in r.inputs and "route" not in r.inputs
    duplicates = [k for k, n in Counter((r.type, r.name) for r in rec.resources).items() if n > 1]
    assert duplicates == []


def test_secure_defaults(workspace: Path) -> None:
    rec = record(workspace, "dev")
    for sg in of_type(rec, "defaultSecurityGroup:DefaultSecurityGroup"):
        assert sg.inputs.get("ingress", []) == [] and sg.inputs.get("egress", []) == []
    assert all(s.inputs["mapPublicIpOnLaunch"] is False for s in of_type(rec, "subnet:Subnet"))
    for flow in of_type(rec, "flowLog:FlowLog"):
        assert flow.inputs["trafficType"] == "ALL"
        assert flow.inputs["logDestinationType"] == "cloud-watch-logs"
    groups = of_type(rec, "logGroup:LogGroup")
    assert {g.inputs["retentionInDays"] for g in groups} == {30.0}
    endpoints = of_type(rec, "vpcEndpoint:VpcEndpoint")
    assert {e.inputs["serviceName"] for e in endpoints} == {
        "com.amazonaws.us-east-1.s3",
        "com.amazonaws.us-east-1.dynamodb",
    }
    for e in endpoints:
        assert e.inputs["vpcEndpointType"] == "Gateway"
        assert all("transit" not in t for t in e.inputs["routeTableIds"])


def test_resources_hang_under_their_components(workspace: Path) -> None:
    rec = record(workspace, "dev")
    by_component = rec.by_component()
    assert set(by_component) == {
        "Network network",
        "TransitHub transit",
        "HubVpc hub",
        "SpokeVpc payments",
        "SpokeVpc sandbox",
        "SpokeVpc tools",
        "SegmentRouting segments",
    }
    components = {r.type for r in rec.resources if not r.custom}
    assert "foundation:network:SpokeVpc" in components


def test_s3_flow_logs_use_the_bucket(workspace: Path) -> None:
    edit_stack(
        workspace,
        "dev",
        "flowLogs: {destination: cloudwatch, retentionDays: 30}",
        "flowLogs: {destination: s3, bucketArn: 'arn:aws:s3:::org-flow-logs'}",
    )
    rec = record(workspace, "dev")
    assert of_type(rec, "logGroup:LogGroup") == [] and of_type(rec, "iam/role:Role") == []
    flows = of_type(rec, "flowLog:FlowLog")
    assert {f.inputs["logDestination"] for f in flows} == {"arn:aws:s3:::org-flow-logs"}


def test_explicit_az_ids_are_honoured_in_slot_order(workspace: Path) -> None:
    edit_stack(workspace, "dev", "availabilityZones: 3", "availabilityZones: [use1-az3, use1-az1]")
    rec = record(workspace, "dev")
    azs = {
        r.inputs["tags"]["foundation:name"]: r.inputs["availabilityZone"]
        for r in of_type(rec, "subnet:Subnet")
    }
    # the offline catalogue maps use1-az1 -> us-east-1a, use1-az3 -> us-east-1c
    assert azs["tools-private-a"] == "us-east-1c"
    assert azs["tools-private-b"] == "us-east-1a"


def test_preview_allocates_missing_entries_provisionally_with_a_warning(workspace: Path) -> None:
    edit_stack(
        workspace,
        "dev",
        "      tools:",
        "      extra:    {segment: shared, size: 23}\n      tools:",
    )
    before = (workspace / "stacks" / "addresses.lock.yaml").read_text()
    rec = record(workspace, "dev", preview=True)
    assert any("allocated provisionally" in w for w in rec.warnings)
    assert any(r.name == "extra" and r.type == "aws:ec2/vpc:Vpc" for r in rec.custom)
    assert (workspace / "stacks" / "addresses.lock.yaml").read_text() == before


def test_up_refuses_until_the_lock_is_complete(workspace: Path) -> None:
    edit_stack(
        workspace,
        "dev",
        "      tools:",
        "      extra:    {segment: shared, size: 23}\n      tools:",
    )
    with pytest.raises(pulumi.RunError, match="Run `python -m foundation plan dev` and commit"):
        record(workspace, "dev", preview=False)
    (workspace / "stacks" / "addresses.lock.yaml").unlink()
    with pytest.raises(pulumi.RunError, match=r"missing from stacks/addresses\.lock\.yaml"):
        record(workspace, "dev", preview=False)


def test_up_with_a_complete_lock_registers_everything(workspace: Path) -> None:
    rec = record(workspace, "dev", preview=False)
    assert len(rec.custom) == 136
