"""Worst-case time of the live commands when AWS cannot be reached (default retry policy).

Runs `quotas`, `drift` and `plan --live` as real processes against a closed port and
against a socket that accepts and never answers, and prints each exit code and duration
beside the bound (`RetryPolicy.worst_case`). The target: exit 2 well within 60 s.
Run: `.venv/bin/python benchmarks/bench_faults.py` (takes about two minutes).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from foundation.live.aws import DEFAULT_POLICY  # noqa: E402
from tests.faults import HangingServer, closed_port  # noqa: E402

COMMANDS = (("quotas", "dev"), ("drift", "dev"), ("plan", "dev", "--live"))


def _time(project: Path, endpoint: str, command: tuple[str, ...]) -> tuple[int, float, str]:
    empty = project / "aws-empty-config"
    empty.touch()
    env = {
        **os.environ,
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": str(empty),
        "AWS_SHARED_CREDENTIALS_FILE": str(empty),
    }
    start = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "foundation", "--project", str(project), *command],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        check=False,
    )
    last = (done.stderr.strip().splitlines() or [""])[-1]
    return done.returncode, time.monotonic() - start, last


def _program(project: Path, endpoint: str) -> tuple[float, list[str]]:
    """The Pulumi program (mock engine) with both gates in warn against the endpoint."""
    from foundation.config.yamlio import load_yaml
    from foundation.offline.mockrun import run_program

    empty = project / "aws-empty-config"
    empty.touch()
    saved = dict(os.environ)
    os.environ.update(
        {
            "AWS_ENDPOINT_URL": endpoint,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_CONFIG_FILE": str(empty),
            "AWS_SHARED_CREDENTIALS_FILE": str(empty),
        }
    )
    network = load_yaml(project / "stacks" / "Pulumi.dev.yaml")["config"]["foundation:network"]
    network = {**network, "quotas": {"mode": "warn"}, "drift": {"mode": "warn"}}
    try:
        start = time.monotonic()
        rec = run_program(
            REPO / "__main__.py", "dev", "us-east-1", network, offline=False, project_root=project
        )
        return time.monotonic() - start, [w for w in rec.warnings if "skipped" in w]
    finally:
        os.environ.clear()
        os.environ.update(saved)


def run() -> None:
    """Print exit code and seconds per command and fault."""
    print(
        f"live commands against an unreachable endpoint (connect {DEFAULT_POLICY.connect_timeout}"
        f" s, read {DEFAULT_POLICY.read_timeout} s, deadline {DEFAULT_POLICY.deadline} s; "
        f"bound per call {DEFAULT_POLICY.worst_case} s)"
    )
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp)
        shutil.copytree(REPO / "stacks", project / "stacks")
        hanging = HangingServer()
        try:
            for fault, endpoint in (("refused", closed_port()), ("hanging", hanging.url)):
                for command in COMMANDS:
                    code, seconds, last = _time(project, endpoint, command)
                    print(f"  {fault:8} {' '.join(command):16} exit {code}  {seconds:5.1f} s")
                    print(f"           {last[:150]}")
                seconds, skipped = _program(project, endpoint)
                print(f"  {fault:8} {'program, warn':16} builds   {seconds:5.1f} s")
                for warning in skipped:
                    print(f"           {warning[:150]}")
        finally:
            hanging.close()


if __name__ == "__main__":
    run()
