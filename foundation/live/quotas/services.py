"""Live usage of the shared services' quotas (DESIGN §3.15); planned counts: `services_planned`.

Counters: interface endpoints per VPC, private hosted zones (per account), VPC
associations per zone, Resolver endpoints and rules (per Region). All live in the network
account; the catalogue marks them `optional`, so stacks without the block get no rows.
Live, what is not this stack's own counts as existing: Resolver endpoints and rules are
named `<stack>-...`, and our zones carry a comment starting `<stack>:`.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from foundation.live.aws import Aws, client_error
from foundation.network.model import NetworkPlan

Usage = dict[str, dict[str, int]]


def _mine(name: str | None, stack: str) -> bool:
    return bool(name) and str(name).startswith(f"{stack}-")


def services_existing(aws: Aws, plan: NetworkPlan) -> Usage:
    """Live usage of the same quotas that is not this stack's own (none without the block)."""
    if plan.shared_services is None:
        return {}
    stack, region = plan.stack, plan.region
    try:
        endpoints = list(
            aws.pages("route53resolver", "list_resolver_endpoints", "ResolverEndpoints")
        )
        rules = [
            r
            for r in aws.pages("route53resolver", "list_resolver_rules", "ResolverRules")
            if r.get("RuleType") != "RECURSIVE"  # the AWS-owned "Internet Resolver" rule
            and r.get("OwnerId") != "Route 53 Resolver"
        ]
        zones: list[dict[str, Any]] = []
        marker: str | None = None
        while True:
            page = aws.call(
                "route53", "list_hosted_zones", **({"Marker": marker} if marker else {})
            )
            zones += page.get("HostedZones", [])
            marker = page.get("NextMarker")
            if not page.get("IsTruncated") or not marker:
                break
    except ClientError as exc:
        raise client_error(exc, "route53 / route53resolver list") from None

    def ours(zone: dict[str, Any]) -> bool:
        return str(zone.get("Config", {}).get("Comment", "")).startswith(f"{stack}:")

    return {
        "resolver-endpoints": {
            region: sum(1 for e in endpoints if not _mine(e.get("Name"), stack))
        },
        "resolver-rules": {region: sum(1 for r in rules if not _mine(r.get("Name"), stack))},
        "hosted-zones": {region: sum(1 for z in zones if not ours(z))},
    }
