"""Who may write the stack's flow logs, and with which key: the IAM role and the KMS key.

Least privilege (an IaC scanner flags `Resource: "*"` on write actions): the role writes
only to this stack's flow-log groups (`<log-group-arn>:*`); only `logs:DescribeLogGroups`,
which has no resource scope, keeps `*`. Its trust policy carries the `aws:SourceAccount`
and `aws:SourceArn` conditions AWS recommends against the confused-deputy problem (VPC
User Guide, "IAM role for publishing flow logs to CloudWatch Logs"). The optional
customer-managed key rotates yearly and lets CloudWatch Logs use it only for this
stack's log groups (`kms:EncryptionContext:aws:logs:arn`). The policy documents are
pure functions of the account, partition and Region, tested on their own.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from components.kms import account_administers_the_key
from components.tags import tags
from foundation.config.accounts import NETWORK
from foundation.network.model import FlowLog, NetworkPlan

WRITE_ACTIONS = ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"]
LOGS_KEY_ACTIONS = [
    "kms:Encrypt*",
    "kms:Decrypt*",
    "kms:ReEncrypt*",
    "kms:GenerateDataKey*",
    "kms:Describe*",
]


def log_group_arn(partition: str, region: str, account: str, name: str) -> str:
    """The ARN of a log group (without the `:*` of its streams)."""
    return f"arn:{partition}:logs:{region}:{account}:log-group:{name}"


def trust_policy(partition: str, region: str, account: str) -> dict[str, Any]:
    """Only VPC Flow Logs, acting for a flow log of this account and Region, may assume."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "vpc-flow-logs.amazonaws.com"},
                "Action": "sts:AssumeRole",
                "Condition": {
                    "StringEquals": {"aws:SourceAccount": account},
                    "ArnLike": {
                        "aws:SourceArn": f"arn:{partition}:ec2:{region}:{account}:vpc-flow-log/*"
                    },
                },
            }
        ],
    }


def write_policy(partition: str, region: str, account: str, groups: list[str]) -> dict[str, Any]:
    """Write to the stack's flow-log groups only; DescribeLogGroups cannot be scoped."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "WriteThisStacksFlowLogs",
                "Effect": "Allow",
                "Action": WRITE_ACTIONS,
                "Resource": [
                    f"{log_group_arn(partition, region, account, g)}:*" for g in sorted(groups)
                ],
            },
            {
                "Sid": "FindLogGroups",
                "Effect": "Allow",
                "Action": ["logs:DescribeLogGroups"],
                "Resource": "*",
            },
        ],
    }


def key_policy(partition: str, region: str, account: str, stack: str) -> dict[str, Any]:
    """The account administers the key; CloudWatch Logs uses it for this stack's groups."""
    groups = log_group_arn(partition, region, account, f"/foundation/{stack}/*")
    return {
        "Version": "2012-10-17",
        "Statement": [
            account_administers_the_key(partition, account),
            {
                "Sid": "CloudWatchLogsEncryptsThisStacksFlowLogs",
                "Effect": "Allow",
                "Principal": {"Service": f"logs.{region}.amazonaws.com"},
                "Action": LOGS_KEY_ACTIONS,
                "Resource": "*",
                "Condition": {"ArnLike": {"kms:EncryptionContext:aws:logs:arn": groups}},
            },
        ],
    }


@dataclass(frozen=True)
class FlowLogAccess:
    """What the VPCs' flow logs need: the role ARN and the log groups' key ARN (if any)."""

    role_arn: pulumi.Output[str] | None
    kms_key_arn: pulumi.Input[str] | None


def _identity(opts: pulumi.ResourceOptions) -> pulumi.Output[tuple[str, str]]:
    """(partition, account) of the credentials pulumi deploys with (through opts' provider)."""
    caller = aws.get_caller_identity_output(
        opts=pulumi.InvokeOutputOptions(parent=opts.parent, provider=opts.provider)
    )
    return pulumi.Output.all(caller.arn, caller.account_id).apply(
        lambda v: (str(v[0]).split(":")[1], str(v[1]))
    )


def flow_log_access(
    plan: NetworkPlan, opts: pulumi.ResourceOptions, account: str = NETWORK
) -> FlowLogAccess:
    """The role (and key) for one account's CloudWatch flow logs; nothing when none.

    Each account gets its own role (and key) for the VPCs it holds, created through that
    account's provider (`opts.provider`); the network account's keep their plain names.
    """
    cloudwatch: list[FlowLog] = [
        v.flow_log
        for v in plan.vpcs_in(account)
        if v.flow_log and v.flow_log.destination == "cloudwatch"
    ]
    if not cloudwatch:
        return FlowLogAccess(None, None)
    identity = _identity(opts)
    region, stack = plan.region, plan.stack
    suffix = "" if account == NETWORK else f"-{account}"
    role = aws.iam.Role(
        f"flow-logs-role{suffix}",
        assume_role_policy=identity.apply(lambda i: json.dumps(trust_policy(i[0], region, i[1]))),
        description="Lets VPC flow logs write to this stack's CloudWatch log groups",
        tags=tags(stack, f"flow-logs-role{suffix}"),
        opts=opts,
    )
    groups = [f.log_group for f in cloudwatch]
    policy = aws.iam.RolePolicy(
        f"flow-logs-policy{suffix}",
        role=role.id,
        policy=identity.apply(lambda i: json.dumps(write_policy(i[0], region, i[1], groups))),
        opts=opts,
    )
    # the flow logs wait for the policy: a role without it would fail their first delivery
    role_arn = pulumi.Output.all(role.arn, policy.id).apply(lambda v: str(v[0]))
    key_arn: pulumi.Input[str] | None = next(
        (f.kms_key_arn for f in cloudwatch if f.kms_key_arn), None
    )
    if any(f.kms_key for f in cloudwatch):
        key = aws.kms.Key(
            f"flow-logs-key{suffix}",
            description=f"Encrypts the flow-log groups of stack {stack}",
            enable_key_rotation=True,
            deletion_window_in_days=30,
            policy=identity.apply(lambda i: json.dumps(key_policy(i[0], region, i[1], stack))),
            tags=tags(stack, f"flow-logs-key{suffix}"),
            opts=opts,
        )
        aws.kms.Alias(
            f"flow-logs-key-alias{suffix}",
            name=f"alias/{stack}-flow-logs",
            target_key_id=key.key_id,
            opts=opts,
        )
        key_arn = key.arn
    return FlowLogAccess(role_arn, key_arn)
