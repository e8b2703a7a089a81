"""Hub workload tiers are refused, and the analysis walks every workload tier (issue 10).

A workload tier in the hub reaches the spokes through the hub TGW table, but the spokes'
replies hit the pool blackhole of their segment table (the pool holds the hub's CIDR).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from foundation.addresses.allocation import allocate
from foundation.config.spec import HubSpec, parse_network
from foundation.config.workspace import Workspace
from foundation.network.analysis import reachability
from foundation.network.analysis.routing import Router
from foundation.network.build import build_plan
from foundation.network.model import NetworkPlan
from foundation.network.stack_plan import offline_azs
from tests.conftest import edit_stack, snapshot
from tests.test_program import plan_of


def test_a_hub_workload_tier_is_bad_input(workspace: Path, cli) -> None:
    edit_stack(workspace, "dev", "egress: single-nat", "egress: single-nat\n      tiers: {app: 24}")
    before = snapshot(workspace / "stacks")
    result = cli(workspace, "plan", "dev")
    assert result.code == 2
    assert "foundation:network.hub.tiers.app: the hub takes no workload tiers" in result.err
    assert "Fix: put these workloads in a spoke" in result.err and "Traceback" not in result.err
    assert snapshot(workspace / "stacks") == before


def test_the_hub_may_still_size_its_public_tier() -> None:
    raw = {"pool": "p", "hub": {"tiers": {"public": 24}}, "segments": {"s": {}}}
    spec = parse_network(raw, "us-east-1", "stacks/Pulumi.x.yaml", "x")
    assert spec.network.hub.tiers == {"public": 24}


def _plan_with_hub_tier(workspace: Path) -> NetworkPlan:
    """What the spec refuses, built anyway: the analysis must still see the defect."""
    ws = Workspace(workspace)
    spec, addresses = ws.load("dev")
    hub = HubSpec.model_validate({"size": 20, "egress": "single-nat", "tiers": {"app": 24}})
    spec = spec.model_copy(update={"network": spec.network.model_copy(update={"hub": hub})})
    allocation = allocate(spec, addresses, ws.lock_path, write=False).allocation
    return build_plan(spec, allocation, offline_azs(spec), str(addresses.pools["dev-use1"]))


def test_a_hub_workload_tier_whose_replies_are_blackholed_is_a_finding(workspace: Path) -> None:
    plan = _plan_with_hub_tier(workspace)
    assert "app" in {s.tier for s in plan.hub.subnets}
    returns = reachability.tier_returns(plan, Router(plan))
    # every spoke, in every AZ: the reply dies at the spoke's segment table
    assert {(r.target, r.az) for r in returns} == {
        (s.name, az) for s in plan.spokes for az in plan.availability_zones
    }
    assert {r.outcome for r in returns} == {"blackhole"}
    tables = {r.hops[-1] for r in returns}
    assert tables == {"tgw:prod", "tgw:nonprod", "tgw:shared"}
    found = reachability.reachability_findings(plan, [], [], [], returns)
    assert {f.rule for f in found} == {"REACH.RETURN"} and len(found) == len(returns)
    assert all(f.severity == "error" for f in found)
    assert "hub tier app reaches payments, but the replies are dropped" in found[0].message


def test_the_committed_plans_have_no_one_way_tiers(workspace: Path) -> None:
    for stack in ("dev", "prod"):
        assert reachability.tier_returns(plan_of(workspace, stack)) == []


def test_every_workload_tier_of_a_spoke_is_walked(workspace: Path) -> None:
    """payments has tiers data and private; the old probe walked only `data` (sorted first)."""
    plan = plan_of(workspace, "dev")
    payments = plan.vpc("payments")
    cut = tuple(
        dataclasses.replace(t, routes=()) if t.name == "payments-private" else t
        for t in payments.route_tables
    )
    broken = dataclasses.replace(
        plan,
        vpcs=tuple(
            dataclasses.replace(v, route_tables=cut) if v.name == "payments" else v
            for v in plan.vpcs
        ),
    )
    router = Router(broken)
    pairs = reachability.matrix(broken, router)
    lost = {(p.source, p.target) for p in pairs if p.intended and not p.reachable}
    assert lost == {("payments", "tools")}
    healthy = reachability.matrix(plan)
    assert all(p.reachable == p.intended for p in healthy)
    paths = reachability.egress(broken, router=router)
    failing = {(e.vpc, e.az) for e in paths if not (e.outcome == "internet" and e.returns)}
    assert failing == {("payments", az) for az in plan.availability_zones}
    found = reachability.reachability_findings(broken, pairs, paths, [], [])
    assert {"REACH.INTENT", "REACH.EGRESS"} <= {f.rule for f in found}
