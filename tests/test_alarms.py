"""Alarms, their topic and `protect` under the mock engine (DESIGN §3.13), and bad alarm input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import edit_stack, snapshot
from tests.test_program import of_type, record

PROD_ALARMS = """    alarms:
      topic: netops
      email: [netops@example.com]
      runbookBaseUrl: https://github.com/acme/network/blob/main/docs/runbooks
"""
TOPIC_ARN = "arn:aws:sns:us-east-1:123456789012:central-netops"


def with_alarms(workspace: Path, stack: str, block: str) -> None:
    edit_stack(workspace, stack, "    production: false\n", "    production: false\n" + block)


def alarms_by_name(rec) -> dict[str, dict]:
    return {r.name: r.inputs for r in of_type(rec, "cloudwatch/metricAlarm:MetricAlarm")}


def test_every_nat_and_the_tgw_get_their_alarms_with_ids_and_actions(workspace: Path) -> None:
    rec = record(workspace, "prod", preview=False)
    alarms = alarms_by_name(rec)
    topic = of_type(rec, "sns/topic:Topic")[0]
    topic_arn = f"arn:aws:mock:us-east-1:000000000000:sns/topic:{topic.name}"  # the mock arn
    expected = {}
    for nat in ("hub-nat-a", "hub-nat-b", "hub-nat-c"):
        nat_id = f"ec2/natGateway:{nat}"  # the NAT resource's id, passed as an Input
        expected[f"{nat}-port-allocation"] = (
            "AWS/NATGateway",
            "ErrorPortAllocation",
            {"NatGatewayId": nat_id},
        )
        expected[f"{nat}-packet-drop"] = (
            "AWS/NATGateway",
            "PacketsDropCount",
            {"NatGatewayId": nat_id},
        )
    tgw_id = "ec2transitgateway/transitGateway:tgw"
    expected["tgw-no-route"] = (
        "AWS/TransitGateway",
        "PacketDropCountNoRoute",
        {"TransitGateway": tgw_id},
    )
    expected["tgw-blackhole"] = (
        "AWS/TransitGateway",
        "PacketDropCountBlackhole",
        {"TransitGateway": tgw_id},
    )
    assert {n: (a["namespace"], a["metricName"], a["dimensions"]) for n, a in alarms.items()} == (
        expected
    )
    for name, a in alarms.items():
        assert a["name"] == f"prod-{name}"
        assert a["alarmActions"] == [topic_arn] and a["okActions"] == [topic_arn]
        assert a["treatMissingData"] == "notBreaching"
        assert a["actionsEnabled"] is True
        assert a["comparisonOperator"] == "GreaterThanThreshold"
        assert a["tags"]["foundation:name"] == name
    blackhole = alarms["tgw-blackhole"]
    assert (blackhole["threshold"], blackhole["period"], blackhole["evaluationPeriods"]) == (
        3000.0,
        300.0,
        3.0,
    )
    description = alarms["hub-nat-b-port-allocation"]["alarmDescription"]
    assert "NAT gateway hub-nat-b" in description
    assert "could not allocate a source port" in description
    assert description.endswith(
        "Playbook: https://github.com/acme/network/blob/main/docs/runbooks/"
        "ALARM.NAT-PORT-ALLOCATION.md"
    )


def test_the_topic_is_encrypted_with_a_key_cloudwatch_may_use(workspace: Path) -> None:
    rec = record(workspace, "prod", preview=False)
    (topic,) = of_type(rec, "sns/topic:Topic")
    (key,) = of_type(rec, "kms/key:Key")
    assert topic.inputs["name"] == "prod-netops"
    assert topic.inputs["kmsMasterKeyId"] == f"arn:aws:kms:us-east-1:000000000000:key/{key.name}"
    assert key.inputs["enableKeyRotation"] is True
    statements = json.loads(key.inputs["policy"])["Statement"]
    cw = {"Service": "cloudwatch.amazonaws.com"}
    cloudwatch = [s for s in statements if s["Principal"] == cw]
    assert cloudwatch and set(cloudwatch[0]["Action"]) == {"kms:Decrypt", "kms:GenerateDataKey*"}
    source = cloudwatch[0]["Condition"]["ArnLike"]["aws:SourceArn"]
    assert source == "arn:aws:cloudwatch:us-east-1:000000000000:alarm:prod-*"
    assert [s["Principal"] for s in statements if s["Principal"] != cw] == [
        {"AWS": "arn:aws:iam::000000000000:root"}
    ]  # nobody else may use the key
    (policy,) = of_type(rec, "sns/topicPolicy:TopicPolicy")
    publish = [
        s
        for s in json.loads(policy.inputs["policy"])["Statement"]
        if s["Effect"] == "Allow" and s["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
    ]
    assert publish[0]["Action"] == "sns:Publish"
    assert publish[0]["Condition"]["ArnLike"]["aws:SourceArn"].endswith(":alarm:prod-*")
    (subscription,) = of_type(rec, "sns/topicSubscription:TopicSubscription")
    assert (subscription.inputs["protocol"], subscription.inputs["endpoint"]) == (
        "email",
        "netops@example.com",
    )
    for r in (topic, key):
        assert r.inputs["tags"]["Name"] == f"prod-{r.inputs['tags']['foundation:name']}"


def test_without_an_alarms_block_there_is_no_alarm_and_no_topic(workspace: Path) -> None:
    rec = record(workspace, "dev", preview=False)
    prefixes = ("aws:sns", "aws:kms", "aws:cloudwatch/metricAlarm")
    assert not [r for r in rec.custom if r.type.startswith(prefixes)]


def test_an_existing_topic_is_used_as_is(workspace: Path) -> None:
    with_alarms(workspace, "dev", f"    alarms: {{topicArn: '{TOPIC_ARN}'}}\n")
    rec = record(workspace, "dev", preview=False)
    assert of_type(rec, "sns/topic:Topic") == [] and of_type(rec, "kms/key:Key") == []
    alarms = alarms_by_name(rec)
    assert sorted(alarms) == [
        "hub-nat-a-packet-drop",
        "hub-nat-a-port-allocation",
        "tgw-blackhole",
        "tgw-no-route",
    ]  # dev has one NAT (single-nat)
    assert all(a["alarmActions"] == [TOPIC_ARN] == a["okActions"] for a in alarms.values())
    assert alarms["tgw-no-route"]["alarmDescription"].endswith(
        "Playbook: docs/runbooks/ALARM.TGW-NO-ROUTE.md"
    )


def test_nat_eips_and_the_tgw_are_protected_in_production_only(workspace: Path) -> None:
    prod = record(workspace, "prod", preview=False)
    assert [(r.type, r.name) for r in prod.protected()] == [
        ("aws:ec2/eip:Eip", "hub-nat-a-eip"),
        ("aws:ec2/eip:Eip", "hub-nat-b-eip"),
        ("aws:ec2/eip:Eip", "hub-nat-c-eip"),
        ("aws:ec2transitgateway/transitGateway:TransitGateway", "tgw"),
    ]
    assert record(workspace, "dev", preview=False).protected() == []


def test_the_plan_json_lists_alarms_and_protected_resources(workspace: Path, cli) -> None:
    doc = json.loads(cli(workspace, "plan", "prod", "--format", "json").out)
    assert {"type": "aws:ec2/eip:Eip", "name": "hub-nat-a-eip"} in doc["protected"]
    assert len(doc["protected"]) == 4
    assert len(doc["alarms"]) == 8
    tgw = next(a for a in doc["alarms"] if a["name"] == "tgw-blackhole")
    assert {k: tgw[k] for k in ("namespace", "metric", "subject", "threshold", "runbook")} == {
        "namespace": "AWS/TransitGateway",
        "metric": "PacketDropCountBlackhole",
        "subject": "tgw",
        "threshold": 3000.0,
        "runbook": "docs/runbooks/ALARM.TGW-BLACKHOLE.md",
    }
    dev = json.loads(cli(workspace, "plan", "dev", "--format", "json").out)
    assert (dev["alarms"], dev["protected"], dev["alarmTopic"]) == ([], [], None)
    assert dev["findings"][0]["runbook"] == f"docs/runbooks/{dev['findings'][0]['rule']}.md"


BAD = [
    (
        "both-topics",
        f"    alarms: {{topic: netops, topicArn: '{TOPIC_ARN}'}}\n",
        ["foundation:network.alarms", "exactly one of topic and topicArn"],
    ),
    (
        "no-topic",
        "    alarms: {email: [netops@example.com]}\n",
        ["foundation:network.alarms", "exactly one of topic and topicArn"],
    ),
    (
        "bad-email",
        "    alarms: {topic: netops, email: [netops-at-example.com]}\n",
        ["foundation:network.alarms.email", "not an email address: netops-at-example.com"],
    ),
    (
        "bad-arn",
        "    alarms: {topicArn: 'arn:aws:sqs:us-east-1:123456789012:q'}\n",
        ["foundation:network.alarms.topicArn", "is not an SNS topic ARN"],
    ),
    (
        "other-region",
        "    alarms: {topicArn: 'arn:aws:sns:eu-west-1:123456789012:netops'}\n",
        ["foundation:network.alarms.topicArn", "only notify topics in their own Region"],
    ),
    (
        "bad-topic-name",
        "    alarms: {topic: Net_Ops}\n",
        ["foundation:network.alarms.topic", "invalid topic name 'Net_Ops'"],
    ),
    (
        "typo",
        "    alarms: {topic: netops, emial: [netops@example.com]}\n",
        ["foundation:network.alarms.emial", "did you mean 'email'"],
    ),
    (
        "http-runbooks",
        "    alarms: {topic: netops, runbookBaseUrl: 'http://wiki/runbooks'}\n",
        ["foundation:network.alarms.runbookBaseUrl", "is not an https URL"],
    ),
]


@pytest.mark.parametrize(("case", "block", "fragments"), BAD, ids=[b[0] for b in BAD])
def test_bad_alarm_input_exits_2_naming_the_key(
    workspace: Path, cli, case: str, block: str, fragments: list[str]
) -> None:
    with_alarms(workspace, "dev", block)
    before = snapshot(workspace / "stacks")
    result = cli(workspace, "plan", "dev", "--format", "json")
    assert result.code == 2 and result.out == ""
    assert "Traceback" not in result.err and "Fix:" in result.err
    for fragment in fragments:
        assert fragment in result.err, result.err
    assert snapshot(workspace / "stacks") == before


def test_a_production_stack_without_alarms_is_warned(workspace: Path, cli) -> None:
    edit_stack(workspace, "prod", PROD_ALARMS, "")
    result = cli(workspace, "plan", "prod", "--format", "json")
    doc = json.loads(result.out)
    (finding,) = [f for f in doc["findings"] if f["rule"] == "OPS.NO-ALARMS"]
    assert (finding["severity"], finding["subject"], result.code) == ("warning", "prod", 0)
    dev = json.loads(cli(workspace, "plan", "dev", "--format", "json").out)
    assert not [f for f in dev["findings"] if f["rule"] == "OPS.NO-ALARMS"]
