"""The `onPremises:` block (DESIGN §3.14): on-premises ranges over Site-to-Site VPN and DX.

Defaults state their behaviour:

- absent: nothing connects to on-premises; the reserved ranges stay unreachable.
- ``vpn.<name>.cidrs``: absent -- the gateway is assumed to announce every ``cidrs`` entry.
- ``directConnect``: absent -- no DX gateway association (VPN only).

Checks that need only the block live in the pydantic models; checks against the rest of
the stack (segments, the TGW ASN) in `hybrid_problems`; checks against addresses.yaml's
reserved ranges in `hybrid_address_problems` (called where the address plan is known).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from netaddr import IPAddress, IPNetwork, IPSet
from pydantic import StrictInt, StrictStr, field_validator, model_validator

from foundation.config.base import ConfigModel
from foundation.errors import Problem
from ipam.cidr import CidrError, parse_cidr

if TYPE_CHECKING:
    from foundation.config.address_plan import AddressPlan

ROOT = "foundation:network"
PATH = f"{ROOT}.onPremises"
GATEWAY_RE = re.compile(r"^[a-z][a-z0-9-]{0,30}\Z")
# a Direct Connect gateway id is a UUID
DX_GATEWAY_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z")
CGW_ASN_RANGE = (1, 4294967294)  # CreateCustomerGateway: BgpAsn / BgpAsnExtended
# CreateCustomerGateway refuses these Amazon ASNs in their Region (EC2 API reference)
RESERVED_CGW_ASNS = {"us-east-1": 7224, "eu-west-1": 9059}
DXGW_ASNS = ((64512, 65534), (4200000000, 4294967294))  # a DX gateway's amazonSideAsn
RESERVED_NAMES = ("onprem", "dx")  # TGW table / attachment names of §3.14 (and vpn-<gateway>)
DOCUMENTATION = IPSet(["192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24"])  # RFC 5737
NOT_PUBLIC = (
    (IPSet(["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]), "RFC 1918 private"),
    (IPSet(["127.0.0.0/8"]), "loopback"),
    (IPSet(["224.0.0.0/4"]), "multicast"),
    (IPSet(["100.64.0.0/10"]), "RFC 6598 shared address space (carrier-grade NAT)"),
    (
        IPSet(["0.0.0.0/8", "169.254.0.0/16", "192.0.0.0/24", "198.18.0.0/15", "240.0.0.0/4"]),
        "not routable on the internet",
    ),
)


_Model = ConfigModel


def _cidr_list(value: list[str]) -> list[str]:
    bad = []
    for cidr in value:
        try:
            parse_cidr(cidr, 8, 32)
        except CidrError as exc:
            bad.append(f"{exc.message} ({exc.fix})")
    if bad:
        raise ValueError(f"{'; '.join(bad)} || write each as address/prefix, e.g. 10.0.0.0/16")
    nets = [IPNetwork(c) for c in value]
    for i, a in enumerate(nets):
        for b in nets[i + 1 :]:
            if not IPSet([a]).isdisjoint(IPSet([b])):
                raise ValueError(
                    f"on-premises CIDRs {a} and {b} overlap || list each range once, "
                    "without overlaps (the TGW would hold two routes for one address)"
                )
    return value


def gateway_ip_problem(ip: str) -> str:
    """Why `ip` cannot be a customer gateway's public address, or ''."""
    try:
        address = IPAddress(ip, version=4)
    except (ValueError, Exception):
        return f"'{ip}' is not an IPv4 address"
    if str(address) != ip:
        return f"'{ip}' is not a canonical IPv4 address"
    if address in DOCUMENTATION:
        return ""  # RFC 5737: examples and tests
    for space, what in NOT_PUBLIC:
        if address in space:
            return f"'{ip}' is {what}"
    return ""


class CustomerGatewaySpec(_Model):
    """An on-premises VPN device: its public IP, its BGP ASN, optionally what it announces."""

    ip: StrictStr
    asn: StrictInt
    cidrs: list[StrictStr] | None = None

    @field_validator("ip")
    @classmethod
    def _ip(cls, value: str) -> str:
        problem = gateway_ip_problem(value)
        if problem:
            raise ValueError(
                f"{problem}; AWS reaches a customer gateway over the internet || use the "
                "device's public IPv4 address (behind NAT: the NAT's public address)"
            )
        return value

    @field_validator("asn")
    @classmethod
    def _asn(cls, value: int) -> int:
        low, high = CGW_ASN_RANGE
        if not low <= value <= high:
            raise ValueError(
                f"{value} is not a BGP ASN AWS accepts || use {low}-{high} "
                "(private: 64512-65534 or 4200000000-4294967294)"
            )
        return value

    @field_validator("cidrs")
    @classmethod
    def _cidrs(cls, value: list[str] | None) -> list[str] | None:
        if value is not None and not value:  # `or` downstream would read [] as "all"
            raise ValueError(
                "the list is empty: a gateway that announces nothing reaches nothing || "
                "list what it announces, or remove cidrs (default: every onPremises.cidrs entry)"
            )
        return value if value is None else _cidr_list(value)


class DirectConnectSpec(_Model):
    """An existing Direct Connect gateway, associated with the TGW."""

    gateway_id: StrictStr
    asn: StrictInt | None = None  # the DX gateway's ASN, when known: must differ from the TGW's

    @field_validator("gateway_id")
    @classmethod
    def _gateway_id(cls, value: str) -> str:
        if not DX_GATEWAY_RE.match(value):
            raise ValueError(
                f"'{value}' is not a Direct Connect gateway id || copy the id from "
                "`aws directconnect describe-direct-connect-gateways` (a UUID such as "
                "5f3e8a2c-1b2d-4c3e-9f00-0123456789ab)"
            )
        return value

    @field_validator("asn")
    @classmethod
    def _asn(cls, value: int | None) -> int | None:
        if value is not None and not any(low <= value <= high for low, high in DXGW_ASNS):
            raise ValueError(
                f"{value} is not an ASN a Direct Connect gateway can have || copy its "
                "amazonSideAsn (64512-65534 or 4200000000-4294967294), or remove asn"
            )
        return value


class OnPremisesSpec(_Model):
    """On-premises networks reached by the listed segments over VPN and/or Direct Connect."""

    cidrs: list[StrictStr]
    segments: list[StrictStr]
    vpn: dict[str, CustomerGatewaySpec] = {}
    direct_connect: DirectConnectSpec | None = None

    _cidrs = field_validator("cidrs")(lambda cls, v: _cidr_list(v))

    @field_validator("cidrs", "segments")
    @classmethod
    def _not_empty(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError("the list is empty || name at least one entry, or remove onPremises")
        return value

    @model_validator(mode="after")
    def _a_path(self) -> OnPremisesSpec:
        if not self.vpn and self.direct_connect is None:
            raise ValueError(
                "no way to reach on-premises || add vpn: {<name>: {ip, asn}} or "
                "directConnect: {gatewayId}"
            )
        return self


def reserved_name_problems(raw: Mapping[str, Any], source: str) -> list[Problem]:
    """Spokes and segments may not take the names of §3.14 (onprem, dx, vpn-<gateway>)."""
    problems = []
    for key in ("segments", "spokes"):
        names = raw.get(key)
        if not isinstance(names, dict):
            continue
        for name in names:
            if name in RESERVED_NAMES or str(name).startswith("vpn-"):
                problems.append(
                    Problem(
                        source,
                        f"{ROOT}.{key}.{name}",
                        f"'{name}' is reserved for the hybrid TGW tables and attachments",
                        "rename it (onprem, dx and vpn-<gateway> are taken)",
                    )
                )
    return problems


def hybrid_problems(raw: Mapping[str, Any], source: str, region: str = "") -> list[Problem]:
    """Cross-references of the block: segments that exist, ASNs that differ from the TGW's."""
    problems = reserved_name_problems(raw, source)
    block = raw.get("onPremises")
    if not isinstance(block, dict):
        return problems
    segments = raw.get("segments")
    known = list(segments) if isinstance(segments, dict) else []
    listed = block.get("segments")
    if isinstance(listed, list):
        for i, seg in enumerate(listed):
            if isinstance(seg, str) and seg not in known:
                problems.append(
                    Problem(
                        source,
                        f"{PATH}.segments[{i}]",
                        f"unknown segment '{seg}'",
                        f"use one of: {', '.join(known) or '(none defined)'}",
                    )
                )
            elif seg in listed[:i]:
                problems.append(
                    Problem(
                        source, f"{PATH}.segments[{i}]", f"'{seg}' is listed twice", "list it once"
                    )
                )
    tgw = raw.get("transitGateway")
    tgw_asn = tgw.get("asn", 64512) if isinstance(tgw, dict) else 64512
    gateways = block.get("vpn")
    if isinstance(gateways, dict):
        for name, body in gateways.items():
            path = f"{PATH}.vpn.{name}"
            if not GATEWAY_RE.match(str(name)):
                problems.append(
                    Problem(
                        source,
                        path,
                        f"invalid customer gateway name '{name}'",
                        "use lower-case letters, digits and '-' (the attachment is vpn-<name>)",
                    )
                )
            reserved = RESERVED_CGW_ASNS.get(region)
            if isinstance(body, dict) and reserved is not None and body.get("asn") == reserved:
                problems.append(
                    Problem(
                        source,
                        f"{path}.asn",
                        f"ASN {reserved} is reserved by AWS in {region}; CreateCustomerGateway "
                        "refuses it",
                        "use the device's own ASN, or a private one (64512-65534)",
                    )
                )
            if isinstance(body, dict) and body.get("asn") == tgw_asn:
                problems.append(
                    Problem(
                        source,
                        f"{path}.asn",
                        f"the customer gateway's ASN {tgw_asn} equals the Transit Gateway's",
                        "BGP needs two different ASNs: change the gateway's asn, or "
                        "transitGateway.asn",
                    )
                )
    if isinstance(gateways, dict):
        problems += _duplicate_ip_problems(gateways, source)
    dx = block.get("directConnect")
    if isinstance(dx, dict) and dx.get("asn") is not None and dx.get("asn") == tgw_asn:
        problems.append(
            Problem(
                source,
                f"{PATH}.directConnect.asn",
                f"the Direct Connect gateway's ASN {tgw_asn} equals the Transit Gateway's",
                "AWS refuses the association: set transitGateway.asn to another private ASN",
            )
        )
    return problems


def _duplicate_ip_problems(gateways: Mapping[str, Any], source: str) -> list[Problem]:
    """Two gateways with one IP are one device: no redundancy (and AWS reuses one CGW)."""
    problems = []
    first: dict[str, str] = {}
    for name, body in gateways.items():
        ip = body.get("ip") if isinstance(body, dict) else None
        if not isinstance(ip, str):
            continue
        other = first.setdefault(ip, str(name))
        if other != name:
            problems.append(
                Problem(
                    source,
                    f"{PATH}.vpn.{name}.ip",
                    f"customer gateway '{name}' has the same IP {ip} as '{other}': one device, "
                    "so no redundancy (AWS returns one customer gateway for the same IP and ASN)",
                    f"give '{name}' the public IP of a second device, or remove it",
                )
            )
    return problems


def hybrid_address_problems(
    block: OnPremisesSpec | None, addresses: AddressPlan, source: str
) -> list[Problem]:
    """Every on-premises CIDR must lie in a reserved range of addresses.yaml.

    A reserved range carved out of a pool counts as outside it (no VPC is allocated there).
    """
    if block is None:
        return []
    reserved = IPSet([r.cidr for r in addresses.reserved])
    problems = []
    cidrs = [("cidrs", i, c) for i, c in enumerate(block.cidrs)]
    cidrs += [
        (f"vpn.{name}.cidrs", i, c)
        for name, gw in block.vpn.items()
        for i, c in enumerate(gw.cidrs or [])
    ]
    for key, i, cidr in cidrs:
        if not IPSet([IPNetwork(cidr)]) <= reserved:
            problems.append(
                Problem(
                    source,
                    f"{PATH}.{key}[{i}]",
                    f"{cidr} is not inside a reserved range of {addresses.source}",
                    f"add it under reserved: with reason on-premises in {addresses.source}, "
                    "so no VPC is ever allocated there",
                )
            )
    onprem = IPSet([IPNetwork(c) for c in block.cidrs])
    for name, gw in block.vpn.items():
        for i, cidr in enumerate(gw.cidrs or []):
            if not IPSet([IPNetwork(cidr)]) <= onprem:
                problems.append(
                    Problem(
                        source,
                        f"{PATH}.vpn.{name}.cidrs[{i}]",
                        f"{cidr} is not inside onPremises.cidrs",
                        "list only parts of onPremises.cidrs (or add the range there)",
                    )
                )
    return problems
