"""Free address space as a buddy free list: allocation is set difference, made fast.

Free space starts as ``parent - used`` (netaddr's IPSet, split into maximal aligned
blocks). Blocks are kept in one min-heap per prefix length. A request for /p takes the
smallest free block that fits (best fit keeps large blocks whole) and, among those, the
lowest address; the unused halves go back to the heaps. Same inputs, same answers.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable

from netaddr import IPNetwork, IPSet


class FreeSpace:
    """Allocatable space inside one parent network."""

    def __init__(self, parent: IPNetwork, used: Iterable[IPNetwork] = ()):
        self.parent = parent
        self._heaps: dict[int, list[int]] = {}
        free = IPSet([parent]) - IPSet(list(used))
        for block in free.iter_cidrs():
            self._heaps.setdefault(block.prefixlen, []).append(int(block.first))
        for heap in self._heaps.values():
            heapq.heapify(heap)

    def take(self, prefixlen: int) -> IPNetwork | None:
        """Allocate one /prefixlen block, or None when no free block is large enough."""
        for size in range(prefixlen, self.parent.prefixlen - 1, -1):
            heap = self._heaps.get(size)
            if heap:
                first = heapq.heappop(heap)
                while size < prefixlen:
                    size += 1
                    heapq.heappush(self._heaps.setdefault(size, []), first + (1 << (32 - size)))
                return IPNetwork((first, prefixlen))
        return None

    def total(self) -> int:
        """Free addresses left."""
        return sum(len(h) << (32 - p) for p, h in self._heaps.items())

    def largest(self) -> int | None:
        """Prefix length of the largest free block, None when full."""
        sizes = [p for p, h in self._heaps.items() if h]
        return min(sizes) if sizes else None
