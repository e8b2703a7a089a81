"""Policy rules on the plan: FSBP controls, TGW subnet rules, spare AZ slots, pool use.

Each rule has an id, a severity and a fix. Errors make `plan` exit 1. Some severities rise
with `production: true` (flow logs off is a warning in dev, an error in production).
"""

from __future__ import annotations

from collections.abc import Callable

from netaddr import IPNetwork

from foundation.config.address_plan import is_publicly_routable
from foundation.network.analysis.findings import Finding, Severity
from foundation.network.model import NetworkPlan

POOL_WARN_RATIO = 0.8
PRODUCTION_RETENTION_DAYS = 365

Rule = Callable[[NetworkPlan], list[Finding]]


def default_sg_closed(plan: NetworkPlan) -> list[Finding]:
    """FSBP EC2.2: every VPC's default security group is managed and has no rules."""
    out = []
    for v in plan.vpcs:
        sg = v.default_security_group
        if sg is None or sg.ingress or sg.egress:
            out.append(
                Finding(
                    "FSBP.EC2.2",
                    "error",
                    v.name,
                    "the default security group is not closed",
                    "manage it with no ingress and no egress rules",
                )
            )
    return out


def flow_logs_on(plan: NetworkPlan) -> list[Finding]:
    """FSBP EC2.6: flow logs on every VPC."""
    severity: Severity = "error" if plan.production else "warning"
    return [
        Finding(
            "FSBP.EC2.6",
            severity,
            v.name,
            "VPC flow logs are off",
            "set flowLogs.enabled: true (REJECT traffic at least)",
        )
        for v in plan.vpcs
        if v.flow_log is None
    ]


def production_log_retention(plan: NetworkPlan) -> list[Finding]:
    """SEC04-BP01: a production stack keeps its flow logs at least a year.

    A warning, not an error: a year is the usual audit baseline (PCI DSS 10.5.1, many
    internal policies), but teams that ship flow logs to a SIEM may keep them there; the
    reviewer decides, the plan does not fail. S3 retention is the bucket's lifecycle.
    """
    if not plan.production:
        return []
    return [
        Finding(
            "SEC04.LOG-RETENTION",
            "warning",
            v.name,
            f"flow logs are kept {v.flow_log.retention_days} days in a production stack "
            f"(less than {PRODUCTION_RETENTION_DAYS})",
            f"set flowLogs.retentionDays: {PRODUCTION_RETENTION_DAYS} or more, or keep them "
            "in an archive (destination: s3) with its own lifecycle",
        )
        for v in plan.vpcs
        if v.flow_log is not None
        and v.flow_log.destination == "cloudwatch"
        and v.flow_log.retention_days < PRODUCTION_RETENTION_DAYS
    ]


def no_public_ip_on_launch(plan: NetworkPlan) -> list[Finding]:
    """FSBP EC2.15: subnets never auto-assign public IPs."""
    return [
        Finding(
            "FSBP.EC2.15",
            "error",
            v.name,
            "subnets auto-assign public IPv4 addresses",
            "set map_public_ip_on_launch to false",
        )
        for v in plan.vpcs
        if v.map_public_ip_on_launch
    ]


def tgw_no_auto_accept(plan: NetworkPlan) -> list[Finding]:
    """FSBP EC2.23: the TGW does not auto-accept shared attachments."""
    if plan.transit_gateway.auto_accept_shared_attachments:
        return [
            Finding(
                "FSBP.EC2.23",
                "error",
                plan.transit_gateway.name,
                "the Transit Gateway auto-accepts shared attachments",
                "set transitGateway.autoAcceptSharedAttachments: false",
            )
        ]
    return []


def tgw_subnets(plan: NetworkPlan) -> list[Finding]:
    """TGW attachments sit on dedicated /28 subnets, one per AZ, in their own route table."""
    out = []
    for att in plan.transit_gateway.attachments:
        vpc = plan.vpc(att.vpc)
        subnets = [vpc.subnet(s) for s in att.subnets]
        if len({s.slot for s in subnets}) != len(plan.availability_zones):
            out.append(
                Finding(
                    "TGW.SUBNET-PER-AZ",
                    "error",
                    att.name,
                    "the attachment lacks a subnet in some AZ, which then cannot reach the TGW",
                    "attach one transit subnet per AZ",
                )
            )
        for s in subnets:
            if IPNetwork(s.cidr).prefixlen != 28:
                out.append(
                    Finding(
                        "TGW.SUBNET-28",
                        "error",
                        s.name,
                        f"attachment subnet is {s.cidr}, not a /28",
                        "use a dedicated /28 per AZ",
                    )
                )
            table = vpc.route_table(s.route_table)
            others = [n for n in table.subnets if vpc.subnet(n).tier != "transit"]
            if s.tier != "transit" or others:
                out.append(
                    Finding(
                        "TGW.SUBNET-DEDICATED",
                        "error",
                        s.name,
                        "attachment subnet is shared with workloads",
                        "keep transit subnets and their route tables dedicated",
                    )
                )
    return out


def spare_az_slot(plan: NetworkPlan) -> list[Finding]:
    """REL02-BP03: each VPC keeps room for one more AZ."""
    return [
        Finding(
            "REL02.SPARE-AZ",
            "warning",
            v.name,
            f"all {v.az_slots} AZ slots are used; no room for another AZ",
            "plan a new VPC before adding an AZ",
        )
        for v in plan.vpcs
        if v.az_slots and v.az_slots <= len(plan.availability_zones)
    ]


def pool_utilisation(plan: NetworkPlan) -> list[Finding]:
    """Warn when the stack's pool is more than 80% allocated."""
    if plan.pool_utilisation > POOL_WARN_RATIO:
        return [
            Finding(
                "IPAM.POOL-UTILISATION",
                "warning",
                plan.pool_name,
                f"pool {plan.pool_name} is {plan.pool_utilisation:.0%} allocated",
                "add a pool or free unused VPCs before it runs out",
            )
        ]
    return []


def public_pool(plan: NetworkPlan) -> list[Finding]:
    """A publicly routable pool works in a VPC but shadows that public range for every VPC."""
    if not is_publicly_routable(IPNetwork(plan.pool_cidr)):
        return []
    return [
        Finding(
            "IPAM.PUBLIC-POOL",
            "warning",
            plan.pool_name,
            f"pool {plan.pool_name} ({plan.pool_cidr}) is publicly routable space: the VPCs "
            "can no longer reach whoever owns it on the internet",
            "use RFC 1918 or 100.64.0.0/10 space unless your organisation owns this range",
        )
    ]


def production_egress(plan: NetworkPlan) -> list[Finding]:
    """REL11-BP05: production needs NAT per AZ (static stability)."""
    if plan.production and plan.egress != "nat-per-az":
        return [
            Finding(
                "REL11.PROD-EGRESS",
                "error",
                "hub",
                f"egress '{plan.egress}' in a production stack",
                "use hub.egress: nat-per-az so losing one AZ never breaks another",
            )
        ]
    return []


def production_alarms(plan: NetworkPlan) -> list[Finding]:
    """REL06 / DESIGN §3.13: a production network pages someone when NAT or TGW fail."""
    if plan.production and plan.monitoring is None:
        return [
            Finding(
                "OPS.NO-ALARMS",
                "warning",
                plan.stack,
                "a production stack without alarms: NAT gateway and Transit Gateway "
                "failures notify nobody",
                "add alarms: {topic: <name>, email: [<on-call address>]} to the stack",
            )
        ]
    return []


RULES: tuple[Rule, ...] = (
    default_sg_closed,
    flow_logs_on,
    production_log_retention,
    no_public_ip_on_launch,
    tgw_no_auto_accept,
    tgw_subnets,
    spare_az_slot,
    pool_utilisation,
    public_pool,
    production_egress,
    production_alarms,
)


def evaluate(plan: NetworkPlan) -> list[Finding]:
    """Run every policy rule on the plan."""
    return [f for rule in RULES for f in rule(plan)]
