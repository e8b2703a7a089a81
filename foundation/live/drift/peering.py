"""Drift of TGW peerings (DESIGN §3.9): the attachment's state and peer, read-only.

The remote routes and the peered-pool blackholes are static TGW routes: the ordinary
TGW-route comparison covers them once the peering attachment's id maps to its logical
name, which this module teaches the name map. AWS does not copy the requester's tags to
the accepter's side, so an attachment of our TGW without our tags is matched by its peer
Region when exactly one planned peering goes there. Within one Region the account also
lists the other side of the same peering, tagged by the peer stack: that one is skipped.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from foundation.live.aws import Aws
from foundation.live.drift.model import Item
from foundation.network.model import NetworkPlan

GONE = {"deleted", "deleting", "failed"}


def expected_peerings(plan: NetworkPlan) -> list[Item]:
    """Each planned peering must be live, available, and reach the peer's Region."""
    return [
        Item("tgw-peering", p.name, {"state": "available", "peerRegion": p.peer_region})
        for p in plan.transit_gateway.peerings
        if p.state == "planned"
    ]


def planned_regions(plan: NetworkPlan) -> dict[str, str]:
    """Peering name -> peer Region, for the planned peerings."""
    return {p.name: p.peer_region for p in plan.transit_gateway.peerings if p.state == "planned"}


def observe_peerings(
    aws: Aws,
    tgw_ids: set[str],
    tags_of: Callable[[dict[str, Any]], dict[str, str]],
    names: Any,
    add: Callable[[Item], None],
    planned: Mapping[str, str],
) -> None:
    """Read the peering attachments of our TGW (one paged call) into Items.

    Args:
        aws: the network account's client.
        tgw_ids: our TGW ids.
        tags_of: resource -> its tags as a dict.
        names: the observation's name map: `learn(id, resource)` -> (logical name,
            tagged), and `names` (id -> logical name) that the TGW routes are named by.
        add: records an Item.
        planned: peering name -> peer Region, as planned.
    """
    by_region: dict[str, list[str]] = {}
    for name, region in planned.items():
        by_region.setdefault(region, []).append(name)
    for att in aws.pages(
        "ec2", "describe_transit_gateway_peering_attachments", "TransitGatewayPeeringAttachments"
    ):
        requester = att.get("RequesterTgwInfo", {})
        accepter = att.get("AccepterTgwInfo", {})
        if requester.get("TransitGatewayId") in tgw_ids:
            peer = accepter
        elif accepter.get("TransitGatewayId") in tgw_ids:
            peer = requester
        else:
            continue
        state = str(att.get("State", ""))
        if state in GONE or _other_side(att, tags_of(att), names.stack):
            continue
        rid = att["TransitGatewayAttachmentId"]
        name, tagged = names.learn(rid, att)
        candidates = by_region.get(str(peer.get("Region", "")), [])
        if name not in planned and len(candidates) == 1:
            name, tagged = candidates[0], True
            names.names[rid] = name  # routes through it are named after the peering
        add(
            Item(
                "tgw-peering",
                name,
                {"state": state, "peerRegion": str(peer.get("Region", ""))},
                tags_of(att),
                tagged,
            )
        )


def _other_side(att: dict[str, Any], tags: Mapping[str, str], stack: str) -> bool:
    """The peer stack's own side of an intra-Region peering (its to check, not ours).

    Across Regions each Region lists only its own side, so nothing is skipped there.
    """
    regions = {att.get(k, {}).get("Region") for k in ("RequesterTgwInfo", "AccepterTgwInfo")}
    return len(regions) == 1 and tags.get("foundation:stack", stack) != stack
