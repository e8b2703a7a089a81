"""Allocator properties over random sequences of add/remove operations (hypothesis)."""

from __future__ import annotations

from dataclasses import dataclass, field

from hypothesis import given, settings
from hypothesis import strategies as st
from netaddr import IPNetwork, IPSet

from ipam.errors import AllocationError
from ipam.layout import StackRequest, TierRequest, VpcRequest, allocate_stack
from ipam.lock import render_lock

POOL = IPNetwork("10.16.0.0/16")
NAMES = ["alpha", "bravo", "charlie", "delta", "echo", "fox"]

op = st.one_of(
    st.tuples(st.just("add"), st.sampled_from(NAMES), st.integers(19, 23)),
    st.tuples(st.just("remove"), st.sampled_from(NAMES), st.just(0)),
    st.tuples(st.just("tier"), st.sampled_from(NAMES), st.integers(25, 28)),
    st.tuples(st.just("untier"), st.sampled_from(NAMES), st.just(0)),
    st.tuples(st.just("azs"), st.just(""), st.integers(2, 4)),
)
reserved_ranges = st.lists(
    st.tuples(st.integers(0, 255), st.integers(18, 24)).map(
        lambda t: IPNetwork(f"10.16.{t[0]}.0/{t[1]}").cidr
    ),
    max_size=2,
)


@dataclass
class Model:
    azs: int = 3
    spokes: dict[str, tuple[int, dict[str, int]]] = field(default_factory=dict)

    def request(self, reserved: list[IPNetwork]) -> StackRequest:
        vpcs = [
            VpcRequest(
                "hub",
                "hub",
                self.azs,
                (TierRequest("public", None, default_extra_bits=2),),
                prefixlen=20,
            )
        ]
        for name, (size, tiers) in sorted(self.spokes.items()):
            tier_requests = (
                TierRequest("private"),
                *(TierRequest(t, p) for t, p in sorted(tiers.items())),
            )
            vpcs.append(VpcRequest(name, name, self.azs, tier_requests, prefixlen=size))
        return StackRequest("dev", "pool", POOL, tuple((r, "r") for r in reserved), tuple(vpcs))


def check_invariants(entries: dict[str, IPNetwork], reserved: list[IPNetwork]) -> None:
    reserved_set = IPSet(reserved)
    for key, net in entries.items():
        parent = key.rsplit("/", 1)[0] if key.count("/") > 1 else None
        container = entries[parent] if parent else POOL
        assert IPSet([net]) <= IPSet([container]), f"{key} {net} outside {container}"
        assert IPSet([net]).isdisjoint(reserved_set), f"{key} {net} in a reserved range"
        if parent is None:
            assert net != POOL
    siblings: dict[str | None, list[IPNetwork]] = {}
    for key, net in entries.items():
        siblings.setdefault(key.rsplit("/", 1)[0] if key.count("/") > 1 else None, []).append(net)
    for nets in siblings.values():
        total = IPSet()
        for net in nets:
            assert total.isdisjoint(IPSet([net])), f"{net} overlaps a sibling"
            total.add(net)


def apply(model: Model, operation: tuple[str, str, int]) -> Model:
    kind, name, value = operation
    spokes = {k: (s, dict(t)) for k, (s, t) in model.spokes.items()}
    if kind == "add" and name not in spokes:
        spokes[name] = (value, {})
    elif kind == "remove":
        spokes.pop(name, None)
    elif kind == "tier" and name in spokes:
        spokes[name][1].setdefault("data", value)
    elif kind == "untier" and name in spokes:
        spokes[name][1].pop("data", None)
    azs = value if kind == "azs" else model.azs
    return Model(azs, spokes)


@settings(max_examples=150, deadline=None)
@given(ops=st.lists(op, min_size=1, max_size=14), reserved=reserved_ranges)
def test_allocation_properties_hold_over_any_sequence(
    ops: list[tuple[str, str, int]], reserved: list[IPNetwork]
) -> None:
    model, lock = Model(), {}
    history: list[tuple[Model, dict[str, IPNetwork]]] = []
    for operation in ops:
        candidate = apply(model, operation)
        try:
            got = allocate_stack(candidate.request(reserved), lock)
        except AllocationError:
            continue  # refused (too small, exhausted, no spare slot): the lock is untouched
        entries = dict(got.entries)
        check_invariants(entries, reserved)
        # additive: nothing that is still requested ever moves
        for key, cidr in lock.items():
            if key in entries:
                assert entries[key] == cidr, f"{key} moved from {cidr} to {entries[key]}"
        # removed entries are reported as freed, new ones as new
        assert set(got.freed) == set(lock) - set(entries)
        assert set(got.new) == set(entries) - set(lock)
        # deterministic: the same request against the same lock gives the same bytes
        again = allocate_stack(candidate.request(reserved), lock)
        assert render_lock(again.entries) == render_lock(entries)
        model, lock = candidate, entries
        history.append((model, lock))
    # replaying the accepted steps from scratch reproduces the same lock byte for byte
    replay: dict[str, IPNetwork] = {}
    for step_model, expected in history:
        replay = dict(allocate_stack(step_model.request(reserved), replay).entries)
        assert render_lock(replay) == render_lock(expected)


@settings(max_examples=60, deadline=None)
@given(sizes=st.lists(st.integers(20, 26), min_size=1, max_size=40))
def test_a_fresh_allocation_packs_whenever_the_space_suffices(sizes: list[int]) -> None:
    """Sorted power-of-two requests into free space never fail while their sum fits."""
    from ipam.freespace import FreeSpace

    space = FreeSpace(IPNetwork("10.0.0.0/16"))
    need = 0
    for size in sorted(sizes):
        need += 1 << (32 - size)
        got = space.take(size)
        assert (got is not None) == (need <= 1 << 16)
        if got is None:
            break
