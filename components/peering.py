"""TGW peering with a peered stack's TGW in another Region (DESIGN §3.9).

The stack whose name sorts first requests, the other accepts; neither reads the other's
Pulumi state. Both find what they need by lookups, in the peer's Region through
pulumi-aws 7's per-call `region` argument (one provider per Region would duplicate the
account's provider settings and change every existing resource's provider):

- requester: the peer's TGW by its tags (`foundation:stack`, `foundation:name`); creates
  the peering attachment; routes wait until its own attachment reads `available`;
- accepter: the requester's TGW by its tags, then the attachment by state, type (a peering
  attachment lookup) and the requester's TGW id, since AWS does not copy the requester's
  tags to the accepter's side; of those, only the one joining its own TGW and not tagged
  by the requester (its side of an intra-Region peering); accepts it and tags it; routes
  depend on the acceptance. Several left: it accepts none and says which.

What is not there yet is a warning naming the next step, never a failure. `ready` maps
each peering that can carry routes to its attachment id.
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_aws as aws

from components.tags import tags
from foundation.network.model import NetworkPlan, TgwPeering

PENDING = ["pendingAcceptance", "available"]


def _lookup(call: Any, **kwargs: Any) -> Any | None:
    """An invoke's result, or None when nothing matches (the provider raises then)."""
    try:
        return call(**kwargs)
    except Exception as exc:
        pulumi.log.debug(f"lookup found nothing: {exc}")
        return None


def find_peer_tgw(peering: TgwPeering) -> str | None:
    """The peer's TGW id, found by its tags in the peer Region."""
    found = _lookup(
        aws.ec2transitgateway.get_transit_gateway,
        filters=[
            {"name": "tag:foundation:stack", "values": [peering.peer_stack]},
            {"name": "tag:foundation:name", "values": ["tgw"]},
            {"name": "state", "values": ["available"]},
        ],
        region=peering.peer_region,
    )
    return str(found.id) if found is not None else None


def find_requests(plan: NetworkPlan, peering: TgwPeering, requester_tgw: str) -> list[Any]:
    """The requester's attachments this stack may accept (normally one).

    The `transit-gateway-id` filter matches the requester's TGW on either side of any of
    its peerings, so the list is narrowed: within one Region (AWS allows intra-Region
    peering) the requester's own side is listed too and is the one carrying the
    requester's tags; and when this stack's TGW is found by its tags, the attachment must
    join it (the requester may peer with another stack in this Region).
    """
    own = _lookup(
        aws.ec2transitgateway.get_transit_gateway,
        filters=[
            {"name": "tag:foundation:stack", "values": [plan.stack]},
            {"name": "tag:foundation:name", "values": ["tgw"]},
            {"name": "state", "values": ["available"]},
        ],
    )
    listed = _lookup(
        aws.ec2transitgateway.get_peering_attachments,
        filters=[
            {"name": "state", "values": PENDING},
            {"name": "transit-gateway-id", "values": [requester_tgw]},
        ],
    )
    ids = [str(i) for i in (listed.ids if listed is not None else []) or []]
    found = [
        a
        for a in (_lookup(aws.ec2transitgateway.get_peering_attachment, id=i) for i in ids)
        if a is not None and (a.tags or {}).get("foundation:stack") != peering.peer_stack
    ]
    if own is not None:
        found = [
            a for a in found if str(own.id) in {a.transit_gateway_id, a.peer_transit_gateway_id}
        ]
    return found


class Peerings(pulumi.ComponentResource):
    """The stack's side of each planned TGW peering."""

    ready: dict[str, pulumi.Output[str]]

    def __init__(
        self,
        name: str,
        plan: NetworkPlan,
        transit_gateway_id: pulumi.Input[str],
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("foundation:network:Peerings", name, None, opts)
        self.ready = {}
        for peering in plan.transit_gateway.peerings:
            if peering.state == "pending":
                pulumi.log.warn(
                    f"peering with {peering.peer_stack} is pending (it has no lock entries): "
                    f"next, run `python -m foundation plan {peering.peer_stack}`, commit the "
                    f"lock, and run pulumi up here again"
                )
                continue
            if peering.requester:
                self._request(plan, peering, transit_gateway_id)
            else:
                self._accept(plan, peering)
        self.register_outputs({"ready": self.ready})

    def _request(
        self, plan: NetworkPlan, peering: TgwPeering, transit_gateway_id: pulumi.Input[str]
    ) -> None:
        peer = peering.peer_stack
        peer_tgw = find_peer_tgw(peering)
        if peer_tgw is None:
            pulumi.log.warn(
                f"{peering.name}: no TGW of {peer} in {peering.peer_region} yet; next, run "
                f"pulumi up on {peer}, then here again to request the peering"
            )
            return
        attachment = aws.ec2transitgateway.PeeringAttachment(
            peering.name,
            transit_gateway_id=transit_gateway_id,
            peer_transit_gateway_id=peer_tgw,
            peer_region=peering.peer_region,
            tags=tags(plan.stack, peering.name),
            opts=pulumi.ResourceOptions(parent=self),
        )
        available = _lookup(
            aws.ec2transitgateway.get_peering_attachment,
            filters=[{"name": "state", "values": ["available"]}],
            tags={"foundation:stack": plan.stack, "foundation:name": peering.name},
        )
        if available is None:
            pulumi.log.warn(
                f"{peering.name}: requested; next, run pulumi up on {peer} to accept it, then "
                f"here again to add the routes and the {peering.name} association"
            )
            return
        self.ready[peering.name] = attachment.id

    def _accept(self, plan: NetworkPlan, peering: TgwPeering) -> None:
        peer = peering.peer_stack
        requester_tgw = find_peer_tgw(peering)
        requests = find_requests(plan, peering, requester_tgw) if requester_tgw else []
        if len(requests) > 1:
            pulumi.log.warn(
                f"{peering.name}: {len(requests)} peering attachments from {peer}'s TGW "
                f"({', '.join(sorted(str(r.id) for r in requests))}) could be this stack's; "
                "accepting none. Reject or delete the stray ones, then run pulumi up again"
            )
            return
        found = requests[0] if requests else None
        if found is None:
            pulumi.log.warn(
                f"{peering.name}: no peering request from {peer} yet; next, run pulumi up on "
                f"{peer} (it requests), then here again to accept"
            )
            return
        accepter = aws.ec2transitgateway.PeeringAttachmentAccepter(
            peering.name,
            transit_gateway_attachment_id=str(found.id),
            tags=tags(plan.stack, peering.name),
            opts=pulumi.ResourceOptions(parent=self),
        )
        if found.state != "available":
            pulumi.log.warn(
                f"{peering.name}: accepting the request of {peer}; routes here follow the "
                f"acceptance. Next, run pulumi up on {peer} to add its routes"
            )
        self.ready[peering.name] = accepter.transit_gateway_attachment_id
