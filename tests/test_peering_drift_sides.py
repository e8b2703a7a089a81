"""Drift of an intra-Region TGW peering (§3.9): the account lists both sides of it.

Within one Region (AWS allows intra-Region peering) DescribeTransitGatewayPeeringAttachments
returns the requester's and the accepter's attachment, each side tagged by its own stack
once accepted. Each stack must report only its side: moto lists one, so the read is fed
the shape AWS returns.
"""

from __future__ import annotations

from typing import Any

from foundation.live.drift.observe import Observed, _Names, _tags
from foundation.live.drift.peering import observe_peerings


class PeeringAttachments:
    """Answers the paged describe with fixed attachments."""

    def __init__(self, attachments: list[dict[str, Any]]):
        self.attachments = attachments

    def pages(self, service: str, operation: str, key: str, **params: Any) -> list[dict[str, Any]]:
        assert (service, operation, key) == (
            "ec2",
            "describe_transit_gateway_peering_attachments",
            "TransitGatewayPeeringAttachments",
        )
        return self.attachments


def side(rid: str, stack: str, name: str) -> dict[str, Any]:
    return {
        "TransitGatewayAttachmentId": rid,
        "State": "available",
        "RequesterTgwInfo": {"TransitGatewayId": "tgw-a", "Region": "us-east-1"},
        "AccepterTgwInfo": {"TransitGatewayId": "tgw-b", "Region": "us-east-1"},
        "Tags": [
            {"Key": "foundation:stack", "Value": stack},
            {"Key": "foundation:name", "Value": name},
        ],
    }


SIDES = [
    ("prod-a", "tgw-a", "tgw-attach-a", "peer-prod-b"),
    ("prod-b", "tgw-b", "tgw-attach-b", "peer-prod-a"),
]


def test_each_stack_reads_only_its_side_of_an_intra_region_peering() -> None:
    both = PeeringAttachments([side(rid, stack, name) for stack, _, rid, name in SIDES])
    for stack, tgw, mine, name in SIDES:
        out, names = Observed(), _Names(stack)
        planned = {name: "us-east-1"}
        observe_peerings(both, {tgw}, _tags, names, out.add, planned)  # type: ignore[arg-type]
        assert list(out.items) == [("tgw-peering", name)]
        item = out.items[("tgw-peering", name)]
        assert item.tagged and item.attrs == {"state": "available", "peerRegion": "us-east-1"}
        assert names.names == {mine: name}
