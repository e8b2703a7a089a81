"""`make bench`: every benchmark, printed as figures (targets in DESIGN §5)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import (
    bench_accounts,
    bench_base,
    bench_hybrid,
    bench_inspection,
    bench_ipam,
    bench_live,
    bench_peering,
    bench_plan,
    bench_program,
    bench_services,
)


def main() -> None:
    """Run the benchmarks in order, cheapest first."""
    bench_ipam.run()
    bench_plan.run()
    bench_hybrid.run()
    bench_inspection.run()
    bench_base.run()
    bench_program.run()
    bench_live.run()
    bench_accounts.run()
    bench_services.run()
    bench_peering.run()


if __name__ == "__main__":
    main()
