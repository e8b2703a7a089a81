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


def account_id(k: int) -> str:
    """The id of generated spoke account k (1, 2, ...)."""
    return f"{100000000000 + k:012d}"


def network(
    spokes: int, azs: int = 3, egress: str = "nat-per-az", accounts: int = 1
) -> dict[str, object]:
    """A `foundation:network` object with `spokes` /22 spokes spread over four segments.

    With `accounts` > 1, spoke i lives in account i % accounts (0: the network account).
    """
    names = sorted(SEGMENTS)
    spoke_map: dict[str, dict[str, object]] = {
        f"app{i:03d}": {"segment": names[i % len(names)], "size": 22} for i in range(spokes)
    }
    extra: dict[str, object] = {}
    if accounts > 1:
        for i, body in enumerate(spoke_map.values()):
            if i % accounts:
                body["account"] = f"acct{i % accounts:02d}"
        extra["accounts"] = {
            f"acct{k:02d}": {
                "id": account_id(k),
                "role": f"arn:aws:iam::{account_id(k)}:role/foundation-deploy",
            }
            for k in range(1, accounts)
        }
    return {
        "pool": "scale",
        "availabilityZones": azs,
        "hub": {"size": 20, "egress": egress},
        "segments": SEGMENTS,
        "spokes": spoke_map,
        "quotas": {"mode": "warn"},
        "drift": {"mode": "warn"},
        **extra,
    }


def write_project(
    root: Path,
    spokes: int,
    stack: str = "scale",
    azs: int = 3,
    region: str = "us-east-1",
    egress: str = "nat-per-az",
    accounts: int = 1,
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
            {
                "config": {
                    "aws:region": region,
                    "foundation:network": network(spokes, azs, egress, accounts),
                }
            },
            sort_keys=False,
        )
    )
    return root
