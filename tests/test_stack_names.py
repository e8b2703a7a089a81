"""A stack name that cannot be a lock key is refused first, and never poisons other stacks."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ipam.lock import stack_name_problem
from tests.conftest import snapshot

BAD = ["dev+1", "*", "my stack", "dév", "..", "a/b", ".hidden", "dev.", "dev\n", "x" * 65]


@pytest.mark.parametrize("name", BAD)
def test_bad_names_are_refused_by_the_pattern(name: str) -> None:
    assert stack_name_problem(name)


@pytest.mark.parametrize("name", ["dev", "prod-eu", "team_a", "dev.blue", "DEV2"])
def test_pulumi_style_names_are_accepted(name: str) -> None:
    assert stack_name_problem(name) is None


@pytest.mark.parametrize("name", ["dev+1", "*", "my stack", "dév", "..", "a/b"])
@pytest.mark.parametrize("command", ["plan", "quotas", "drift"])
def test_every_command_refuses_a_bad_name_before_anything_else(
    workspace: Path, cli, name: str, command: str
) -> None:
    stacks = workspace / "stacks"
    if "/" not in name and name != "..":
        shutil.copy(stacks / "Pulumi.dev.yaml", stacks / f"Pulumi.{name}.yaml")
    before = snapshot(stacks)
    with pytest.raises(SystemExit) as exc:
        cli(workspace, command, name)
    assert exc.value.code == 2
    assert snapshot(stacks) == before


def test_a_bad_name_names_the_argument_and_the_pattern(workspace: Path, cli, capsys) -> None:
    with pytest.raises(SystemExit):
        cli(workspace, "plan", "dev+1")
    err = capsys.readouterr().err
    assert "argument stack: 'dev+1' is not a valid stack name" in err
    assert "pattern [A-Za-z0-9]" in err and "Traceback" not in err


def test_a_bad_name_attempt_never_poisons_other_stacks(workspace: Path, cli) -> None:
    stacks = workspace / "stacks"
    shutil.copy(stacks / "Pulumi.dev.yaml", stacks / "Pulumi.dev+1.yaml")
    lock = (stacks / "addresses.lock.yaml").read_bytes()
    with pytest.raises(SystemExit):
        cli(workspace, "plan", "dev+1")
    assert (stacks / "addresses.lock.yaml").read_bytes() == lock
    assert cli(workspace, "plan", "dev", "--format", "json").code == 0
    assert cli(workspace, "plan", "prod", "--format", "json").code == 0
    check = cli(workspace, "ipam", "check")
    assert check.code == 0, check.out + check.err
    assert "ignored stacks/Pulumi.dev+1.yaml: 'dev+1' is not a valid stack name" in check.out


def test_the_workspace_refuses_a_bad_name_when_called_as_a_library(workspace: Path) -> None:
    from foundation.config.workspace import Workspace
    from foundation.errors import InputError

    with pytest.raises(InputError) as exc:
        Workspace(workspace).load("../stacks/Pulumi.dev")
    assert exc.value.problems[0].source == "STACK"
