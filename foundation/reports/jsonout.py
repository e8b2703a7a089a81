"""The plan as JSON, schema `foundation/plan@1` (DESIGN §3.6); extra keys are additions."""

from __future__ import annotations

import json
from typing import Any

from foundation.network.model import Route, Vpc
from foundation.reports.hybrid import add_hybrid
from foundation.reports.inspection import inspection_json
from foundation.reports.model import PlanReport
from foundation.reports.services import services_document

SCHEMA = "foundation/plan@1"


def _route(r: Route) -> dict[str, Any]:
    target: dict[str, Any] = {"type": r.target.type}
    if r.target.name:
        target["name"] = r.target.name
    if r.target.az:
        target["az"] = r.target.az
    return {"destination": r.destination, "target": target}


def _vpc(v: Vpc) -> dict[str, Any]:
    return {
        "name": v.name,
        "role": v.role,
        "segment": v.segment,
        "cidr": v.cidr,
        "new": v.new,
        "azSlots": v.az_slots,
        "subnets": [
            {
                "name": s.name,
                "tier": s.tier,
                "az": s.az,
                "cidr": s.cidr,
                "routeTable": s.route_table,
                "usableAddresses": s.usable,
                "new": s.new,
                "mapPublicIpOnLaunch": v.map_public_ip_on_launch,
            }
            for s in v.subnets
        ],
        "routeTables": [
            {"name": t.name, "subnets": list(t.subnets), "routes": [_route(r) for r in t.routes]}
            for t in v.route_tables
        ],
        "natGateways": [
            {"name": n.name, "az": n.az, "subnet": n.subnet, "elasticIp": n.eip}
            for n in v.nat_gateways
        ],
        "internetGateway": v.internet_gateway is not None,
        "flowLog": None
        if v.flow_log is None
        else {
            "name": v.flow_log.name,
            "destination": v.flow_log.destination,
            "trafficType": v.flow_log.traffic_type,
            "retentionDays": v.flow_log.retention_days,
            "logGroup": v.flow_log.log_group if v.flow_log.destination == "cloudwatch" else None,
            "bucketArn": v.flow_log.bucket_arn,
            "kmsKey": "stack" if v.flow_log.kms_key else v.flow_log.kms_key_arn,
        },
        "gatewayEndpoints": [
            {"name": e.name, "service": e.service, "routeTables": list(e.route_tables)}
            for e in v.endpoints
        ],
        "account": v.account,
        "defaultSecurityGroup": None
        if v.default_security_group is None
        else {
            "name": v.default_security_group.name,
            "ingress": list(v.default_security_group.ingress),
            "egress": list(v.default_security_group.egress),
        },
    }


def operations(report: PlanReport) -> dict[str, Any]:
    """DESIGN §3.13: the alarms, their topic, and what cannot be recreated (protected)."""
    monitoring = report.plan.monitoring
    alarms = [] if monitoring is None else list(monitoring.alarms)
    return {
        "alarms": [
            {
                "name": a.name,
                "namespace": a.namespace,
                "metric": a.metric,
                "subject": a.subject,
                "dimension": a.dimension,
                "statistic": a.statistic,
                "comparison": a.comparison,
                "threshold": a.threshold,
                "period": a.period,
                "evaluationPeriods": a.evaluation_periods,
                "datapointsToAlarm": a.datapoints_to_alarm,
                "treatMissingData": a.treat_missing_data,
                "runbook": a.runbook,
            }
            for a in alarms
        ],
        "alarmTopic": None
        if monitoring is None
        else {
            "name": monitoring.topic.name,
            "arn": monitoring.topic.arn,
            "email": list(monitoring.topic.emails),
            "runbookBaseUrl": monitoring.runbook_base_url,
        },
        "protected": [{"type": t, "name": n} for t, n in report.resources.protected],
    }


def plan_document(report: PlanReport) -> dict[str, Any]:
    """The JSON-serialisable plan document."""
    plan = report.plan
    tgw = plan.transit_gateway
    doc: dict[str, Any] = {
        "schema": SCHEMA,
        "stack": plan.stack,
        "region": plan.region,
        "pool": {
            "name": plan.pool_name,
            "cidr": plan.pool_cidr,
            "utilisation": round(plan.pool_utilisation, 4),
        },
        "availabilityZones": list(plan.availability_zones),
        "availabilityZoneIds": plan.az_ids,
        "accounts": [{"name": a.name, "id": a.id} for a in plan.accounts],
        "egress": plan.egress,
        "vpcs": [_vpc(v) for v in plan.vpcs],
        "transitGateway": {
            "name": tgw.name,
            "asn": tgw.asn,
            "amazonSideAsn": tgw.asn,
            "autoAcceptSharedAttachments": tgw.auto_accept_shared_attachments,
            "defaultRouteTableAssociation": tgw.default_route_table_association,
            "defaultRouteTablePropagation": tgw.default_route_table_propagation,
            "attachments": [
                {
                    "name": a.name,
                    "vpc": a.vpc,
                    "subnets": list(a.subnets),
                    "account": a.account,
                    "applianceMode": a.appliance_mode,
                }
                for a in tgw.attachments
            ],
            "share": None
            if plan.share is None
            else {
                "principals": list(plan.share.principals),
                "acceptInvitations": bool(plan.share.accepters),
                "allowExternalPrincipals": plan.share.allow_external_principals,
            },
            "routeTables": [
                {
                    "name": t.name,
                    "associations": list(t.associations),
                    "propagations": list(t.propagations),
                    "staticRoutes": [
                        {"destination": s.destination, "blackhole": True}
                        if s.blackhole
                        else {"destination": s.destination, "attachment": s.attachment}
                        for s in t.static_routes
                    ],
                }
                for t in tgw.route_tables
            ],
        },
        "reachability": {
            "segments": report.segment_matrix,
            "pairs": [
                {
                    "source": p.source,
                    "target": p.target,
                    "reachable": p.reachable,
                    "intended": p.intended,
                    "inspected": p.inspected,
                }
                for p in report.pairs
            ],
            "egress": [
                {
                    "vpc": e.vpc,
                    "az": e.az,
                    "outcome": e.outcome,
                    "nat": e.nat,
                    "natAz": e.nat_az,
                    "returnPath": e.returns,
                    "inspected": e.inspected,
                }
                for e in report.egress
            ],
        },
        "azFailure": [
            {
                "az": i.az,
                "egressLostElsewhere": list(i.egress_lost_elsewhere),
                "connectivityLostElsewhere": list(i.connectivity_lost_elsewhere),
            }
            for i in report.az_impacts
        ],
        "quotas": [q.to_dict() for q in report.quotas],
        "quotaMode": report.quota_mode,
        "findings": [f.to_dict() for f in report.findings],
        "newAllocations": list(plan.new_allocations),
        "cidrs": {
            "allocated": [{"key": k, "cidr": c} for k, c in plan.allocated_cidrs],
            "released": [{"key": k, "cidr": c} for k, c in plan.released_allocations],
        },
        "frozenMissing": list(report.frozen_missing),
        "frozenStale": list(report.frozen_stale),
        "resources": {
            "total": report.resources.total,
            "byType": report.resources.by_type,
            "byComponent": report.resources.by_component,
            "byAccount": report.resources.by_account,
            "exports": list(report.resources.exports),
        },
        **operations(report),
        "inspection": inspection_json(report),
    }
    doc.update(services_document(report))  # DESIGN §3.15, only with shared services
    doc.update(_cost_and_diff(report))
    add_hybrid(doc, report)
    peering = peering_keys(report)
    if peering:
        doc["transitGateway"]["peerings"] = peering.pop("peerings")
        doc.update(peering)
    return doc


def peering_keys(report: PlanReport) -> dict[str, Any]:
    """DESIGN §3.9, only for a stack with peers (others keep their documents unchanged).

    `transitGateway.peerings` and `regionFailure`; remote pairs are already in
    `reachability.pairs`, named `<peerstack>/<spoke>`.
    """
    plan = report.plan
    peerings = plan.transit_gateway.peerings
    if not peerings:
        return {}
    return {
        "peerings": [
            {
                "name": p.name,
                "peerStack": p.peer_stack,
                "peerRegion": p.peer_region,
                "requester": p.requester,
                "state": p.state,
            }
            for p in peerings
        ],
        "remoteSpokes": [
            {
                "name": r.key,
                "stack": r.stack,
                "region": r.region,
                "segment": r.segment,
                "cidr": r.cidr,
            }
            for r in plan.remote_spokes
        ],
        "regionFailure": [
            {"region": r.region, "lost": list(r.lost)} for r in report.region_failure
        ],
    }


def _cost_and_diff(report: PlanReport) -> dict[str, Any]:
    """`cost` (every plan, §3.12) and `diff` (with --base, §3.11)."""
    out: dict[str, Any] = {}
    if report.cost is not None:
        out["cost"] = report.cost.to_dict()
    if report.diff is not None:
        out["diff"] = report.diff.to_dict()
    return out


def render_json(report: PlanReport) -> str:
    """Indented JSON with a trailing newline."""
    return json.dumps(plan_document(report), indent=2) + "\n"
