"""InspectionVpc: the inspection VPC with its AWS Network Firewall (DESIGN §3.10).

The VPC part (subnets, tables, the TGW attachment with appliance mode, flow logs, closed
default security group) is the common VPC core. On top: stateful rule groups (Suricata
rules, strict order) whose `HOME_NET` is the stack's pool, a policy with default drop,
the firewall with one endpoint per AZ (delete protection in production), alert and flow
logs to CloudWatch with the stack's retention, and one route per AZ from the transit
subnet to that AZ's endpoint (looked up by subnet in the firewall's sync states).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

import pulumi
import pulumi_aws as aws
from pulumi_aws import networkfirewall as nfw

from components.flow_logs import FlowLogAccess
from components.tags import resource_name
from components.vpc import _VpcBase
from foundation.network.model import (
    RULE_ORDER,
    STATELESS_DEFAULT_ACTIONS,
    Inspection,
    NetworkPlan,
    RouteTable,
)


def _get(value: Any, key: str) -> Any:
    """A field of a provider output object or of a plain dict (the mock engine's shape)."""
    if isinstance(value, Mapping):
        camel = "".join(w.title() if i else w for i, w in enumerate(key.split("_")))
        return value.get(key, value.get(camel))
    return getattr(value, key, None)


def endpoint_of(statuses: Sequence[Any] | None, subnet_id: str) -> str:
    """The firewall endpoint id in one subnet, from the firewall's sync states."""
    for status in statuses or []:
        for state in _get(status, "sync_states") or []:
            for attachment in _get(state, "attachments") or []:
                if _get(attachment, "subnet_id") == subnet_id and _get(attachment, "endpoint_id"):
                    return str(_get(attachment, "endpoint_id"))
    raise pulumi.RunError(
        f"the Network Firewall reports no endpoint in subnet {subnet_id}; check the "
        "firewall's status in the console (it can take minutes to become READY) and rerun"
    )


class InspectionVpc(_VpcBase):
    """The inspection VPC and its firewall."""

    firewall_arn: pulumi.Output[str]
    firewall_name: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        plan: NetworkPlan,
        transit_gateway_id: pulumi.Input[str],
        access: FlowLogAccess | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("foundation:network:InspectionVpc", name, None, opts)
        inspection = plan.inspection
        assert inspection is not None
        vpc = plan.vpc(inspection.vpc)
        self._build_core(plan, vpc, access or FlowLogAccess(None, None), transit_gateway_id)
        self.firewall = self._firewall(inspection, plan.production)
        for table in vpc.route_tables:
            self._firewall_routes(table)
            rest = tuple(r for r in table.routes if r.target.type != "firewall")
            self._routes(replace(table, routes=rest), {}, self._tgw_depends)
        self.firewall_arn = self.firewall.arn
        self.firewall_key = inspection.firewall  # what alarms name as their subject
        self.firewall_name = self.firewall.name  # the FirewallName metric dimension
        self.register_outputs({**self._outputs(), "firewallArn": self.firewall.arn})

    def _firewall(self, inspection: Inspection, production: bool) -> aws.networkfirewall.Firewall:
        child = pulumi.ResourceOptions(parent=self)
        references: list[
            aws.networkfirewall.FirewallPolicyFirewallPolicyStatefulRuleGroupReferenceArgs
        ] = []
        for group in inspection.rule_groups:
            resource = aws.networkfirewall.RuleGroup(
                group.name,
                name=f"{self._plan.stack}-{group.name}",
                type="STATEFUL",
                capacity=group.capacity,
                description=f"{self._plan.stack} central inspection: {group.name}",
                rule_group={
                    "rule_variables": {
                        "ip_sets": [
                            {"key": key, "ip_set": {"definitions": list(cidrs)}}
                            for key, cidrs in group.ip_sets
                        ]
                    },
                    "rules_source": {"rules_string": "\n".join(group.rules) + "\n"},
                    "stateful_rule_options": {"rule_order": RULE_ORDER},
                },
                tags=self._tags(group.name),
                opts=child,
            )
            references.append(
                nfw.FirewallPolicyFirewallPolicyStatefulRuleGroupReferenceArgs(
                    resource_arn=resource.arn, priority=group.priority
                )
            )
        policy = nfw.FirewallPolicy(
            inspection.policy,
            name=f"{self._plan.stack}-{inspection.policy}",
            firewall_policy=nfw.FirewallPolicyFirewallPolicyArgs(
                stateless_default_actions=list(STATELESS_DEFAULT_ACTIONS),
                stateless_fragment_default_actions=list(STATELESS_DEFAULT_ACTIONS),
                stateful_default_actions=list(inspection.default_actions),
                stateful_engine_options=nfw.FirewallPolicyFirewallPolicyStatefulEngineOptionsArgs(
                    rule_order=RULE_ORDER, stream_exception_policy="DROP"
                ),
                stateful_rule_group_references=references,
                # HOME_NET = the pool: the default (the inspection VPC's CIDR) matches nothing
                policy_variables=nfw.FirewallPolicyFirewallPolicyPolicyVariablesArgs(
                    rule_variables=[
                        nfw.FirewallPolicyFirewallPolicyPolicyVariablesRuleVariableArgs(
                            key="HOME_NET",
                            ip_set=nfw.FirewallPolicyFirewallPolicyPolicyVariablesRuleVariableIpSetArgs(
                                definitions=list(inspection.home_net)
                            ),
                        )
                    ]
                ),
            ),
            tags=self._tags(inspection.policy),
            opts=child,
        )
        firewall = aws.networkfirewall.Firewall(
            inspection.firewall,
            name=f"{self._plan.stack}-{inspection.firewall}",
            vpc_id=self.vpc.id,
            firewall_policy_arn=policy.arn,
            subnet_mappings=[
                {"subnet_id": self._subnets[e.subnet].id} for e in inspection.endpoints
            ],
            delete_protection=inspection.delete_protection,
            subnet_change_protection=production,
            firewall_policy_change_protection=False,
            tags=self._tags(inspection.firewall),
            opts=child,
        )
        destinations = []
        for log in inspection.logs:
            log_group = aws.cloudwatch.LogGroup(
                resource_name(inspection.firewall, log.log_type.lower()),
                name=log.log_group,
                retention_in_days=log.retention_days,
                kms_key_id=inspection.kms_key_arn,
                tags=self._tags(f"{inspection.firewall}-{log.log_type.lower()}"),
                opts=child,
            )
            destinations.append(
                nfw.LoggingConfigurationLoggingConfigurationLogDestinationConfigArgs(
                    log_destination={"logGroup": log_group.name},
                    log_destination_type="CloudWatchLogs",
                    log_type=log.log_type,
                )
            )
        nfw.LoggingConfiguration(
            resource_name(inspection.firewall, "logging"),
            firewall_arn=firewall.arn,
            logging_configuration=nfw.LoggingConfigurationLoggingConfigurationArgs(
                log_destination_configs=destinations
            ),
            opts=child,
        )
        return firewall

    def _firewall_routes(self, table: RouteTable) -> None:
        """The transit subnet's 0/0 to the firewall endpoint of its own AZ."""
        inspection = self._plan.inspection
        assert inspection is not None
        for route in table.routes:
            if route.target.type != "firewall":
                continue
            endpoint = inspection.endpoint_in(str(route.target.az))
            subnet = self._subnets[endpoint.subnet]
            endpoint_id = pulumi.Output.all(self.firewall.firewall_statuses, subnet.id).apply(
                lambda args: endpoint_of(args[0], args[1])
            )
            aws.ec2.Route(
                resource_name(table.name, route.destination),
                route_table_id=self._tables[table.name].id,
                destination_cidr_block=route.destination,
                vpc_endpoint_id=endpoint_id,
                opts=pulumi.ResourceOptions(parent=self),
            )
