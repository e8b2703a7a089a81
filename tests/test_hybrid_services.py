"""§3.14 with §3.15: DNS both ways between on-premises and the services VPC, nothing more."""

from __future__ import annotations

import json
from pathlib import Path

from netaddr import IPAddress, IPNetwork, IPSet

from foundation.network.analysis.hybrid import probe
from foundation.network.analysis.routing import Router
from tests.conftest import snapshot
from tests.hybrid_stack import write_hybrid_stack
from tests.test_program import plan_of

SERVICES = """    sharedServices:
      size: 23
      segments: [prod, shared]
      interfaceEndpoints: [ssm, sts]
      dns:
        inbound: true
        forward: {corp.example.com: [10.0.0.2, 10.0.0.3]}
"""
NO_DNS = """    sharedServices:
      size: 23
      segments: [prod, shared]
      interfaceEndpoints: [ssm, sts]
"""
HYBRID = ("vpn-dc1", "vpn-dc2", "dx")


def _write(workspace: Path, block: str = SERVICES) -> Path:
    path = write_hybrid_stack(workspace)
    path.write_text(path.read_text() + block)
    return path


def _table(doc: dict, name: str) -> dict:
    return next(t for t in doc["transitGateway"]["routeTables"] if t["name"] == name)


def test_dns_wires_onprem_and_services_both_ways(workspace: Path, cli) -> None:
    _write(workspace)
    result = cli(workspace, "plan", "hybrid", "--format", "json")
    assert result.code in (0, 1), result.err
    doc = json.loads(result.out)
    services_cidr = next(v["cidr"] for v in doc["vpcs"] if v["name"] == "services")
    assert "services" in _table(doc, "onprem")["propagations"]
    assert set(HYBRID) <= set(_table(doc, "services")["propagations"])
    for h in doc["transitGateway"]["hybrid"]:
        assert IPSet([services_cidr]) <= IPSet(h["advertises"]), h["name"]
    # the unlisted segment still reaches neither on-premises nor the services
    assert not set(HYBRID) & set(_table(doc, "nonprod")["propagations"])
    assert "services" not in _table(doc, "nonprod")["propagations"]


def test_the_walk_goes_from_onprem_to_the_resolver_and_back(workspace: Path) -> None:
    _write(workspace)
    plan = plan_of(workspace, "hybrid")
    router = Router(plan)
    services = plan.vpc("services")
    inbound = plan.shared_services.inbound
    assert inbound is not None
    for address in inbound.addresses:
        slot = services.subnet(address.subnet).slot
        for entry in HYBRID:
            there = router.walk("", "", slot, IPAddress(address.ip), entry=entry)
            assert there.outcome == "delivered" and there.delivered_to == "services", entry
        for cidr in plan.on_premises.cidrs:
            back = router.walk(
                "services", services.subnet(address.subnet).route_table, slot, probe(cidr)
            )
            assert back.outcome == "delivered" and back.delivered_to in HYBRID, cidr
    # on-premises still does not reach an unlisted spoke
    sandbox = plan.vpc("sandbox")
    walk = router.walk("", "", plan.slots[0], IPNetwork(sandbox.cidr).ip + 1, entry="vpn-dc1")
    assert walk.outcome != "delivered"


def test_without_dns_onprem_does_not_reach_the_services(workspace: Path, cli) -> None:
    _write(workspace, NO_DNS)
    doc = json.loads(cli(workspace, "plan", "hybrid", "--format", "json").out)
    services_cidr = next(v["cidr"] for v in doc["vpcs"] if v["name"] == "services")
    assert "services" not in _table(doc, "onprem")["propagations"]
    assert not set(HYBRID) & set(_table(doc, "services")["propagations"])
    for h in doc["transitGateway"]["hybrid"]:
        assert not IPSet([services_cidr]) & IPSet(h["advertises"]), h["name"]


def test_a_forward_target_outside_onprem_is_bad_input(workspace: Path, cli) -> None:
    _write(workspace, SERVICES.replace("10.0.0.3", "10.36.0.3"))
    before = snapshot(workspace / "stacks")
    result = cli(workspace, "plan", "hybrid")
    assert result.code == 2
    assert "sharedServices.dns.forward" in result.err and "10.36.0.3" in result.err
    assert "Traceback" not in result.err
    assert snapshot(workspace / "stacks") == before


def test_forward_targets_are_walked_from_the_outbound_endpoint(workspace: Path) -> None:
    """With on-premises the targets are reached; without it every target is a warning."""
    from foundation.network.analysis.hybrid import without
    from foundation.network.analysis.services import forward_reach

    _write(workspace)
    plan = plan_of(workspace, "hybrid")
    assert forward_reach(plan) == []
    down = plan
    for name in HYBRID:  # every VPN and DX down
        down = without(down, name)
    found = forward_reach(down)
    assert [(f.rule, f.subject, f.severity) for f in found] == [
        ("SERVICES.FORWARD-UNREACHABLE", "10.0.0.2", "warning"),
        ("SERVICES.FORWARD-UNREACHABLE", "10.0.0.3", "warning"),
    ]
