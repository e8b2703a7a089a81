"""The drift check: plan -> expected Items, AWS -> observed Items, diff, ignore, status."""

from __future__ import annotations

from foundation.config.spec import StackSpec
from foundation.live.accounts import Sessions, as_sessions, resolve_account_azs
from foundation.live.aws import Aws
from foundation.live.drift.diff import diff, ignored
from foundation.live.drift.expected import expected_items
from foundation.live.drift.model import DriftResult
from foundation.live.drift.observe import observe
from foundation.live.drift.peering import planned_regions
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
    live = observe(sessions, spec.name, plan.pool_cidr, cidrs, alarms, planned_regions(plan))
    if not live.deployed:
        return DriftResult(spec.name, "not-deployed", (), sessions.api_calls)
    everything = diff(spec.name, expected_items(plan), live.items)
    rules = list(spec.network.drift.ignore)
    kept = tuple(f for f in everything if not ignored(f, rules))
    return DriftResult(
        spec.name,
        "drift" if kept else "clean",
        kept,
        sessions.api_calls,
        ignored=len(everything) - len(kept),
    )
