"""Resolving the stack's AZs through AWS (a provider invoke), in AZ-slot order.

A count takes the first N available AZs that need no opt-in; an explicit list of names or
AZ IDs is resolved in config order, and the lock's binding (foundation.network.build)
maps each listed AZ to the slot it was first allocated for: reordering moves nothing.
With spokes in other accounts the AZs are AZ IDs (a count: the network Region's first
IDs in ID order, use1-az1, use1-az2, ...), the same in every account and offline; the
binding then holds AZ IDs and every account places its subnets by AZ ID.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from foundation.config.regions import az_id_order
from foundation.config.spec import ROOT, StackSpec
from foundation.errors import Problem


def resolve_availability_zones(spec: StackSpec) -> list[str]:
    """AZ names for the config's AZs (config order), asked of AWS (or of the mock engine)."""
    result = aws.get_availability_zones(
        state="available",
        filters=[
            aws.GetAvailabilityZonesFilterArgs(name="opt-in-status", values=["opt-in-not-required"])
        ],
    )
    names = list(result.names)
    by_id = dict(zip(result.zone_ids, result.names, strict=False))
    id_of = {name: zone for zone, name in by_id.items()}
    wanted = spec.network.availability_zones
    if isinstance(wanted, int):
        if len(names) < wanted:
            raise pulumi.RunError(
                str(
                    Problem(
                        spec.source,
                        f"{ROOT}.availabilityZones",
                        f"{spec.region} has {len(names)} available AZs here, not {wanted}",
                        f"use at most {len(names)}",
                    )
                )
            )
        if spec.network.multi_account:
            return sorted(result.zone_ids, key=az_id_order)[:wanted]
        return names[:wanted]
    out = []
    for i, az in enumerate(wanted):
        name = by_id.get(az, az)
        if name not in names:
            raise pulumi.RunError(
                str(
                    Problem(
                        spec.source,
                        f"{ROOT}.availabilityZones[{i}]",
                        f"'{az}' is not an available AZ in this account",
                        f"choose from {', '.join(names)}",
                    )
                )
            )
        out.append(id_of[name] if spec.network.multi_account else name)
    return out
