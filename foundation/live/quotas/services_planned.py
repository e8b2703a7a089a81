"""What the shared services (DESIGN §3.15) consume of their quotas, per scope (pure: no AWS)."""

from __future__ import annotations

from foundation.network.model import NetworkPlan

Usage = dict[str, dict[str, int]]


def services_planned(plan: NetworkPlan, account: str) -> Usage:
    """What the plan's shared services consume, per scope (nothing outside `network`)."""
    shared = plan.shared_services
    if shared is None or account != "network":
        return {}
    resolvers = [r for r in (shared.inbound, shared.outbound) if r is not None]
    return {
        "interface-endpoints": {shared.vpc: len(shared.endpoints)},
        "hosted-zones": {plan.region: len(shared.zones)},
        "zone-vpc-associations": {z.domain: len(z.vpcs) for z in shared.zones},
        "resolver-endpoints": {plan.region: len(resolvers)},
        "resolver-rules": {plan.region: len(shared.rules)},
    }
