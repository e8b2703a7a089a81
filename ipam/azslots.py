"""AZ slots bound by value: a slot belongs to the AZ it was first allocated for.

An explicit AZ list is a set of AZs, not a sequence: reordering it must move nothing (AWS
would replace every subnet whose AZ changes). Lock keys name slots (``az0``, ``az1``...);
the lock records which AZ holds each slot. An AZ that leaves the list releases its slot
(its CIDRs are freed); a new AZ takes the lowest free slot. Without a recorded binding
(a first allocation, or a lock written before bindings existed) the list's order decides,
which is what position-based slots meant.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence


def bind_slots(listed: Sequence[str], bound: Mapping[int, str]) -> dict[int, str]:
    """Slot -> AZ for an explicit AZ list, keeping every binding whose AZ is still listed.

    Args:
        listed: the AZs of the config, in config order (each once).
        bound: the binding recorded in the lock (slot -> AZ).

    Returns:
        The new binding, sorted by slot.
    """
    kept = {slot: az for slot, az in bound.items() if az in listed}
    taken = set(kept)
    held = set(kept.values())
    slot = 0
    for az in listed:
        if az in held:
            continue
        while slot in taken:
            slot += 1
        kept[slot] = az
        taken.add(slot)
    return dict(sorted(kept.items()))
