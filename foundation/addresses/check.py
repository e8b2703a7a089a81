"""`ipam check`: the address plan and the lock of every stack, validated together."""

from __future__ import annotations

import json
from pathlib import Path

from foundation.addresses.allocation import empty_lock_warning, lock_error, stack_request
from foundation.config.address_plan import load_address_plan
from foundation.config.peer_set import all_peering_problems
from foundation.config.spec import StackSpec
from foundation.config.workspace import Workspace
from foundation.errors import InputError, Problem
from ipam.audit import audit, pool_usage
from ipam.errors import LockError
from ipam.lock import LockFile, read_lock_file, stack_name_problem


def run_check(project: Path, fmt: str) -> tuple[str, int]:
    """Audit the lock against all stacks; returns (report, exit code).

    Raises:
        InputError: a stack file, the address plan or the lock is unreadable (exit 2).
    """
    workspace = Workspace(project)
    problems: list[Problem] = []
    try:
        addresses = load_address_plan(workspace.address_plan_path)
    except InputError as exc:
        problems += exc.problems
        addresses = None
    stack_pools: dict[str, str] = {}
    specs: dict[str, StackSpec] = {}
    expected: dict[str, set[str]] = {}
    az_lists: dict[str, tuple[str, ...]] = {}
    notes = [
        f"ignored stacks/Pulumi.{name}.yaml: '{name}' {stack_name_problem(name)}"
        for name in workspace.config_names()
        if stack_name_problem(name)
    ]
    for name in workspace.stack_names():
        try:
            spec = workspace.load_stack(name)
        except InputError as exc:
            problems += exc.problems
            continue
        stack_pools[name] = spec.network.pool
        specs[name] = spec
        if not isinstance(spec.network.availability_zones, int):
            az_lists[name] = tuple(spec.network.availability_zones)
    problems += all_peering_problems(specs, set(workspace.stack_names()))  # DESIGN §3.9
    try:
        lock_file = read_lock_file(workspace.lock_path)
    except LockError as exc:
        problems += lock_error(exc).problems
        lock_file = LockFile()
    if problems or addresses is None:
        raise InputError(problems)
    lock = lock_file.entries
    for name, spec in specs.items():  # the VPCs plan allocates: hub, spokes, inspection, services
        if spec.network.pool in addresses.pools:
            expected[name] = {vpc.name for vpc in stack_request(spec, addresses).vpcs}
        else:  # an unknown pool is reported by the audit; its spokes are not stale
            expected[name] = {"hub", *spec.network.spokes}
    warning = empty_lock_warning(addresses, lock_file)
    if warning and stack_pools:
        notes.append(f"warning: {warning}")
    reserved = [(r.cidr, r.reason) for r in addresses.reserved]
    found = audit(
        lock, addresses.pools, reserved, stack_pools, expected, lock_file.az_slots, az_lists
    )
    usage = pool_usage(addresses.pools, [r.cidr for r in addresses.reserved], lock)
    if fmt == "json":
        doc = {
            "schema": "foundation/ipam-check@1",
            "ok": not found,
            "problems": [{"path": p.path, "message": p.message, "fix": p.fix} for p in found],
            "notes": notes,
            "pools": [
                {
                    "name": u.name,
                    "cidr": str(u.cidr),
                    "allocatable": u.allocatable,
                    "allocated": u.allocated,
                    "vpcs": u.vpcs,
                    "utilisation": round(u.ratio, 4),
                }
                for u in usage
            ],
        }
        return json.dumps(doc, indent=2) + "\n", 1 if found else 0
    lines = [
        f"{len(lock)} lock entries across {len(stack_pools)} stacks, "
        f"{len(addresses.pools)} pools, {len(addresses.reserved)} reserved ranges"
    ]
    lines += notes
    lines += [
        f"pool {u.name:<14} {u.cidr!s:<16} {u.vpcs:>3} VPCs  "
        f"{u.allocated:>9} of {u.allocatable:>9} addresses allocated ({u.ratio:.1%})"
        for u in usage
    ]
    if found:
        lines.append(f"{len(found)} problems:")
        lines += [f"  {p.path}: {p.message}. Fix: {p.fix}" for p in found]
    else:
        lines.append("ok: no overlaps, every entry inside its pool and parent, none reserved")
    return "\n".join(lines) + "\n", 1 if found else 0
