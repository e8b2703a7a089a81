"""Drift reports prefixes on-premises announces outside onPremises.cidrs (§3.14).

moto's search_transit_gateway_routes lists static routes only, so the read is fed the
shape AWS returns for propagated routes.
"""

from __future__ import annotations

from typing import Any

from foundation.live.drift.diff import diff
from foundation.live.drift.hybrid import observe_learned
from foundation.live.drift.observe import Observed, _Names


class PropagatedRoutes:
    """Answers search_transit_gateway_routes per table, and counts the calls."""

    def __init__(self, routes: dict[str, list[dict[str, Any]]]):
        self.routes = routes
        self.calls: list[dict[str, Any]] = []

    def call(self, service: str, operation: str, **params: Any) -> dict[str, Any]:
        assert (service, operation) == ("ec2", "search_transit_gateway_routes")
        assert params["Filters"] == [{"Name": "type", "Values": ["propagated"]}]
        self.calls.append(params)
        return {"Routes": self.routes.get(params["TransitGatewayRouteTableId"], [])}


def route(cidr: str, attachment: str, kind: str) -> dict[str, Any]:
    return {
        "DestinationCidrBlock": cidr,
        "Type": "propagated",
        "TransitGatewayAttachments": [
            {"TransitGatewayAttachmentId": attachment, "ResourceType": kind}
        ],
    }


def test_a_learned_prefix_outside_the_on_premises_cidrs_is_unmanaged_drift() -> None:
    names = _Names("hybrid")
    for rid, name in (("tgw-rtb-1", "prod"), ("tgw-rtb-2", "shared"), ("tgw-attach-9", "vpn-dc1")):
        names.names[rid] = name
        names.tagged.add(rid)
    aws = PropagatedRoutes(
        {
            "tgw-rtb-1": [
                route("0.0.0.0/1", "tgw-attach-9", "vpn"),  # would capture half of egress
                route("10.0.0.0/17", "tgw-attach-9", "vpn"),  # inside onPremises.cidrs
                route("10.34.0.0/22", "tgw-attach-1", "vpc"),  # a spoke: not hybrid
            ],
            "tgw-rtb-2": [route("10.0.0.0/16", "tgw-attach-9", "vpn")],
        }
    )
    out = Observed()
    observe_learned(aws, out, names, ("10.0.0.0/16",))  # type: ignore[arg-type]
    assert list(out.items) == [("tgw-learned-route", "prod 0.0.0.0/1")]
    assert out.items[("tgw-learned-route", "prod 0.0.0.0/1")].attrs == {"via": "vpn-dc1"}
    assert len(aws.calls) == 2  # one per managed TGW table
    [finding] = diff("hybrid", {}, out.items)
    assert (finding.kind, finding.severity, finding.hand_made) == ("unmanaged", "high", True)


def test_no_on_premises_no_call() -> None:
    aws = PropagatedRoutes({})
    observe_learned(aws, Observed(), _Names("dev"), ())  # type: ignore[arg-type]
    assert aws.calls == []
