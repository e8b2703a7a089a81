"""Routing of random segment graphs: the route tables give exactly the intended reachability."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from netaddr import IPNetwork

from foundation.addresses.allocation import allocate_in_memory
from foundation.config.address_plan import parse_address_plan
from foundation.config.spec import parse_network
from foundation.network.analysis import reachability
from foundation.network.analysis.routing import INTERNET_PROBE, probe_address, walk, workload_table
from foundation.network.build import build_plan
from foundation.network.stack_plan import offline_azs
from ipam.lock import LockFile

ADDRESSES = parse_address_plan({"pools": {"p": "10.64.0.0/12"}}, "addresses.yaml")


def segment_graph(draw: st.DrawFn, n: int) -> tuple[list[str], dict[str, Any]]:
    """n segments, each connected to a random set of later ones and maybe isolated."""
    segs = [f"s{i}" for i in range(n)]
    segments: dict[str, Any] = {}
    for i, name in enumerate(segs):
        targets = draw(st.lists(st.sampled_from(segs[i + 1 :]), unique=True)) if i + 1 < n else []
        segments[name] = {"connectsTo": targets, "isolated": draw(st.booleans())}
    return segs, segments


@st.composite
def networks(draw: st.DrawFn) -> dict[str, Any]:
    segs, segments = segment_graph(draw, draw(st.integers(1, 5)))
    spokes = {}
    for i in range(draw(st.integers(1, 7))):
        spokes[f"v{i}"] = {"segment": draw(st.sampled_from(segs)), "size": 22}
    return {
        "pool": "p",
        "availabilityZones": draw(st.integers(2, 3)),
        "hub": {"size": 20, "egress": draw(st.sampled_from(["nat-per-az", "single-nat", "none"]))},
        "segments": segments,
        "spokes": spokes,
    }


def plan_for(raw: dict[str, Any]):
    spec = parse_network(raw, "eu-west-1", "test", "t")
    allocation = allocate_in_memory(spec, ADDRESSES, LockFile())
    return build_plan(spec, allocation, offline_azs(spec), "10.64.0.0/12")


def reach_by_hand(raw: dict[str, Any]) -> set[tuple[str, str]]:
    """The intent, computed independently of the code under test."""
    segs = raw["segments"]
    allowed = set()
    for a, sa in raw["spokes"].items():
        for b, sb in raw["spokes"].items():
            if a == b:
                continue
            x, y = sa["segment"], sb["segment"]
            same = x == y and not segs[x]["isolated"]
            linked = y in segs[x]["connectsTo"] or x in segs[y]["connectsTo"]
            if same or (x != y and linked):
                allowed.add((a, b))
    return allowed


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=networks())
def test_route_tables_reach_exactly_what_the_intent_allows(raw: dict[str, Any]) -> None:
    plan = plan_for(raw)
    got = {(p.source, p.target) for p in reachability.matrix(plan) if p.reachable}
    assert got == reach_by_hand(raw)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=networks())
def test_internet_only_through_the_hub_nat(raw: dict[str, Any]) -> None:
    plan = plan_for(raw)
    pool = IPNetwork(plan.pool_cidr)
    for vpc in plan.spokes:
        assert vpc.internet_gateway is None and not vpc.nat_gateways
        for slot, az in enumerate(plan.availability_zones):
            w = walk(plan, vpc.name, workload_table(vpc, slot), slot, INTERNET_PROBE)
            if plan.egress == "none":
                assert w.outcome != "internet"
                continue
            assert w.outcome == "internet"
            assert w.nat is not None and w.nat.startswith("hub-nat-")
            if plan.egress == "nat-per-az":
                assert w.nat_az == az  # static stability: the NAT in the same AZ
            # the reply finds its way back from the NAT's subnet to the spoke
            nat = next(n for n in plan.hub.nat_gateways if n.name == w.nat)
            back = walk(
                plan,
                "hub",
                plan.hub.subnet(nat.subnet).route_table,
                plan.availability_zones.index(nat.az),
                probe_address(vpc),
            )
            assert back.outcome == "delivered" and back.delivered_to == vpc.name
    # nothing unintended sneaks through the hub: traffic to a forbidden spoke is blackholed
    allowed = reach_by_hand(raw)
    for a in plan.spokes:
        for b in plan.spokes:
            if a.name != b.name and (a.name, b.name) not in allowed:
                w = walk(plan, a.name, workload_table(a, 0), 0, probe_address(b))
                assert w.outcome == "blackhole" and "hub-nat-a" not in w.hops
                assert probe_address(b) in pool


def test_removing_the_blackhole_would_let_traffic_hairpin_through_the_hub() -> None:
    """Regression: why the pool is blackholed in every segment table."""
    import dataclasses

    raw = {
        "pool": "p",
        "availabilityZones": 2,
        "hub": {"size": 20},
        "segments": {"a": {}, "b": {}},
        "spokes": {"x": {"segment": "a"}, "y": {"segment": "b"}},
    }
    plan = plan_for(raw)
    assert not {(p.source, p.target) for p in reachability.matrix(plan) if p.reachable}
    tgw = plan.transit_gateway
    tables = tuple(
        dataclasses.replace(t, static_routes=tuple(s for s in t.static_routes if not s.blackhole))
        for t in tgw.route_tables
    )
    leaky = dataclasses.replace(plan, transit_gateway=dataclasses.replace(tgw, route_tables=tables))
    w = walk(leaky, "x", workload_table(leaky.vpc("x"), 0), 0, probe_address(leaky.vpc("y")))
    assert w.outcome == "delivered" and w.delivered_to == "y" and "hub-nat-a" in w.hops
