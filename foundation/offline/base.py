"""The base side of `plan --base REF`: the stack as of a git ref, planned with today's code.

The stack file, addresses.yaml and the lock are read at REF (foundation.offline.gitref) into
a temporary project folder outside the repository, planned frozen (nothing written: the lock
is only read, missing entries are allocated in memory) and run once under the mock engine.
Every problem names the ref, so a reviewer knows the base, not the change, is at fault.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from foundation.addresses.allocation import merged_lock, pool_use, read_only_allocation
from foundation.config.workspace import Workspace
from foundation.errors import FoundationError, InputError, Problem
from foundation.network.build import build_plan
from foundation.network.stack_plan import offline_azs
from foundation.offline.gitref import BaseFiles, read_base
from foundation.offline.sides import Side, analyse, mock_run, offline_quotas, price
from ipam.errors import AllocationError, LockError
from ipam.lock import read_lock


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


def load_base(project: Path, stack: str, ref: str) -> tuple[BaseFiles, Side | None]:
    """Plan `stack` as of `ref`; the side is None when the stack is absent there (all is new).

    Raises:
        InputError: an unknown or malformed ref, or files at the ref that do not plan
            (a malformed lock, an invalid stack); exit 2 naming the ref.
    """
    files = read_base(project, stack, ref)
    if files.stack is None:
        return files, None
    if files.addresses is None:
        raise _at_ref(
            [
                Problem(
                    "stacks/addresses.yaml",
                    "",
                    f"missing at {ref} while stacks/Pulumi.{stack}.yaml exists there",
                    f"choose a --base where the address plan exists, e.g. the merge base of {ref}",
                )
            ],
            ref,
        )
    with tempfile.TemporaryDirectory(prefix="foundation-base-") as tmp:
        workspace = Workspace(Path(tmp))
        _write(workspace.root, stack, files)
        try:
            spec, addresses = workspace.load(stack)
            committed = read_lock(workspace.lock_path)
            allocation = read_only_allocation(spec, addresses, committed)
            lock = merged_lock(committed, allocation)
            plan = build_plan(
                spec,
                allocation,
                offline_azs(spec),
                str(addresses.pools[spec.network.pool]),
                *pool_use(spec, addresses, lock),
            )
            recording = mock_run(workspace, spec)
        except LockError as exc:
            raise _at_ref(
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
            ) from None
        except AllocationError as exc:
            raise _at_ref(
                [
                    Problem("stacks/addresses.lock.yaml", p.path, p.message, p.fix)
                    for p in exc.problems
                ],
                ref,
            ) from None
        except FoundationError as exc:
            raise _at_ref(exc.problems, ref) from None
    return files, Side(
        spec=spec,
        plan=plan,
        lock={k: v for k, v in lock.items() if k.startswith(f"{stack}/")},
        analyses=analyse(plan),
        quotas=offline_quotas(spec, plan),
        recording=recording,
        cost=price(plan, recording),
    )
