"""IPAM: 10,000 allocations of mixed sizes (/20 to /26) in a /8, beside a first-fit baseline.

Both allocators get the same request sequence in the same run; both results are checked
(inside the /8, pairwise disjoint) so the speed is not bought with a wrong answer.
"""

from __future__ import annotations

import itertools
import random
import time

from netaddr import IPNetwork, IPSet

from ipam.freespace import FreeSpace

PARENT = IPNetwork("10.0.0.0/8")
COUNT = 10_000


def baseline_first_fit(sizes: list[int]) -> list[IPNetwork]:
    """The simple way: first free CIDR (lowest address) that fits, carve, repeat."""
    free = IPSet([PARENT])
    out = []
    for size in sizes:
        block = next(
            IPNetwork((int(c.first), size)) for c in free.iter_cidrs() if c.prefixlen <= size
        )
        free.remove(block)
        out.append(block)
    return out


def ours(sizes: list[int]) -> list[IPNetwork]:
    """The buddy free list of ipam.freespace."""
    space = FreeSpace(PARENT)
    out = []
    for size in sizes:
        got = space.take(size)
        assert got is not None
        out.append(got)
    return out


def check(blocks: list[IPNetwork]) -> None:
    """Inside the parent and pairwise disjoint."""
    ordered = sorted(blocks, key=lambda b: b.first)
    assert all(b in PARENT for b in blocks)
    assert all(a.last < b.first for a, b in itertools.pairwise(ordered))


def run() -> dict[str, float]:
    """Time both allocators on one seeded sequence; returns the figures."""
    rng = random.Random(2026)
    sizes = [rng.randint(20, 26) for _ in range(COUNT)]
    timings = {}
    for name, allocate in (("ours", ours), ("baseline", baseline_first_fit)):
        start = time.perf_counter()
        blocks = allocate(sizes)
        timings[name] = time.perf_counter() - start
        check(blocks)
    print(
        f"ipam: {COUNT} allocations (/20../26) in {PARENT}: ours {timings['ours'] * 1000:.1f} ms, "
        f"first-fit IPSet baseline {timings['baseline'] * 1000:.1f} ms, "
        f"ratio {timings['baseline'] / timings['ours']:.1f}x faster (target: well under 1 s, "
        f"faster than the baseline)"
    )
    return timings


if __name__ == "__main__":
    run()
