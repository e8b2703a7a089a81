"""Shared fixtures: a private copy of the project's stacks, an in-process CLI, snapshots."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from foundation.cli import main

REPO = Path(__file__).resolve().parent.parent


@dataclass
class CliResult:
    code: int
    out: str
    err: str


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A copy of stacks/ in a temporary project folder (tests never touch the real lock)."""
    shutil.copytree(REPO / "stacks", tmp_path / "stacks")
    return tmp_path


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., CliResult]:
    """Run `python -m foundation` in-process with --project set."""

    def run(project: Path, *args: str) -> CliResult:
        code = main(["--project", str(project), *args])
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run


def snapshot(folder: Path) -> dict[str, str]:
    """Hash of every file under a folder, to prove a command changed nothing."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def edit_stack(project: Path, stack: str, old: str, new: str) -> None:
    """Replace text in a stack file (the edit must apply)."""
    path = project / "stacks" / f"Pulumi.{stack}.yaml"
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))
