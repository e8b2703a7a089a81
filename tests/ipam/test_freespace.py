from __future__ import annotations

from netaddr import IPNetwork, IPSet

from ipam.freespace import FreeSpace


def test_takes_lowest_address_of_the_smallest_fitting_block() -> None:
    space = FreeSpace(IPNetwork("10.0.0.0/16"), [IPNetwork("10.0.0.0/24")])
    # free: 10.0.1.0/24, 10.0.2.0/23, 10.0.4.0/22, ... best fit for a /24 is 10.0.1.0/24
    assert space.take(24) == IPNetwork("10.0.1.0/24")
    assert space.take(23) == IPNetwork("10.0.2.0/23")
    assert space.take(26) == IPNetwork("10.0.4.0/26")


def test_exhaustion_returns_none_and_reports_what_is_left() -> None:
    space = FreeSpace(IPNetwork("10.0.0.0/24"), [IPNetwork("10.0.0.0/25")])
    assert space.take(24) is None
    assert space.total() == 128
    assert space.largest() == 25
    assert space.take(25) == IPNetwork("10.0.0.128/25")
    assert space.take(28) is None and space.largest() is None


def test_reserved_ranges_are_never_handed_out() -> None:
    reserved = IPNetwork("10.0.8.0/21")
    space = FreeSpace(IPNetwork("10.0.0.0/16"), [reserved])
    got = [space.take(22) for _ in range(60)]
    assert all(g is not None and IPSet([g]).isdisjoint(IPSet([reserved])) for g in got)
