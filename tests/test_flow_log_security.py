"""The flow-logs IAM role and the optional KMS key, on what the program registers (issue 10)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import edit_stack
from tests.test_program import of_type, record

ACCOUNT = "000000000000"  # the offline mock engine's account
GROUP = "arn:aws:logs:us-east-1:000000000000:log-group:/foundation/dev/{}/flow-logs"
DEV_VPCS = ("hub", "payments", "sandbox", "tools")


def _policy(rec, suffix: str, key: str) -> dict:
    (resource,) = of_type(rec, suffix)
    return json.loads(resource.inputs[key])


def test_the_role_writes_only_to_this_stacks_log_groups(workspace: Path) -> None:
    rec = record(workspace, "dev")
    policy = _policy(rec, "iam/rolePolicy:RolePolicy", "policy")
    by_action: dict[str, set[str]] = {}
    for statement in policy["Statement"]:
        resources = statement["Resource"]
        for action in statement["Action"]:
            by_action.setdefault(action, set()).update(
                [resources] if isinstance(resources, str) else resources
            )
    expected = {GROUP.format(v) + ":*" for v in DEV_VPCS}
    for action in ("logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"):
        assert by_action[action] == expected, action
    assert by_action["logs:DescribeLogGroups"] == {"*"}
    assert [a for a, r in by_action.items() if "*" in r] == ["logs:DescribeLogGroups"]
    assert "logs:CreateLogGroup" not in by_action  # the program creates the groups
    # the scoped ARNs are exactly the groups the program registers
    groups = {g.inputs["name"] for g in of_type(rec, "logGroup:LogGroup")}
    assert {GROUP.format(v) for v in DEV_VPCS} == {
        f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:{g}" for g in groups
    }


def test_the_trust_policy_has_the_confused_deputy_conditions(workspace: Path) -> None:
    rec = record(workspace, "dev")
    trust = _policy(rec, "iam/role:Role", "assumeRolePolicy")
    (statement,) = trust["Statement"]
    assert statement["Principal"] == {"Service": "vpc-flow-logs.amazonaws.com"}
    assert statement["Action"] == "sts:AssumeRole"
    assert statement["Condition"] == {
        "StringEquals": {"aws:SourceAccount": ACCOUNT},
        "ArnLike": {"aws:SourceArn": f"arn:aws:ec2:us-east-1:{ACCOUNT}:vpc-flow-log/*"},
    }


def test_flow_logs_wait_for_the_role_policy(workspace: Path) -> None:
    rec = record(workspace, "dev")
    role = of_type(rec, "iam/role:Role")[0]
    (policy,) = of_type(rec, "iam/rolePolicy:RolePolicy")
    flows = of_type(rec, "flowLog:FlowLog")
    assert len(flows) == 4
    for flow in flows:
        assert flow.inputs["iamRoleArn"] == f"arn:aws:mock:us-east-1:{ACCOUNT}:iam/role:{role.name}"
        assert policy.urn in flow.dependencies and role.urn in flow.dependencies


def test_no_key_by_default(workspace: Path) -> None:
    rec = record(workspace, "dev")
    assert of_type(rec, "kms/key:Key") == []
    assert all("kmsKeyId" not in g.inputs for g in of_type(rec, "logGroup:LogGroup"))


def test_kms_key_true_creates_a_rotating_key_for_the_log_groups(workspace: Path) -> None:
    edit_stack(
        workspace,
        "dev",
        "flowLogs: {destination: cloudwatch, retentionDays: 30}",
        "flowLogs: {destination: cloudwatch, retentionDays: 30, kmsKey: true}",
    )
    rec = record(workspace, "dev")
    (key,) = of_type(rec, "kms/key:Key")
    assert key.inputs["enableKeyRotation"] is True
    assert key.inputs["tags"]["foundation:name"] == "flow-logs-key"
    policy = json.loads(key.inputs["policy"])
    admin, logs = policy["Statement"]
    assert admin["Principal"] == {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}
    assert logs["Principal"] == {"Service": "logs.us-east-1.amazonaws.com"}
    assert "kms:GenerateDataKey*" in logs["Action"] and "kms:Decrypt*" in logs["Action"]
    assert logs["Condition"] == {
        "ArnLike": {
            "kms:EncryptionContext:aws:logs:arn": (
                f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/foundation/dev/*"
            )
        }
    }
    key_arn = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/flow-logs-key"
    groups = of_type(rec, "logGroup:LogGroup")
    assert len(groups) == 4 and {g.inputs["kmsKeyId"] for g in groups} == {key_arn}
    (alias,) = of_type(rec, "kms/alias:Alias")
    assert alias.inputs["name"] == "alias/dev-flow-logs"


def test_an_existing_key_arn_is_wired_to_the_log_groups(workspace: Path) -> None:
    arn = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    edit_stack(
        workspace,
        "dev",
        "flowLogs: {destination: cloudwatch, retentionDays: 30}",
        f"flowLogs: {{destination: cloudwatch, retentionDays: 30, kmsKeyArn: '{arn}'}}",
    )
    rec = record(workspace, "dev")
    assert of_type(rec, "kms/key:Key") == []
    assert {g.inputs["kmsKeyId"] for g in of_type(rec, "logGroup:LogGroup")} == {arn}


@pytest.mark.parametrize(
    ("flow", "path", "words"),
    [
        (
            "{kmsKey: true, kmsKeyArn: 'arn:aws:kms:us-east-1:111122223333:key/"
            "1234abcd-12ab-34cd-56ef-1234567890ab'}",
            "flowLogs",
            "not both",
        ),
        ("{kmsKeyArn: 'alias/flow-logs'}", "flowLogs", "is not a KMS key ARN"),
        (
            "{kmsKeyArn: 'arn:aws:kms:eu-west-1:111122223333:key/"
            "1234abcd-12ab-34cd-56ef-1234567890ab'}",
            "flowLogs.kmsKeyArn",
            "the key is in eu-west-1, the stack in us-east-1",
        ),
        (
            "{destination: s3, bucketArn: 'arn:aws:s3:::logs', kmsKey: true}",
            "flowLogs",
            "S3 flow logs use the bucket's encryption",
        ),
        ("{kmsKey: 'yes'}", "flowLogs.kmsKey", ""),
    ],
)
def test_bad_key_settings_are_bad_input(
    workspace: Path, cli, flow: str, path: str, words: str
) -> None:
    edit_stack(
        workspace,
        "dev",
        "flowLogs: {destination: cloudwatch, retentionDays: 30}",
        f"flowLogs: {flow}",
    )
    result = cli(workspace, "plan", "dev")
    assert result.code == 2, result.err
    assert f"foundation:network.{path}:" in result.err and words in result.err
    assert "Fix:" in result.err and "Traceback" not in result.err
