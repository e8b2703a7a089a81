"""Live quota preflight against a moto server (issue: quota preflight)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pulumi
import pytest

from foundation.config.yamlio import load_yaml
from foundation.errors import AwsError
from foundation.live import aws as aws_module
from foundation.live.aws import Aws
from foundation.offline.mockrun import run_program
from tests.conftest import REPO, edit_stack
from tests.faults import CallLog, Throttle
from tests.moto_deploy import deploy, record_stack

pytestmark = pytest.mark.moto

SMALL = """config:
  aws:region: us-east-1
  foundation:network:
    pool: dev-use1
    hub: {size: 20, egress: single-nat}
    segments: {apps: {}}
    spokes: {web: {segment: apps, size: 22}}
"""


def quotas(cli, workspace: Path, stack: str) -> tuple[int, dict]:
    result = cli(workspace, "quotas", stack, "--format", "json")
    assert result.code in (0, 1), result.err
    return result.code, json.loads(result.out)


def row(doc: dict, code: str) -> dict:
    return next(q for q in doc["quotas"] if q["code"] == code)


def add_vpcs(ec2, n: int) -> None:
    for i in range(n):
        ec2.create_vpc(CidrBlock=f"192.168.{i}.0/24")


def test_four_vpcs_plus_two_planned_fails_naming_the_quota(aws, workspace: Path, cli) -> None:
    (workspace / "stacks" / "Pulumi.small.yaml").write_text(SMALL)
    add_vpcs(aws, 3)  # plus moto's default VPC: 4 existing
    code, doc = quotas(cli, workspace, "small")
    assert code == 1 and doc["status"] == "fail"
    vpcs = row(doc, "L-F678F1CE")
    assert (vpcs["existing"], vpcs["planned"], vpcs["limit"], vpcs["status"]) == (4, 2, 5, "fail")
    assert vpcs["limitSource"] == "applied"  # moto's Service Quotas serves vpc codes
    assert any(
        f["rule"] == "QUOTA.L-F678F1CE" and f["severity"] == "error" for f in doc["findings"]
    )
    text = cli(workspace, "quotas", "small").out
    assert "L-F678F1CE" in text and "fail" in text


def test_elastic_ips_short_for_nat_per_az_fail(aws, workspace: Path, cli) -> None:
    for _ in range(3):
        aws.allocate_address(Domain="vpc")
    code, doc = quotas(cli, workspace, "prod")
    eips = row(doc, "L-0263D0A3")
    assert (eips["existing"], eips["planned"], eips["status"]) == (3, 3, "fail")
    assert code == 1


def test_ec2_quotas_fall_back_to_the_catalogue_and_say_so(aws, workspace: Path, cli) -> None:
    _, doc = quotas(cli, workspace, "dev")
    sources = {q["code"]: q["limitSource"] for q in doc["quotas"]}
    for code in ("L-0263D0A3", "L-A2478D36", "L-E0233F82", "L-43872EB7", "L-BCC1FB47"):
        assert sources[code] == "catalog-default", code
    assert sources["L-F678F1CE"] == sources["L-FE5A380F"] == "applied"
    assert sources["FIXED-TGW-PER-VPC"] == "catalog-default"
    assert row(doc, "FIXED-TGW-PER-VPC")["adjustable"] is False


def _nat(ec2, az: str, n: int) -> None:
    vpc = ec2.create_vpc(CidrBlock="172.31.0.0/16" if az.endswith("a") else "172.30.0.0/16")
    subnet = ec2.create_subnet(
        VpcId=vpc["Vpc"]["VpcId"],
        AvailabilityZone=az,
        CidrBlock=vpc["Vpc"]["CidrBlock"].replace("/16", "/24"),
    )
    for _ in range(n):
        ec2.create_nat_gateway(SubnetId=subnet["Subnet"]["SubnetId"], ConnectivityType="private")


def test_nat_gateways_are_counted_per_az(aws, workspace: Path, cli) -> None:
    _nat(aws, "us-east-1a", 2)
    _nat(aws, "us-east-1b", 2)
    _, doc = quotas(cli, workspace, "prod")
    nats = row(doc, "L-FE5A380F")
    # per Region this would be 4 + 3 = 7 > 5; per AZ it is 3 of 5 at worst
    assert nats["status"] != "fail"
    assert nats["existing"] + nats["planned"] == 3 and nats["scope"] in ("us-east-1a", "us-east-1b")
    assert nats["failover"] == 1  # a lost AZ's NAT would move here


def test_a_full_az_fails_at_that_az(aws, workspace: Path, cli) -> None:
    _nat(aws, "us-east-1a", 5)
    code, doc = quotas(cli, workspace, "prod")
    nats = row(doc, "L-FE5A380F")
    assert (nats["scope"], nats["existing"], nats["planned"], nats["status"]) == (
        "us-east-1a",
        5,
        1,
        "fail",
    )
    assert code == 1


def test_a_rerun_of_a_deployed_stack_does_not_double_count(aws, workspace: Path, cli) -> None:
    deploy(record_stack(workspace, "dev"))
    _, doc = quotas(cli, workspace, "dev")
    assert row(doc, "L-F678F1CE")["existing"] == 1  # only moto's default VPC
    assert row(doc, "L-0263D0A3")["existing"] == 0
    assert row(doc, "L-A2478D36")["existing"] == 0
    assert row(doc, "L-1B52E74A")["existing"] == 0


def test_only_read_calls_are_made(aws, workspace: Path, cli, monkeypatch) -> None:
    log = CallLog()
    monkeypatch.setattr(aws_module, "EVENT_HOOKS", [("before-call", log)])
    deploy(record_stack(workspace, "dev"))
    _, doc = quotas(cli, workspace, "dev")
    assert log.operations, "no call was recorded"
    assert all(op.startswith(("Describe", "Get", "List", "Search")) for op in log.operations)
    assert doc["apiCalls"] == len(log.operations)


def test_a_write_is_refused_before_it_is_sent(aws, monkeypatch) -> None:
    log = CallLog()
    monkeypatch.setattr(aws_module, "EVENT_HOOKS", [("before-call", log)])
    client = Aws("us-east-1")
    with pytest.raises(AwsError, match="refused: the checks only read"):
        client.call("ec2", "create_vpc", CidrBlock="10.0.0.0/16")
    assert log.operations == [] and client.api_calls == 0


def test_throttling_on_half_the_calls_still_completes(
    aws, workspace: Path, cli, monkeypatch
) -> None:
    _, clean = quotas(cli, workspace, "dev")
    throttle = Throttle(every=2)
    monkeypatch.setattr(aws_module, "EVENT_HOOKS", [("before-send", throttle)])
    code, doc = quotas(cli, workspace, "dev")
    assert code == 0 and throttle.injected > 5
    assert doc["quotas"] == clean["quotas"]
    assert doc["apiCalls"] > clean["apiCalls"]


def test_throttling_on_every_call_ends_in_exit_2_in_bounded_time(
    aws, workspace: Path, cli, monkeypatch
) -> None:
    monkeypatch.setattr(aws_module, "EVENT_HOOKS", [("before-send", Throttle(every=1))])
    start = time.monotonic()
    result = cli(workspace, "quotas", "dev")
    assert result.code == 2
    assert "gave up after 8 attempts" in result.err and "RequestLimitExceeded" in result.err
    assert "Fix:" in result.err and "Traceback" not in result.err
    assert time.monotonic() - start < aws_module.POLICY.deadline


def test_no_credentials_is_a_clear_error(aws, workspace: Path, cli, monkeypatch) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    result = cli(workspace, "quotas", "dev")
    assert result.code == 2 and "no AWS credentials found" in result.err


def test_plan_live_makes_an_exceeded_quota_an_error(aws, workspace: Path, cli) -> None:
    (workspace / "stacks" / "Pulumi.small.yaml").write_text(SMALL)
    add_vpcs(aws, 3)
    offline = cli(workspace, "plan", "small", "--format", "json", "--frozen")
    live = cli(workspace, "plan", "small", "--format", "json", "--live")
    assert json.loads(live.out)["quotaMode"] == "live"
    assert live.code == 1
    assert {f["rule"]: f["severity"] for f in json.loads(live.out)["findings"]}[
        "QUOTA.L-F678F1CE"
    ] == "error"
    assert "QUOTA.L-F678F1CE" not in {f["rule"] for f in json.loads(offline.out)["findings"]}


def run_live_program(workspace: Path, stack: str, **extra: str):
    config = load_yaml(workspace / "stacks" / f"Pulumi.{stack}.yaml")["config"]
    return run_program(
        REPO / "__main__.py",
        stack,
        "us-east-1",
        config["foundation:network"],
        preview=True,
        offline=False,
        project_root=workspace,
        extra_config=extra,
    )


def test_enforce_stops_the_program_before_any_resource(aws, workspace: Path) -> None:
    (workspace / "stacks" / "Pulumi.small.yaml").write_text(SMALL)
    add_vpcs(aws, 3)
    with pytest.raises(pulumi.RunError, match="L-F678F1CE") as exc:
        run_live_program(workspace, "small")
    assert "VPCs per Region: 4 existing + 2 planned exceeds the limit 5" in str(exc.value)
    from pulumi.runtime import settings

    monitor = settings.SETTINGS.monitor
    assert [r for r in monitor.recording.resources if r.custom] == []


def test_warn_logs_and_builds_off_skips_aws(aws, workspace: Path, monkeypatch) -> None:
    (workspace / "stacks" / "Pulumi.small.yaml").write_text(
        SMALL.replace("    hub:", "    quotas: {mode: warn}\n    drift: {mode: off}\n    hub:")
    )
    add_vpcs(aws, 3)
    rec = run_live_program(workspace, "small")
    assert any("QUOTA.L-F678F1CE" in w for w in rec.warnings)
    assert len(rec.custom) > 20
    log = CallLog()
    monkeypatch.setattr(aws_module, "EVENT_HOOKS", [("before-call", log)])
    edit_stack(workspace, "small", "quotas: {mode: warn}", "quotas: {mode: off}")
    rec = run_live_program(workspace, "small")
    assert log.operations == [] and len(rec.custom) > 20


def test_the_gates_use_the_stacks_aws_profile(aws, workspace: Path) -> None:
    """The program checks the account it deploys to (aws:profile), not the shell's default."""
    (workspace / "stacks" / "Pulumi.small.yaml").write_text(SMALL)
    with pytest.raises(pulumi.RunError, match="could not be found"):
        run_live_program(workspace, "small", **{"aws:profile": "no-such-profile"})


def test_tgw_routes_count_static_and_propagated_routes_of_every_table(workspace: Path) -> None:
    from foundation.live.quotas.planned import planned_usage
    from tests.test_program import plan_of

    plan = plan_of(workspace, "dev")
    tables = plan.transit_gateway.route_tables
    static = sum(len(t.static_routes) for t in tables)
    propagated = sum(len(t.propagations) for t in tables)
    assert (static, propagated) == (6, 10)
    assert planned_usage(plan)["tgw-routes"] == {"tgw": static + propagated}


def test_routes_already_in_our_tgw_count_as_existing(aws, workspace: Path, cli) -> None:
    ids = deploy(record_stack(workspace, "dev"))
    _, doc = quotas(cli, workspace, "dev")
    routes = row(doc, "L-BCC1FB47")
    assert routes["name"] == "Routes per transit gateway"
    assert (routes["existing"], routes["planned"]) == (0, 16)  # ours are not counted twice
    aws.create_transit_gateway_route(
        DestinationCidrBlock="192.168.50.0/24",
        TransitGatewayRouteTableId=ids["ec2transitgateway/routeTable:prod"],
        Blackhole=True,
    )
    _, doc = quotas(cli, workspace, "dev")
    assert row(doc, "L-BCC1FB47")["existing"] == 1  # the hand-made route


@pytest.mark.parametrize("live", [True, False])
def test_internet_gateways_are_raised_through_vpcs_per_region(live: bool) -> None:
    from foundation.live.quotas.decide import decide, quota_findings

    rows = decide(
        {"internet-gateways": {"us-east-1": 1}}, {"internet-gateways": {"us-east-1": 5}}, {}, 0.15
    )
    (finding,) = [f for f in quota_findings(rows, live=live) if f.rule == "QUOTA.L-A4707A72"]
    assert "request an increase of L-F678F1CE (VPCs per Region, vpc)" in finding.fix
    assert "L-A4707A72 (vpc)" not in finding.fix
    others = [f for f in quota_findings(rows, live=live) if f.rule != "QUOTA.L-A4707A72"]
    assert all("raises" not in f.fix for f in others)


def test_the_enforce_gate_names_the_quota_to_raise_for_internet_gateways(
    aws, workspace: Path
) -> None:
    (workspace / "stacks" / "Pulumi.small.yaml").write_text(
        SMALL.replace("egress: single-nat", "egress: none")
    )
    for _ in range(5):
        aws.create_internet_gateway()
    with pytest.raises(pulumi.RunError) as exc:
        run_live_program(workspace, "small")
    assert "L-A4707A72 us-east-1: Internet gateways per Region" in str(exc.value)
    assert "request an increase of L-F678F1CE (VPCs per Region, vpc)" in str(exc.value)
