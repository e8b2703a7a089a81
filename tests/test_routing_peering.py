"""Routing of random peered pairs of stacks (DESIGN §3.9), walked across the peering.

Two stacks in two Regions draw their segments from one global graph (shared names defined
identically, as the validation demands) and their spokes at random. The walk follows
longest-prefix match through both stacks' tables; what it reaches must equal the intent
computed here by hand, in both Regions, and nothing crosses between unconnected segments.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from foundation.addresses.allocation import allocate_in_memory
from foundation.config.address_plan import parse_address_plan
from foundation.config.peer_set import peer_problems
from foundation.config.spec import StackSpec, parse_network
from foundation.network.analysis import reachability
from foundation.network.analysis.peering import cross_region
from foundation.network.build import build_plan
from foundation.network.model import NetworkPlan
from foundation.network.peering import apply_peering, peer_side
from foundation.network.stack_plan import offline_azs
from ipam.lock import LockFile

ADDRESSES = parse_address_plan(
    {"pools": {"pa": "10.64.0.0/12", "pb": "10.80.0.0/12"}}, "addresses.yaml"
)
NAMES = ["s0", "s1", "s2", "s3"]
STACKS = (("a-use1", "us-east-1", "pa", 64512), ("b-euw1", "eu-west-1", "pb", 64513))


@st.composite
def peered_pairs(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any]]:
    edges = {(x, y) for i, x in enumerate(NAMES) for y in NAMES[i + 1 :] if draw(st.booleans())}
    isolated = {n: draw(st.booleans()) for n in NAMES}
    subsets = [draw(st.lists(st.sampled_from(NAMES), min_size=1, unique=True)) for _ in STACKS]
    shared = set(subsets[0]) & set(subsets[1])
    raws = []
    for (stack, _region, pool, asn), mine, other in zip(
        STACKS, subsets, reversed(subsets), strict=True
    ):
        segments = {}
        for x in mine:
            # a shared name must read the same in both stacks: list only names both define
            scope = shared if x in shared else set(mine)
            segments[x] = {
                "connectsTo": sorted(y for (a, y) in edges if a == x and y in scope),
                "isolated": isolated[x],
            }
        spokes = {
            f"v{i}": {"segment": draw(st.sampled_from(sorted(mine))), "size": 23}
            for i in range(draw(st.integers(1, 4)))
        }
        peer = STACKS[1][0] if stack == STACKS[0][0] else STACKS[0][0]
        raws.append(
            {
                "pool": pool,
                "availabilityZones": draw(st.integers(2, 3)),
                "hub": {"size": 22, "egress": draw(st.sampled_from(["nat-per-az", "none"]))},
                "transitGateway": {"asn": asn},
                "peers": [peer],
                "segments": segments,
                "spokes": spokes,
            }
        )
        del other
    return raws[0], raws[1]


def plans_for(raws: tuple[dict[str, Any], dict[str, Any]]) -> tuple[NetworkPlan, NetworkPlan]:
    specs: list[StackSpec] = [
        parse_network(raw, region, f"stacks/Pulumi.{stack}.yaml", stack)
        for raw, (stack, region, _, _) in zip(raws, STACKS, strict=True)
    ]
    assert peer_problems(specs[0], specs[1]) == [] and peer_problems(specs[1], specs[0]) == []
    lock: dict[str, Any] = {}
    bare = []
    for spec in specs:
        allocation = allocate_in_memory(spec, ADDRESSES, LockFile(entries=dict(lock)))
        lock.update(allocation.entries)
        pool = str(ADDRESSES.pools[spec.network.pool])
        bare.append(build_plan(spec, allocation, offline_azs(spec), pool))
    a = apply_peering(bare[0], [peer_side(specs[1], ADDRESSES, lock)])
    b = apply_peering(bare[1], [peer_side(specs[0], ADDRESSES, lock)])
    return a, b


def intent_by_hand(raws: tuple[dict[str, Any], ...]) -> set[tuple[str, str]]:
    """Directed pairs `stack/spoke`, from the raw definitions of both stacks only."""
    defs: dict[str, dict[str, Any]] = {}
    for raw in raws:
        defs.update(raw["segments"])  # shared names are identical by construction
    linked = {(x, y) for x, d in defs.items() for y in d["connectsTo"]}
    spokes = [
        (f"{stack}/{name}", body["segment"])
        for raw, (stack, *_) in zip(raws, STACKS, strict=True)
        for name, body in raw["spokes"].items()
    ]
    out = set()
    for a, x in spokes:
        for b, y in spokes:
            if a == b:
                continue
            same = x == y and not defs[x]["isolated"]
            if same or (x != y and ((x, y) in linked or (y, x) in linked)):
                out.add((a, b))
    return out


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raws=peered_pairs())
def test_peered_reachability_is_exactly_the_intent_in_both_regions(
    raws: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    a, b = plans_for(raws)
    intent = intent_by_hand(raws)
    got: set[tuple[str, str]] = set()
    for plan, peer in ((a, b), (b, a)):
        local = reachability.matrix(plan)
        remote, losses = cross_region(plan, {peer.stack: peer})
        got |= {
            (f"{plan.stack}/{p.source}", f"{plan.stack}/{p.target}") for p in local if p.reachable
        }
        got |= {(f"{plan.stack}/{p.source}", p.target) for p in remote if p.reachable}
        # the code's own intent agrees with the hand-made one
        assert {(f"{plan.stack}/{p.source}", p.target) for p in remote if p.intended} == {
            pair
            for pair in intent
            if pair[0].startswith(f"{plan.stack}/") and not pair[1].startswith(f"{plan.stack}/")
        }
        # losing the peer's Region takes exactly the cross-Region pairs, nothing local
        [loss] = losses
        assert loss.region == peer.region
        assert set(loss.lost) == {f"{p.source} -> {p.target}" for p in remote if p.reachable}
    assert got == intent  # no path between unconnected segments, none missing


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raws=peered_pairs())
def test_peer_tables_hold_no_default_route_and_only_reachable_spokes(
    raws: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    a, b = plans_for(raws)
    intent = intent_by_hand(raws)
    for plan, peer in ((a, b), (b, a)):
        table = plan.transit_gateway.route_table(f"peer-{peer.stack}")
        assert table.static_routes == ()  # no 0/0, no hub: egress never crosses Regions
        assert "hub" not in table.propagations
        wanted = {
            s.name
            for s in plan.spokes
            if any(
                (f"{peer.stack}/{r.name}", f"{plan.stack}/{s.name}") in intent for r in peer.spokes
            )
        }
        assert set(table.propagations) == wanted
