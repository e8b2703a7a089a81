"""The `sharedServices` key of the plan JSON (DESIGN §3.15), read by every report format."""

from __future__ import annotations

import re
from typing import Any

from foundation.network.model import NetworkPlan
from foundation.network.services_cost import savings
from foundation.reports.model import PlanReport


def services_document(report: PlanReport) -> dict[str, Any]:
    """`{"sharedServices": {...}}`, or nothing when the stack has no shared services."""
    plan = report.plan
    shared = plan.shared_services
    if shared is None:
        return {}
    saved = savings(plan)

    def resolver(endpoint: Any) -> Any:
        if endpoint is None:
            return None
        return {
            "name": endpoint.name,
            "addresses": [{"subnet": a.subnet, "ip": a.ip} for a in endpoint.addresses],
            "securityGroup": endpoint.security_group,
        }

    group = shared.endpoint_group
    return {
        "sharedServices": {
            "vpc": shared.vpc,
            "segments": list(shared.segments),
            "spokes": list(shared.spokes),
            "endpoints": [
                {
                    "service": e.service,
                    "name": e.name,
                    "serviceName": e.service_name,
                    "subnets": list(e.subnets),
                    "privateDns": e.private_dns,
                }
                for e in shared.endpoints
            ],
            "securityGroup": {
                "name": group.name,
                "ingress": [r.cidr for r in group.ingress],
                "port": 443,
            },
            "securityGroups": [
                {
                    "name": g.name,
                    "ingress": [f"{r.protocol}/{r.port} from {r.cidr}" for r in g.ingress],
                    "egress": [f"{r.protocol}/{r.port} to {r.cidr}" for r in g.egress],
                }
                for g in shared.security_groups
            ],
            "zones": [
                {
                    "name": z.domain,
                    "alias": z.service,
                    "wildcard": z.wildcard,
                    "vpcs": list(z.vpcs),
                }
                for z in shared.zones
            ],
            "resolver": {
                "inbound": shared.inbound is not None,
                "inboundEndpoint": resolver(shared.inbound),
                "outboundEndpoint": resolver(shared.outbound),
                "rules": [
                    {"domain": r.domain, "targets": list(r.targets), "vpcs": list(r.vpcs)}
                    for r in shared.rules
                ],
            },
            "reachability": [
                {
                    "vpc": r.vpc,
                    "reachable": r.reachable,
                    "intended": r.intended,
                    "outcome": r.outcome,
                }
                for r in report.services_reach
            ],
            "savings": None if saved is None else saved.to_dict(),
            "serviceList": {
                "source": shared.catalogue_source,
                "date": shared.catalogue_date,
            },
        }
    }


def services_diagram(plan: NetworkPlan, node: str, segments: bool = True) -> list[str]:
    """Mermaid lines for the services VPC and the segments it serves (none without it)."""
    shared = plan.shared_services
    if shared is None:
        return []
    vpc = plan.vpc(shared.vpc)
    box = f"{shared.vpc}_vpc"
    label = f"{shared.vpc} {vpc.cidr}<br/>{len(shared.endpoints)} interface endpoints"
    if shared.inbound or shared.outbound:
        label += "<br/>Route 53 Resolver"
    lines = [f'  {box}[("{label}")]', f'  {box} ---|"services table"| {node}']
    if segments:
        for seg in shared.segments:
            lines.append(f'  {box} -.-|"endpoints, DNS"| seg_{re.sub(r"[^A-Za-z0-9]", "_", seg)}')
    return lines
