"""What a peer costs the plan (DESIGN §3.9): 50 spokes each side, with and without the peer.

Target: the plan of a stack with one peer takes at most 20% more than the same stack
alone. The peer adds: reading and validating its stack file, building its plan from the
lock, the remote routes in the mock run, and the walks across the peering.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from foundation.config import synthetic

REPO = Path(__file__).resolve().parent.parent
REPEATS = 3
SPOKES = 50
TARGET = 1.20


def _stack(pool: str, region: str, asn: int, peers: list[str]) -> dict[str, object]:
    network = synthetic.network(SPOKES)
    network["pool"] = pool
    network["transitGateway"] = {"asn": asn}
    if peers:
        network["peers"] = peers
    return {"config": {"aws:region": region, "foundation:network": network}}


def write_project(root: Path) -> Path:
    """Peered bench-a (us-east-1) and bench-b (eu-west-1), and solo (bench-a without peer)."""
    stacks = root / "stacks"
    stacks.mkdir(parents=True)
    pools = {"a": "10.64.0.0/12", "b": "10.80.0.0/12", "solo": "10.96.0.0/12"}
    (stacks / "addresses.yaml").write_text(yaml.safe_dump({"pools": pools}))
    files = {
        "bench-a": _stack("a", "us-east-1", 64512, ["bench-b"]),
        "bench-b": _stack("b", "eu-west-1", 64513, ["bench-a"]),
        "solo": _stack("solo", "us-east-1", 64512, []),
    }
    for name, doc in files.items():
        (stacks / f"Pulumi.{name}.yaml").write_text(yaml.safe_dump(doc, sort_keys=False))
    return root


def once(project: Path, stack: str) -> float:
    """Wall time of `plan STACK --frozen` (a new process, as a user runs it)."""
    command = [sys.executable, "-m", "foundation", "--project", str(project), "plan", stack]
    start = time.perf_counter()
    subprocess.run([*command, "--frozen"], cwd=REPO, check=True, capture_output=True)
    return time.perf_counter() - start


def run() -> dict[str, float]:
    """Time the peered stack and the same stack alone; prints and returns the figures."""
    with tempfile.TemporaryDirectory() as tmp:
        project = write_project(Path(tmp))
        for stack in ("bench-a", "bench-b", "bench-a", "solo"):  # record every lock entry
            subprocess.run(
                [sys.executable, "-m", "foundation", "--project", str(project), "plan", stack],
                cwd=REPO,
                check=True,
                capture_output=True,
            )
        alone = peered = float("inf")
        for _ in range(REPEATS):  # interleaved, best of each: a shared machine is noisy
            alone = min(alone, once(project, "solo"))
            peered = min(peered, once(project, "bench-a"))
    ratio = peered / alone
    print(
        f"plan with one peer ({SPOKES} spokes each side): {peered:.2f} s vs {alone:.2f} s "
        f"alone = {ratio:.2f}x (target <= {TARGET:.2f}x)"
    )
    return {"alone": alone, "peered": peered, "ratio": ratio}


if __name__ == "__main__":
    run()
