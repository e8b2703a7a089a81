"""The offline plan: spec -> check the lock -> allocate -> NetworkPlan -> checks -> mock run.

Everything that can fail with exit 2 is decided while the lock is only read; the caller
renders the report inside `planned(...)`, and only when that succeeds is the lock written
(last, before the report), so a command that exits 2 changes no file. The flock is held
for the whole cycle, so two plans never allocate from the same snapshot of the lock.
`plan` still records its allocations when a later *check* fails (exit 1). With `--base REF`
the base is checked before anything else and planned beside the head; a base that fails
stops the cycle before the lock is written.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING

from foundation.addresses.allocation import (
    allocate_in_memory,
    empty_lock_warning,
    lock_changes,
    merged_lock_file,
    pool_use,
    read_lock_checked,
    record,
)
from foundation.config.spec import StackSpec
from foundation.config.workspace import Workspace
from foundation.live.quotas.decide import QuotaRow, quota_findings
from foundation.network.analysis import peering as peered
from foundation.network.analysis import policy, reachability
from foundation.network.analysis.findings import sort_findings
from foundation.network.analysis.hybrid import analyse_hybrid, hybrid_findings
from foundation.network.analysis.inspection import analyse_inspection, inspection_findings
from foundation.network.analysis.services import (
    forward_reach,
    forward_shadowing,
    services_findings,
    services_reach,
)
from foundation.network.build import build_plan
from foundation.network.model import NetworkPlan
from foundation.network.peering import peer_plans, peer_sides, with_peers
from foundation.network.stack_plan import offline_azs
from foundation.offline.mockrun import Recording
from foundation.offline.sides import PROGRAM, Side, analyse, mock_run, offline_quotas, price
from foundation.reports.model import PlanReport, Resources
from ipam.layout import Allocation
from ipam.lock import LockFile, locked

if TYPE_CHECKING:
    from foundation.offline.base import PendingBase

__all__ = ["PROGRAM", "LiveQuotas", "build_report", "mock_resources", "planned"]

LiveQuotas = Callable[[StackSpec, NetworkPlan], list[QuotaRow]]


@contextlib.contextmanager
def planned(
    workspace: Workspace,
    stack: str,
    frozen: bool = False,
    live_quotas: LiveQuotas | None = None,
    on_wait: Callable[[], None] | None = None,
    base: str | None = None,
) -> Iterator[PlanReport]:
    """Plan one stack under the lock; record the allocation when the caller's block succeeds.

    Args:
        workspace: the project.
        stack: the stack name.
        frozen: never write the lock; missing entries fail the check (exit 1).
        live_quotas: quota rows from the account (`--live`), None for offline defaults.
        on_wait: called when another process has held the lock for a second.
        base: a git ref to compare with (`--base`); None plans the head alone.

    Raises:
        InputError: bad input (exit 2); the lock is unchanged.
    """
    spec, addresses = workspace.load(stack)
    pending: PendingBase | None = None
    if base is not None:
        from foundation.offline.base import start_base

        pending = start_base(workspace.root, stack, base)  # refuses a bad base before any write
    try:
        with locked(workspace.lock_path.parent, on_wait):
            committed = read_lock_checked(workspace.lock_path)
            allocation = allocate_in_memory(spec, addresses, committed)
            merged = merged_lock_file(committed, allocation)
            changes = lock_changes(committed, allocation)
            pool = str(addresses.pools[spec.network.pool])
            plan = build_plan(
                spec,
                allocation,
                offline_azs(spec),
                pool,
                *pool_use(spec, addresses, merged.entries),
            )
            plan = with_peers(spec, plan, peer_sides(workspace, spec, addresses, merged.entries))
            peers = peer_plans(workspace, spec, addresses, plan, merged, offline_azs)
            warning = empty_lock_warning(addresses, committed)
            report = _report(
                workspace,
                spec,
                plan,
                live_quotas,
                merged,
                pending,
                lock_written=changes and not frozen,
                frozen_missing=_frozen_missing(committed, allocation) if frozen else (),
                frozen_stale=tuple(sorted(allocation.freed)) if frozen else (),
                notes=(warning,) if warning else (),
                peers=peers,
            )
            yield report
            if changes and not frozen:
                record(workspace.lock_path, merged)
    finally:
        if pending is not None:
            pending.close()


def build_report(
    workspace: Workspace,
    stack: str,
    frozen: bool = False,
    live_quotas: LiveQuotas | None = None,
    base: str | None = None,
) -> PlanReport:
    """Run the whole offline plan of one stack (recording its allocation) and return the report.

    Raises:
        InputError: bad input (exit 2); the lock is unchanged.
    """
    with planned(workspace, stack, frozen, live_quotas, base=base) as report:
        return report


def _frozen_missing(committed: LockFile, allocation: Allocation) -> tuple[str, ...]:
    """What --frozen finds missing: new CIDR entries, and an AZ binding not yet recorded."""
    missing = sorted(allocation.new)
    bound = committed.az_slots.get(allocation.stack, {})
    missing += [
        f"azSlots.{allocation.stack}.{slot} ({az})"
        for slot, az in allocation.az_slots.items()
        if bound.get(slot) != az
    ]
    return tuple(missing)


def _report(
    workspace: Workspace,
    spec: StackSpec,
    plan: NetworkPlan,
    live_quotas: LiveQuotas | None,
    merged: LockFile,
    pending: PendingBase | None,
    lock_written: bool,
    frozen_missing: tuple[str, ...],
    frozen_stale: tuple[str, ...],
    notes: tuple[str, ...],
    peers: Mapping[str, NetworkPlan] | None = None,
) -> PlanReport:
    analyses = analyse(plan)
    pairs, paths, impacts = analyses.pairs, analyses.egress, analyses.impacts
    remote, losses = peered.cross_region(plan, peers or {})
    findings = policy.evaluate(plan)
    findings += peered.peering_findings(plan)
    findings += reachability.reachability_findings(
        plan, pairs + remote, paths, impacts, analyses.returns
    )
    hybrid = analyse_hybrid(plan)
    findings += hybrid_findings(plan, hybrid)
    reach = services_reach(plan)  # DESIGN §3.15: empty without shared services
    findings += services_findings(reach)
    findings += forward_shadowing(plan) + forward_reach(plan)
    inspection = analyse_inspection(plan)
    findings += inspection_findings(inspection)
    if live_quotas is not None:
        quotas, live = live_quotas(spec, plan), True
    else:
        quotas, live = offline_quotas(spec, plan), False
    findings += quota_findings(quotas, live=live)
    recording = mock_run(workspace, spec)
    cost = price(plan, recording)
    diff = None
    if pending is not None:
        from foundation.offline.change import diff_sides

        base_side = pending.result()  # a base that fails here stops before the lock is written
        head = Side(
            spec=spec,
            plan=plan,
            lock={k: v for k, v in merged.entries.items() if k.startswith(f"{spec.name}/")},
            analyses=replace(analyses, pairs=pairs + remote),  # remote: DESIGN §3.9
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
        resources=_resources(recording, plan),
        pairs=tuple(pairs + remote),
        segment_matrix=reachability.segment_matrix(plan, pairs),
        region_failure=tuple(losses),
        egress=tuple(paths),
        az_impacts=tuple(impacts),
        lock_written=lock_written,
        frozen_missing=frozen_missing,
        frozen_stale=frozen_stale,
        notes=notes,
        cost=cost,
        diff=diff,
        hybrid=hybrid,
        services_reach=tuple(reach),
        inspection=inspection,
    )


def _resources(recording: Recording, plan: NetworkPlan) -> Resources:
    return Resources(
        total=len(recording.custom),
        by_type=recording.by_type(),
        by_component=recording.by_component(),
        exports=tuple(recording.exports),
        by_account=recording.by_account({str(a.id): a.name for a in plan.accounts if a.id}),
        protected=tuple((r.type, r.name) for r in recording.protected()),
    )


def mock_resources(workspace: Workspace, spec: StackSpec, plan: NetworkPlan) -> Resources:
    """Run the real program under the mock engine (as `pulumi preview`) and count resources."""
    return _resources(mock_run(workspace, spec), plan)
