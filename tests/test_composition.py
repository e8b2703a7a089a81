"""All four blocks in one stack: inspection, on-premises, shared services and a peer Region.

Each feature has its own tests; this one proves they compose: the walk still equals the
intent everywhere, and each block's documented boundary holds (hybrid, services and
cross-Region traffic are not inspected; a peer Region reaches neither on-premises nor the
services).
"""

from __future__ import annotations

from pathlib import Path

from tests.peering_project import EUW1, USE1, peered_project, plan_json

BLOCKS = """    inspection: {size: 24, eastWest: true, egress: true}
    onPremises:
      cidrs: [10.0.0.0/16]
      segments: [prod]
      vpn:
        dc1: {ip: 203.0.113.10, asn: 65010}
        dc2: {ip: 198.51.100.20, asn: 65020}
    sharedServices:
      size: 23
      segments: [prod, shared]
      interfaceEndpoints: [ssm, sts]
      dns:
        inbound: true
        forward: {corp.example.com: [10.0.0.2]}
"""


def _composed(tmp_path: Path, cli) -> dict:
    project = peered_project(tmp_path)
    stack = project / "stacks" / f"Pulumi.{USE1}.yaml"
    stack.write_text(stack.read_text() + BLOCKS)
    plan_json(cli, project, EUW1)  # the peer's lock entries first: the peering is planned
    return plan_json(cli, project, USE1)


def _table(doc: dict, name: str) -> dict:
    return next(t for t in doc["transitGateway"]["routeTables"] if t["name"] == name)


def test_every_walk_equals_the_intent_with_all_blocks(tmp_path: Path, cli) -> None:
    doc = _composed(tmp_path, cli)
    assert not [f for f in doc["findings"] if f["severity"] == "error"]
    pairs = doc["reachability"]["pairs"]
    assert any("/" in p["target"] for p in pairs)  # remote spokes are walked too
    assert [p for p in pairs if p["reachable"] != p["intended"]] == []
    assert {(o["vpc"], o["reachable"]) for o in doc["reachability"]["onPremises"]} == {
        ("payments", True),
        ("tools", False),
        ("partner-gw", False),
    }
    assert doc["inspection"]["symmetric"] is True
    assert doc["transitGateway"]["peerings"][0]["state"] == "planned"


def test_each_block_keeps_its_boundary(tmp_path: Path, cli) -> None:
    doc = _composed(tmp_path, cli)
    pairs = {(p["source"], p["target"]): p for p in doc["reachability"]["pairs"]}
    # local east-west between segments is inspected; cross-Region is not (documented)
    assert pairs[("payments", "tools")]["inspected"] is True
    assert all(not p["inspected"] for (_, t), p in pairs.items() if "/" in t)
    assert all(e["inspected"] for e in doc["reachability"]["egress"])
    # a peer Region reaches only local spokes: no hub, services, inspection or on-premises
    peer = _table(doc, f"peer-{EUW1}")
    assert set(peer["propagations"]) <= {"payments", "tools", "partner-gw"}
    assert not any(r["destination"] == "0.0.0.0/0" for r in peer["staticRoutes"])
    # on-premises reaches the services VPC for DNS, and only listed spokes otherwise
    onprem = _table(doc, "onprem")
    assert set(onprem["propagations"]) == {"payments", "services"}
    assert {"vpn-dc1", "vpn-dc2"} <= set(_table(doc, "services")["propagations"])
    zones = doc["sharedServices"]["zones"]
    assert all(set(z["vpcs"]) == {"payments", "tools", "services"} for z in zones)


def test_ipam_check_knows_the_inspection_and_services_vpcs(tmp_path: Path, cli) -> None:
    _composed(tmp_path, cli)
    result = cli(tmp_path, "ipam", "check")
    assert result.code == 0, result.out
    assert "no longer in stack" not in result.out
    # removing the block makes its entries stale again (plan frees them)
    stack = tmp_path / "stacks" / f"Pulumi.{USE1}.yaml"
    stack.write_text(
        stack.read_text().replace("    inspection: {size: 24, eastWest: true, egress: true}\n", "")
    )
    result = cli(tmp_path, "ipam", "check")
    assert result.code == 1
    assert f"allocations.{USE1}/inspection: VPC 'inspection' is no longer in stack" in result.out
    assert "services' is no longer" not in result.out
