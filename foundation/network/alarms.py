"""The alarm plan: which CloudWatch alarms watch which resource, with what thresholds.

One table (ALARM_KINDS) holds every alarm kind; the README's "Alarms" section repeats it.
Periods and evaluation windows are chosen so that an alarm means "act now", not "a packet
was lost once": missing data is never an alarm (a NAT gateway or TGW without traffic
publishes nothing).

The README's "Alarms" table is the readable form of ALARM_KINDS: kind, metric, statistic and
period, how many periods must breach, and why that threshold (one row per kind).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from foundation.config.spec import AlarmSpec
from foundation.network.model import Alarm, AlarmTopic, Monitoring, NatGateway, TransitGateway
from foundation.network.runbooks import runbook_link, runbook_path

NAT_NAMESPACE = "AWS/NATGateway"
TGW_NAMESPACE = "AWS/TransitGateway"
VPN_NAMESPACE = "AWS/VPN"
BELOW = {VPN_NAMESPACE}  # namespaces whose kinds alarm below the threshold


@dataclass(frozen=True)
class AlarmKind:
    """One row of the alarm table: metric, threshold, window, and what it means."""

    kind: str
    suffix: str  # appended to the subject's logical name to name the alarm
    namespace: str
    metric: str
    dimension: str
    statistic: str
    threshold: float
    period: int
    evaluation_periods: int
    datapoints_to_alarm: int
    meaning: str


ALARM_KINDS: tuple[AlarmKind, ...] = (
    AlarmKind(
        "ALARM.NAT-PORT-ALLOCATION",
        "port-allocation",
        NAT_NAMESPACE,
        "ErrorPortAllocation",
        "NatGatewayId",
        "Sum",
        0,
        60,
        3,
        3,
        "the NAT gateway could not allocate a source port: new connections to the internet "
        "are failing (too many concurrent connections to one destination)",
    ),
    AlarmKind(
        "ALARM.NAT-PACKET-DROP",
        "packet-drop",
        NAT_NAMESPACE,
        "PacketsDropCount",
        "NatGatewayId",
        "Sum",
        100,
        300,
        3,
        2,
        "the NAT gateway is dropping packets: internet egress of the AZs it serves is degraded",
    ),
    AlarmKind(
        "ALARM.TGW-NO-ROUTE",
        "no-route",
        TGW_NAMESPACE,
        "PacketDropCountNoRoute",
        "TransitGateway",
        "Sum",
        10,
        300,
        3,
        2,
        "the Transit Gateway drops packets that match no route: a route, association or "
        "propagation the segments need is missing",
    ),
    AlarmKind(
        "ALARM.TGW-BLACKHOLE",
        "blackhole",
        TGW_NAMESPACE,
        "PacketDropCountBlackhole",
        "TransitGateway",
        "Sum",
        3000,
        300,
        3,
        3,
        "the Transit Gateway drops a sustained rate of packets into the pool blackhole: "
        "something keeps trying to cross a segment bulkhead",
    ),
    AlarmKind(
        "ALARM.VPN-TUNNEL-DOWN",
        "tunnel-down",
        VPN_NAMESPACE,
        "TunnelState",
        "VpnId",
        "Minimum",
        1,
        300,
        3,
        2,
        "a tunnel of the Site-to-Site VPN connection is down (TunnelState below 1): "
        "on-premises traffic runs on the other tunnel or path, without redundancy",
    ),
)


def _alarm(kind: AlarmKind, stack: str, subject: str, what: str, base_url: str | None) -> Alarm:
    description = (
        f"{stack}: {what} {subject}: {kind.meaning}. Playbook: {runbook_link(kind.kind, base_url)}"
    )
    return Alarm(
        name=f"{subject}-{kind.suffix}",
        kind=kind.kind,
        namespace=kind.namespace,
        metric=kind.metric,
        dimension=kind.dimension,
        subject=subject,
        statistic=kind.statistic,
        comparison="GreaterThanThreshold",
        threshold=float(kind.threshold),
        period=kind.period,
        evaluation_periods=kind.evaluation_periods,
        datapoints_to_alarm=kind.datapoints_to_alarm,
        description=description[:1024],  # CloudWatch's limit for AlarmDescription
        runbook=runbook_path(kind.kind),
    )


def plan_monitoring(
    stack: str, spec: AlarmSpec | None, nats: tuple[NatGateway, ...], tgw: TransitGateway
) -> Monitoring | None:
    """The alarms of a stack: per NAT gateway and per TGW; None without an `alarms:` block."""
    if spec is None:
        return None
    base = spec.runbook_base_url
    alarms = [
        _alarm(k, stack, nat.name, "NAT gateway", base)
        for nat in nats
        for k in ALARM_KINDS
        if k.namespace == NAT_NAMESPACE
    ]
    alarms += [
        _alarm(k, stack, tgw.name, "Transit Gateway", base)
        for k in ALARM_KINDS
        if k.namespace == TGW_NAMESPACE
    ]
    alarms += [  # per VPN connection (§3.14): a tunnel down is lost redundancy
        replace(_alarm(k, stack, h.name, "VPN connection", base), comparison="LessThanThreshold")
        for h in tgw.hybrid
        if h.type == "vpn"
        for k in ALARM_KINDS
        if k.namespace in BELOW
    ]
    topic = AlarmTopic(
        name=f"{stack}-{spec.topic}" if spec.topic else None,
        arn=spec.topic_arn,
        logical_name=spec.topic or "alarms-topic",
        emails=tuple(spec.email),
    )
    return Monitoring(topic, tuple(alarms), base)
