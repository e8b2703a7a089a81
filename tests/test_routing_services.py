"""Routing of random segment graphs with a services VPC (DESIGN §3.15).

Properties: the spokes of listed segments reach every `endpoints` subnet and get replies;
no other spoke does; the services VPC reaches no spoke of an unlisted segment; adding the
block changes nothing about spoke-to-spoke reachability or egress; no 0/0 in `services`.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from netaddr import IPAddress, IPNetwork

from foundation.network.analysis import reachability
from foundation.network.analysis.routing import INTERNET_PROBE, Router, tier_address
from foundation.network.analysis.services import services_reach
from tests.test_routing_properties import networks, plan_for


@st.composite
def with_services(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any]]:
    raw = draw(networks())
    segs = sorted(raw["segments"])
    listed = draw(st.none() | st.lists(st.sampled_from(segs), min_size=1, unique=True))
    block: dict[str, Any] = {"size": 24, "interfaceEndpoints": ["ssm"]}
    if listed is not None:
        block["segments"] = listed
    return raw, {**raw, "sharedServices": block}


def listed_by_hand(raw: dict[str, Any]) -> set[str]:
    """Spokes whose segment uses the services (every segment when none are listed)."""
    block = raw["sharedServices"]
    segs = set(block.get("segments", raw["segments"]))
    return {name for name, spoke in raw["spokes"].items() if spoke["segment"] in segs}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pair=with_services())
def test_exactly_the_listed_spokes_reach_the_services_and_back(
    pair: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    _, raw = pair
    plan = plan_for(raw)
    got = {r.vpc for r in services_reach(plan) if r.reachable}
    assert got == listed_by_hand(raw)
    # and from the services side: every endpoints subnet reaches exactly those spokes
    router = Router(plan)
    services = plan.vpc("services")
    for sub in services.subnets_of("endpoints"):
        for spoke in plan.spokes:
            w = router.walk(
                "services", sub.route_table, sub.slot, tier_address(spoke, "private", sub.slot)
            )
            arrived = w.outcome == "delivered" and w.delivered_to == spoke.name
            assert arrived == (spoke.name in listed_by_hand(raw)), (sub.name, spoke.name, w)
        # no internet from the services VPC: no 0/0 anywhere in it
        assert router.walk("services", sub.route_table, sub.slot, INTERNET_PROBE).outcome != (
            "internet"
        )
    assert all(r.destination != "0.0.0.0/0" for t in services.route_tables for r in t.routes)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pair=with_services())
def test_the_block_changes_no_spoke_pair_and_no_egress_path(
    pair: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    without, raw = pair
    before, after = plan_for(without), plan_for(raw)
    pairs = {(p.source, p.target, p.reachable) for p in reachability.matrix(before)}
    assert {(p.source, p.target, p.reachable) for p in reachability.matrix(after)} == pairs
    egress = {(e.vpc, e.az, e.outcome, e.nat, e.returns) for e in reachability.egress(before)}
    assert {(e.vpc, e.az, e.outcome, e.nat, e.returns) for e in reachability.egress(after)} == (
        egress
    )
    # the services VPC is allocated inside the pool, apart from every other VPC
    services = IPNetwork(after.vpc("services").cidr)
    assert services in IPNetwork(after.pool_cidr)
    for v in after.vpcs:
        if v.name != "services":
            assert IPAddress(services.first) not in IPNetwork(v.cidr)
            assert IPAddress(IPNetwork(v.cidr).first) not in services
