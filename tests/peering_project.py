"""The peered pair of test stacks (tests/peering/stacks): prod-use1 and prod-euw1."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.conftest import REPO

FIXTURE = REPO / "tests" / "peering" / "stacks"
USE1, EUW1 = "prod-use1", "prod-euw1"


def peered_project(root: Path) -> Path:
    """A project folder holding a copy of the peered pair, with no lock yet."""
    shutil.copytree(FIXTURE, root / "stacks")
    return root


def plan_json(cli: Callable[..., Any], project: Path, stack: str) -> dict[str, Any]:
    """`plan STACK --format json` (exit 0 asserted)."""
    result = cli(project, "plan", stack, "--format", "json")
    assert result.code == 0, result.err
    doc: dict[str, Any] = json.loads(result.out)
    return doc


def both_planned(cli: Callable[..., Any], project: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """Plan both stacks so each knows the other's CIDRs; the JSON of each, second round."""
    plan_json(cli, project, USE1)
    plan_json(cli, project, EUW1)
    return plan_json(cli, project, USE1), plan_json(cli, project, EUW1)
