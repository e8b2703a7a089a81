"""The Pulumi program's side of a TGW peering under the mock engine (DESIGN §3.9, §4).

prod-euw1 sorts first and requests; prod-use1 accepts. The lookups are invokes the mock
answers from a PeeringWorld: what exists at each step of the README's sequence.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from foundation.offline.mockrun import (
    PEERINGS_TOKEN,
    TGW_TOKEN,
    PeeringWorld,
    Recording,
)
from tests.peering_project import EUW1, USE1, both_planned, peered_project
from tests.test_program import record

ATTACH = "aws:ec2transitgateway/peeringAttachment:PeeringAttachment"
ACCEPT = "aws:ec2transitgateway/peeringAttachmentAccepter:PeeringAttachmentAccepter"
ROUTE = "aws:ec2transitgateway/route:Route"
ASSOC = "aws:ec2transitgateway/routeTableAssociation:RouteTableAssociation"


@pytest.fixture
def project(tmp_path: Path, cli) -> Path:
    root = peered_project(tmp_path)
    both_planned(cli, root)
    return root


def run(project: Path, stack: str, world: PeeringWorld) -> Recording:
    return record(project, stack, peering=world)


def of_type(rec: Recording, typ: str) -> list:
    return [r for r in rec.custom if r.type == typ]


def peer_routes(rec: Recording, attachment_id: str) -> list:
    return [
        r
        for r in of_type(rec, ROUTE)
        if r.inputs.get("transitGatewayAttachmentId") == attachment_id
    ]


def test_requester_creates_the_attachment_to_the_peer_tgw_found_by_tags(project: Path) -> None:
    world = PeeringWorld()  # the peer's TGW exists and the attachment is available
    rec = run(project, EUW1, world)
    [attachment] = of_type(rec, ATTACH)
    assert attachment.name == "peer-prod-use1"
    assert attachment.inputs["peerRegion"] == "us-east-1"
    assert attachment.inputs["peerTransitGatewayId"] == "tgw-prod-use1"
    assert attachment.inputs["tags"]["foundation:name"] == "peer-prod-use1"
    assert not of_type(rec, ACCEPT)
    lookup = next(args for token, args in world.calls if token == TGW_TOKEN)
    assert lookup["region"] == "us-east-1"  # looked up in the peer's Region
    assert {"name": "tag:foundation:stack", "values": ["prod-use1"]} in lookup["filters"]
    # available: routes to the remote spokes and the peer-table association use it
    routes = peer_routes(rec, attachment.id)
    assert len(routes) == 5  # prod: 2 + shared: 2 + recovery: 1 (payments, tools)
    assert any(a.inputs["transitGatewayAttachmentId"] == attachment.id for a in of_type(rec, ASSOC))
    assert not [w for w in rec.warnings if "next" in w]


def test_requester_waits_for_acceptance_with_a_warning(project: Path) -> None:
    rec = run(project, EUW1, PeeringWorld(attachment="pendingAcceptance"))
    [attachment] = of_type(rec, ATTACH)
    assert peer_routes(rec, attachment.id) == []
    assert not any(
        a.inputs["transitGatewayAttachmentId"] == attachment.id for a in of_type(rec, ASSOC)
    )
    # the blackholes of the peer's pool stay: the bulkhead does not wait
    assert any(
        r.inputs.get("blackhole") and r.inputs["destinationCidrBlock"] == "10.32.0.0/14"
        for r in of_type(rec, ROUTE)
    )
    assert any("next, run pulumi up on prod-use1 to accept" in w for w in rec.warnings)


def test_requester_without_the_peer_tgw_says_which_step_comes_next(project: Path) -> None:
    rec = run(project, EUW1, PeeringWorld(tgws=set(), attachment=None))
    assert of_type(rec, ATTACH) == []
    assert any("no TGW of prod-use1 in us-east-1 yet" in w for w in rec.warnings)
    assert len(of_type(rec, "aws:ec2/vpc:Vpc")) == 4  # the rest of the network is built


def test_accepter_finds_the_request_by_state_and_requester_tgw_and_tags_it(
    project: Path,
) -> None:
    world = PeeringWorld(attachment="pendingAcceptance")
    rec = run(project, USE1, world)
    [accepter] = of_type(rec, ACCEPT)
    assert accepter.inputs["transitGatewayAttachmentId"] == "tgw-attach-peering"
    assert accepter.inputs["tags"] == {
        "Name": "prod-use1-peer-prod-euw1",
        "foundation:stack": "prod-use1",
        "foundation:name": "peer-prod-euw1",
    }
    lookup = next(args for token, args in world.calls if token == PEERINGS_TOKEN)
    assert {"name": "transit-gateway-id", "values": ["tgw-prod-euw1"]} in lookup["filters"]
    assert {"name": "state", "values": ["pendingAcceptance", "available"]} in lookup["filters"]
    # routes follow the acceptance: they reference the accepter's output
    assert len(peer_routes(rec, "tgw-attach-peering")) == 5  # prod: 3, shared: 2
    assert any("Next, run pulumi up on prod-euw1" in w for w in rec.warnings)


@pytest.mark.parametrize(
    "world",
    [
        # intra-Region peering (§3.9 allows it): the requester's own side of the attachment
        # is listed here too, under the same requester TGW id, carrying the requester's tags
        PeeringWorld(attachment="pendingAcceptance", requester_side=True),
        # the requester also peers with another stack of this Region: its request to that
        # stack's TGW matches the requester's TGW id as well
        PeeringWorld(attachment="pendingAcceptance", other_accepter=True),
    ],
    ids=["requester-side-listed", "request-to-another-stack"],
)
def test_accepter_takes_only_the_request_that_joins_its_own_tgw(
    project: Path, world: PeeringWorld
) -> None:
    rec = run(project, USE1, world)
    [accepter] = of_type(rec, ACCEPT)
    assert accepter.inputs["transitGatewayAttachmentId"] == "tgw-attach-peering"
    assert len(peer_routes(rec, "tgw-attach-peering")) == 5


def test_accepter_with_two_matching_requests_accepts_none_and_says_why(project: Path) -> None:
    # this stack's TGW is not found by its tags, so nothing tells the two requests apart
    world = PeeringWorld(tgws={EUW1}, attachment="pendingAcceptance", other_accepter=True)
    rec = run(project, USE1, world)
    assert of_type(rec, ACCEPT) == []
    assert peer_routes(rec, "tgw-attach-peering") == []
    [warning] = [w for w in rec.warnings if "accepting none" in w]
    assert "tgw-attach-peering, tgw-attach-peering-other" in warning


def test_accepter_without_a_request_warns_and_routes_nothing(project: Path) -> None:
    rec = run(project, USE1, PeeringWorld(attachment=None))
    assert of_type(rec, ACCEPT) == []
    assert peer_routes(rec, "tgw-attach-peering") == []
    assert any("no peering request from prod-euw1 yet" in w for w in rec.warnings)


def test_pending_peer_makes_no_lookup_and_warns(tmp_path: Path, cli) -> None:
    root = peered_project(tmp_path)
    cli(root, "plan", USE1)  # prod-euw1 never planned: no lock entries
    world = PeeringWorld()
    rec = run(root, USE1, world)
    assert world.calls == []
    assert of_type(rec, ACCEPT) == [] and of_type(rec, ATTACH) == []
    assert any("peering with prod-euw1 is pending" in w for w in rec.warnings)
    assert not [
        t
        for t in of_type(rec, "aws:ec2transitgateway/routeTable:RouteTable")
        if t.name.startswith("peer-")
    ]
