"""The committed lock file: every allocated CIDR, sorted, written atomically under a lock.

Two branches allocating at once then collide in git (the same lines change) instead of in
AWS. A write goes to a temporary file beside the real file (the target of a symlinked lock),
is flushed to disk, takes the old file's mode, and replaces it in one rename, so a crash
leaves the old file or the new one, never half of one, and never a temp file. Concurrent
writers on one machine serialise on an flock of the folder itself (no stray lock file).

Two sections: ``allocations`` (lock key -> CIDR) and ``azSlots`` (stack -> AZ slot -> the
AZ the slot was first allocated for; only stacks with an explicit AZ list have one). Any
other top-level key is refused: the next write would silently drop it.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import stat
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from netaddr import IPNetwork

from ipam.cidr import CidrError, parse_cidr
from ipam.errors import IpamProblem, LockError

STACK_PATTERN = "[A-Za-z0-9][A-Za-z0-9_-]*(?:[.][A-Za-z0-9_-]+)*"
STACK_RE = re.compile(rf"^{STACK_PATTERN}\Z")
STACK_MAX = 64
KEY_RE = re.compile(rf"^{STACK_PATTERN}/[a-z][a-z0-9-]*(/az[0-9]+(/[a-z][a-z0-9]*)?)?\Z")
SECTIONS = ("allocations", "azSlots")
MAX_DEPTH = 8  # the tool writes 3 levels (azSlots.<stack>.<slot>)
RESTORE = "restore it from git (git checkout -- stacks/addresses.lock.yaml) and rerun plan"
HEADER = (
    "# Written by `python -m foundation plan`: commit it, review it, never edit it by hand.\n"
    "# Every allocated CIDR, keyed <stack>/<vpc>[/az<slot>[/<tier>]], sorted.\n"
)
AZ_HEADER = "# The AZ each slot of an explicit availabilityZones list was first allocated for.\n"
WAIT_NOTICE_AFTER = 1.0  # seconds before saying that another process holds the lock


def stack_name_problem(stack: str) -> str | None:
    """Why `stack` cannot be a stack name (a lock key prefix and a file name), or None."""
    if len(stack) > STACK_MAX:
        return f"is longer than {STACK_MAX} characters"
    if not STACK_RE.fullmatch(stack):
        return (
            "is not a valid stack name: use ASCII letters, digits, '-', '_' and single dots "
            f"between them (pattern {STACK_PATTERN})"
        )
    return None


@dataclass(frozen=True)
class LockFile:
    """The lock's two sections: CIDRs by lock key, and AZ slot bindings by stack."""

    entries: Mapping[str, IPNetwork] = field(default_factory=dict)
    az_slots: Mapping[str, Mapping[int, str]] = field(default_factory=dict)


def _problem(name: str, path: str, message: str, fix: str = RESTORE) -> IpamProblem:
    return IpamProblem(f"{name}: {path}" if path else name, message, fix)


def _duplicate_keys(node: yaml.Node, path: str, name: str, out: list[IpamProblem]) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            line = key_node.start_mark.line + 1
            child = f"{path}.{key}" if path else key
            if key in seen:
                out.append(
                    _problem(
                        name,
                        child,
                        f"duplicate key (line {line}; first at line {seen[key]}): YAML would "
                        "silently keep the last value, so the lock was edited by hand or "
                        "merged badly",
                    )
                )
            else:
                seen[key] = line
            _duplicate_keys(value_node, child, name, out)


def parse_lock_text(data: bytes, name: str) -> Any:
    """Parse the lock's bytes as the plain YAML the tool writes, or raise LockError.

    The tool never writes anchors, aliases or tags, so any of them means a hand edit (or an
    attack: nested aliases expand exponentially); they are refused before anything is built.
    A duplicated key (YAML silently keeps the last value) is refused too.
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        at = data[: exc.start].count(b"\n") + 1
        raise LockError(
            [_problem(name, f"line {at}", f"not valid UTF-8 (byte offset {exc.start})")]
        ) from None
    try:
        depth = 0
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            line = f"line {event.start_mark.line + 1}" if event.start_mark else ""
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                raise LockError(
                    [_problem(name, line, "holds a YAML anchor or alias (never written by plan)")]
                )
            tag = getattr(event, "tag", None)  # set only when written explicitly
            if tag is not None:
                raise LockError(
                    [_problem(name, line, f"holds a YAML tag {tag} (never written by plan)")]
                )
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    raise LockError(
                        [_problem(name, line, f"nested deeper than {MAX_DEPTH} levels")]
                    )
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        problems: list[IpamProblem] = []
        if node is not None:
            _duplicate_keys(node, "", name, problems)
        if problems:
            raise LockError(problems)
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise LockError([_problem(name, "", f"not valid YAML ({exc})")]) from None
    except (ValueError, OverflowError, RecursionError) as exc:
        raise LockError(
            [_problem(name, "", f"not readable ({type(exc).__name__}: {exc})")]
        ) from None


def _parse(path: Path, name: str) -> Any:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise LockError(
            [IpamProblem(name, f"cannot be read ({exc.strerror})", "make it readable")]
        ) from None
    return parse_lock_text(data, name)


def read_lock_file(path: Path) -> LockFile:
    """Read both sections of the lock; a missing or empty file is an empty lock.

    Raises:
        LockError: the file is not valid YAML, has duplicate or unknown keys, or holds
            malformed keys, CIDRs or AZ slots.
    """
    if not path.exists():
        return LockFile()
    name = f"{path.parent.name}/{path.name}"
    doc = _parse(path, name)
    if doc is None:
        return LockFile()
    if not isinstance(doc, dict):
        raise LockError([_problem(name, "", "expected a mapping 'allocations: {key: cidr}'")])
    problems: list[IpamProblem] = []
    for key in doc:
        if key not in SECTIONS:
            problems.append(
                _problem(
                    name,
                    str(key),
                    f"unknown top-level key '{key}' (the lock holds only "
                    f"{', '.join(SECTIONS)}; the next write would drop it)",
                )
            )
    raw = doc.get("allocations") or {}
    if not isinstance(raw, dict):
        problems.append(_problem(name, "allocations", "expected a mapping {key: cidr}"))
        raw = {}
    entries: dict[str, IPNetwork] = {}
    for key, value in raw.items():
        if not isinstance(key, str) or not KEY_RE.fullmatch(key):
            problems.append(
                _problem(
                    name,
                    f"allocations.{key}",
                    "malformed key",
                    f"keys look like dev/payments/az0/private; {RESTORE}",
                )
            )
            continue
        try:
            entries[key] = parse_cidr(value, 8, 28)
        except CidrError as exc:
            problems.append(_problem(name, f"allocations.{key}", exc.message, RESTORE))
    az_slots = _read_az_slots(doc.get("azSlots") or {}, name, problems)
    if problems:
        raise LockError(problems)
    return LockFile(entries, az_slots)


def _read_az_slots(raw: Any, name: str, problems: list[IpamProblem]) -> dict[str, dict[int, str]]:
    if not isinstance(raw, dict):
        problems.append(_problem(name, "azSlots", "expected a mapping {stack: {slot: az}}"))
        return {}
    out: dict[str, dict[int, str]] = {}
    for stack, slots in raw.items():
        where = f"azSlots.{stack}"
        if not isinstance(stack, str) or stack_name_problem(stack) or not isinstance(slots, dict):
            problems.append(_problem(name, where, "expected a stack name mapping {slot: az}"))
            continue
        bound: dict[int, str] = {}
        for slot, az in slots.items():
            if type(slot) is not int or slot < 0 or not isinstance(az, str) or not az:
                problems.append(
                    _problem(name, f"{where}.{slot}", "expected a slot number mapped to an AZ")
                )
            elif az in bound.values():
                problems.append(_problem(name, f"{where}.{slot}", f"AZ '{az}' holds two slots"))
            else:
                bound[slot] = az
        out[stack] = bound
    return out


def read_lock(path: Path) -> dict[str, IPNetwork]:
    """Read the lock's CIDR entries; a missing file is an empty lock.

    Raises:
        LockError: as read_lock_file.
    """
    return dict(read_lock_file(path).entries)


def render_lock(
    entries: Mapping[str, IPNetwork], az_slots: Mapping[str, Mapping[int, str]] | None = None
) -> str:
    """The lock's exact text: same entries, same bytes (no azSlots section when empty)."""
    lines = [HEADER, "allocations:\n"] if entries else [HEADER, "allocations: {}\n"]
    lines += [f"  {key}: {entries[key]}\n" for key in sorted(entries)]
    bound = {s: b for s, b in (az_slots or {}).items() if b}
    if bound:
        lines += [AZ_HEADER, "azSlots:\n"]
        for stack in sorted(bound):
            lines.append(f"  {stack}:\n")
            lines += [f"    {slot}: {bound[stack][slot]}\n" for slot in sorted(bound[stack])]
    return "".join(lines)


def _new_file_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def stage_file(path: Path, text: str) -> tuple[Path, Path]:
    """Write `text` to a temp file beside the real file of `path`, flushed, with its mode.

    Returns:
        (temp file, target): `os.replace(temp, target)` publishes it; the caller removes
        the temp file if it does not. On failure here, no temp file is left.
    """
    target = Path(os.path.realpath(path))
    try:
        mode = stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        mode = _new_file_mode()
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:  # a read-only folder: name the file, not the temp file
        raise OSError(exc.errno, exc.strerror, str(path)) from None
    try:
        try:
            data = memoryview(text.encode("utf-8"))
            while data:  # os.write may write less than asked
                data = data[os.write(fd, data) :]
            os.fchmod(fd, mode)
            os.fsync(fd)
        finally:
            os.close(fd)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return Path(tmp), target


def replace_file(path: Path, text: str) -> None:
    """Atomically replace a regular file (through a symlink, keeping it and the file's mode).

    The temporary file lives beside the real file and is removed on any failure.
    """
    tmp, target = stage_file(path, text)
    try:
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def write_lock(
    path: Path,
    entries: Mapping[str, IPNetwork],
    az_slots: Mapping[str, Mapping[int, str]] | None = None,
) -> bool:
    """Atomically replace the lock's content; returns False when nothing changed."""
    text = render_lock(entries, az_slots)
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    replace_file(path, text)
    return True


@contextlib.contextmanager
def locked(folder: Path, on_wait: Callable[[], None] | None = None) -> Iterator[None]:
    """Hold an exclusive flock on the lock's folder for a read-allocate-write cycle.

    Args:
        folder: the folder holding the lock.
        on_wait: called once when another process has held the lock for a second.
    """
    fd = os.open(folder, os.O_RDONLY)
    try:
        deadline = time.monotonic() + WAIT_NOTICE_AFTER
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    if on_wait is not None:
                        on_wait()
                    fcntl.flock(fd, fcntl.LOCK_EX)
                    break
                time.sleep(0.05)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
