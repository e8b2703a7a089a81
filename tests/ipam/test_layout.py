"""Known layouts, sizing errors, renumbering refusals and exhaustion of the stack allocator."""

from __future__ import annotations

import pytest
from netaddr import IPNetwork

from ipam.errors import AllocationError
from ipam.layout import StackRequest, TierRequest, VpcRequest, allocate_stack

POOL = IPNetwork("10.16.0.0/14")


def vpc(
    name: str, size: int | None = None, azs: int = 3, cidr: str | None = None, **tiers: int | None
) -> VpcRequest:
    tier_requests = tuple(TierRequest(t, p) for t, p in sorted(tiers.items())) or (
        TierRequest("private"),
    )
    return VpcRequest(
        name,
        f"foundation:network.spokes.{name}",
        azs,
        tier_requests,
        prefixlen=size,
        cidr=IPNetwork(cidr) if cidr else None,
    )


def hub(size: int = 20, azs: int = 3) -> VpcRequest:
    return VpcRequest(
        "hub",
        "foundation:network.hub",
        azs,
        (TierRequest("public", None, default_extra_bits=2),),
        prefixlen=size,
    )


def request(
    *vpcs: VpcRequest,
    reserved: tuple[tuple[IPNetwork, str], ...] = (),
    stack: str = "dev",
    pool: IPNetwork = POOL,
) -> StackRequest:
    return StackRequest(stack, "dev-use1", pool, reserved, vpcs)


def test_known_layout_of_a_hub_and_a_spoke() -> None:
    got = allocate_stack(request(hub(20), vpc("payments", 21, private=24, data=26)), {})
    entries = {k: str(v) for k, v in got.entries.items()}
    assert entries["dev/hub"] == "10.16.0.0/20"
    assert entries["dev/hub/az0"] == "10.16.0.0/22"  # 3 AZs + a spare -> 4 slots
    assert entries["dev/hub/az0/public"] == "10.16.0.0/24"  # a quarter slot by default
    assert entries["dev/hub/az0/transit"] == "10.16.1.0/28"
    assert entries["dev/hub/az2"] == "10.16.8.0/22"
    assert "dev/hub/az3" not in entries  # the spare slot stays free
    assert entries["dev/payments"] == "10.16.16.0/21"
    assert entries["dev/payments/az1"] == "10.16.18.0/23"
    assert entries["dev/payments/az1/private"] == "10.16.18.0/24"
    assert entries["dev/payments/az1/data"] == "10.16.19.0/26"
    assert entries["dev/payments/az1/transit"] == "10.16.19.64/28"
    assert got.slot_capacity == {"hub": 4, "payments": 4}


@pytest.mark.parametrize(("azs", "slots"), [(2, 4), (3, 4), (4, 8), (6, 8)])
def test_a_vpc_always_has_room_for_one_more_az(azs: int, slots: int) -> None:
    got = allocate_stack(request(vpc("a", 20, azs=azs)), {})
    assert got.slot_capacity["a"] == slots
    assert got.slot_capacity["a"] > azs


def test_default_private_tier_is_half_an_az_slot() -> None:
    got = allocate_stack(request(vpc("a", 22)), {})
    assert str(got.entries["dev/a/az0"]) == "10.16.0.0/24"
    assert got.entries["dev/a/az0/private"].prefixlen == 25


def test_adding_a_spoke_tier_and_az_never_moves_an_existing_cidr() -> None:
    first = allocate_stack(request(hub(), vpc("a", 21, private=24)), {})
    grown = allocate_stack(
        request(hub(azs=4), vpc("a", 21, azs=4, private=24, data=26), vpc("b", 22)), first.entries
    )
    for key, cidr in first.entries.items():
        assert grown.entries[key] == cidr
    assert {"dev/b", "dev/a/az3", "dev/a/az0/data"} <= grown.new
    assert any("no spare slot" in w for w in grown.warnings)


def test_removing_a_spoke_frees_its_space_for_the_next() -> None:
    first = allocate_stack(request(hub(), vpc("a", 21), vpc("b", 21)), {})
    second = allocate_stack(request(hub(), vpc("b", 21)), first.entries)
    assert {k for k in first.entries if k.startswith("dev/a")} == set(second.freed)
    third = allocate_stack(request(hub(), vpc("b", 21), vpc("c", 21)), second.entries)
    assert third.entries["dev/c"] == first.entries["dev/a"]


def test_same_inputs_give_the_same_allocation_whatever_the_request_order() -> None:
    a = allocate_stack(request(hub(), vpc("x", 22), vpc("y", 21), vpc("z", 23)), {})
    b = allocate_stack(request(vpc("z", 23), vpc("y", 21), hub(), vpc("x", 22)), {})
    assert a.entries == b.entries


def test_too_small_vpc_says_how_large_it_must_be() -> None:
    with pytest.raises(AllocationError) as exc:
        allocate_stack(request(vpc("a", 24, private=24)), {})
    problem = exc.value.problems[0]
    assert problem.path == "foundation:network.spokes.a.size"
    assert "/24 is too small" in problem.message and "4 AZ slots" in problem.message
    assert "use size 21 or less" in problem.fix


def test_resizing_a_vpc_in_the_lock_is_refused() -> None:
    first = allocate_stack(request(vpc("a", 21)), {})
    with pytest.raises(AllocationError) as exc:
        allocate_stack(request(vpc("a", 20)), first.entries)
    assert "never resized" in exc.value.problems[0].message
    assert exc.value.problems[0].path.endswith(".size")


def test_resizing_a_tier_in_the_lock_is_refused() -> None:
    first = allocate_stack(request(vpc("a", 21, private=24)), {})
    with pytest.raises(AllocationError) as exc:
        allocate_stack(request(vpc("a", 21, private=25)), first.entries)
    assert "never resized" in exc.value.problems[0].message


def test_growing_past_the_az_slots_is_refused_instead_of_renumbering() -> None:
    first = allocate_stack(request(vpc("a", 21)), {})
    with pytest.raises(AllocationError) as exc:
        allocate_stack(request(vpc("a", 21, azs=5)), first.entries)
    assert "cannot hold 5 AZs without renumbering" in exc.value.problems[0].message


def test_explicit_cidr_adopts_an_existing_network_and_is_checked() -> None:
    got = allocate_stack(request(vpc("legacy", cidr="10.17.0.0/20")), {})
    assert str(got.entries["dev/legacy"]) == "10.17.0.0/20"
    with pytest.raises(AllocationError) as outside:
        allocate_stack(request(vpc("legacy", cidr="10.40.0.0/20")), {})
    assert "outside pool dev-use1" in outside.value.problems[0].message
    reserved = ((IPNetwork("10.17.0.0/16"), "on-premises"),)
    with pytest.raises(AllocationError) as clash:
        allocate_stack(request(vpc("legacy", cidr="10.17.0.0/20"), reserved=reserved), {})
    assert "overlaps reserved range 10.17.0.0/16 (on-premises)" in clash.value.problems[0].message


def test_a_vpc_never_takes_the_whole_pool() -> None:
    with pytest.raises(AllocationError) as exc:
        allocate_stack(request(vpc("a", 16), pool=IPNetwork("10.16.0.0/16")), {})
    assert "would take the whole pool" in exc.value.problems[0].message


def test_exhaustion_names_pool_request_free_space_and_largest_block() -> None:
    small = IPNetwork("10.16.0.0/19")
    with pytest.raises(AllocationError) as exc:
        allocate_stack(
            request(
                vpc("a", 20),
                vpc("b", 20),
                pool=small,
                reserved=((IPNetwork("10.16.0.0/22"), "partner"),),
            ),
            {},
        )
    message = exc.value.problems[0].message
    assert exc.value.problems[0].path == "foundation:network.spokes.b"
    assert "pool dev-use1 (10.16.0.0/19) has no free /20 left" in message
    assert "free addresses: 3072" in message and "largest free block: /21" in message


def test_other_stacks_in_the_same_pool_are_respected() -> None:
    dev = allocate_stack(request(vpc("a", 20), stack="dev"), {})
    qa = allocate_stack(request(vpc("a", 20), stack="qa"), dev.entries)
    assert qa.entries["qa/a"] != dev.entries["dev/a"]
    assert (
        qa.entries["qa/a"].first > dev.entries["dev/a"].last
        or qa.entries["qa/a"].last < dev.entries["dev/a"].first
    )


# vpc size, AZs, tiers -> slot prefix and each tier's prefix in every slot
KNOWN = [
    (20, 3, {"private": 24, "data": 26}, 22, {"private": 24, "data": 26, "transit": 28}),
    (21, 2, {}, 23, {"private": 24, "transit": 28}),  # default: half a slot
    (22, 3, {"app": 26, "db": 27}, 24, {"app": 26, "db": 27, "transit": 28}),
    (20, 4, {}, 23, {"private": 24, "transit": 28}),  # 4 AZs + spare -> 8 slots
    (24, 2, {"private": 28}, 26, {"private": 28, "transit": 28}),
]


@pytest.mark.parametrize(("size", "azs", "tiers", "slot_prefix", "tier_prefixes"), KNOWN)
def test_known_layouts(
    size: int, azs: int, tiers: dict[str, int], slot_prefix: int, tier_prefixes: dict[str, int]
) -> None:
    got = allocate_stack(request(vpc("a", size, azs=azs, **tiers)), {})
    vpc_net = got.entries["dev/a"]
    assert vpc_net.prefixlen == size
    slots = [got.entries[f"dev/a/az{i}"] for i in range(azs)]
    assert {s.prefixlen for s in slots} == {slot_prefix}
    assert [s.first for s in slots] == sorted(s.first for s in slots)  # az0 lowest
    for i in range(azs):
        prefix = f"dev/a/az{i}/"
        assert {
            k[len(prefix) :]: v.prefixlen for k, v in got.entries.items() if k.startswith(prefix)
        } == tier_prefixes
