"""The inspection stack's Markdown report against its golden file (DESIGN §3.10)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from tests.conftest import REPO

GOLDEN = REPO / "tests" / "golden" / "inspect.md"


def test_the_inspection_report_matches_its_golden_file(workspace: Path, cli) -> None:
    shutil.copy(REPO / "tests" / "data" / "Pulumi.inspect.yaml", workspace / "stacks")
    result = cli(workspace, "plan", "inspect", "--format", "markdown")
    assert result.code == 0, result.err
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.write_text(result.out)
    assert result.out == GOLDEN.read_text(), f"rerun with UPDATE_GOLDEN=1 if {GOLDEN} should change"
    assert "### Inspection" in result.out
    assert 'subgraph inspection["inspection ' in result.out
    assert "appliance mode **on**" in result.out


def test_the_text_report_says_what_is_inspected(workspace: Path, cli) -> None:
    shutil.copy(REPO / "tests" / "data" / "Pulumi.inspect.yaml", workspace / "stacks")
    text = cli(workspace, "plan", "inspect", "--format", "text").out
    assert (
        "Inspection: firewall inspection-firewall in 3 AZs, appliance mode on; 6 spoke pairs "
        "and 12 of 12 egress paths inspected; symmetric" in text
    )
    assert "Inspection:" not in cli(workspace, "plan", "dev", "--format", "text").out
