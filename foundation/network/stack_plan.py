"""A stack's plan as the live commands need it: from the committed lock, never writing."""

from __future__ import annotations

from foundation.addresses.allocation import allocate_in_memory, read_lock_checked
from foundation.config import regions
from foundation.config.spec import StackSpec
from foundation.config.workspace import Workspace
from foundation.network.build import build_plan
from foundation.network.model import NetworkPlan
from foundation.network.peering import peer_sides, with_peers


def offline_azs(spec: StackSpec) -> list[str]:
    """AZs as an offline plan shows them: `<region>a..` for a count, the list (config order).

    With spokes in other accounts, slots are AZ IDs (names map differently per account):
    a count takes the Region's first AZ IDs in ID order, as live runs do in every account.
    """
    azs = spec.network.availability_zones
    if not isinstance(azs, int):
        return list(azs)
    if spec.network.multi_account:
        return sorted(regions.catalogue()[spec.region], key=regions.az_id_order)[:azs]
    return regions.offline_az_names(spec.region, azs)


def read_only_plan(workspace: Workspace, stack: str) -> tuple[StackSpec, NetworkPlan]:
    """The plan from the committed lock (missing entries provisional), never writing a file.

    The live commands (`quotas`, `drift`) use this: checking must not change the lock.
    """
    spec, addresses = workspace.load(stack)
    lock = read_lock_checked(workspace.lock_path)
    allocation = allocate_in_memory(spec, addresses, lock)
    pool = addresses.pools[spec.network.pool]
    plan = build_plan(spec, allocation, offline_azs(spec), str(pool))
    plan = with_peers(spec, plan, peer_sides(workspace, spec, addresses, lock.entries))
    return spec, plan
