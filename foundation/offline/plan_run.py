"""The offline plan: spec -> allocate (record) -> NetworkPlan -> checks -> mock run -> report.

Recording new allocations happens as soon as allocation succeeds (unless --frozen), so a
later failing check still leaves the lock the pull request needs. With `--base REF` the
base is planned first, before anything is written: a bad ref leaves every file as it was.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from netaddr import IPNetwork

from foundation.addresses.allocation import allocate, merged_lock, pool_use, read_only_allocation
from foundation.config.address_plan import AddressPlan
from foundation.config.spec import StackSpec
from foundation.config.workspace import Workspace
from foundation.errors import InputError, Problem
from foundation.live.quotas.decide import QuotaRow, quota_findings
from foundation.network.analysis import policy, reachability
from foundation.network.analysis.findings import sort_findings
from foundation.network.build import build_plan
from foundation.network.model import NetworkPlan
from foundation.network.stack_plan import offline_azs
from foundation.offline.sides import PROGRAM, Side, analyse, mock_run, offline_quotas, price
from foundation.reports.model import PlanReport, Resources
from ipam.errors import AllocationError
from ipam.lock import read_lock

if TYPE_CHECKING:
    from foundation.offline.base import PendingBase

__all__ = ["PROGRAM", "LiveQuotas", "build_report", "mock_resources"]

LiveQuotas = Callable[[StackSpec, NetworkPlan], list[QuotaRow]]


def build_report(
    workspace: Workspace,
    stack: str,
    frozen: bool = False,
    live_quotas: LiveQuotas | None = None,
    base: str | None = None,
) -> PlanReport:
    """Run the whole offline plan of one stack and return the report.

    Args:
        workspace: the project folder.
        stack: the stack name.
        frozen: never write the lock; missing entries fail the check.
        live_quotas: read quotas from the account instead of AWS defaults.
        base: a git ref to compare with (`--base`); None plans the head alone.

    Raises:
        InputError: bad input (exit 2); the lock is unchanged.
    """
    spec, addresses = workspace.load(stack)
    pending = None
    if base is not None:
        from foundation.offline.base import start_base

        pending = start_base(workspace.root, stack, base)  # refuses a bad base before any write
    try:
        return _report(workspace, spec, addresses, frozen, live_quotas, pending)
    finally:
        if pending is not None:
            pending.close()


def _report(
    workspace: Workspace,
    spec: StackSpec,
    addresses: AddressPlan,
    frozen: bool,
    live_quotas: LiveQuotas | None,
    pending: PendingBase | None,
) -> PlanReport:
    """The head's plan; with a pending base, the lock is written only once the base planned."""
    try:
        if frozen or pending is not None:
            committed = read_lock(workspace.lock_path)
            allocation = read_only_allocation(spec, addresses, committed)
            written = False
            lock: Mapping[str, IPNetwork] = merged_lock(committed, allocation)
        else:
            result = allocate(spec, addresses, workspace.lock_path, write=True)
            allocation, written, lock = result.allocation, result.lock_written, result.lock
    except AllocationError as exc:
        raise InputError(
            [Problem("stacks/addresses.lock.yaml", p.path, p.message, p.fix) for p in exc.problems]
        ) from None
    pool = str(addresses.pools[spec.network.pool])
    plan = build_plan(spec, allocation, offline_azs(spec), pool, *pool_use(spec, addresses, lock))

    analyses = analyse(plan)
    pairs, paths, impacts = analyses.pairs, analyses.egress, analyses.impacts
    findings = policy.evaluate(plan)
    findings += reachability.reachability_findings(plan, pairs, paths, impacts)
    if live_quotas is not None:
        quotas, live = live_quotas(spec, plan), True
    else:
        quotas, live = offline_quotas(spec, plan), False
    findings += quota_findings(quotas, live=live)
    recording = mock_run(workspace, spec)
    resources = Resources(
        total=len(recording.custom),
        by_type=recording.by_type(),
        by_component=recording.by_component(),
        exports=tuple(recording.exports),
    )
    cost = price(plan, recording)
    diff = None
    if pending is not None:
        from foundation.offline.change import diff_sides

        base_side = pending.result()  # a base that fails here stops before the write below
        if not frozen:
            written = allocate(spec, addresses, workspace.lock_path, write=True).lock_written
        head = Side(
            spec=spec,
            plan=plan,
            lock={k: v for k, v in lock.items() if k.startswith(f"{spec.name}/")},
            analyses=analyses,
            quotas=quotas if not live else offline_quotas(spec, plan),
            recording=recording,
            cost=cost,
        )
        diff, diff_findings = diff_sides(pending.files, base_side, head)
        findings += diff_findings
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
        cost=cost,
        diff=diff,
    )


def mock_resources(workspace: Workspace, spec: StackSpec) -> Resources:
    """Run the real program under the mock engine (as `pulumi preview`) and count resources."""
    recording = mock_run(workspace, spec)
    return Resources(
        total=len(recording.custom),
        by_type=recording.by_type(),
        by_component=recording.by_component(),
        exports=tuple(recording.exports),
    )
