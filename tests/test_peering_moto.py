"""Both Regions deployed into moto, peered with acceptance, then drift (DESIGN §3.9, §4).

The recordings come from the real program under the mock engine (as `pulumi up` at the
end of the sequence). Deployment follows the README's sequence: each stack's network
first; then the requester (prod-euw1) finds the peer's TGW by its tags in us-east-1 and
requests; the accepter finds the pending attachment by state and the requester's TGW id,
accepts and tags it; then the routes and associations that use the peering.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import boto3
import pytest

from foundation.offline.mockrun import PeeringWorld, Recording, Registration
from tests.moto_deploy import deploy, record_stack
from tests.peering_project import EUW1, USE1, both_planned, peered_project

pytestmark = pytest.mark.moto

ATTACH = "aws:ec2transitgateway/peeringAttachment:PeeringAttachment"
ACCEPT = "aws:ec2transitgateway/peeringAttachmentAccepter:PeeringAttachmentAccepter"
REGION = {USE1: "us-east-1", EUW1: "eu-west-1"}


def record(project: Path, stack: str) -> Recording:
    return record_stack(project, stack, peering=PeeringWorld())


def split(rec: Recording) -> tuple[Recording, Recording, set[str]]:
    """(the network without the peering, what uses the peering, the peering's mock ids)."""
    peering = [r for r in rec.custom if r.type in (ATTACH, ACCEPT)]
    refs = {ref for r in peering for ref in (*r.refs, f"{r.type.split(':')[1]}:{r.name}")}
    refs |= {str(r.inputs["transitGatewayAttachmentId"]) for r in peering if r.type == ACCEPT}

    def uses(r: Registration) -> bool:
        return any(isinstance(v, str) and v in refs for v in r.inputs.values())

    first = [r for r in rec.resources if r not in peering and not uses(r)]
    later = [r for r in rec.resources if r.custom and uses(r) and r not in peering]
    return replace(rec, resources=first), replace(rec, resources=later), refs


def tgw_by_tags(stack: str) -> str:
    ec2 = boto3.client("ec2", region_name=REGION[stack])
    [tgw] = ec2.describe_transit_gateways(
        Filters=[
            {"Name": "tag:foundation:stack", "Values": [stack]},
            {"Name": "tag:foundation:name", "Values": ["tgw"]},
        ]
    )["TransitGateways"]
    return str(tgw["TransitGatewayId"])


@pytest.fixture
def project(tmp_path: Path, cli) -> Path:
    root = peered_project(tmp_path)
    both_planned(cli, root)
    return root


def deploy_pair(project: Path, accept: bool = True) -> dict[str, Any]:
    """Deploy both stacks and the peering; returns the ids and the attachment id."""
    parts = {s: split(record(project, s)) for s in (USE1, EUW1)}
    ids = {s: deploy(parts[s][0], REGION[s]) for s in (USE1, EUW1)}
    # requester (prod-euw1 sorts first): the peer's TGW by its tags, in the peer's Region
    west = boto3.client("ec2", region_name="eu-west-1")
    east = boto3.client("ec2", region_name="us-east-1")
    requester_tgw = tgw_by_tags(EUW1)
    attachment = west.create_transit_gateway_peering_attachment(
        TransitGatewayId=requester_tgw,
        PeerTransitGatewayId=tgw_by_tags(USE1),
        PeerAccountId=boto3.client("sts").get_caller_identity()["Account"],
        PeerRegion="us-east-1",
        TagSpecifications=[
            {
                "ResourceType": "transit-gateway-attachment",
                "Tags": [
                    {"Key": "Name", "Value": f"{EUW1}-peer-{USE1}"},
                    {"Key": "foundation:stack", "Value": EUW1},
                    {"Key": "foundation:name", "Value": f"peer-{USE1}"},
                ],
            }
        ],
    )["TransitGatewayPeeringAttachment"]["TransitGatewayAttachmentId"]
    # accepter: by state and the requester's TGW id (the requester's tags are not copied)
    pending = [
        a
        for a in east.describe_transit_gateway_peering_attachments(
            Filters=[{"Name": "state", "Values": ["pendingAcceptance"]}]
        )["TransitGatewayPeeringAttachments"]
        if a["RequesterTgwInfo"]["TransitGatewayId"] == requester_tgw
    ]
    assert [a["TransitGatewayAttachmentId"] for a in pending] == [attachment]
    if not accept:
        east.reject_transit_gateway_peering_attachment(TransitGatewayAttachmentId=attachment)
        return {"ids": ids, "attachment": attachment}
    east.accept_transit_gateway_peering_attachment(TransitGatewayAttachmentId=attachment)
    # then what uses the peering, on both sides
    for s in (USE1, EUW1):
        known = {ref: attachment for ref in parts[s][2]}
        ids[s] |= deploy(parts[s][1], REGION[s], known={**ids[s], **known})
    return {"ids": ids, "attachment": attachment}


def drift(cli, project: Path, stack: str) -> dict[str, Any]:
    result = cli(project, "drift", stack, "--format", "json")
    assert result.code in (0, 1), result.err
    doc: dict[str, Any] = json.loads(result.out)
    return doc


def test_both_regions_deploy_peered_and_are_clean(aws, project: Path, cli) -> None:
    deployed = deploy_pair(project)
    east = boto3.client("ec2", region_name="us-east-1")
    [peering] = east.describe_transit_gateway_peering_attachments(
        TransitGatewayAttachmentIds=[deployed["attachment"]]
    )["TransitGatewayPeeringAttachments"]
    assert peering["State"] == "available"
    for stack in (USE1, EUW1):
        doc = drift(cli, project, stack)
        assert (doc["status"], doc["findings"]) == ("clean", []), (stack, doc["findings"])


def test_drift_finds_a_deleted_remote_route(aws, project: Path, cli) -> None:
    deploy_pair(project)
    use1 = json.loads(cli(project, "plan", USE1, "--format", "json").out)
    euw1 = json.loads(cli(project, "plan", EUW1, "--format", "json").out)
    ledger = next(v["cidr"] for v in euw1["vpcs"] if v["name"] == "ledger")
    east = boto3.client("ec2", region_name="us-east-1")
    tables = east.describe_transit_gateway_route_tables()["TransitGatewayRouteTables"]
    [prod] = [
        t
        for t in tables
        if {"Key": "foundation:name", "Value": "prod"} in t.get("Tags", [])
        and {"Key": "foundation:stack", "Value": USE1} in t.get("Tags", [])
    ]
    east.delete_transit_gateway_route(
        TransitGatewayRouteTableId=prod["TransitGatewayRouteTableId"], DestinationCidrBlock=ledger
    )
    doc = drift(cli, project, USE1)
    assert doc["status"] == "drift"
    assert [(f["kind"], f["resourceType"], f["name"]) for f in doc["findings"]] == [
        ("missing", "tgw-route", f"prod {ledger}")
    ]
    assert use1["transitGateway"]["peerings"][0]["state"] == "planned"


def test_drift_finds_a_rejected_peering(aws, project: Path, cli) -> None:
    deploy_pair(project, accept=False)
    doc = drift(cli, project, EUW1)
    changed = [f for f in doc["findings"] if f["resourceType"] == "tgw-peering"]
    assert [
        (f["kind"], f["name"], f["attribute"], f["expected"], f["actual"]) for f in changed
    ] == [("changed", f"peer-{USE1}", "state", "available", "rejected")]
    assert all(f["severity"] == "high" for f in changed)
    # and the routes that never were created are missing
    assert any(f["kind"] == "missing" and f["resourceType"] == "tgw-route" for f in doc["findings"])
