"""The monthly cost estimate of every plan (DESIGN §3.12)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from foundation.config.synthetic import write_project
from foundation.network.cost import estimate, price_table, usd

HOURS = 730


def test_dev_costs_its_nat_its_public_address_and_four_attachments(workspace: Path, cli) -> None:
    cost = json.loads(cli(workspace, "plan", "dev", "--format", "json").out)["cost"]
    assert cost["currency"] == "USD" and cost["priceDate"] == "2026-11-28"
    assert [(i["item"], i["count"], i["unitPrice"]) for i in cost["items"]] == [
        ("NAT gateway hours", 1, 0.045),
        ("Public IPv4 address hours (Elastic IPs)", 1, 0.005),
        ("Transit Gateway attachment hours", 4, 0.05),
    ]
    for item in cost["items"]:
        assert item["monthly"] == round(item["count"] * item["unitPrice"] * HOURS, 2)
    assert cost["monthlyFixed"] == pytest.approx(sum(i["monthly"] for i in cost["items"]))
    assert cost["monthlyFixed"] == 182.5
    assert cost["approximate"] is False and cost["priceRegion"] == "us-east-1"
    rates = {r["item"]: r["price"] for r in cost["perGB"]}
    assert rates["NAT gateway data processing"] == 0.045
    assert rates["Transit Gateway data processing"] == 0.02
    assert rates["Cross-AZ data transfer (each way)"] == 0.01


def test_nat_per_az_costs_one_nat_and_one_address_per_az(workspace: Path, cli) -> None:
    cost = json.loads(cli(workspace, "plan", "prod", "--format", "json").out)["cost"]
    counts = {i["item"]: i["count"] for i in cost["items"]}
    assert counts["NAT gateway hours"] == 3
    assert counts["Public IPv4 address hours (Elastic IPs)"] == 3
    assert counts["Transit Gateway attachment hours"] == 7  # hub + 6 spokes
    assert cost["monthlyFixed"] == 365.0  # 3 x 0.05 x 730 + 7 x 0.05 x 730


def test_a_region_missing_from_the_table_uses_us_east_1_marked_approximate(
    tmp_path: Path, cli
) -> None:
    assert "eu-west-1" not in price_table()["regions"]
    project = write_project(tmp_path, spokes=2, region="eu-west-1")
    result = cli(project, "plan", "scale", "--format", "json")
    cost = json.loads(result.out)["cost"]
    assert cost["region"] == "eu-west-1" and cost["priceRegion"] == "us-east-1"
    assert cost["approximate"] is True
    text = cli(project, "plan", "scale", "--format", "markdown").out
    assert "approximate: eu-west-1 is not in the price table, us-east-1 prices used" in text


def test_interface_endpoints_firewalls_and_resolvers_are_priced_per_az_or_ip() -> None:
    registered = [
        (
            "aws:ec2/vpcEndpoint:VpcEndpoint",
            {"vpcEndpointType": "Interface", "subnetIds": ["a", "b"]},
        ),
        ("aws:ec2/vpcEndpoint:VpcEndpoint", {"vpcEndpointType": "Gateway", "routeTableIds": ["x"]}),
        ("aws:networkfirewall/firewall:Firewall", {"subnetMappings": [{}, {}, {}]}),
        ("aws:route53/resolverEndpoint:ResolverEndpoint", {"ipAddresses": [{}, {}]}),
        ("aws:ec2/vpnConnection:VpnConnection", {}),
        ("aws:ec2/subnet:Subnet", {}),
    ]
    got = {i.item: (i.count, i.monthly) for i in estimate("us-east-1", registered).items}
    assert got == {
        "Interface endpoint hours (per AZ)": (2, 14.6),  # gateway endpoints are free
        "Network Firewall endpoint hours (per AZ)": (3, 865.05),
        "Route 53 Resolver endpoint hours (per IP)": (2, 182.5),
        "Site-to-Site VPN connection hours": (1, 36.5),
        "Transit Gateway attachment hours": (1, 36.5),  # the VPN's TGW attachment
    }


def test_every_region_in_the_table_has_a_source_a_date_and_every_price() -> None:
    table = price_table()
    keys = set(table["regions"]["us-east-1"]["hourly"])
    for region, prices in table["regions"].items():
        assert prices["source"] and prices["date"], region
        assert set(prices["hourly"]) == keys, region


@pytest.mark.parametrize(
    ("amount", "signed", "text"),
    [(1234.5, False, "$1,234.50"), (0.0, True, "+$0.00"), (-36.5, True, "-$36.50")],
)
def test_amounts_are_written_like_dollars(amount: float, signed: bool, text: str) -> None:
    assert usd(amount, signed=signed) == text
