"""Central inspection: the cost of the symmetry proof and the firewall-AZ loss analysis.

Every inspected spoke pair (one representative per segment pair beyond 400 pairs) and
every egress path is walked for each source AZ, peer AZ and flow-hash AZ, then again per
lost AZ. Printed beside the reachability matrix of the same plan, which every plan runs.
"""

from __future__ import annotations

import time

from foundation.addresses.allocation import allocate_in_memory
from foundation.config.address_plan import parse_address_plan
from foundation.config.spec import parse_network
from foundation.config.synthetic import network
from foundation.network.analysis import reachability
from foundation.network.analysis.inspection import analyse_inspection
from foundation.network.analysis.routing import Router
from foundation.network.build import build_plan
from foundation.network.stack_plan import offline_azs
from ipam.lock import LockFile

POOL = "10.0.0.0/8"
ADDRESSES = parse_address_plan({"pools": {"p": POOL}}, "addresses.yaml")


def run() -> None:
    """Print the analysis time at 100 and 500 spokes (3 AZs, nat-per-az)."""
    print("inspection analysis (symmetry + firewall-AZ loss), 3 AZs:")
    for spokes in (100, 500):
        raw = dict(network(spokes))
        raw["pool"], raw["inspection"] = "p", {}
        spec = parse_network(raw, "us-east-1", "bench", "bench")
        allocation = allocate_in_memory(spec, ADDRESSES, LockFile())
        plan = build_plan(spec, allocation, offline_azs(spec), POOL)
        start = time.perf_counter()
        analysis = analyse_inspection(plan)
        proof = time.perf_counter() - start
        start = time.perf_counter()
        reachability.matrix(plan, Router(plan))
        matrix = time.perf_counter() - start
        assert analysis is not None and analysis.symmetric
        print(
            f"  {spokes} spokes: {proof:.2f} s for {analysis.flows_checked} flows "
            f"(reachability matrix of the same plan: {matrix:.2f} s)"
        )


if __name__ == "__main__":
    run()
