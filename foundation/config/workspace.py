"""Finding and loading stacks: stacks/Pulumi.<stack>.yaml plus the org address plan."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from foundation.config.address_plan import AddressPlan, load_address_plan
from foundation.config.hybrid import hybrid_address_problems
from foundation.config.spec import ROOT, StackSpec, parse_network
from foundation.config.yamlio import load_yaml
from foundation.errors import InputError, Problem
from ipam.lock import stack_name_problem

PROJECT = "foundation"
TOP_LEVEL_KEYS = {"config", "encryptionsalt", "secretsprovider", "encryptedkey", "environment"}
PROJECT_KEYS = {ROOT}


@dataclass(frozen=True)
class Workspace:
    """Where a project's stacks live; tests point it at a copy."""

    root: Path

    @property
    def stacks_dir(self) -> Path:
        """The Pulumi stackConfigDir."""
        return self.root / "stacks"

    @property
    def address_plan_path(self) -> Path:
        """The org address plan edited by people."""
        return self.stacks_dir / "addresses.yaml"

    @property
    def lock_path(self) -> Path:
        """The lock written by the tool."""
        return self.stacks_dir / "addresses.lock.yaml"

    def config_names(self) -> list[str]:
        """The name part of every stacks/Pulumi.<name>.yaml, valid stack name or not."""
        return sorted(
            p.name[len("Pulumi.") : -len(".yaml")] for p in self.stacks_dir.glob("Pulumi.*.yaml")
        )

    def stack_names(self) -> list[str]:
        """Every stack that has a config file and a valid name (one that can key the lock)."""
        return [n for n in self.config_names() if stack_name_problem(n) is None]

    def stack_path(self, stack: str) -> Path:
        """The config file of a stack, or a clear error listing the stacks that exist."""
        problem = stack_name_problem(stack)
        if problem:
            raise InputError.single(
                "STACK",
                stack,
                f"'{stack}' {problem}",
                "name the stack (and its stacks/Pulumi.<STACK>.yaml) with such a name",
            )
        path = self.stacks_dir / f"Pulumi.{stack}.yaml"
        if not self.stacks_dir.is_dir():
            raise InputError.single(
                "--project",
                str(self.root),
                f"has no stacks/ folder ({self.stacks_dir} is missing or not a folder)",
                "run from the project folder or pass --project <folder holding stacks/>",
            )
        if not path.is_file() and (path.exists() or path.is_symlink()):
            kind = "a folder" if path.is_dir() else "not a regular file (a broken symlink?)"
            raise InputError.single(
                "STACK",
                stack,
                f"stacks/Pulumi.{stack}.yaml is {kind}",
                f"make stacks/Pulumi.{stack}.yaml a YAML file",
            )
        if not path.is_file():
            existing = self.stack_names()
            close = difflib.get_close_matches(stack, existing, n=1)
            hint = f"did you mean '{close[0]}'? " if close else ""
            raise InputError.single(
                "STACK",
                stack,
                f"no stack '{stack}' (stacks/Pulumi.{stack}.yaml does not exist)",
                f"{hint}existing stacks: {', '.join(existing) or '(none)'}",
            )
        return path

    def load_stack(self, stack: str) -> StackSpec:
        """Load and validate a stack's config file."""
        path = self.stack_path(stack)
        display = f"stacks/{path.name}"
        return stack_from_document(load_yaml(path, display), stack, display)

    def load(self, stack: str) -> tuple[StackSpec, AddressPlan]:
        """Load a stack and the address plan, checking the pool it names; every problem at once."""
        problems: list[Problem] = []
        spec: StackSpec | None = None
        plan: AddressPlan | None = None
        try:
            spec = self.load_stack(stack)
        except InputError as exc:
            problems += exc.problems
        try:
            plan = load_address_plan(self.address_plan_path)
        except InputError as exc:
            problems += exc.problems
        if spec is not None and plan is not None:
            problems += pool_problems(spec, plan)
        if problems or spec is None or plan is None:
            raise InputError(problems)
        return spec, plan


def pool_problems(spec: StackSpec, plan: AddressPlan) -> list[Problem]:
    """The stack must name a pool that the address plan defines.

    With `onPremises`, its ranges must lie in the plan's reserved ranges (DESIGN §3.14).
    """
    pool = spec.network.pool
    if pool in plan.pools:
        return hybrid_address_problems(spec.network.on_premises, plan, spec.source)
    close = difflib.get_close_matches(pool, list(plan.pools), n=1)
    hint = f"did you mean '{close[0]}'? " if close else ""
    return [
        Problem(
            spec.source,
            f"{ROOT}.pool",
            f"unknown pool '{pool}'",
            f"{hint}pools in {plan.source}: {', '.join(sorted(plan.pools))}",
        )
    ]


def stack_from_document(doc: Any, stack: str, source: str) -> StackSpec:
    """Validate a parsed Pulumi stack config document."""
    if not isinstance(doc, dict) or not isinstance(doc.get("config"), dict):
        raise InputError.single(
            source,
            "config",
            "missing the config mapping",
            f"start the file with config: and put {ROOT} under it",
        )
    problems: list[Problem] = []
    for key in doc:
        if key not in TOP_LEVEL_KEYS:
            problems.append(
                Problem(
                    source,
                    str(key),
                    f"unknown top-level key '{key}'",
                    f"allowed: {', '.join(sorted(TOP_LEVEL_KEYS))}",
                )
            )
    config = doc["config"]
    for key in config:
        if str(key).startswith(f"{PROJECT}:") and key not in PROJECT_KEYS:
            close = difflib.get_close_matches(str(key), sorted(PROJECT_KEYS), n=1)
            hint = f"did you mean '{close[0]}'? " if close else ""
            problems.append(
                Problem(
                    source,
                    f"config.{key}",
                    f"unknown key '{key}'",
                    f"{hint}the project reads only {ROOT}",
                )
            )
    region = config.get("aws:region")
    if not isinstance(region, str) or not region.strip():
        problems.append(
            Problem(
                source,
                "aws:region",
                "missing the AWS Region",
                "add aws:region: us-east-1 (or your Region) under config",
            )
        )
        region = ""
    if ROOT not in config:
        problems.append(
            Problem(
                source,
                ROOT,
                "missing the network definition",
                f"add {ROOT}: with pool, segments and spokes",
            )
        )
        raise InputError(problems)
    spec: StackSpec | None = None
    try:
        spec = parse_network(config[ROOT], region, source, stack)
    except InputError as exc:
        problems += [p for p in exc.problems if not (region == "" and p.path == "aws:region")]
    if problems or spec is None:
        raise InputError(problems)
    return spec
