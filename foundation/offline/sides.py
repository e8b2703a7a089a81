"""One planned "side": a NetworkPlan with its analyses, its mock run and its cost.

The head of `plan` and the base of `plan --base` are planned by the same steps (the head's
code), so a difference between two sides is a difference of configuration, never of code.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulumi
from netaddr import IPNetwork

from foundation.config.spec import StackSpec
from foundation.config.workspace import Workspace
from foundation.config.yamlio import load_yaml
from foundation.errors import FoundationError
from foundation.live.quotas.decide import QuotaRow, decide_per_account
from foundation.network.analysis import reachability
from foundation.network.analysis.reachability import (
    AzImpact,
    EgressPath,
    PairResult,
    TierReturn,
)
from foundation.network.analysis.routing import Router
from foundation.network.cost import CostEstimate, estimate
from foundation.network.model import NetworkPlan
from foundation.offline.mockrun import Recording, run_program

PROGRAM = Path(__file__).resolve().parents[2] / "__main__.py"


@dataclass(frozen=True)
class Analyses:
    """What the route walks say about one plan."""

    pairs: list[PairResult]
    egress: list[EgressPath]
    impacts: list[AzImpact]
    returns: list[TierReturn]  # workload tiers whose replies are dropped (REACH.RETURN)


@dataclass(frozen=True)
class Side:
    """Everything `--base` compares about one version of a stack."""

    spec: StackSpec
    plan: NetworkPlan
    lock: Mapping[str, IPNetwork]
    analyses: Analyses
    quotas: list[QuotaRow]  # offline rows: planned counts do not depend on --live
    recording: Recording
    cost: CostEstimate


def analyse(plan: NetworkPlan) -> Analyses:
    """Reachability matrix, egress paths and AZ-failure impacts, from one Router."""
    router = Router(plan)
    pairs = reachability.matrix(plan, router)
    paths = reachability.egress(plan, router=router)
    impacts = reachability.az_failure(plan, router, pairs, paths)
    returns = reachability.tier_returns(plan, router)
    return Analyses(pairs, paths, impacts, returns)


def offline_quotas(spec: StackSpec, plan: NetworkPlan) -> list[QuotaRow]:
    """Planned counts against AWS default limits (the offline quota rows)."""
    return decide_per_account(plan, {}, {}, spec.network.quotas.headroom)


def mock_run(workspace: Workspace, spec: StackSpec) -> Recording:
    """Run the real program under the mock engine (as `pulumi preview`) for one stack.

    Raises:
        FoundationError: the program failed (exit 2), naming the stack file.
    """
    config: dict[str, Any] = load_yaml(workspace.stack_path(spec.name))["config"]
    try:
        return run_program(
            PROGRAM,
            spec.name,
            spec.region,
            config["foundation:network"],
            preview=True,
            offline=True,
            project_root=workspace.root,
        )
    except pulumi.RunError as exc:
        raise FoundationError.single(spec.source, "", f"the Pulumi program failed: {exc}") from None


def price(plan: NetworkPlan, recording: Recording) -> CostEstimate:
    """The cost estimate of what the program registered."""
    behind = plan.inspection is not None and plan.inspection.egress  # DESIGN §3.10
    return estimate(plan.region, ((r.type, r.inputs) for r in recording.custom), behind)
