"""The offline plan: spec -> allocate (record) -> NetworkPlan -> checks -> mock run -> report.

Recording new allocations happens as soon as allocation succeeds (unless --frozen), so a
later failing check still leaves the lock the pull request needs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

import pulumi
from netaddr import IPNetwork

from foundation.addresses.allocation import (
    allocate,
    lock_problems,
    merged_lock,
    pool_use,
    read_only_allocation,
)
from foundation.config.spec import StackSpec
from foundation.config.workspace import Workspace
from foundation.config.yamlio import load_yaml
from foundation.errors import FoundationError, InputError
from foundation.live.quotas.decide import QuotaRow, decide, quota_findings
from foundation.live.quotas.planned import planned_usage
from foundation.network.analysis import policy, reachability
from foundation.network.analysis.findings import sort_findings
from foundation.network.analysis.routing import Router
from foundation.network.build import build_plan
from foundation.network.model import NetworkPlan
from foundation.network.stack_plan import offline_azs
from foundation.offline.mockrun import run_program
from foundation.reports.model import PlanReport, Resources
from ipam.errors import LockError
from ipam.lock import read_lock

PROGRAM = Path(__file__).resolve().parents[2] / "__main__.py"
LiveQuotas = Callable[[StackSpec, NetworkPlan], list[QuotaRow]]


def build_report(
    workspace: Workspace, stack: str, frozen: bool = False, live_quotas: LiveQuotas | None = None
) -> PlanReport:
    """Run the whole offline plan of one stack and return the report.

    Raises:
        InputError: bad input (exit 2); the lock is unchanged.
    """
    spec, addresses = workspace.load(stack)
    try:
        if frozen:
            committed = read_lock(workspace.lock_path)
            allocation = read_only_allocation(spec, addresses, committed)
            written = False
            lock: Mapping[str, IPNetwork] = merged_lock(committed, allocation)
        else:
            result = allocate(spec, addresses, workspace.lock_path, write=True)
            allocation, written, lock = result.allocation, result.lock_written, result.lock
    except LockError as exc:
        raise InputError(lock_problems(exc)) from None
    pool = str(addresses.pools[spec.network.pool])
    plan = build_plan(spec, allocation, offline_azs(spec), pool, *pool_use(spec, addresses, lock))

    router = Router(plan)
    pairs = reachability.matrix(plan, router)
    paths = reachability.egress(plan, router=router)
    impacts = reachability.az_failure(plan, router, pairs, paths)
    findings = policy.evaluate(plan)
    findings += reachability.reachability_findings(plan, pairs, paths, impacts)
    if live_quotas is not None:
        quotas, live = live_quotas(spec, plan), True
    else:
        quotas, live = decide(planned_usage(plan), {}, {}, spec.network.quotas.headroom), False
    findings += quota_findings(quotas, live=live)
    resources = mock_resources(workspace, spec)
    return PlanReport(
        plan=plan,
        findings=tuple(sort_findings(findings)),
        quotas=tuple(quotas),
        quota_mode="live" if live else "offline",
        resources=resources,
        pairs=tuple(pairs),
        segment_matrix=reachability.segment_matrix(plan, pairs),
        egress=tuple(paths),
        az_impacts=tuple(impacts),
        lock_written=written,
        frozen_missing=tuple(sorted(allocation.new)) if frozen else (),
        frozen_stale=tuple(sorted(allocation.freed)) if frozen else (),
    )


def mock_resources(workspace: Workspace, spec: StackSpec) -> Resources:
    """Run the real program under the mock engine (as `pulumi preview`) and count resources."""
    config = load_yaml(workspace.stack_path(spec.name))["config"]
    try:
        recording = run_program(
            PROGRAM,
            spec.name,
            spec.region,
            config["foundation:network"],
            preview=True,
            offline=True,
            project_root=workspace.root,
        )
    except pulumi.RunError as exc:
        raise FoundationError.single(spec.source, "", f"the Pulumi program failed: {exc}") from None
    return Resources(
        total=len(recording.custom),
        by_type=recording.by_type(),
        by_component=recording.by_component(),
        exports=tuple(recording.exports),
    )
