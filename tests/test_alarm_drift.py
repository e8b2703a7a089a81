"""Alarms in moto (DESIGN §3.13): they deploy, and drift finds one deleted or silenced."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import boto3
import pytest

from foundation.offline.mockrun import Recording
from tests.conftest import REPO
from tests.faults import CallLog
from tests.moto_deploy import deploy, record_stack

pytestmark = pytest.mark.moto

ALARMS = """    production: true
    alarms:
      topic: netops
      email: [netops@example.com]
"""


def prod_like_dev(project: Path) -> None:
    """dev with alarms (and production on, so protect is set too)."""
    shutil.copytree(REPO / "stacks", project / "stacks", dirs_exist_ok=True)
    path = project / "stacks" / "Pulumi.dev.yaml"
    path.write_text(path.read_text().replace("    production: false\n", ALARMS))


@pytest.fixture(scope="module")
def recording(tmp_path_factory: pytest.TempPathFactory) -> Recording:
    project = tmp_path_factory.mktemp("alarms")
    prod_like_dev(project)
    return record_stack(project, "dev")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    prod_like_dev(tmp_path)
    return tmp_path


@pytest.fixture
def deployed(aws, recording: Recording) -> dict[str, str]:
    return deploy(recording)


def drift(cli, project: Path) -> tuple[int, dict]:
    result = cli(project, "drift", "dev", "--format", "json")
    assert result.code in (0, 1), result.err
    return result.code, json.loads(result.out)


def test_the_alarms_topic_and_key_deploy(deployed, project: Path, cli) -> None:
    cloudwatch = boto3.client("cloudwatch", region_name="us-east-1")
    alarms = {a["AlarmName"]: a for a in cloudwatch.describe_alarms()["MetricAlarms"]}
    assert sorted(alarms) == [
        "dev-hub-nat-a-packet-drop",
        "dev-hub-nat-a-port-allocation",
        "dev-tgw-blackhole",
        "dev-tgw-no-route",
    ]
    sns = boto3.client("sns", region_name="us-east-1")
    (topic,) = [t["TopicArn"] for t in sns.list_topics()["Topics"]]
    assert topic.endswith(":dev-netops")
    attributes = sns.get_topic_attributes(TopicArn=topic)["Attributes"]
    assert attributes["KmsMasterKeyId"].startswith("arn:aws:kms:us-east-1:")
    nat = deployed["ec2/natGateway:hub-nat-a"]
    port = alarms["dev-hub-nat-a-port-allocation"]
    assert port["Dimensions"] == [{"Name": "NatGatewayId", "Value": nat}]
    assert port["AlarmActions"] == [topic] and port["OKActions"] == [topic]
    assert alarms["dev-tgw-no-route"]["Dimensions"] == [
        {"Name": "TransitGateway", "Value": deployed["ec2transitgateway/transitGateway:tgw"]}
    ]
    code, doc = drift(cli, project)
    assert (code, doc["status"], doc["findings"]) == (0, "clean", [])


def test_a_deleted_alarm_is_missing(deployed, project: Path, cli) -> None:
    boto3.client("cloudwatch", region_name="us-east-1").delete_alarms(
        AlarmNames=["dev-tgw-blackhole"]
    )
    code, doc = drift(cli, project)
    assert code == 1
    assert [(f["kind"], f["resourceType"], f["name"]) for f in doc["findings"]] == [
        ("missing", "alarm", "tgw-blackhole")
    ]
    assert doc["findings"][0]["runbook"] == "docs/runbooks/DRIFT.MISSING.md"


def test_an_alarm_with_its_actions_removed_is_changed(deployed, project: Path, cli) -> None:
    cloudwatch = boto3.client("cloudwatch", region_name="us-east-1")
    (alarm,) = cloudwatch.describe_alarms(AlarmNames=["dev-hub-nat-a-port-allocation"])[
        "MetricAlarms"
    ]
    keep = ("Namespace", "MetricName", "Dimensions", "Statistic", "ComparisonOperator")
    cloudwatch.put_metric_alarm(  # re-put without actions: nobody would be told
        AlarmName=alarm["AlarmName"],
        Threshold=alarm["Threshold"],
        Period=alarm["Period"],
        EvaluationPeriods=alarm["EvaluationPeriods"],
        **{k: alarm[k] for k in keep},
    )
    code, doc = drift(cli, project)
    assert code == 1
    changed = {(f["name"], f["attribute"], f["expected"], f["actual"]) for f in doc["findings"]}
    assert changed == {
        ("hub-nat-a-port-allocation", "alarmActions", "dev-netops", ""),
        ("hub-nat-a-port-allocation", "okActions", "dev-netops", ""),
    }


def test_alarms_cost_one_call_whatever_the_spokes(
    deployed, project: Path, cli, monkeypatch
) -> None:
    from foundation.live import aws as aws_module

    log = CallLog()
    monkeypatch.setattr(aws_module, "EVENT_HOOKS", [("before-call", log)])
    drift(cli, project)
    assert log.operations.count("DescribeAlarms") == 1
