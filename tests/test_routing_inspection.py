"""Routing of random segment graphs with central inspection on (DESIGN §3.10).

Every flow is walked by longest-prefix match through the plan's route tables, modelling
the TGW's AZ choice: without appliance mode the TGW keeps the AZ a packet entered in;
with it, the flow hash picks one AZ of the appliance attachment for both directions. For
every source AZ, peer-host AZ and hashed AZ: intent holds, inspected flows pass exactly
one firewall endpoint and the reply returns through the same one, uninspected flows never
touch a firewall. The same checker, run with appliance mode off, finds violations.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from foundation.network.analysis.routing import INTERNET_PROBE, Router, tier_address, tier_table
from foundation.network.model import NetworkPlan, Vpc
from tests.test_routing_properties import plan_for, reach_by_hand, segment_graph


@st.composite
def inspected_networks(draw: st.DrawFn) -> dict[str, Any]:
    segs, segments = segment_graph(draw, draw(st.integers(1, 4)))
    spokes = {}
    for i in range(draw(st.integers(2, 6))):
        spokes[f"v{i}"] = {"segment": draw(st.sampled_from(segs)), "size": 22}
        if draw(st.booleans()):
            spokes[f"v{i}"]["tiers"] = {"app": 25, "data": 26}
    egress = draw(st.booleans())
    hub_egress = draw(
        st.sampled_from(["nat-per-az", "single-nat"] if egress else ["nat-per-az", "none"])
    )
    return {
        "pool": "p",
        "availabilityZones": draw(st.integers(2, 3)),
        "hub": {"size": 20, "egress": hub_egress},
        "segments": segments,
        "spokes": spokes,
        "inspection": {
            "eastWest": draw(st.booleans()),
            "egress": egress,
            "withinSegment": draw(st.booleans()),
        },
    }


def inspected_by_hand(raw: dict[str, Any], a: str, b: str) -> bool:
    """Whether the intent sends a permitted pair through the firewall."""
    block = raw["inspection"]
    same = raw["spokes"][a]["segment"] == raw["spokes"][b]["segment"]
    return bool(block["withinSegment"] if same else block["eastWest"])


def tables(vpc: Vpc, slot: int) -> list[str]:
    tiers = sorted({s.tier for s in vpc.subnets if s.tier != "transit"})
    return [t for t in (tier_table(vpc, tier, slot) for tier in tiers) if t is not None]


def host(vpc: Vpc, slot: int) -> Any:
    return tier_address(vpc, sorted({s.tier for s in vpc.subnets if s.tier != "transit"})[0], slot)


def violations(raw: dict[str, Any], plan: NetworkPlan) -> list[str]:
    """Every flow that breaks intent, symmetry or the firewall's scope."""
    router = Router(plan)
    allowed = reach_by_hand(raw)
    slots = plan.slots
    out: list[str] = []
    for a in plan.spokes:
        for b in plan.spokes:
            if a.name == b.name:
                continue
            intended = (a.name, b.name) in allowed
            inspected = intended and inspected_by_hand(raw, a.name, b.name)
            for s in slots:
                for t in slots:
                    for f in slots:
                        for table in tables(a, s):
                            fwd = router.walk(a.name, table, s, host(b, t), flow_slot=f)
                            arrived = fwd.outcome == "delivered" and fwd.delivered_to == b.name
                            flow = f"{a.name}@{s} -> {b.name}@{t} hash {f}"
                            if arrived != intended:
                                out.append(f"intent: {flow} {fwd.outcome}")
                                continue
                            if not arrived:
                                if fwd.firewalls and fwd.outcome == "blackhole":
                                    pass  # dropped after inspection is still dropped
                                continue
                            if len(fwd.firewalls) != (1 if inspected else 0):
                                out.append(f"scope: {flow} firewalls {fwd.firewalls}")
                            for back_table in tables(b, t):
                                back = router.walk(b.name, back_table, t, host(a, s), flow_slot=f)
                                if not (
                                    back.outcome == "delivered" and back.delivered_to == a.name
                                ):
                                    out.append(f"reply lost: {flow} {back.outcome}")
                                elif back.firewalls != fwd.firewalls:
                                    out.append(
                                        f"asymmetric: {flow} {fwd.firewalls} {back.firewalls}"
                                    )
    if plan.egress != "none":
        hub = plan.hub
        for v in plan.spokes:
            for s in slots:
                for f in slots:
                    for table in tables(v, s):
                        fwd = router.walk(v.name, table, s, INTERNET_PROBE, flow_slot=f)
                        flow = f"{v.name}@{s} -> internet hash {f}"
                        if fwd.outcome != "internet" or fwd.nat is None:
                            out.append(f"egress: {flow} {fwd.outcome}")
                            continue
                        want = 1 if raw["inspection"]["egress"] else 0
                        if len(fwd.firewalls) != want:
                            out.append(f"scope: {flow} firewalls {fwd.firewalls}")
                        nat = next(n for n in hub.nat_gateways if n.name == fwd.nat)
                        back = router.walk(
                            "hub",
                            hub.subnet(nat.subnet).route_table,
                            plan.slot_of(nat.az),
                            host(v, s),
                            flow_slot=f,
                        )
                        if not (back.outcome == "delivered" and back.delivered_to == v.name):
                            out.append(f"egress reply lost: {flow} {back.outcome}")
                        elif back.firewalls != fwd.firewalls:
                            out.append(f"asymmetric: {flow} {fwd.firewalls} {back.firewalls}")
    return out


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=inspected_networks())
def test_inspected_flows_hold_intent_and_return_through_the_same_firewall(
    raw: dict[str, Any],
) -> None:
    assert violations(raw, plan_for(raw)) == []


def without_appliance_mode(plan: NetworkPlan) -> NetworkPlan:
    tgw = plan.transit_gateway
    attachments = tuple(replace(a, appliance_mode=False) for a in tgw.attachments)
    return replace(plan, transit_gateway=replace(tgw, attachments=attachments))


def test_the_property_fails_with_appliance_mode_off() -> None:
    raw = {
        "pool": "p",
        "availabilityZones": 3,
        "hub": {"size": 20, "egress": "single-nat"},
        "segments": {
            "a": {"connectsTo": ["b"], "isolated": False},
            "b": {"connectsTo": [], "isolated": False},
        },
        "spokes": {"x": {"segment": "a"}, "y": {"segment": "b"}},
        "inspection": {"eastWest": True, "egress": True, "withinSegment": False},
    }
    plan = plan_for(raw)
    assert violations(raw, plan) == []
    broken = violations(raw, without_appliance_mode(plan))
    # east-west: a host in another AZ answers through its own AZ's firewall endpoint
    assert any(v.startswith("asymmetric: x@0 -> y@1") for v in broken)
    # egress behind the single NAT (first AZ) returns through the first AZ's endpoint
    assert any(v.startswith("asymmetric: x@1 -> internet") for v in broken)
