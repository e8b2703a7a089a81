"""The estimated monthly fixed cost of what a stack creates (DESIGN §3.12).

Counts come from the resources the real program registers (the mock run), so anything a
component adds is priced without a second model of the network; prices come from the table
shipped as data (data/prices.yaml, with its source and date per Region). Per-GB rates are
listed, never multiplied by a guessed traffic volume.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

FALLBACK_REGION = "us-east-1"

# Price key -> how the report names the item (hourly) or the rate (per GB).
HOURLY_ITEMS = {
    "natGateway": "NAT gateway hours",
    "publicIpv4": "Public IPv4 address hours (Elastic IPs)",
    "tgwAttachment": "Transit Gateway attachment hours",
    "vpnConnection": "Site-to-Site VPN connection hours",
    "interfaceEndpointAz": "Interface endpoint hours (per AZ)",
    "resolverEndpointIp": "Route 53 Resolver endpoint hours (per IP)",
    "networkFirewallEndpoint": "Network Firewall endpoint hours (per AZ)",
}
PER_GB_ITEMS = {
    "natDataProcessing": "NAT gateway data processing",
    "tgwDataProcessing": "Transit Gateway data processing",
    "crossAzEachWay": "Cross-AZ data transfer (each way)",
    "interfaceEndpointDataProcessing": "Interface endpoint data processing",
    "networkFirewallDataProcessing": "Network Firewall data processing",
}


@dataclass(frozen=True)
class CostItem:
    """One priced line: `count` resources at `unit_price` USD per hour."""

    item: str
    count: int
    unit_price: float
    monthly: float


@dataclass(frozen=True)
class Rate:
    """A per-GB rate the traffic decides (listed, not estimated)."""

    item: str
    price: float


@dataclass(frozen=True)
class CostEstimate:
    """The monthly fixed cost of one plan and the per-GB rates that come on top."""

    currency: str
    region: str
    price_region: str  # the Region whose prices were used
    approximate: bool  # the Region is missing from the table: us-east-1 prices
    price_date: str
    source: str
    hours_per_month: int
    items: tuple[CostItem, ...]
    per_gb: tuple[Rate, ...]

    @property
    def monthly_fixed(self) -> float:
        """Sum of the items' monthly amounts (each already rounded to cents)."""
        return round(sum(i.monthly for i in self.items), 2)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form of §3.12 (plus region, approximate, source, hoursPerMonth)."""
        return {
            "currency": self.currency,
            "priceDate": self.price_date,
            "monthlyFixed": self.monthly_fixed,
            "items": [
                {"item": i.item, "count": i.count, "unitPrice": i.unit_price, "monthly": i.monthly}
                for i in self.items
            ],
            "perGB": [{"item": r.item, "price": r.price} for r in self.per_gb],
            "region": self.region,
            "priceRegion": self.price_region,
            "approximate": self.approximate,
            "source": self.source,
            "hoursPerMonth": self.hours_per_month,
        }


@cache
def price_table() -> dict[str, Any]:
    """The shipped price table (parsed once)."""
    text = resources.files("foundation.network").joinpath("data/prices.yaml").read_text()
    table: dict[str, Any] = yaml.safe_load(text)
    return table


def _billable(type_: str, inputs: Mapping[str, Any]) -> list[tuple[str, int]]:
    """Which hourly price keys one registered resource incurs, and how many units."""
    if type_ == "aws:ec2/natGateway:NatGateway":
        return [("natGateway", 1)]
    if type_ == "aws:ec2/eip:Eip":
        return [("publicIpv4", 1)]
    if type_ in (
        "aws:ec2transitgateway/vpcAttachment:VpcAttachment",
        "aws:ec2transitgateway/peeringAttachment:PeeringAttachment",
        # each side's TGW holds the peering attachment: the accepter's hours count too
        "aws:ec2transitgateway/peeringAttachmentAccepter:PeeringAttachmentAccepter",
    ):
        return [("tgwAttachment", 1)]
    if type_ == "aws:directconnect/gatewayAssociation:GatewayAssociation":
        return [("tgwAttachment", 1)]  # the DX gateway's TGW attachment (ports billed by DX)
    if type_ == "aws:ec2/vpnConnection:VpnConnection":
        # A VPN on a TGW is billed twice: the connection and its TGW attachment.
        return [("vpnConnection", 1), ("tgwAttachment", 1)]
    if type_ == "aws:ec2/vpcEndpoint:VpcEndpoint" and inputs.get("vpcEndpointType") == "Interface":
        return [("interfaceEndpointAz", len(inputs.get("subnetIds") or []))]
    if type_ == "aws:route53/resolverEndpoint:ResolverEndpoint":
        return [("resolverEndpointIp", len(inputs.get("ipAddresses") or []))]
    if type_ == "aws:networkfirewall/firewall:Firewall":
        return [("networkFirewallEndpoint", len(inputs.get("subnetMappings") or []))]
    return []


NAT_WAIVER_ITEM = "NAT gateway hours waived behind Network Firewall (1:1 per endpoint hour)"


def estimate(
    region: str,
    registered: Iterable[tuple[str, Mapping[str, Any]]],
    nat_behind_firewall: bool = False,
) -> CostEstimate:
    """Price what the program registers in `region`.

    Args:
        region: the stack's Region.
        registered: (Pulumi type token, inputs) of every cloud resource the program registers.
        nat_behind_firewall: egress passes Network Firewall before the NAT (DESIGN §3.10).
            AWS's Network Firewall pricing page: NAT gateway hours and GB used with the
            firewall are waived one-to-one for the firewall's endpoint hours and GB; a
            negative line takes min(NAT gateways, firewall endpoints) NAT hours back out.

    Returns:
        The estimate; items with no resources are left out, so items sum to monthlyFixed.
    """
    table = price_table()
    regions = table["regions"]
    price_region = region if region in regions else FALLBACK_REGION
    prices = regions[price_region]
    hours = int(table["hoursPerMonth"])
    counts: dict[str, int] = dict.fromkeys(HOURLY_ITEMS, 0)
    for type_, inputs in registered:
        for key, units in _billable(type_, inputs):
            counts[key] += units
    items = tuple(
        CostItem(
            HOURLY_ITEMS[key],
            count,
            float(prices["hourly"][key]),
            round(count * float(prices["hourly"][key]) * hours, 2),
        )
        for key, count in counts.items()
        if count
    )
    waived = min(counts["natGateway"], counts["networkFirewallEndpoint"])
    if nat_behind_firewall and waived:
        unit = -float(prices["hourly"]["natGateway"])
        items += (CostItem(NAT_WAIVER_ITEM, waived, unit, round(waived * unit * hours, 2)),)
    per_gb = tuple(Rate(PER_GB_ITEMS[k], float(v)) for k, v in prices["perGB"].items())
    if nat_behind_firewall and counts["networkFirewallEndpoint"]:
        per_gb += (
            Rate(
                "NAT gateway data processing waived for GB the firewall processed (1:1)",
                -float(prices["perGB"]["natDataProcessing"]),
            ),
        )
    return CostEstimate(
        currency=str(table["currency"]),
        region=region,
        price_region=price_region,
        approximate=price_region != region,
        price_date=str(prices["date"]),
        source=" ".join(str(prices["source"]).split()),
        hours_per_month=hours,
        items=items,
        per_gb=per_gb,
    )


def usd(amount: float, signed: bool = False) -> str:
    """`$1,234.56` (with `signed`: `+$1.00` / `-$1.00`)."""
    sign = "-" if amount < 0 else ("+" if signed else "")
    return f"{sign}${abs(amount):,.2f}"
