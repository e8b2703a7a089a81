"""CloudWatch alarms on the NAT gateways and the TGW, and the encrypted SNS topic they notify.

The topic (`<stack>-<topic>`) is encrypted with a customer-managed KMS key (rotation on)
whose policy lets this stack's CloudWatch alarms use it: an alarm cannot publish to a topic
encrypted with the AWS-managed SNS key. The topic policy lets those alarms publish, and
refuses anything sent without TLS. With `topicArn` only the subscriptions and alarms are
created. Resource ids reach the alarms as Inputs from the NAT and TGW resources.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

import pulumi
import pulumi_aws as aws

from components.kms import account_administers_the_key
from components.tags import resource_name, tags
from foundation.network.model import Monitoring

KMS_USE = ["kms:Decrypt", "kms:GenerateDataKey*"]


def _alarm_source(partition: str, region: str, account: str, stack: str) -> dict[str, object]:
    """Only this stack's alarms, in this account and Region (no confused deputy)."""
    return {
        "ArnLike": {
            "aws:SourceArn": f"arn:{partition}:cloudwatch:{region}:{account}:alarm:{stack}-*"
        },
        "StringEquals": {"aws:SourceAccount": account},
    }


def key_policy(partition: str, region: str, account: str, stack: str) -> str:
    """The key policy: the account administers the key; this stack's alarms may use it."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                account_administers_the_key(partition, account),
                {
                    "Sid": "CloudWatchAlarmsEncryptNotifications",
                    "Effect": "Allow",
                    "Principal": {"Service": "cloudwatch.amazonaws.com"},
                    "Action": KMS_USE,
                    "Resource": "*",
                    "Condition": _alarm_source(partition, region, account, stack),
                },
            ],
        },
        sort_keys=True,
    )


def topic_policy(topic_arn: str, partition: str, region: str, account: str, stack: str) -> str:
    """The topic policy: this stack's alarms may publish; nothing may arrive without TLS."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "AccountOwnsTheTopic",
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:{partition}:iam::{account}:root"},
                    "Action": [
                        "sns:GetTopicAttributes",
                        "sns:SetTopicAttributes",
                        "sns:Subscribe",
                        "sns:ListSubscriptionsByTopic",
                        "sns:Publish",
                    ],
                    "Resource": topic_arn,
                },
                {
                    "Sid": "CloudWatchAlarmsPublish",
                    "Effect": "Allow",
                    "Principal": {"Service": "cloudwatch.amazonaws.com"},
                    "Action": "sns:Publish",
                    "Resource": topic_arn,
                    "Condition": _alarm_source(partition, region, account, stack),
                },
                {
                    "Sid": "TlsOnly",
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": "sns:Publish",
                    "Resource": topic_arn,
                    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                },
            ],
        },
        sort_keys=True,
    )


class Alarms(pulumi.ComponentResource):
    """The alarm topic (or an existing one), its email subscriptions, and every alarm."""

    topic_arn: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        stack: str,
        region: str,
        plan: Monitoring,
        resource_ids: Mapping[str, pulumi.Input[str]],
        az_names: Mapping[str, pulumi.Input[str]] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("foundation:network:Alarms", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        topic = plan.topic
        if topic.name is not None:
            identity = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=self))
            partition = identity.arn.apply(lambda arn: arn.split(":")[1])
            account = identity.account_id
            key = aws.kms.Key(
                f"{topic.logical_name}-key",
                description=f"Encrypts the {topic.name} alarm topic",
                enable_key_rotation=True,
                deletion_window_in_days=30,
                policy=pulumi.Output.all(partition, account).apply(
                    lambda pa: key_policy(pa[0], region, pa[1], stack)
                ),
                tags=tags(stack, f"{topic.logical_name}-key"),
                opts=child,
            )
            aws.kms.Alias(
                f"{topic.logical_name}-key-alias",
                name=f"alias/{topic.name}",
                target_key_id=key.key_id,
                opts=child,
            )
            created = aws.sns.Topic(
                topic.logical_name,
                name=topic.name,
                kms_master_key_id=key.arn,
                tags=tags(stack, topic.logical_name),
                opts=child,
            )
            aws.sns.TopicPolicy(
                f"{topic.logical_name}-policy",
                arn=created.arn,
                policy=pulumi.Output.all(created.arn, partition, account).apply(
                    lambda a: topic_policy(a[0], a[1], region, a[2], stack)
                ),
                opts=child,
            )
            self.topic_arn = created.arn
        else:
            self.topic_arn = pulumi.Output.from_input(str(topic.arn))
        for email in topic.emails:
            aws.sns.TopicSubscription(
                resource_name(topic.logical_name, "email", email),
                topic=self.topic_arn,
                protocol="email",
                endpoint=email,
                opts=child,
            )
        for alarm in plan.alarms:
            aws.cloudwatch.MetricAlarm(
                alarm.name,
                name=f"{stack}-{alarm.name}",
                alarm_description=alarm.description,
                namespace=alarm.namespace,
                metric_name=alarm.metric,
                dimensions={
                    alarm.dimension: resource_ids[alarm.subject],
                    **{
                        k: (az_names or {}).get(v, v) if k == "AvailabilityZone" else v
                        for k, v in alarm.extra_dimensions
                    },
                },
                statistic=alarm.statistic,
                comparison_operator=alarm.comparison,
                threshold=alarm.threshold,
                period=alarm.period,
                evaluation_periods=alarm.evaluation_periods,
                datapoints_to_alarm=alarm.datapoints_to_alarm,
                treat_missing_data=alarm.treat_missing_data,
                actions_enabled=True,
                alarm_actions=[self.topic_arn],
                ok_actions=[self.topic_arn],
                tags=tags(stack, alarm.name),
                opts=child,
            )
        self.register_outputs({"topicArn": self.topic_arn})
