"""Network Firewall quotas of central inspection (DESIGN §3.10): planned and live usage.

Counted only when the plan has an inspection block (the catalogue marks these quotas
`optional`, so other stacks get no rows). Live usage lists the account's firewalls in the
Region, less this stack's own (matched by name: ListFirewalls returns names, not tags).
Existing policies and rule groups are not read: moto answers those lists with HTTP 500,
which the client retries as transient until its deadline; their rows count this plan only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from foundation.network.model import NetworkPlan

if TYPE_CHECKING:  # the offline plan imports this module: no AWS SDK at import time
    from foundation.live.aws import Aws

Usage = dict[str, dict[str, int]]


def planned_firewall_usage(plan: NetworkPlan) -> Usage:
    """The firewall, its policy, its rule groups and the capacity they take in the policy."""
    inspection = plan.inspection
    if inspection is None:
        return {}
    region = plan.region
    return {
        "firewalls": {region: 1},
        "firewall-policies": {region: 1},
        "firewall-rule-groups": {region: len(inspection.rule_groups)},
        "firewall-policy-capacity": {
            inspection.policy: sum(g.capacity for g in inspection.rule_groups)
        },
    }


def live_firewall_usage(aws: Aws, plan: NetworkPlan) -> Usage:
    """Firewalls that exist in the Region and are not this stack's."""
    from botocore.exceptions import ClientError

    inspection = plan.inspection
    if inspection is None:
        return {}
    ours = f"{plan.stack}-{inspection.firewall}"
    try:
        firewalls = list(aws.pages("network-firewall", "list_firewalls", "Firewalls"))
    except ClientError:
        return {}  # not answered: the row keeps existing 0 (the planned count still counts)
    names = [str(f.get("FirewallName", "")) for f in firewalls]
    return {"firewalls": {plan.region: sum(1 for n in names if n != ours)}}
