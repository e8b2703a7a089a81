"""Hybrid against moto (§3.14): VPNs on the TGW deploy, and drift finds what changed."""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import pytest

from tests.hybrid_stack import write_hybrid_stack
from tests.moto_deploy import deploy, record_stack
from tests.test_hybrid import TWO_VPN_NO_DX

pytestmark = pytest.mark.moto


@pytest.fixture
def hybrid(aws, workspace: Path, cli) -> dict[str, str]:
    """The hybrid stack (two VPNs; moto has no Direct Connect) deployed into moto."""
    write_hybrid_stack(workspace, *TWO_VPN_NO_DX)
    assert cli(workspace, "plan", "hybrid").code == 0  # records the lock
    return deploy(record_stack(workspace, "hybrid"))


def drift(cli, workspace: Path) -> tuple[int, dict]:
    result = cli(workspace, "drift", "hybrid", "--format", "json")
    assert result.code in (0, 1), result.err
    return result.code, json.loads(result.out)


def test_vpn_connections_on_the_tgw_deploy_and_are_clean(hybrid, workspace: Path, cli) -> None:
    ec2 = boto3.client("ec2", region_name="us-east-1")
    vpns = ec2.describe_vpn_connections()["VpnConnections"]
    assert {v["TransitGatewayId"] for v in vpns} == {hybrid["ec2transitgateway/transitGateway:tgw"]}
    assert len(vpns) == 2
    links = ec2.get_transit_gateway_route_table_associations(
        TransitGatewayRouteTableId=hybrid["ec2transitgateway/routeTable:onprem"]
    )["Associations"]
    assert sorted(a["ResourceType"] for a in links) == ["vpn", "vpn"]
    code, doc = drift(cli, workspace)
    assert (code, doc["status"], doc["findings"]) == (0, "clean", [])


def test_drift_finds_a_deleted_vpn_connection(hybrid, workspace: Path, cli) -> None:
    ec2 = boto3.client("ec2", region_name="us-east-1")
    ec2.delete_vpn_connection(VpnConnectionId=hybrid["ec2/vpnConnection:vpn-dc2"])
    code, doc = drift(cli, workspace)
    assert code == 1 and doc["status"] == "drift"
    missing = {(f["resourceType"], f["name"]) for f in doc["findings"] if f["kind"] == "missing"}
    assert ("vpn-connection", "vpn-dc2") in missing
    assert ("hybrid-attachment", "vpn-dc2") in missing
    assert ("tgw-association", "onprem vpn-dc2") in missing
    assert ("tgw-propagation", "prod vpn-dc2") in missing
    assert all(f["severity"] == "high" for f in doc["findings"] if f["kind"] == "missing")


def test_drift_finds_a_propagation_into_an_unlisted_segment(hybrid, workspace: Path, cli) -> None:
    ec2 = boto3.client("ec2", region_name="us-east-1")
    ec2.enable_transit_gateway_route_table_propagation(
        TransitGatewayRouteTableId=hybrid["ec2transitgateway/routeTable:nonprod"],
        TransitGatewayAttachmentId=hybrid["tgw-attach-vpn-dc1"],
    )
    code, doc = drift(cli, workspace)
    assert code == 1
    assert [(f["kind"], f["resourceType"], f["name"], f["severity"]) for f in doc["findings"]] == [
        ("unmanaged", "tgw-propagation", "nonprod vpn-dc1", "high")
    ]


def test_drift_finds_a_removed_blackhole(hybrid, workspace: Path, cli) -> None:
    ec2 = boto3.client("ec2", region_name="us-east-1")
    ec2.delete_transit_gateway_route(
        TransitGatewayRouteTableId=hybrid["ec2transitgateway/routeTable:nonprod"],
        DestinationCidrBlock="10.0.0.0/16",
    )
    code, doc = drift(cli, workspace)
    assert code == 1
    assert [(f["kind"], f["resourceType"], f["name"]) for f in doc["findings"]] == [
        ("missing", "tgw-route", "nonprod 10.0.0.0/16")
    ]


def test_live_quotas_count_other_vpn_connections(hybrid, workspace: Path, cli) -> None:
    ec2 = boto3.client("ec2", region_name="us-east-1")
    cgw = ec2.create_customer_gateway(Type="ipsec.1", PublicIp="192.0.2.7", BgpAsn=65100)
    vgw = ec2.create_vpn_gateway(Type="ipsec.1")["VpnGateway"]["VpnGatewayId"]
    ec2.create_vpn_connection(
        Type="ipsec.1",
        CustomerGatewayId=cgw["CustomerGateway"]["CustomerGatewayId"],
        VpnGatewayId=vgw,
    )
    result = cli(workspace, "quotas", "hybrid", "--format", "json")
    assert result.code in (0, 1), result.err
    doc = json.loads(result.out)
    rows = doc["quotas"] if isinstance(doc, dict) else doc
    vpn = next(r for r in rows if r["code"] == "L-3E6EC3A3")
    cgws = next(r for r in rows if r["code"] == "DEFAULT-CGW-PER-REGION")
    assert (vpn["existing"], vpn["planned"]) == (1, 2)  # our own two are planned, not existing
    assert (cgws["existing"], cgws["planned"]) == (1, 2)
