"""Cost of the hybrid analysis (§3.14): on-premises walks and per-attachment failures.

Prints, for 100 and 500 spokes with two VPNs and a DX gateway reaching two of the four
segments, the time of the plan build and of `analyse_hybrid` (every workload tier of
every spoke, in every AZ, to every on-premises CIDR and back, then once more per hybrid
attachment lost), per spoke, beside the spoke-to-spoke matrix the plan already walks.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from foundation.addresses.allocation import allocate_in_memory
from foundation.config.address_plan import parse_address_plan
from foundation.config.spec import parse_network
from foundation.config.synthetic import network
from foundation.network.analysis import reachability
from foundation.network.analysis.hybrid import analyse_hybrid
from foundation.network.build import build_plan
from foundation.network.stack_plan import offline_azs
from ipam.lock import LockFile

ADDRESSES = parse_address_plan(
    {
        "pools": {"scale": "10.64.0.0/12"},
        "reserved": [{"cidr": "10.0.0.0/16", "reason": "on-premises"}],
    },
    "addresses.yaml",
)


def hybrid_network(spokes: int) -> dict[str, Any]:
    """The synthetic stack with on-premises reached by two of its segments."""
    raw = network(spokes)
    segments = sorted(raw["segments"])  # type: ignore[call-overload]
    raw["onPremises"] = {
        "cidrs": ["10.0.0.0/17", "10.0.128.0/17"],
        "segments": segments[:2],
        "vpn": {
            "dc1": {"ip": "203.0.113.10", "asn": 65010},
            "dc2": {"ip": "198.51.100.20", "asn": 65020},
        },
        "directConnect": {"gatewayId": "5f3e8a2c-1b2d-4c3e-9f00-0123456789ab"},
    }
    return raw


def measure(spokes: int) -> dict[str, float]:
    spec = parse_network(hybrid_network(spokes), "us-east-1", "bench", "scale")
    allocation = allocate_in_memory(spec, ADDRESSES, LockFile())
    start = time.perf_counter()
    plan = build_plan(spec, allocation, offline_azs(spec), "10.64.0.0/12")
    built = time.perf_counter()
    analysis = analyse_hybrid(plan)
    hybrid = time.perf_counter()
    reachability.matrix(plan)
    matrix = time.perf_counter()
    assert analysis is not None
    assert sum(r.reachable for r in analysis.on_premises) == spokes // 2
    return {
        "build_s": built - start,
        "hybrid_s": hybrid - built,
        "matrix_s": matrix - hybrid,
        "hybrid_ms_per_spoke": (hybrid - built) * 1000 / spokes,
    }


def run() -> dict[int, dict[str, float]]:
    """Measure at 100 and 500 spokes; prints and returns the figures."""
    out = {n: measure(n) for n in (100, 500)}
    for n, f in out.items():
        print(
            f"hybrid analysis, {n} spokes, 3 AZs, 2 VPNs + DX: build {f['build_s']:.2f} s, "
            f"on-premises walks + failures {f['hybrid_s']:.2f} s "
            f"({f['hybrid_ms_per_spoke']:.2f} ms per spoke), spoke matrix {f['matrix_s']:.2f} s"
        )
    return out


if __name__ == "__main__":
    run()
