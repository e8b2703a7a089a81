"""Routing with on-premises: for random segment graphs and random listed segments, the
spokes of listed segments reach on-premises and back, the others never do (§3.14)."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from netaddr import IPAddress

from foundation.addresses.allocation import allocate_in_memory
from foundation.config.address_plan import parse_address_plan
from foundation.config.spec import parse_network
from foundation.network.analysis import reachability
from foundation.network.analysis.hybrid import on_premises
from foundation.network.analysis.routing import Router, tier_address, workload_table
from foundation.network.build import build_plan
from foundation.network.stack_plan import offline_azs
from ipam.lock import LockFile
from tests.test_routing_properties import networks, reach_by_hand

# one on-premises range outside the pool, one carved out of it
ADDRESSES = parse_address_plan(
    {
        "pools": {"p": "10.64.0.0/12"},
        "reserved": [
            {"cidr": "10.0.0.0/16", "reason": "on-premises"},
            {"cidr": "10.79.0.0/16", "reason": "on-premises, inside the pool"},
        ],
    },
    "addresses.yaml",
)
ONPREM = ("10.0.0.0/16", "10.79.0.0/16")


@st.composite
def hybrid_networks(draw: st.DrawFn) -> dict[str, Any]:
    raw = draw(networks())
    segs = sorted(raw["segments"])
    listed = draw(st.lists(st.sampled_from(segs), min_size=1, unique=True))
    gateways = draw(st.integers(1, 2))
    raw["onPremises"] = {
        "cidrs": list(ONPREM),
        "segments": listed,
        "vpn": {f"dc{i}": {"ip": f"203.0.113.{10 + i}", "asn": 65010 + i} for i in range(gateways)},
    }
    if draw(st.booleans()):
        raw["onPremises"]["directConnect"] = {"gatewayId": "5f3e8a2c-1b2d-4c3e-9f00-0123456789ab"}
    return raw


def plan_for(raw: dict[str, Any]):
    spec = parse_network(raw, "eu-west-1", "test", "t")
    allocation = allocate_in_memory(spec, ADDRESSES, LockFile())
    return build_plan(spec, allocation, offline_azs(spec), "10.64.0.0/12")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=hybrid_networks())
def test_listed_segments_reach_on_premises_both_ways_others_never(raw: dict[str, Any]) -> None:
    plan = plan_for(raw)
    router = Router(plan)
    listed = set(raw["onPremises"]["segments"])
    hybrid = {h.name for h in plan.transit_gateway.hybrid}
    for vpc in plan.spokes:
        expect = raw["spokes"][vpc.name]["segment"] in listed
        for slot in plan.slots:
            table = workload_table(vpc, slot)
            home = tier_address(vpc, "private", slot)
            for cidr in ONPREM:
                dst = IPAddress(cidr.replace("0.0/16", "7.9"))
                there = router.walk(vpc.name, table, slot, dst)
                arrived = there.outcome == "delivered" and there.delivered_to in hybrid
                assert arrived == expect, (vpc.name, cidr, there)
                # from on-premises, over every hybrid attachment, back to the spoke
                for entry in hybrid:
                    back = router.walk(vpc.name, table, slot, home, entry=entry)
                    returned = back.outcome == "delivered" and back.delivered_to == vpc.name
                    assert returned == expect, (entry, vpc.name, back)
    reach = {r.vpc: (r.reachable, r.intended) for r in on_premises(plan, router)}
    assert reach == {v: (s["segment"] in listed,) * 2 for v, s in raw["spokes"].items()}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=hybrid_networks())
def test_on_premises_leaves_the_segment_matrix_as_it_was(raw: dict[str, Any]) -> None:
    plan = plan_for(raw)
    got = {(p.source, p.target) for p in reachability.matrix(plan) if p.reachable}
    assert got == reach_by_hand(raw)


def test_an_on_premises_cidr_overlapping_a_vpc_is_refused() -> None:
    """Defence in depth: allocation already keeps VPCs out of reserved ranges."""
    from dataclasses import replace

    import pytest

    from foundation.errors import InputError
    from foundation.network.hybrid import apply_hybrid

    raw = {
        "pool": "p",
        "segments": {"a": {}},
        "spokes": {"x": {"segment": "a", "size": 22}},
        "onPremises": {
            "cidrs": ["10.0.0.0/16"],
            "segments": ["a"],
            "vpn": {"dc1": {"ip": "203.0.113.10", "asn": 65010}},
        },
    }
    spec = parse_network(raw, "eu-west-1", "test", "t")
    plan = plan_for(raw)
    vpcs = [replace(v, cidr="10.0.4.0/22") if v.name == "x" else v for v in plan.vpcs]
    with pytest.raises(InputError) as info:
        apply_hybrid(spec, vpcs, plan.transit_gateway)
    [problem] = info.value.problems
    assert problem.path == "foundation:network.onPremises.cidrs[0]"
    assert "overlaps VPC x (10.0.4.0/22)" in problem.message
