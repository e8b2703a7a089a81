"""Shared services at scale (DESIGN §3.15): plan time and resources with and without the block.

A generated 100-spoke stack, then the same stack with eight central interface endpoints,
an inbound Resolver endpoint and one forwarding rule used by every segment. Prints the
`plan` wall time of each, the resources the block adds, and its monthly saving.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.bench_plan import REPO, wall
from foundation.config import synthetic

BLOCK = {
    "size": 22,
    "interfaceEndpoints": [
        "ssm",
        "ssmmessages",
        "ec2messages",
        "sts",
        "logs",
        "ecr.api",
        "ecr.dkr",
        "kms",
    ],
    "dns": {"inbound": True, "forward": {"corp.example.com": ["10.0.0.2", "10.0.0.3"]}},
}


FLAGS = ("--frozen", "--format", "json")


def _total(doc: dict[str, object]) -> int:
    resources = doc["resources"]
    assert isinstance(resources, dict)
    return int(resources["total"])


def _doc(project: Path) -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, "-m", "foundation", "--project", str(project), "plan", "scale", *FLAGS],
        cwd=REPO,
        check=False,
        capture_output=True,
        text=True,
    ).stdout
    doc: dict[str, object] = json.loads(out)
    return doc


def run() -> dict[str, float]:
    """Time both plans and print the figures."""
    with tempfile.TemporaryDirectory() as tmp:
        plain = synthetic.write_project(Path(tmp) / "plain", spokes=100)
        shared = synthetic.write_project(Path(tmp) / "shared", spokes=100)
        path = shared / "stacks" / "Pulumi.scale.yaml"
        config = yaml.safe_load(path.read_text())
        config["config"]["foundation:network"]["sharedServices"] = BLOCK
        path.write_text(yaml.safe_dump(config, sort_keys=False))
        plain_s, shared_s = wall(plain, "scale"), wall(shared, "scale")
        before, after = _doc(plain), _doc(shared)
    saved = after["sharedServices"]["savings"]  # type: ignore[index]
    print(
        f"shared services, 100 spokes: plan {plain_s:.2f} s without, {shared_s:.2f} s with "
        f"(+{_total(after) - _total(before)} resources); central endpoints save "
        f"${saved['monthly']:,.2f} a month against one set per spoke "
        f"(${saved['perSpokeSets']:,.2f} vs ${saved['central']:,.2f})"
    )
    return {"without": plain_s, "with": shared_s}


if __name__ == "__main__":
    run()
