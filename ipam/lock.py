"""The committed lock file: every allocated CIDR, sorted, written atomically under a lock.

Two branches allocating at once then collide in git (the same lines change) instead of in
AWS. A write goes to a temporary file in the same folder, is flushed to disk, and replaces
the lock in one rename, so a crash leaves the old file or the new one, never half of one.
Concurrent writers on one machine serialise on an flock of the folder itself (no stray
lock file is left behind).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path

import yaml
from netaddr import IPNetwork

from ipam.cidr import CidrError, parse_cidr
from ipam.errors import IpamProblem, LockError

KEY_RE = re.compile(r"^[A-Za-z0-9._-]+/[a-z][a-z0-9-]*(/az[0-9]+(/[a-z][a-z0-9]*)?)?$")
HEADER = (
    "# Written by `python -m foundation plan`: commit it, review it, never edit it by hand.\n"
    "# Every allocated CIDR, keyed <stack>/<vpc>[/az<slot>[/<tier>]], sorted.\n"
)


def read_lock(path: Path) -> dict[str, IPNetwork]:
    """Read the lock; a missing file is an empty lock.

    Raises:
        LockError: the file is not valid YAML or holds malformed keys or CIDRs.
    """
    if not path.exists():
        return {}
    name = f"{path.parent.name}/{path.name}"
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise LockError(
            [
                IpamProblem(
                    name,
                    f"not valid YAML ({exc})",
                    "restore it from git (git checkout -- stacks/"
                    "addresses.lock.yaml) and rerun plan",
                )
            ]
        ) from None
    if doc is None:
        return {}
    if not isinstance(doc, dict) or not isinstance(doc.get("allocations", {}), dict):
        raise LockError(
            [
                IpamProblem(
                    name,
                    "expected a mapping 'allocations: {key: cidr}'",
                    "restore it from git and rerun plan",
                )
            ]
        )
    out: dict[str, IPNetwork] = {}
    problems: list[IpamProblem] = []
    for key, value in (doc.get("allocations") or {}).items():
        if not KEY_RE.match(str(key)):
            problems.append(
                IpamProblem(
                    f"{name}: allocations.{key}",
                    "malformed key",
                    "keys look like dev/payments/az0/private",
                )
            )
            continue
        try:
            out[str(key)] = parse_cidr(value, 8, 28)
        except CidrError as exc:
            problems.append(IpamProblem(f"{name}: allocations.{key}", exc.message, exc.fix))
    if problems:
        raise LockError(problems)
    return out


def render_lock(entries: Mapping[str, IPNetwork]) -> str:
    """The lock's exact text: same entries, same bytes."""
    lines = [HEADER, "allocations:\n"] if entries else [HEADER, "allocations: {}\n"]
    lines += [f"  {key}: {entries[key]}\n" for key in sorted(entries)]
    return "".join(lines)


def write_lock(path: Path, entries: Mapping[str, IPNetwork]) -> bool:
    """Atomically replace the lock with `entries`; returns False when nothing changed."""
    text = render_lock(entries)
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    fd, tmp = tempfile.mkstemp(prefix=".addresses.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return True


@contextlib.contextmanager
def locked(folder: Path) -> Iterator[None]:
    """Hold an exclusive flock on the lock's folder for a read-allocate-write cycle."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
