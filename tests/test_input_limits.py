"""Inputs AWS accepts at the edges of what it refuses (issue 10): they must still plan."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from netaddr import IPNetwork

from foundation.config.address_plan import is_publicly_routable, unusable_overlap
from foundation.config.spec import bucket_arn_problem
from tests.conftest import edit_stack


@pytest.mark.parametrize("asn", [64512, 65534, 4200000000, 4294967294])
def test_a_private_asn_reaches_the_plan_json_and_the_transit_gateway(
    workspace: Path, cli, asn: int
) -> None:
    tgw = f"    production: false\n    transitGateway: {{asn: {asn}}}"
    edit_stack(workspace, "dev", "    production: false", tgw)
    result = cli(workspace, "plan", "dev", "--format", "json")
    assert result.code == 0, result.err
    tgw = json.loads(result.out)["transitGateway"]
    assert tgw["asn"] == asn
    assert tgw["amazonSideAsn"] == asn


def test_the_default_asn_is_64512(workspace: Path, cli) -> None:
    result = cli(workspace, "plan", "dev", "--format", "json")
    assert json.loads(result.out)["transitGateway"]["asn"] == 64512


def _public_stack(workspace: Path, cidr: str) -> None:
    addresses = workspace / "stacks" / "addresses.yaml"
    addresses.write_text(
        addresses.read_text().replace(
            "  prod-use1: 10.32.0.0/14\n", f"  prod-use1: 10.32.0.0/14\n  edge-use1: {cidr}\n"
        )
    )
    dev = (workspace / "stacks" / "Pulumi.dev.yaml").read_text()
    (workspace / "stacks" / "Pulumi.edge.yaml").write_text(
        dev.replace("pool: dev-use1", "pool: edge-use1")
    )


def test_a_publicly_routable_pool_plans_with_a_warning_naming_it(workspace: Path, cli) -> None:
    _public_stack(workspace, "11.16.0.0/14")
    result = cli(workspace, "plan", "edge", "--format", "json")
    assert result.code == 0, result.err
    findings = [f for f in json.loads(result.out)["findings"] if f["rule"] == "IPAM.PUBLIC-POOL"]
    assert [(f["severity"], f["subject"]) for f in findings] == [("warning", "edge-use1")]
    assert "11.16.0.0/14" in findings[0]["message"]
    text = cli(workspace, "plan", "edge").out
    assert "IPAM.PUBLIC-POOL" in text and "edge-use1" in text


def test_shared_address_space_is_private_enough(workspace: Path, cli) -> None:
    _public_stack(workspace, "100.64.0.0/14")
    result = cli(workspace, "plan", "edge", "--format", "json")
    assert result.code == 0, result.err
    assert not [f for f in json.loads(result.out)["findings"] if f["rule"] == "IPAM.PUBLIC-POOL"]


@pytest.mark.parametrize(
    ("cidr", "public"),
    [
        ("10.0.0.0/8", False),
        ("172.16.0.0/12", False),
        ("172.15.0.0/16", True),
        ("172.32.0.0/16", True),
        ("192.168.0.0/16", False),
        ("192.0.0.0/8", True),
        ("100.64.0.0/10", False),
        ("100.128.0.0/16", True),
        ("8.0.0.0/8", True),
    ],
)
def test_public_space_is_whatever_is_not_rfc1918_or_shared(cidr: str, public: bool) -> None:
    assert is_publicly_routable(IPNetwork(cidr)) is public


@pytest.mark.parametrize(
    ("cidr", "unusable"),
    [
        ("1.0.0.0/8", False),
        ("0.0.0.0/8", True),
        ("126.0.0.0/7", True),
        ("169.254.128.0/17", True),
        ("169.253.0.0/16", False),
        ("223.0.0.0/8", False),
        ("224.0.0.0/4", True),
        ("255.255.255.0/24", True),
    ],
)
def test_ranges_aws_refuses_for_vpcs(cidr: str, unusable: bool) -> None:
    assert (unusable_overlap(IPNetwork(cidr)) is not None) is unusable


@pytest.mark.parametrize(
    "arn",
    [
        "arn:aws:s3:::org-flow-logs",
        "arn:aws:s3:::org.flow.logs/vpc/",
        "arn:aws-cn:s3:::abc",
        "arn:aws-us-gov:s3:::" + "a" * 63 + "/network/flow-logs",
    ],
)
def test_valid_bucket_arns_are_accepted(arn: str) -> None:
    assert bucket_arn_problem(arn) == ""


def test_a_64_character_bucket_name_is_refused() -> None:
    assert "3-63" in bucket_arn_problem("arn:aws:s3:::" + "a" * 64)
