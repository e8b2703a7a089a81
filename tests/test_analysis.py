"""AZ-failure analysis and policy checks, each firing on a config (or plan) built to break it."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from foundation.network.analysis import policy, reachability
from tests.conftest import edit_stack
from tests.test_program import plan_of


def findings(cli, workspace: Path, stack: str = "dev") -> tuple[int, list[dict]]:
    result = cli(workspace, "plan", stack, "--format", "json")
    assert result.code in (0, 1), result.err
    return result.code, json.loads(result.out)["findings"]


def rules(found: list[dict], severity: str | None = None) -> set[str]:
    return {f["rule"] for f in found if severity is None or f["severity"] == severity}


def test_nat_per_az_loses_nothing_beyond_the_failed_az(workspace: Path) -> None:
    impacts = reachability.az_failure(plan_of(workspace, "prod"))
    assert len(impacts) == 3
    for impact in impacts:
        assert impact.egress_lost_elsewhere == ()
        assert impact.connectivity_lost_elsewhere == ()
        assert any(name.endswith(f"-{impact.az[-1]}") for name in impact.lost_in_az)


def test_single_nat_shows_its_blast_radius(workspace: Path) -> None:
    impacts = {i.az: i for i in reachability.az_failure(plan_of(workspace, "dev"))}
    lost = impacts["us-east-1a"].egress_lost_elsewhere
    assert set(lost) == {
        f"{v} in us-east-1{z}" for v in ("payments", "sandbox", "tools") for z in "bc"
    }
    assert impacts["us-east-1b"].egress_lost_elsewhere == ()
    assert impacts["us-east-1c"].egress_lost_elsewhere == ()


def test_egress_none_has_no_egress_to_lose_and_keeps_connectivity(workspace: Path) -> None:
    edit_stack(workspace, "dev", "egress: single-nat", "egress: none")
    plan = plan_of(workspace, "dev")
    assert all(e.outcome != "internet" for e in reachability.egress(plan))
    for impact in reachability.az_failure(plan):
        assert impact.egress_lost_elsewhere == () and impact.connectivity_lost_elsewhere == ()
    assert {(p.source, p.target) for p in reachability.matrix(plan) if p.reachable} == {
        ("payments", "tools"),
        ("tools", "payments"),
        ("sandbox", "tools"),
        ("tools", "sandbox"),
    }


def test_the_committed_examples_pass_every_check(workspace: Path, cli) -> None:
    code, dev = findings(cli, workspace, "dev")
    assert code == 0 and rules(dev, "error") == set()
    assert rules(dev) == {"REL11.AZ-BLAST-RADIUS"}
    code, prod = findings(cli, workspace, "prod")
    assert code == 0 and rules(prod, "error") == set()
    assert "QUOTA.L-F678F1CE" in rules(prod, "warning")  # 7 VPCs > AWS default 5, offline


@pytest.mark.parametrize(
    ("edit", "rule", "severity", "code"),
    [
        (
            (
                "flowLogs: {destination: cloudwatch, retentionDays: 30}",
                "flowLogs: {enabled: false}",
            ),
            "FSBP.EC2.6",
            "warning",
            0,
        ),
        (
            (
                "production: false",
                "transitGateway: {autoAcceptSharedAttachments: true}\n    production: false",
            ),
            "FSBP.EC2.23",
            "error",
            1,
        ),
        (("production: false", "production: true"), "REL11.PROD-EGRESS", "error", 1),
        (("availabilityZones: 3", "availabilityZones: 4"), "REL02.SPARE-AZ", "warning", 0),
    ],
)
def test_each_policy_fires_on_a_config_built_to_break_it(
    workspace: Path, cli, edit, rule, severity, code
) -> None:
    edit_stack(workspace, "dev", *edit)
    got_code, found = findings(cli, workspace)
    assert rule in rules(found, severity), found
    assert got_code == code
    assert all(f["fix"] for f in found if f["rule"] == rule)


def test_flow_logs_off_in_production_is_an_error(workspace: Path, cli) -> None:
    edit_stack(
        workspace,
        "prod",
        "flowLogs: {destination: cloudwatch, retentionDays: 365}",
        "flowLogs: {enabled: false}",
    )
    code, found = findings(cli, workspace, "prod")
    assert code == 1 and "FSBP.EC2.6" in rules(found, "error")


def test_short_flow_log_retention_in_production_warns_per_vpc(workspace: Path, cli) -> None:
    edit_stack(
        workspace,
        "prod",
        "flowLogs: {destination: cloudwatch, retentionDays: 365}",
        "flowLogs: {destination: cloudwatch, retentionDays: 180}",
    )
    code, found = findings(cli, workspace, "prod")
    short = [f for f in found if f["rule"] == "SEC04.LOG-RETENTION"]
    assert code == 0 and {f["severity"] for f in short} == {"warning"}
    assert len(short) == 7 and "kept 180 days" in short[0]["message"]  # hub + 6 spokes
    assert "retentionDays: 365" in short[0]["fix"]


def test_a_year_of_retention_or_a_dev_stack_has_no_retention_finding(workspace: Path, cli) -> None:
    _, found = findings(cli, workspace, "prod")  # 365 days
    assert "SEC04.LOG-RETENTION" not in {f["rule"] for f in found}
    _, found = findings(cli, workspace, "dev")  # 30 days, not production
    assert "SEC04.LOG-RETENTION" not in {f["rule"] for f in found}


def test_egress_none_in_production_is_an_error(workspace: Path, cli) -> None:
    edit_stack(workspace, "prod", "egress: nat-per-az", "egress: none")
    code, found = findings(cli, workspace, "prod")
    assert code == 1 and "REL11.PROD-EGRESS" in rules(found, "error")


def test_pool_above_80_percent_warns(workspace: Path, cli) -> None:
    (workspace / "stacks" / "addresses.lock.yaml").unlink()
    addresses = workspace / "stacks" / "addresses.yaml"
    addresses.write_text(
        addresses.read_text().replace("dev-use1: 10.16.0.0/14", "dev-use1: 10.16.0.0/19")
    )
    code, found = findings(cli, workspace)
    assert "IPAM.POOL-UTILISATION" in rules(found, "warning") and code == 0


def test_controls_not_configurable_still_fire_on_a_broken_plan(workspace: Path) -> None:
    """EC2.2, EC2.15 and the TGW subnet rules have no config switch: break the plan itself."""
    plan = plan_of(workspace, "dev")
    hub = plan.hub
    open_sg = dataclasses.replace(hub.default_security_group, ingress=("0.0.0.0/0:22",))
    broken_hub = dataclasses.replace(
        hub, default_security_group=open_sg, map_public_ip_on_launch=True
    )
    transit = [
        dataclasses.replace(s, cidr=s.cidr.replace("/28", "/27")) if s.tier == "transit" else s
        for s in hub.subnets
    ]
    broken_hub = dataclasses.replace(broken_hub, subnets=tuple(transit))
    broken = dataclasses.replace(plan, vpcs=(broken_hub, *plan.spokes))
    found = {f.rule for f in policy.evaluate(broken)}
    assert {"FSBP.EC2.2", "FSBP.EC2.15", "TGW.SUBNET-28"} <= found
    assert not {"FSBP.EC2.2", "FSBP.EC2.15", "TGW.SUBNET-28"} & {
        f.rule for f in policy.evaluate(plan)
    }


def test_a_route_table_against_the_intent_is_an_error(workspace: Path) -> None:
    plan = plan_of(workspace, "dev")
    tgw = plan.transit_gateway
    leaky = tuple(
        dataclasses.replace(t, propagations=(*t.propagations, "sandbox")) if t.name == "prod" else t
        for t in tgw.route_tables
    )
    broken = dataclasses.replace(plan, transit_gateway=dataclasses.replace(tgw, route_tables=leaky))
    pairs = reachability.matrix(broken)
    found = reachability.reachability_findings(broken, pairs, reachability.egress(broken), [])
    assert [f.subject for f in found if f.rule == "REACH.INTENT"] == ["payments -> sandbox"]
