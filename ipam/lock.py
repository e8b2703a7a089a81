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
from typing import Any

import yaml
from netaddr import IPNetwork

from ipam.cidr import CidrError, parse_cidr
from ipam.errors import IpamProblem, LockError

KEY_RE = re.compile(r"^[A-Za-z0-9._-]+/[a-z][a-z0-9-]*(/az[0-9]+(/[a-z][a-z0-9]*)?)?$")
MAX_DEPTH = 8  # the tool writes 2 levels
RESTORE = "restore it from git (git checkout -- stacks/addresses.lock.yaml) and rerun plan"
HEADER = (
    "# Written by `python -m foundation plan`: commit it, review it, never edit it by hand.\n"
    "# Every allocated CIDR, keyed <stack>/<vpc>[/az<slot>[/<tier>]], sorted.\n"
)


def parse_lock_text(data: bytes, name: str) -> Any:
    """Parse the lock's bytes as the plain YAML the tool writes, or raise LockError.

    The tool never writes anchors, aliases or tags, so any of them means a hand edit (or an
    attack: nested aliases expand exponentially); they are refused before anything is built.
    """

    def fail(where: str, message: str) -> LockError:
        return LockError([IpamProblem(f"{name}{where}", message, RESTORE)])

    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        at = data[: exc.start].count(b"\n") + 1
        raise fail(f": line {at}", f"not valid UTF-8 (byte offset {exc.start})") from None
    try:
        depth = 0
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            line = f": line {event.start_mark.line + 1}" if event.start_mark else ""
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                raise fail(line, "holds a YAML anchor or alias (never written by plan)")
            tag = getattr(event, "tag", None)  # set only when written explicitly
            if tag is not None:
                raise fail(line, f"holds a YAML tag {tag} (never written by plan)")
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    raise fail(line, f"nested deeper than {MAX_DEPTH} levels (plan writes 2)")
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise fail("", f"not valid YAML ({exc})") from None
    except (ValueError, OverflowError, RecursionError) as exc:
        raise fail("", f"not readable ({type(exc).__name__}: {exc})") from None


def read_lock(path: Path) -> dict[str, IPNetwork]:
    """Read the lock; a missing file is an empty lock.

    Raises:
        LockError: the file is not valid YAML or holds malformed keys or CIDRs.
    """
    if not path.exists():
        return {}
    name = f"{path.parent.name}/{path.name}"
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise LockError(
            [IpamProblem(name, f"cannot be read ({exc.strerror})", "make it readable")]
        ) from None
    doc = parse_lock_text(data, name)
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
    try:
        fd, tmp = tempfile.mkstemp(prefix=".addresses.", suffix=".tmp", dir=path.parent)
    except OSError as exc:  # a read-only folder: name the lock, not the temp file
        raise OSError(exc.errno, exc.strerror, str(path)) from None
    try:
        try:
            data = memoryview(text.encode("utf-8"))
            while data:  # os.write may write less than asked
                data = data[os.write(fd, data) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        if isinstance(exc, OSError):  # a full disk, a failing rename: name the lock
            raise OSError(exc.errno, exc.strerror, str(path)) from None
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
