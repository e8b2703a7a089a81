"""Unreadable YAML and failing writes (issue 10): a message naming the file, exit 2, no change.

Every case runs the CLI in-process and checks the promise of DESIGN §3.2: one clear error
per problem, no traceback, no "internal error", no report, every file under stacks/ as it was.
"""

from __future__ import annotations

import errno
import os
import time
import tracemalloc
from pathlib import Path

import pytest

import foundation.addresses.check
import foundation.offline.plan_run  # noqa: F401  (imported here: the timings measure the refusal)
from foundation.errors import InputError
from tests.conftest import edit_stack, snapshot

DEV = "stacks/Pulumi.dev.yaml"
ADDR = "stacks/addresses.yaml"
LOCK = "stacks/addresses.lock.yaml"


def alias_bomb(indent: str = "", levels: int = 9) -> str:
    """A 'billion laughs': 9 levels of 9 aliases each expand to 9**9 strings."""
    lines = [f"{indent}l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for i in range(1, levels):
        lines.append(f"{indent}l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def _assert_refused(workspace: Path, cli, args: tuple[str, ...], fragments: list[str]) -> str:
    before = snapshot(workspace)
    result = cli(workspace, *args)
    assert result.code == 2, (result.out, result.err)
    for fragment in fragments:
        assert fragment in result.err, f"{fragment!r} missing from:\n{result.err}"
    assert "Fix:" in result.err
    assert "Traceback" not in result.err + result.out
    assert "internal error" not in result.err
    assert result.out == ""
    assert snapshot(workspace) == before
    return result.err


# --- alias bombs: fail fast, bounded memory, in every YAML file the tool reads --------------

BOMBS = [
    (
        "stack",
        DEV,
        lambda text: text.replace("config:\n", "bombs:\n" + alias_bomb("  ") + "config:\n"),
    ),
    (
        "stack-inside-network",
        DEV,
        lambda text: text.replace(
            "    production: false\n", "    production: false\n" + alias_bomb("    ")
        ),
    ),
    ("addresses", ADDR, lambda text: text + "bombs:\n" + alias_bomb("  ")),
    ("lock", LOCK, lambda text: text + alias_bomb("  ")),
]


@pytest.mark.parametrize(("case", "path", "edit"), BOMBS, ids=[b[0] for b in BOMBS])
@pytest.mark.parametrize(
    "command", [("plan", "dev"), ("plan", "dev", "--frozen"), ("ipam", "check")]
)
def test_an_alias_bomb_fails_fast_with_bounded_memory(
    workspace: Path, cli, case: str, path: str, edit, command: tuple[str, ...]
) -> None:
    target = workspace / path
    target.write_text(edit(target.read_text()))
    tracemalloc.start()
    started = time.monotonic()
    try:
        err = _assert_refused(workspace, cli, command, [path])
        elapsed = time.monotonic() - started
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert elapsed < 3, f"took {elapsed:.1f} s"
    assert peak < 30 * 2**20, f"peak {peak / 2**20:.0f} MiB"
    assert "alias" in err


def test_a_reasonable_alias_is_still_accepted(workspace: Path, cli) -> None:
    plain = cli(workspace, "plan", "dev", "--frozen", "--format", "json")
    edit_stack(
        workspace, "dev", "prod:    {connectsTo: [shared]}", "prod: &seg {connectsTo: [shared]}"
    )
    edit_stack(workspace, "dev", "nonprod: {connectsTo: [shared]}", "nonprod: *seg")
    aliased = cli(workspace, "plan", "dev", "--frozen", "--format", "json")
    assert (aliased.code, aliased.err) == (0, "")
    assert aliased.out == plain.out


def test_a_recursive_alias_is_refused_with_its_line() -> None:
    from foundation.config.yamlio import parse_yaml

    with pytest.raises(InputError) as exc:
        parse_yaml(b"a: 1\nb: &x [1, *x]\n", "f.yaml")
    assert "f.yaml: line 2" in str(exc.value)
    assert "recursive" in str(exc.value)


def test_deep_nesting_is_refused_fast() -> None:
    from foundation.config.yamlio import parse_yaml

    started = time.monotonic()
    with pytest.raises(InputError) as exc:
        parse_yaml(b"a: " + b"[" * 5000 + b"]" * 5000 + b"\n", "f.yaml")
    assert time.monotonic() - started < 2
    assert "nested deeper than 64 levels" in str(exc.value)


# --- tags, encodings, control characters -----------------------------------------------------

PYTHON_TAG = "!!python/object/apply:os.system ['touch /tmp/pwned']"

TEXT_FAULTS = [
    (
        "python-tag-stack",
        DEV,
        lambda t: t.replace("production: false", f"production: {PYTHON_TAG}"),
        [DEV, "line 22", "python/object/apply:os.system", "no !!python"],
    ),
    (
        "python-tag-addresses",
        ADDR,
        lambda t: t.replace("prod-use1: 10.32.0.0/14", f"prod-use1: {PYTHON_TAG}"),
        [ADDR, "line 5", "python/object/apply:os.system"],
    ),
    (
        "python-tag-lock",
        LOCK,
        lambda t: t.replace("dev/hub: 10.16.0.0/20", f"dev/hub: {PYTHON_TAG}"),
        [f"error: {LOCK}: line 4: ", "python/object/apply:os.system", "restore it from git"],
    ),
    (
        "custom-tag-stack",
        DEV,
        lambda t: t.replace("pool: dev-use1", "pool: !Ref dev-use1"),
        [DEV, "line 5", "'!Ref'"],
    ),
    (
        "bad-date-stack",
        DEV,
        lambda t: t.replace("production: false", "production: 2024-13-45"),
        [DEV, "month must be in 1..12", "quote"],
    ),
    (
        "control-character",
        ADDR,
        lambda t: t.replace("dev-use1: 10.16.0.0/14", "dev-use1: 10.16.0.0/14\x07"),
        [ADDR, "line 4", "U+0007"],
    ),
]


@pytest.mark.parametrize(
    ("case", "path", "edit", "fragments"), TEXT_FAULTS, ids=[c[0] for c in TEXT_FAULTS]
)
@pytest.mark.parametrize("command", [("plan", "dev"), ("ipam", "check")])
def test_unreadable_yaml_names_the_file_and_line(
    workspace: Path, cli, case: str, path: str, edit, fragments: list[str], command: tuple[str, ...]
) -> None:
    target = workspace / path
    target.write_text(edit(target.read_text()))
    _assert_refused(workspace, cli, command, fragments)
    assert not Path("/tmp/pwned").exists()


@pytest.mark.parametrize(("path", "line"), [(DEV, 5), (ADDR, 4), (LOCK, 4)])
@pytest.mark.parametrize("command", [("plan", "dev"), ("ipam", "check")])
def test_invalid_utf8_names_the_file_line_and_byte_offset(
    workspace: Path, cli, path: str, line: int, command: tuple[str, ...]
) -> None:
    target = workspace / path
    data = target.read_bytes()
    lines = data.split(b"\n")
    lines[line - 1] += b"  # caf\xe9"  # Latin-1, not UTF-8
    target.write_bytes(b"\n".join(lines))
    offset = len(b"\n".join(lines[: line - 1])) + 1 + len(lines[line - 1]) - 1
    err = _assert_refused(workspace, cli, command, [f"error: {path}: line {line}", "UTF-8"])
    assert f"offset {offset}" in err


# --- files that cannot be read or written ----------------------------------------------------


@pytest.mark.parametrize("path", [ADDR, LOCK])
def test_a_folder_where_a_file_should_be_names_it(workspace: Path, cli, path: str) -> None:
    target = workspace / path
    target.unlink()
    target.mkdir()
    _assert_refused(workspace, cli, ("plan", "dev"), [path, "cannot be read"])


def _new_spoke(workspace: Path) -> None:
    """A change that makes `plan` write the lock."""
    edit_stack(
        workspace,
        "dev",
        "      tools:    {segment: shared, size: 22}",
        "      tools:    {segment: shared, size: 22}\n      extra:    {segment: shared, size: 24}",
    )


def _fd_is_lock_temp(fd: int) -> bool:
    return ".addresses." in os.readlink(f"/proc/self/fd/{fd}")


def test_a_full_disk_while_writing_the_lock_names_it_and_changes_nothing(
    workspace: Path, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    _new_spoke(workspace)
    real_write = os.write

    def full(fd: int, data: bytes) -> int:
        if _fd_is_lock_temp(fd):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", full)
    err = _assert_refused(
        workspace,
        cli,
        ("plan", "dev"),
        [LOCK, "No space left on device (ENOSPC)", "free disk space"],
    )
    assert "internal error" not in err
    assert not [p for p in (workspace / "stacks").iterdir() if p.name.startswith(".")]


def test_a_full_disk_at_fsync_is_reported_the_same_way(
    workspace: Path, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    _new_spoke(workspace)

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    _assert_refused(workspace, cli, ("plan", "dev"), [LOCK, "ENOSPC"])
    assert not [p for p in (workspace / "stacks").iterdir() if p.name.startswith(".")]


@pytest.mark.parametrize(
    ("code", "fix"),
    [(errno.EACCES, "writable by you"), (errno.EROFS, "writable checkout"), (errno.EPERM, "chmod")],
)
def test_a_read_only_stacks_folder_names_the_lock_and_the_fix(
    workspace: Path, cli, monkeypatch: pytest.MonkeyPatch, code: int, fix: str
) -> None:
    """Tests run as root here (chmod would not stop a write), so the refusal is injected
    where the OS raises it: creating the temporary file in stacks/."""
    import tempfile

    _new_spoke(workspace)

    def refuse(*args: object, dir: str, **kwargs: object) -> tuple[int, str]:
        raise OSError(code, os.strerror(code), os.path.join(dir, ".addresses.x.tmp"))

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    err = _assert_refused(workspace, cli, ("plan", "dev"), [LOCK, fix])
    assert ".addresses.x.tmp" not in err  # the lock is named, not the temporary file


def test_only_an_os_error_naming_a_file_becomes_a_file_problem(
    workspace: Path, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    from foundation.addresses import check

    def refused(*args: object) -> None:
        raise ConnectionRefusedError(errno.ECONNREFUSED, "Connection refused")

    monkeypatch.setattr(check, "run_check", refused)
    result = cli(workspace, "ipam", "check")
    assert result.code == 2
    assert "internal error: ConnectionRefusedError" in result.err

    def unreadable(*args: object) -> None:
        raise PermissionError(errno.EACCES, "Permission denied", "stacks/Pulumi.dev.yaml")

    monkeypatch.setattr(check, "run_check", unreadable)
    result = cli(workspace, "ipam", "check")
    assert result.code == 2
    assert result.err.startswith("error: stacks/Pulumi.dev.yaml: Permission denied (EACCES)")
