"""The Pulumi program with central inspection under the mock engine (DESIGN §3.10, §4).

moto has no Network Firewall policies or rule groups: their inputs are proven here.
"""

from __future__ import annotations

import shutil
from collections import Counter

import pytest

from foundation.offline.mockrun import Recording
from tests.conftest import REPO
from tests.test_program import record

EXAMPLE = REPO / "tests" / "data" / "Pulumi.inspect.yaml"
NFW = "aws:networkfirewall/"


@pytest.fixture(scope="module")
def rec(tmp_path_factory: pytest.TempPathFactory) -> Recording:
    project = tmp_path_factory.mktemp("inspect")
    shutil.copytree(REPO / "stacks", project / "stacks")
    shutil.copy(EXAMPLE, project / "stacks" / "Pulumi.inspect.yaml")
    return record(project, "inspect")


def one(rec: Recording, type_: str, name: str | None = None) -> dict:
    found = [r for r in rec.custom if r.type == type_ and (name is None or r.name == name)]
    assert len(found) == 1, (type_, name, [r.name for r in found])
    return found[0].inputs


def test_the_firewall_and_its_parts_are_registered_once(rec: Recording) -> None:
    counts = Counter(r.type for r in rec.custom if r.type.startswith(NFW))
    assert counts == {
        f"{NFW}firewall:Firewall": 1,
        f"{NFW}firewallPolicy:FirewallPolicy": 1,
        f"{NFW}ruleGroup:RuleGroup": 2,
        f"{NFW}loggingConfiguration:LoggingConfiguration": 1,
    }
    parents = {r.parent.rsplit("::", 1)[1] for r in rec.custom if r.type.startswith(NFW)}
    assert parents == {"inspection"}


def test_the_firewall_has_an_endpoint_subnet_per_az_and_delete_protection(rec: Recording) -> None:
    fw = one(rec, f"{NFW}firewall:Firewall")
    assert fw["name"] == "inspect-inspection-firewall"
    assert fw["vpcId"] == "ec2/vpc:inspection"
    assert [m["subnetId"] for m in fw["subnetMappings"]] == [
        f"ec2/subnet:inspection-firewall-{x}" for x in "abc"
    ]
    assert fw["deleteProtection"] is True  # production: true
    assert fw["firewallPolicyArn"].endswith("firewallPolicy:inspection-policy")
    assert fw["tags"]["foundation:name"] == "inspection-firewall"


def test_the_policy_drops_by_default_in_strict_order_with_home_net_the_pool(
    rec: Recording,
) -> None:
    policy = one(rec, f"{NFW}firewallPolicy:FirewallPolicy")["firewallPolicy"]
    assert policy["statefulDefaultActions"] == ["aws:drop_strict", "aws:alert_strict"]
    assert policy["statelessDefaultActions"] == ["aws:forward_to_sfe"]
    assert policy["statelessFragmentDefaultActions"] == ["aws:forward_to_sfe"]
    assert policy["statefulEngineOptions"] == {
        "ruleOrder": "STRICT_ORDER",
        "streamExceptionPolicy": "DROP",
    }
    assert policy["policyVariables"]["ruleVariables"] == [
        {"key": "HOME_NET", "ipSet": {"definitions": ["10.16.0.0/14"]}}
    ]
    refs = [
        (r["resourceArn"].rsplit(":", 1)[1], r["priority"])
        for r in policy["statefulRuleGroupReferences"]
    ]
    assert refs == [("inspection-east-west", 100.0), ("inspection-egress", 200.0)]


def test_rule_groups_carry_the_planned_rules(rec: Recording) -> None:
    east = one(rec, f"{NFW}ruleGroup:RuleGroup", "inspection-east-west")
    assert (east["type"], east["capacity"]) == ("STATEFUL", 1000.0)
    group = east["ruleGroup"]
    assert group["statefulRuleOptions"] == {"ruleOrder": "STRICT_ORDER"}
    rules = group["rulesSource"]["rulesString"].splitlines()
    assert [r.split(" (")[0] for r in rules] == [
        "pass ip $SEG_NONPROD any <> $SEG_SHARED any",
        "pass ip $SEG_PROD any <> $SEG_SHARED any",
    ]
    sets = {s["key"]: s["ipSet"]["definitions"] for s in group["ruleVariables"]["ipSets"]}
    assert sets["HOME_NET"] == ["10.16.0.0/14"]
    assert set(sets) == {"HOME_NET", "SEG_NONPROD", "SEG_PROD", "SEG_SHARED"}
    egress = one(rec, f"{NFW}ruleGroup:RuleGroup", "inspection-egress")
    text = egress["ruleGroup"]["rulesSource"]["rulesString"]
    assert 'tls.sni; dotprefix; content:".amazonaws.com"' in text
    assert "pass ip $HOME_NET any -> $EXTERNAL_NET any" not in text  # allow-list only


def test_alert_and_flow_logs_go_to_cloudwatch_with_the_stack_retention(rec: Recording) -> None:
    logging = one(rec, f"{NFW}loggingConfiguration:LoggingConfiguration")
    assert logging["firewallArn"].endswith("firewall:inspection-firewall")
    configs = logging["loggingConfiguration"]["logDestinationConfigs"]
    assert [(c["logType"], c["logDestinationType"]) for c in configs] == [
        ("ALERT", "CloudWatchLogs"),
        ("FLOW", "CloudWatchLogs"),
    ]
    assert [c["logDestination"]["logGroup"] for c in configs] == [
        "/foundation/inspect/inspection/alert",
        "/foundation/inspect/inspection/flow",
    ]
    for kind in ("alert", "flow"):
        group = one(rec, "aws:cloudwatch/logGroup:LogGroup", f"inspection-firewall-{kind}")
        assert group["retentionInDays"] == 365.0


def test_only_the_inspection_attachment_has_appliance_mode(rec: Recording) -> None:
    modes = {
        r.name: r.inputs.get("applianceModeSupport")
        for r in rec.custom
        if r.type == "aws:ec2transitgateway/vpcAttachment:VpcAttachment"
    }
    assert modes == {
        "hub": None,
        "ledger": None,
        "payments": None,
        "sandbox": None,
        "tools": None,
        "inspection": "enable",
    }


def test_transit_subnets_route_to_their_own_az_endpoint(rec: Recording) -> None:
    routes = {
        r.inputs["routeTableId"]: r.inputs
        for r in rec.custom
        if r.type == "aws:ec2/route:Route" and "inspection" in r.inputs["routeTableId"]
    }
    # the mock firewall numbers its endpoints in subnet-mapping order (a, b, c)
    for i, x in enumerate("abc"):
        transit = routes[f"ec2/routeTable:inspection-transit-{x}"]
        assert (transit["destinationCidrBlock"], transit["vpcEndpointId"]) == (
            "0.0.0.0/0",
            f"vpce-{i}",
        )
        firewall = routes[f"ec2/routeTable:inspection-firewall-{x}"]
        assert firewall["transitGatewayId"] == "ec2transitgateway/transitGateway:tgw"


def test_the_tgw_tables_match_the_plan(rec: Recording) -> None:
    tables = {r.name for r in rec.custom if r.type == "aws:ec2transitgateway/routeTable:RouteTable"}
    assert tables == {"hub", "inspection", "nonprod", "prod", "shared"}
    routes = {
        (r.inputs["transitGatewayRouteTableId"], r.inputs["destinationCidrBlock"]): r.inputs
        for r in rec.custom
        if r.type == "aws:ec2transitgateway/route:Route"
    }
    prod_default = routes[("ec2transitgateway/routeTable:prod", "0.0.0.0/0")]
    assert (
        prod_default["transitGatewayAttachmentId"] == "ec2transitgateway/vpcAttachment:inspection"
    )
    back = routes[("ec2transitgateway/routeTable:inspection", "0.0.0.0/0")]
    assert back["transitGatewayAttachmentId"] == "ec2transitgateway/vpcAttachment:hub"
    association = [
        r.inputs
        for r in rec.custom
        if r.type == "aws:ec2transitgateway/routeTableAssociation:RouteTableAssociation"
        and r.inputs["transitGatewayRouteTableId"] == "ec2transitgateway/routeTable:inspection"
    ]
    assert [a["transitGatewayAttachmentId"] for a in association] == [
        "ec2transitgateway/vpcAttachment:inspection"
    ]


def test_with_alarms_each_firewall_az_gets_a_drop_alarm(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    project = tmp_path_factory.mktemp("inspect-alarms")
    shutil.copytree(REPO / "stacks", project / "stacks")
    text = EXAMPLE.read_text().replace(
        "    production: true", "    production: true\n    alarms: {topic: netops}"
    )
    (project / "stacks" / "Pulumi.inspect.yaml").write_text(text)
    rec = record(project, "inspect")
    alarms = {
        r.name: r.inputs
        for r in rec.custom
        if r.type == "aws:cloudwatch/metricAlarm:MetricAlarm" and "firewall" in r.name
    }
    assert sorted(alarms) == [f"inspection-firewall-dropped-{x}" for x in "abc"]
    a = alarms["inspection-firewall-dropped-b"]
    assert (a["namespace"], a["metricName"], a["threshold"]) == (
        "AWS/NetworkFirewall",
        "DroppedPackets",
        3000.0,
    )
    assert a["dimensions"] == {
        "FirewallName": "inspect-inspection-firewall",
        "AvailabilityZone": "us-east-1b",
        "Engine": "Stateful",
    }
    assert "docs/runbooks/ALARM.FIREWALL-DROP.md" in a["alarmDescription"]


def test_tgw_routes_are_deleted_before_they_are_replaced(rec: Recording) -> None:
    """Adding inspection moves each segment's 0/0 from the hub attachment to the inspection
    one: a replacement, and a TGW table holds one route per CIDR, so Pulumi's default
    create-first would fail with RouteAlreadyExists on `pulumi up`."""
    routes = [r for r in rec.custom if r.type == "aws:ec2transitgateway/route:Route"]
    assert routes and all(r.delete_before_replace for r in routes)
    others = [r for r in rec.custom if r.type == "aws:ec2/vpc:Vpc"]
    assert not any(r.delete_before_replace for r in others)  # only where AWS needs it


def test_firewall_alarms_name_the_az_even_when_the_plan_holds_az_ids(tmp_path) -> None:
    """Across accounts the plan's AZs are IDs; CloudWatch's AvailabilityZone wants names."""
    from tests.accounts_stack import write_accounts_stack

    shutil.copytree(REPO / "stacks", tmp_path / "stacks")
    stack = write_accounts_stack(tmp_path)
    path = tmp_path / "stacks" / f"Pulumi.{stack}.yaml"
    path.write_text(
        path.read_text()
        + "    inspection: {eastWest: true, egress: true}\n"
        + "    alarms: {topic: netops}\n"
    )
    rec = record(tmp_path, stack)
    firewall = [
        r.inputs
        for r in rec.custom
        if r.type == "aws:cloudwatch/metricAlarm:MetricAlarm"
        and r.inputs["namespace"] == "AWS/NetworkFirewall"
    ]
    zones = sorted(a["dimensions"]["AvailabilityZone"] for a in firewall)
    assert zones == ["us-east-1a", "us-east-1b", "us-east-1c"]
