"""Recordings compared as Pulumi would: identity, the replacement table, the cascade."""

from __future__ import annotations

from typing import Any

from foundation.offline.mockrun import Registration
from foundation.offline.resource_diff import compare

TGW = "aws:ec2transitgateway/transitGateway:TransitGateway"
EIP = "aws:ec2/eip:Eip"
NAT = "aws:ec2/natGateway:NatGateway"
ROUTE = "aws:ec2/route:Route"
NAT_ID = "ec2/natGateway:nat-a"


def reg(type_: str, name: str, provider: str = "", **inputs: Any) -> Registration:
    module = type_.split(":")[1]
    rid = f"{module}:{name}"
    refs = (rid, f"eipalloc-{name}") if type_ == EIP else (rid,)
    return Registration(
        urn=f"urn:pulumi:dev::foundation::{type_}::{name}",
        type=type_,
        name=name,
        parent="",
        inputs=dict(inputs),
        custom=True,
        id=rid,
        provider=provider,
        refs=refs,
    )


def actions(base: list[Registration], head: list[Registration]) -> dict[str, tuple[str, str]]:
    return {c.name: (c.action, c.reason) for c in compare(base, head)}


def test_a_tgw_asn_changes_in_place_but_enabling_default_association_replaces() -> None:
    base = [reg(TGW, "tgw", amazonSideAsn=64512.0, defaultRouteTableAssociation="disable")]
    asn = [reg(TGW, "tgw", amazonSideAsn=64513.0, defaultRouteTableAssociation="disable")]
    assert actions(base, asn) == {"tgw": ("change", "amazonSideAsn")}
    enable = [reg(TGW, "tgw", amazonSideAsn=64512.0, defaultRouteTableAssociation="enable")]
    assert actions(base, enable)["tgw"][0] == "replace"
    assert actions(enable, base)["tgw"][0] == "change"  # enable -> disable is in place


def test_a_replaced_eip_replaces_its_nat_and_updates_the_route_to_it() -> None:
    def network(domain: str) -> list[Registration]:
        return [
            reg(EIP, "nat-a-eip", domain=domain),
            reg(NAT, "nat-a", allocationId="eipalloc-nat-a-eip", subnetId="ec2/subnet:pub-a"),
            reg(
                ROUTE, "rt-0", routeTableId="ec2/routeTable:rt", natGatewayId="ec2/natGateway:nat-a"
            ),
        ]

    got = actions(network("vpc"), network("standard"))
    assert got == {
        "nat-a-eip": ("replace", "domain vpc -> standard (cannot change in place)"),
        "nat-a": ("replace", "allocationId refers to the replaced Eip nat-a-eip"),
        "rt-0": ("change", "natGatewayId (refers to the replaced NatGateway nat-a)"),
    }


def test_a_changed_provider_replaces_and_urns_decide_add_and_delete() -> None:
    base = [reg(TGW, "tgw"), reg(EIP, "old")]
    head = [reg(TGW, "tgw", provider="urn:...:pulumi:providers:aws::spoke::id"), reg(EIP, "new")]
    assert actions(base, head) == {
        "tgw": ("replace", "moves to another provider (account or Region)"),
        "old": ("delete", ""),
        "new": ("add", ""),
    }


def test_equal_recordings_have_no_changes_and_float_ints_print_as_ints() -> None:
    same = [reg(TGW, "tgw", amazonSideAsn=64512.0)]
    assert compare(same, same) == []
    cidr = actions(
        [reg("aws:ec2/vpc:Vpc", "hub", cidrBlock="10.0.0.0/20")],
        [reg("aws:ec2/vpc:Vpc", "hub", cidrBlock="10.0.16.0/20")],
    )
    assert cidr == {
        "hub": ("replace", "cidrBlock 10.0.0.0/20 -> 10.0.16.0/20 (cannot change in place)")
    }
