"""Central inspection in the plan JSON (DESIGN §3.10): the firewall and its proofs."""

from __future__ import annotations

from typing import Any

from foundation.network.model import RULE_ORDER
from foundation.reports.model import PlanReport


def inspection_json(report: PlanReport) -> dict[str, Any] | None:
    """`inspection`: firewall, endpoints, policy, rules, and the symmetry/AZ-loss analysis."""
    inspection = report.plan.inspection
    if inspection is None:
        return None
    analysis = report.inspection
    attachment = next(a for a in report.plan.transit_gateway.attachments if a.vpc == inspection.vpc)
    return {
        "vpc": inspection.vpc,
        "firewall": inspection.firewall,
        "policy": inspection.policy,
        "endpoints": [{"az": e.az, "subnet": e.subnet} for e in inspection.endpoints],
        "applianceMode": attachment.appliance_mode,
        "eastWest": inspection.east_west,
        "egress": inspection.egress,
        "withinSegment": inspection.within_segment,
        "allowDomains": None
        if inspection.allow_domains is None
        else list(inspection.allow_domains),
        "homeNet": list(inspection.home_net),
        "ruleOrder": RULE_ORDER,
        "defaultActions": list(inspection.default_actions),
        "segmentPairs": [list(p) for p in inspection.segment_pairs],
        "ruleGroups": [
            {
                "name": g.name,
                "priority": g.priority,
                "capacity": g.capacity,
                "ipSets": {k: list(v) for k, v in g.ip_sets},
                "rules": list(g.rules),
            }
            for g in inspection.rule_groups
        ],
        "logs": [
            {"type": log.log_type, "logGroup": log.log_group, "retentionDays": log.retention_days}
            for log in inspection.logs
        ],
        "deleteProtection": inspection.delete_protection,
        "symmetric": None if analysis is None else analysis.symmetric,
        "flowsChecked": None if analysis is None else analysis.flows_checked,
        "asymmetries": []
        if analysis is None
        else [
            {
                "source": a.source,
                "target": a.target,
                "sourceAz": a.source_az,
                "targetAz": a.target_az,
                "flowAz": a.flow_az,
                "forward": list(a.forward),
                "reply": list(a.reply),
                "replyOutcome": a.reply_outcome,
            }
            for a in analysis.asymmetries
        ],
        "azFailure": []
        if analysis is None
        else [
            {
                "az": loss.az,
                "inFlightShare": loss.in_flight_share,
                "lostElsewhere": list(loss.lost_elsewhere),
            }
            for loss in analysis.az_loss
        ],
    }
