"""Wall time of `plan --base` beside the plain `plan`, for the 100-spoke stack (DESIGN §5).

A scratch git repository holds the generated stack at `main`; the head adds one spoke. Both
commands run frozen in a new process each time, as CI runs them; best of REPEATS.
Target: at most one more mock run (under 2x the plain plan) and under 20 s.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from foundation.config import synthetic

REPO = Path(__file__).resolve().parent.parent
REPEATS = 3
GIT_ENV = {
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_AUTHOR_NAME": "bench",
    "GIT_AUTHOR_EMAIL": "bench@example.com",
    "GIT_COMMITTER_NAME": "bench",
    "GIT_COMMITTER_EMAIL": "bench@example.com",
}


def _git(root: Path, *args: str) -> None:
    env = {**os.environ, **GIT_ENV}
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, env=env)


def _best(command: list[str]) -> tuple[float, float]:
    """Best-of wall time, and the CPU time (user + sys, workers included) of that run."""
    best = (float("inf"), 0.0)
    for _ in range(REPEATS):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(command, cwd=REPO, check=True, capture_output=True)
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        best = min(best, (wall, cpu))
    return best


def run() -> dict[str, float]:
    """Time plain and --base plans of a 100-spoke stack; prints and returns the figures."""
    with tempfile.TemporaryDirectory() as tmp:
        root = synthetic.write_project(Path(tmp) / "large", spokes=100)
        plan = [sys.executable, "-m", "foundation", "--project", str(root), "plan", "scale"]
        subprocess.run(plan, cwd=REPO, check=True, capture_output=True)  # records the lock
        _git(root, "init", "-q", "-b", "main")
        _git(root, "add", "-A")
        _git(root, "commit", "-q", "-m", "base")
        path = root / "stacks" / "Pulumi.scale.yaml"
        doc = yaml.safe_load(path.read_text())
        doc["config"]["foundation:network"]["spokes"]["app100"] = {"segment": "prod", "size": 22}
        path.write_text(yaml.safe_dump(doc, sort_keys=False))
        subprocess.run(plan, cwd=REPO, check=True, capture_output=True)  # the head's lock
        plain, plain_cpu = _best([*plan, "--frozen"])
        based, based_cpu = _best([*plan, "--frozen", "--base", "main"])
    print(
        f"plan --base, 100 spokes: wall {based:.2f} s vs plain plan {plain:.2f} s "
        f"({based / plain:.2f}x; target < 2x and < 20 s); CPU {based_cpu:.2f} s vs "
        f"{plain_cpu:.2f} s ({based_cpu / plain_cpu:.2f}x: one more mock run, in a worker "
        f"process beside the head's; os.cpu_count()={os.cpu_count()}, "
        f"load average {os.getloadavg()[0]:.1f})"
    )
    return {
        "plain": plain,
        "base": based,
        "ratio": based / plain,
        "cpuRatio": based_cpu / plain_cpu,
    }


if __name__ == "__main__":
    run()
