"""The base side of `plan --base REF`: the stack as of a git ref, planned with today's code.

The stack file, addresses.yaml and the lock are read at REF (foundation.offline.gitref) into
a temporary project folder outside the repository and planned frozen (the lock is only
read; missing entries are allocated in memory): nothing is written for the base. Every
problem names the ref, so a reviewer knows the base, not the change, is at fault.

The cheap steps that can refuse the base (ref, files, spec, lock, allocation) run first, in
the calling process, before the head writes anything; the expensive ones (the mock run and
the route walks) then run in a worker process beside the head's own mock run, so `--base`
costs one more mock run in CPU but little more in wall time on a machine with two cores.
"""

from __future__ import annotations

import multiprocessing
import shutil
import tempfile
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from pathlib import Path

from netaddr import IPNetwork

from foundation.addresses.allocation import allocate_in_memory, merged_lock_file, pool_use
from foundation.config.spec import StackSpec
from foundation.config.workspace import Workspace
from foundation.errors import FoundationError, InputError, Problem
from foundation.network.analysis.peering import cross_region
from foundation.network.analysis.reachability import PairResult
from foundation.network.build import build_plan
from foundation.network.model import NetworkPlan
from foundation.network.peering import peer_plans, peer_sides, with_peers
from foundation.network.stack_plan import offline_azs
from foundation.offline.gitref import BaseFiles, read_base
from foundation.offline.sides import Side, analyse, mock_run, offline_quotas, price
from ipam.errors import AllocationError, LockError
from ipam.lock import read_lock_file


def _at_ref(problems: list[Problem], ref: str) -> InputError:
    """The same problems, their source marked as the base ref's copy."""
    return InputError(
        [
            Problem(
                f"--base {ref}: {p.source} at {ref}",
                p.path,
                p.message,
                p.fix or f"fix it on {ref}, or choose another --base",
            )
            for p in problems
        ]
    )


def _write(root: Path, stack: str, files: BaseFiles) -> None:
    stacks = root / "stacks"
    stacks.mkdir()
    texts = {
        f"Pulumi.{stack}.yaml": files.stack,
        "addresses.yaml": files.addresses,
        "addresses.lock.yaml": files.lock,
    }
    for name, text in texts.items():
        if text is not None:
            (stacks / name).write_text(text, encoding="utf-8")


def _write_peers(project: Path, root: Path, stack: str, ref: str) -> None:
    """The stack files of the base's peers at `ref` (DESIGN §3.9): its plan reads them."""
    for peer in Workspace(root).load_stack(stack).network.peers:
        text = read_base(project, peer, ref).stack
        if text is not None and not (root / "stacks" / f"Pulumi.{peer}.yaml").exists():
            (root / "stacks" / f"Pulumi.{peer}.yaml").write_text(text, encoding="utf-8")


@dataclass(frozen=True)
class _Planned:
    """The base copy's spec and plan, before its mock run."""

    workspace: Workspace
    spec: StackSpec
    plan: NetworkPlan
    lock: dict[str, IPNetwork]


def _plan(root: Path, stack: str) -> _Planned:
    """Spec, lock and plan of the base copy (raises what the files get wrong)."""
    workspace = Workspace(root)
    spec, addresses = workspace.load(stack)
    committed = read_lock_file(workspace.lock_path)
    allocation = allocate_in_memory(spec, addresses, committed)
    lock = merged_lock_file(committed, allocation).entries
    plan = build_plan(
        spec,
        allocation,
        offline_azs(spec),
        str(addresses.pools[spec.network.pool]),
        *pool_use(spec, addresses, lock),
    )
    plan = with_peers(spec, plan, peer_sides(workspace, spec, addresses, lock))
    mine = {k: v for k, v in lock.items() if k.startswith(f"{stack}/")}
    return _Planned(workspace, spec, plan, mine)


def _remote_pairs(planned: _Planned) -> list[PairResult]:
    """Pairs to peered stacks' spokes at the ref (DESIGN §3.9), for reachability gained/lost."""
    if not planned.plan.transit_gateway.peerings:
        return []
    workspace, spec = planned.workspace, planned.spec
    _, addresses = workspace.load(spec.name)
    lock = read_lock_file(workspace.lock_path)
    peers = peer_plans(workspace, spec, addresses, planned.plan, lock, offline_azs)
    return cross_region(planned.plan, peers)[0]


def _refuse(exc: Exception, ref: str) -> InputError:
    """A problem of the base's files, as an InputError naming the ref."""
    if isinstance(exc, LockError):
        return _at_ref(
            [
                Problem(
                    "stacks/addresses.lock.yaml",
                    p.path.removeprefix("stacks/addresses.lock.yaml").lstrip(": "),
                    p.message,
                    f"the lock committed at {ref} must be valid: fix it there, or choose "
                    "another --base",
                )
                for p in exc.problems
            ],
            ref,
        )
    if isinstance(exc, AllocationError):
        return _at_ref(
            [Problem("stacks/addresses.lock.yaml", p.path, p.message, p.fix) for p in exc.problems],
            ref,
        )
    assert isinstance(exc, FoundationError)
    return _at_ref(exc.problems, ref)


def plan_side(root: str, stack: str) -> Side | list[Problem]:
    """The whole base side of the copy at `root` (runs in the worker process).

    Returns:
        The side, or the problems that stopped it (exceptions do not cross processes well).
    """
    try:
        planned = _plan(Path(root), stack)
        recording = mock_run(planned.workspace, planned.spec)
        remote = _remote_pairs(planned)
    except (FoundationError, AllocationError) as exc:
        return _problems(exc)
    analyses = analyse(planned.plan)
    return Side(
        spec=planned.spec,
        plan=planned.plan,
        lock=planned.lock,
        analyses=replace(analyses, pairs=analyses.pairs + remote),
        quotas=offline_quotas(planned.spec, planned.plan),
        recording=recording,
        cost=price(planned.plan, recording),
    )


def _problems(exc: FoundationError | AllocationError) -> list[Problem]:
    if isinstance(exc, FoundationError):
        return exc.problems
    return [Problem("stacks/addresses.lock.yaml", p.path, p.message, p.fix) for p in exc.problems]


@dataclass
class PendingBase:
    """A base being planned: its files, and the worker's future (None: stack absent)."""

    files: BaseFiles
    stack: str
    folder: str | None = None
    future: Future[Side | list[Problem]] | None = None
    pool: ProcessPoolExecutor | None = None

    def result(self) -> Side | None:
        """Wait for the base side; None when the stack is absent at the ref.

        Raises:
            InputError: the base could not be planned, naming the ref.
        """
        if self.folder is None:
            return None
        try:
            outcome: Side | list[Problem] | None = None
            if self.future is not None:
                try:
                    outcome = self.future.result()
                except BrokenProcessPool:  # the worker could not start here (e.g. no main
                    outcome = None  # guard in an embedding script): plan in this process
            if outcome is None:
                outcome = plan_side(self.folder, self.stack)
        finally:
            self.close()
        if isinstance(outcome, list):
            raise _at_ref(outcome, self.files.ref)
        return outcome

    def close(self) -> None:
        """Stop the worker and remove the temporary copy."""
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)


def start_base(project: Path, stack: str, ref: str, parallel: bool = True) -> PendingBase:
    """Check the base at `ref` now (refusing it before anything is written), then plan it.

    Args:
        project: the project folder (inside a git work tree).
        stack: the stack name.
        ref: the git ref as the user gave it.
        parallel: plan the base in a worker process while the caller plans the head.

    Raises:
        InputError: an unknown or malformed ref, or files at the ref that do not plan
            (a malformed lock, an invalid stack); exit 2 naming the ref.
    """
    files = read_base(project, stack, ref)
    if files.stack is None:
        return PendingBase(files, stack)
    if files.addresses is None:
        raise _at_ref(
            [
                Problem(
                    "stacks/addresses.yaml",
                    "",
                    f"missing at {ref} while stacks/Pulumi.{stack}.yaml exists there",
                    "choose a --base where the address plan exists",
                )
            ],
            ref,
        )
    folder = tempfile.mkdtemp(prefix="foundation-base-")
    pending = PendingBase(files, stack, folder)
    try:
        _write(Path(folder), stack, files)
        _write_peers(project, Path(folder), stack, ref)
        _plan(Path(folder), stack)
    except (FoundationError, AllocationError) as exc:
        pending.close()
        raise _refuse(exc, ref) from None
    if parallel:
        try:
            pending.pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
            pending.future = pending.pool.submit(plan_side, folder, stack)
        except OSError:  # no worker possible here: plan the base in this process later
            pending.pool = pending.future = None
    return pending
