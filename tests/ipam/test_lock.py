from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from netaddr import IPNetwork

from ipam.errors import LockError
from ipam.lock import read_lock, render_lock, write_lock
from tests.conftest import REPO


def test_render_is_sorted_and_stable() -> None:
    entries = {"b/x": IPNetwork("10.1.0.0/16"), "a/y": IPNetwork("10.0.0.0/16")}
    text = render_lock(entries)
    assert text.index("a/y") < text.index("b/x")
    assert render_lock(dict(reversed(list(entries.items())))) == text


def test_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "addresses.lock.yaml"
    entries = {"dev/hub": IPNetwork("10.16.0.0/20"), "dev/hub/az0": IPNetwork("10.16.0.0/22")}
    assert write_lock(path, entries) is True
    assert read_lock(path) == entries
    assert write_lock(path, entries) is False  # unchanged: not rewritten


def test_a_crash_mid_write_leaves_the_old_file_and_no_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "addresses.lock.yaml"
    write_lock(path, {"dev/hub": IPNetwork("10.16.0.0/20")})
    before = path.read_bytes()

    def crash(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError):
        write_lock(
            path, {"dev/hub": IPNetwork("10.16.0.0/20"), "dev/a": IPNetwork("10.16.16.0/20")}
        )
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["addresses.lock.yaml"]


@pytest.mark.parametrize(
    "text",
    [
        "allocations: [oops",
        "allocations: {dev/hub: 10.16.0.1/20}",
        "allocations: {'bad key': 10.16.0.0/20}",
        "- a list",
    ],
)
def test_a_broken_lock_is_a_clear_error(tmp_path: Path, text: str) -> None:
    path = tmp_path / "addresses.lock.yaml"
    path.write_text(text)
    with pytest.raises(LockError) as exc:
        read_lock(path)
    assert exc.value.problems[0].fix


def test_importing_ipam_loads_neither_pulumi_nor_boto3() -> None:
    code = (
        "import sys, ipam.layout, ipam.lock, ipam.audit, ipam.freespace, ipam.cidr; "
        "bad = [m for m in sys.modules if m.split('.')[0] in ('pulumi', 'pulumi_aws', "
        "'boto3', 'botocore')]; print(bad); sys.exit(1 if bad else 0)"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.slow
def test_concurrent_plans_on_two_stacks_in_one_pool_both_land_without_overlap(
    workspace: Path,
) -> None:
    (workspace / "stacks" / "addresses.lock.yaml").unlink()
    qa = (workspace / "stacks" / "Pulumi.dev.yaml").read_text()
    (workspace / "stacks" / "Pulumi.qa.yaml").write_text(qa)  # qa shares the dev pool
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "foundation",
                "--project",
                str(workspace),
                "plan",
                stack,
                "--format",
                "json",
                "--output",
                str(workspace / f"{stack}.json"),
            ],
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for stack in ("dev", "qa", "prod")
    ]
    for p in procs:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err.decode()
    lock = read_lock(workspace / "stacks" / "addresses.lock.yaml")
    for stack in ("dev", "qa", "prod"):
        assert f"{stack}/hub" in lock and f"{stack}/payments" in lock
    assert lock["dev/hub"] != lock["qa/hub"]
    check = subprocess.run(
        [sys.executable, "-m", "foundation", "--project", str(workspace), "ipam", "check"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0, check.stdout + check.stderr
    assert "no overlaps" in check.stdout


def test_an_alias_bomb_in_the_lock_is_refused_at_once(tmp_path: Path) -> None:
    import time

    rows = ['a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    rows += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 10)]
    path = tmp_path / "addresses.lock.yaml"
    path.write_text("allocations:\n  " + "\n  ".join(rows) + "\n")
    start = time.monotonic()
    with pytest.raises(LockError) as exc:
        read_lock(path)
    assert time.monotonic() - start < 2
    problem = exc.value.problems[0]
    assert "holds a YAML anchor or alias" in problem.message and problem.path.endswith("line 2")
    assert "restore it from git" in exc.value.problems[0].fix
