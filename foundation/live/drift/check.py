"""The drift check: plan -> expected Items, AWS -> observed Items, diff, ignore, status."""

from __future__ import annotations

from botocore.exceptions import ClientError

from foundation.config.spec import StackSpec
from foundation.live.accounts import Sessions, as_sessions, resolve_account_azs
from foundation.live.aws import Aws, client_error
from foundation.live.drift.diff import diff, ignored
from foundation.live.drift.expected import expected_items
from foundation.live.drift.model import DriftResult
from foundation.live.drift.observe import observe
from foundation.live.drift.peering import planned_regions
from foundation.live.drift.services import dns_conflicts, name_groups, observe_services
from foundation.network.build import with_azs
from foundation.network.model import NetworkPlan


def check_drift(
    spec: StackSpec, plan: NetworkPlan, aws: Aws | Sessions | None = None
) -> DriftResult:
    """Compare the live network with the plan (read-only), each account through its role."""
    sessions = as_sessions(spec, aws)
    plan = with_azs(plan, resolve_account_azs(sessions, spec))
    cidrs = {v.cidr for v in plan.vpcs}
    alarms = frozenset(a.name for a in plan.monitoring.alarms) if plan.monitoring else frozenset()
    onprem = plan.on_premises.cidrs if plan.on_premises else None
    live = observe(
        sessions, spec.name, plan.pool_cidr, cidrs, alarms, onprem, planned_regions(plan)
    )
    if not live.deployed:
        return DriftResult(spec.name, "not-deployed", (), sessions.api_calls)
    if plan.shared_services is not None:  # DESIGN §3.15, in the network account
        try:
            for item in observe_services(sessions.network, plan, live.ids, list(sessions)):
                live.add(item, item.account)
            name_groups(live.items, live.ids)
        except ClientError as exc:
            raise client_error(exc, "describe (drift, shared services)") from None
    everything = diff(spec.name, expected_items(plan), live.items)
    everything += dns_conflicts(plan, live.items)
    rules = list(spec.network.drift.ignore)
    kept = tuple(f for f in everything if not ignored(f, rules))
    return DriftResult(
        spec.name,
        "drift" if kept else "clean",
        kept,
        sessions.api_calls,
        ignored=len(everything) - len(kept),
    )
