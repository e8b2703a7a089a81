"""Writes: the lock keeps its mode and symlink, --output honours FIFOs, devices and
/dev/stdout, no temp file is ever left, and waiting for another plan's lock is said.
"""

from __future__ import annotations

import fcntl
import os
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from netaddr import IPNetwork

from ipam.lock import locked, write_lock
from tests.conftest import REPO, edit_stack

LOCK = "stacks/addresses.lock.yaml"
NEW_SPOKE = "      extra:    {segment: shared, size: 23}\n      tools:"


def files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_the_lock_keeps_0644_under_umask_022(tmp_path: Path) -> None:
    path = tmp_path / "addresses.lock.yaml"
    old = os.umask(0o022)
    try:
        write_lock(path, {"dev/hub": IPNetwork("10.16.0.0/20")})
        assert stat.S_IMODE(path.stat().st_mode) == 0o644  # new file: 0666 & ~umask
        path.chmod(0o664)
        write_lock(
            path, {"dev/hub": IPNetwork("10.16.0.0/20"), "dev/a": IPNetwork("10.16.16.0/20")}
        )
        assert stat.S_IMODE(path.stat().st_mode) == 0o664  # an existing file keeps its mode
    finally:
        os.umask(old)


def test_plan_keeps_the_committed_locks_mode(workspace: Path, cli) -> None:
    lock = workspace / LOCK
    lock.chmod(0o644)
    edit_stack(workspace, "dev", "      tools:", NEW_SPOKE)
    assert cli(workspace, "plan", "dev").code == 0
    assert "dev/extra" in lock.read_text()
    assert stat.S_IMODE(lock.stat().st_mode) == 0o644
    assert files(workspace / "stacks") == [
        "Pulumi.dev.yaml",
        "Pulumi.prod.yaml",
        "addresses.lock.yaml",
        "addresses.yaml",
    ]


def test_a_symlinked_lock_stays_a_symlink_and_its_target_is_written(workspace: Path, cli) -> None:
    shared = workspace / "shared"
    shared.mkdir()
    lock = workspace / LOCK
    target = shared / "addresses.lock.yaml"
    lock.rename(target)
    lock.symlink_to(target)
    edit_stack(workspace, "dev", "      tools:", NEW_SPOKE)
    assert cli(workspace, "plan", "dev").code == 0
    assert lock.is_symlink() and lock.resolve() == target
    assert "dev/extra" in target.read_text()
    assert files(shared) == ["addresses.lock.yaml"]


def test_a_failed_write_leaves_no_temp_file(
    workspace: Path, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    edit_stack(workspace, "dev", "      tools:", NEW_SPOKE)
    before = (workspace / LOCK).read_bytes()

    def full(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    result = cli(workspace, "plan", "dev")
    assert result.code == 2 and "Traceback" not in result.err and result.out == ""
    assert (
        "stacks/addresses.lock.yaml: cannot be written (No space left on device (ENOSPC))"
        in result.err
    )
    assert (workspace / LOCK).read_bytes() == before
    assert ".addresses" not in " ".join(files(workspace / "stacks"))


def test_output_onto_a_fifo_writes_into_it(workspace: Path, cli) -> None:
    fifo = workspace / "plan.fifo"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    result = cli(workspace, "plan", "dev", "--format", "json", "--output", str(fifo))
    reader.join(timeout=60)
    assert result.code == 0, result.err
    assert stat.S_ISFIFO(fifo.stat().st_mode)  # not replaced by a regular file
    assert b'"schema": "foundation/plan@1"' in got[0]


def test_output_onto_a_character_device_writes_into_it(workspace: Path, cli) -> None:
    result = cli(workspace, "plan", "dev", "--output", "/dev/null")
    assert result.code == 0, result.err
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_output_dev_stdout_works() -> None:
    args = ["plan", "dev", "--frozen", "--format", "json", "--output", "/dev/stdout"]
    proc = subprocess.run(
        [sys.executable, "-m", "foundation", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert '"schema": "foundation/plan@1"' in proc.stdout


def test_waiting_for_another_processs_lock_says_so_after_a_second(tmp_path: Path) -> None:
    fd = os.open(tmp_path, os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_EX)
    told: list[float] = []
    start = time.monotonic()

    def release() -> None:
        time.sleep(1.5)
        fcntl.flock(fd, fcntl.LOCK_UN)

    threading.Thread(target=release).start()
    with locked(tmp_path, on_wait=lambda: told.append(time.monotonic() - start)):
        pass
    os.close(fd)
    assert len(told) == 1 and 0.9 <= told[0] < 1.4


def test_the_cli_prints_the_waiting_message(workspace: Path, cli) -> None:
    fd = os.open(workspace / "stacks", os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_EX)
    timer = threading.Timer(1.3, lambda: fcntl.flock(fd, fcntl.LOCK_UN))
    timer.start()
    try:
        result = cli(workspace, "plan", "dev")
    finally:
        timer.join()
        os.close(fd)
    assert result.code == 0
    assert "waiting for the lock held by another process" in result.err


def test_no_message_when_the_lock_is_free(workspace: Path, cli) -> None:
    assert "waiting for the lock" not in cli(workspace, "plan", "dev").err


def test_a_report_that_cannot_be_staged_fails_before_the_lock_is_written(
    workspace: Path, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = workspace / "reports"
    out.mkdir()
    edit_stack(workspace, "dev", "      tools:", NEW_SPOKE)
    before = (workspace / LOCK).read_bytes()
    real_fsync = os.fsync

    def full_disk_for_reports(fd: int) -> None:
        if os.readlink(f"/proc/self/fd/{fd}").startswith(str(out)):
            raise OSError(28, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", full_disk_for_reports)
    result = cli(workspace, "plan", "dev", "--output", str(out / "plan.txt"))
    assert result.code == 2
    assert f"--output: {out / 'plan.txt'}: cannot be written (No space left on device)" in (
        result.err
    )
    assert (workspace / LOCK).read_bytes() == before
    assert files(out) == []
    monkeypatch.setattr(os, "fsync", real_fsync)
    assert cli(workspace, "plan", "dev", "--output", str(out / "plan.txt")).code == 0
    assert files(out) == ["plan.txt"] and "dev/extra" in (workspace / LOCK).read_text()
