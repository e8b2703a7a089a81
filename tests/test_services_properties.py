"""Random `sharedServices` blocks, valid or not: every one is either a bad input naming its
key path with a fix, or a plan in which exactly the listed spokes reach the services."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from foundation.addresses.allocation import allocate_in_memory
from foundation.config.spec import parse_network
from foundation.errors import FoundationError
from foundation.network.analysis.services import services_reach
from foundation.network.build import build_plan
from foundation.network.stack_plan import offline_azs
from ipam.lock import LockFile
from tests.test_routing_properties import ADDRESSES

SEGMENTS = {"prod": {"connectsTo": ["shared"]}, "nonprod": {}, "shared": {}}
SPOKES = {
    "pay": {"segment": "prod", "size": 22},
    "lab": {"segment": "nonprod", "size": 22},
    "ops": {"segment": "shared", "size": 22},
}
junk = st.one_of(st.integers(-1, 30), st.text(max_size=4), st.booleans(), st.none())
targets = st.sampled_from(
    ["10.0.0.2", "10.0.0.3", "8.8.8.8", "127.0.0.1", "10.64.0.10", "x", "", "300.1.1.1"]
)
domains = st.sampled_from(["corp.example.com", "a.b", "bad..name", "-x.com", "x" * 70 + ".com"])
blocks = st.fixed_dictionaries(
    {},
    optional={
        "size": st.one_of(st.integers(14, 29), junk),
        "cidr": st.sampled_from(["10.64.192.0/24", "10.64.192.1/24", "nope", "10.64.0.0/12"]),
        "segments": st.one_of(
            st.lists(st.sampled_from(["prod", "nonprod", "shared", "qa"]), max_size=3), junk
        ),
        "interfaceEndpoints": st.one_of(
            st.lists(st.sampled_from(["ssm", "sts", "ecr.dkr", "ecr-dkr", "s3x"]), max_size=3),
            junk,
        ),
        "dns": st.fixed_dictionaries(
            {},
            optional={
                "inbound": st.one_of(st.booleans(), junk),
                "forward": st.dictionaries(domains, st.lists(targets, max_size=3), max_size=2),
                "outbound": junk,  # unknown key
            },
        ),
        "bogus": junk,
    },
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(block=blocks)
def test_any_block_is_bad_input_with_a_path_or_an_intended_plan(block: dict[str, Any]) -> None:
    raw = {
        "pool": "p",
        "availabilityZones": 3,
        "hub": {"size": 20},
        "segments": SEGMENTS,
        "spokes": SPOKES,
        "sharedServices": block,
    }
    try:
        spec = parse_network(raw, "eu-west-1", "test", "t")
        allocation = allocate_in_memory(spec, ADDRESSES, LockFile())
        plan = build_plan(spec, allocation, offline_azs(spec), "10.64.0.0/12")
    except FoundationError as exc:
        assert exc.problems
        for p in exc.problems:
            assert p.path.startswith("foundation:network"), p
            assert p.message and p.fix, p
        return
    listed = set(block.get("segments") or SEGMENTS)
    expected = {n for n, s in SPOKES.items() if s["segment"] in listed}
    assert {r.vpc for r in services_reach(plan) if r.reachable} == expected
    assert plan.shared_services is not None
    assert set(plan.shared_services.spokes) == expected
