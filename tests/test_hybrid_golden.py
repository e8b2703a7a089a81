"""Golden files of the example hybrid stack (§3.14): Markdown and text."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.hybrid_stack import write_hybrid_stack

GOLDEN = Path(__file__).parent / "golden"


@pytest.mark.parametrize(("fmt", "ext"), [("markdown", "md"), ("text", "txt")])
def test_hybrid_reports_match_the_golden_files(workspace: Path, cli, fmt: str, ext: str) -> None:
    write_hybrid_stack(workspace)
    result = cli(workspace, "plan", "hybrid", "--format", fmt)
    assert result.code == 0, result.err
    golden = GOLDEN / f"hybrid.{ext}"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(result.out)
    assert result.out == golden.read_text(), f"rerun with UPDATE_GOLDEN=1 if {golden} should change"
