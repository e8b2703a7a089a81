"""Generated stacks for scale tests and benchmarks (a project folder with N spokes)."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

SEGMENTS = {
    "prod": {"connectsTo": ["shared"]},
    "nonprod": {"connectsTo": ["shared"]},
    "shared": {},
    "partner": {"isolated": True, "connectsTo": ["shared"]},
}


def network(spokes: int, azs: int = 3, egress: str = "nat-per-az") -> dict[str, object]:
    """A `foundation:network` object with `spokes` /22 spokes spread over four segments."""
    names = sorted(SEGMENTS)
    return {
        "pool": "scale",
        "availabilityZones": azs,
        "hub": {"size": 20, "egress": egress},
        "segments": SEGMENTS,
        "spokes": {
            f"app{i:03d}": {"segment": names[i % len(names)], "size": 22} for i in range(spokes)
        },
        "quotas": {"mode": "warn"},
        "drift": {"mode": "warn"},
    }


def write_project(
    root: Path,
    spokes: int,
    stack: str = "scale",
    azs: int = 3,
    region: str = "us-east-1",
    egress: str = "nat-per-az",
) -> Path:
    """Create root/stacks with one generated stack and a pool large enough for it."""
    stacks = root / "stacks"
    if stacks.exists():
        shutil.rmtree(stacks)
    stacks.mkdir(parents=True)
    (stacks / "addresses.yaml").write_text(
        yaml.safe_dump(
            {
                "pools": {"scale": "10.64.0.0/12"},
                "reserved": [{"cidr": "10.0.0.0/16", "reason": "on-premises"}],
            }
        )
    )
    (stacks / f"Pulumi.{stack}.yaml").write_text(
        yaml.safe_dump(
            {"config": {"aws:region": region, "foundation:network": network(spokes, azs, egress)}},
            sort_keys=False,
        )
    )
    return root
