"""The Pulumi program under the mock engine vs two floors, for a generated 100-spoke stack.

- bare floor: the same number of bare custom resources (no inputs, no provider SDK) under
  the same recording monitor: the engine's own cost per registration (DESIGN §5).
- SDK floor: the very same pulumi_aws resources with the same inputs, registered flat in a
  loop: what any program creating these resources pays, before any logic of ours.
Each figure is the best of REPEATS runs, measured in one process.
"""

from __future__ import annotations

import importlib
import re
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pulumi
from pulumi.runtime import settings

from foundation.config import synthetic
from foundation.config.yamlio import load_yaml
from foundation.offline.mockrun import OfflineMocks, Recording, RecordingMonitor, run_program

REPO = Path(__file__).resolve().parent.parent
REPEATS = 3


def _engine(body: Callable[[], None]) -> tuple[float, Recording]:
    recording = Recording()
    mocks = OfflineMocks("us-east-1")
    settings.set_root_resource(None)  # type: ignore[arg-type]
    pulumi.runtime.set_mocks(
        mocks,
        project="bench",
        stack="floor",
        preview=True,
        monitor=RecordingMonitor(mocks, recording),
    )
    start = time.perf_counter()
    pulumi.runtime.test(body)()  # type: ignore[no-untyped-call]
    return time.perf_counter() - start, recording


def bare_floor(count: int) -> float:
    """Seconds to register `count` bare custom resources."""

    def body() -> None:
        for i in range(count):
            pulumi.CustomResource("bench:index:Bare", f"r{i}", {})

    elapsed, recording = _engine(body)
    assert len(recording.custom) == count
    return elapsed


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def sdk_floor(registrations: list[Any]) -> float:
    """Seconds to register the same pulumi_aws resources (same inputs), flat."""
    classes = {}
    for r in registrations:
        if r.type not in classes:
            _, module, cls = r.type.split(":")
            classes[r.type] = getattr(
                importlib.import_module(f"pulumi_aws.{module.split('/')[0]}"), cls
            )

    def body() -> None:
        for r in registrations:
            classes[r.type](
                f"{r.type.split(':')[1]}-{r.name}", **{_snake(k): v for k, v in r.inputs.items()}
            )

    elapsed, recording = _engine(body)
    assert len(recording.custom) == len(registrations)
    return elapsed


def ours(project: Path) -> tuple[float, Recording]:
    """Seconds to run the real program for the generated stack, and what it registered."""
    config = load_yaml(project / "stacks" / "Pulumi.scale.yaml")["config"]
    start = time.perf_counter()
    recording = run_program(
        REPO / "__main__.py",
        "scale",
        "us-east-1",
        config["foundation:network"],
        preview=True,
        offline=True,
        project_root=project,
    )
    return time.perf_counter() - start, recording


def run(spokes: int = 100) -> dict[str, float]:
    """Measure the program and both floors; prints and returns the figures."""
    with tempfile.TemporaryDirectory() as tmp:
        project = synthetic.write_project(Path(tmp), spokes=spokes)
        _, recording = ours(project)  # warm-up: imports, first use of pulumi_aws.ec2
        program_s = min(ours(project)[0] for _ in range(REPEATS))
    registrations = recording.custom
    count = len(registrations)
    bare_floor(10)
    bare_s = min(bare_floor(count) for _ in range(REPEATS))
    sdk_s = min(sdk_floor(registrations) for _ in range(REPEATS))
    print(
        f"program: {spokes}-spoke 3-AZ stack, {count} resources under the mock engine: "
        f"{program_s:.2f} s"
    )
    print(
        f"  bare floor ({count} bare resources): {bare_s:.2f} s -> ratio "
        f"{program_s / bare_s:.2f}x (DESIGN target <= 1.3x)"
    )
    print(
        f"  SDK floor (the same {count} pulumi_aws resources, flat): {sdk_s:.2f} s -> ratio "
        f"{program_s / sdk_s:.2f}x (our program's own overhead)"
    )
    return {
        "program": program_s,
        "bare_floor": bare_s,
        "sdk_floor": sdk_s,
        "ratio_bare": program_s / bare_s,
        "ratio_sdk": program_s / sdk_s,
        "resources": count,
    }


if __name__ == "__main__":
    run()
