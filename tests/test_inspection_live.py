"""Central inspection against moto (DESIGN §4): the VPC/TGW side deploys and drift is clean.

moto implements CreateFirewall (its firewall reports no endpoints: the harness stands a
Gateway Load Balancer endpoint in for each) but not policies or rule groups, which
tests/test_inspection_program.py covers under the mock engine.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import boto3
import pytest

from foundation.cli import main
from foundation.offline.mockrun import Recording
from tests.conftest import REPO
from tests.moto_deploy import deploy, record_stack

pytestmark = pytest.mark.moto
EXAMPLE = REPO / "tests" / "data" / "Pulumi.inspect.yaml"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("inspect")
    shutil.copytree(REPO / "stacks", root / "stacks")
    shutil.copy(EXAMPLE, root / "stacks" / "Pulumi.inspect.yaml")
    out = tmp_path_factory.mktemp("report") / "plan.json"
    # records the stack's CIDRs in the lock, as `plan` before `pulumi up` does
    assert main(["--project", str(root), "plan", "inspect", "--output", str(out)]) in (0, 1)
    return root


@pytest.fixture(scope="module")
def recording(project: Path) -> Recording:
    return record_stack(project, "inspect")


@pytest.fixture
def deployed(aws, recording: Recording) -> dict[str, str]:
    return deploy(recording)


def drift(cli, project: Path) -> tuple[int, dict]:
    result = cli(project, "drift", "inspect", "--format", "json")
    assert result.code in (0, 1), result.err
    return result.code, json.loads(result.out)


def test_the_inspection_stack_deploys_and_drift_is_clean(deployed, project: Path, cli) -> None:
    code, doc = drift(cli, project)
    assert (code, doc["status"], doc["findings"]) == (0, "clean", []), json.dumps(doc["findings"])
    nfw = boto3.client("network-firewall", region_name="us-east-1")
    (firewall,) = nfw.list_firewalls()["Firewalls"]
    assert firewall["FirewallName"] == "inspect-inspection-firewall"
    ec2 = boto3.client("ec2", region_name="us-east-1")
    attachment = ec2.describe_transit_gateway_vpc_attachments(
        TransitGatewayAttachmentIds=[deployed["ec2transitgateway/vpcAttachment:inspection"]]
    )["TransitGatewayVpcAttachments"][0]
    assert attachment["Options"]["ApplianceModeSupport"] == "enable"


def test_appliance_mode_turned_off_is_drift(deployed, project: Path, cli) -> None:
    ec2 = boto3.client("ec2", region_name="us-east-1")
    ec2.modify_transit_gateway_vpc_attachment(
        TransitGatewayAttachmentId=deployed["ec2transitgateway/vpcAttachment:inspection"],
        Options={"ApplianceModeSupport": "disable"},
    )
    code, doc = drift(cli, project)
    assert code == 1
    assert [
        (f["kind"], f["resourceType"], f["name"], f["attribute"], f["expected"], f["actual"])
        for f in doc["findings"]
    ] == [("changed", "tgw-attachment", "inspection", "applianceMode", "enable", "disable")]


def test_a_transit_subnet_that_bypasses_the_firewall_is_drift(deployed, project: Path, cli) -> None:
    ec2 = boto3.client("ec2", region_name="us-east-1")
    ec2.replace_route(
        RouteTableId=deployed["ec2/routeTable:inspection-transit-b"],
        DestinationCidrBlock="0.0.0.0/0",
        TransitGatewayId=deployed["ec2transitgateway/transitGateway:tgw"],
    )
    code, doc = drift(cli, project)
    assert code == 1
    found = [(f["resourceType"], f["name"], f["expected"], f["actual"]) for f in doc["findings"]]
    assert ("route", "inspection-transit-b 0.0.0.0/0", "firewall", "tgw") in found


def test_the_inspection_tgw_table_losing_its_default_route_is_drift(
    deployed, project: Path, cli
) -> None:
    ec2 = boto3.client("ec2", region_name="us-east-1")
    ec2.delete_transit_gateway_route(
        TransitGatewayRouteTableId=deployed["ec2transitgateway/routeTable:inspection"],
        DestinationCidrBlock="0.0.0.0/0",
    )
    code, doc = drift(cli, project)
    assert code == 1
    found = [(f["kind"], f["resourceType"], f["name"]) for f in doc["findings"]]
    assert ("missing", "tgw-route", "inspection 0.0.0.0/0") in found


def test_the_quota_check_counts_other_firewalls_in_the_region(aws, project: Path, cli) -> None:
    boto3.client("network-firewall", region_name="us-east-1").create_firewall(
        FirewallName="someone-elses",
        FirewallPolicyArn="arn:aws:network-firewall:us-east-1:123456789012:firewall-policy/x",
        VpcId=aws.describe_vpcs()["Vpcs"][0]["VpcId"],
        SubnetMappings=[],
    )
    result = cli(project, "quotas", "inspect", "--format", "json")
    assert result.code in (0, 1), result.err
    doc = json.loads(result.out)
    rows = doc["rows"] if isinstance(doc, dict) and "rows" in doc else doc["quotas"]
    firewalls = next(r for r in rows if r["code"] == "NFW-FIREWALLS")
    assert (firewalls["existing"], firewalls["planned"]) == (1, 1)
