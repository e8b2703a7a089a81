"""The data every plan report renders: plan, findings, quotas, resources, analyses."""

from __future__ import annotations

from dataclasses import dataclass, field

from foundation.live.quotas.decide import QuotaRow
from foundation.network.analysis.findings import Finding
from foundation.network.analysis.hybrid import HybridAnalysis
from foundation.network.analysis.inspection import InspectionAnalysis
from foundation.network.analysis.peering import RegionLoss
from foundation.network.analysis.reachability import AzImpact, EgressPath, PairResult
from foundation.network.analysis.services import ServiceReach
from foundation.network.cost import CostEstimate
from foundation.network.model import NetworkPlan
from foundation.reports.diffmodel import PlanDiff


@dataclass(frozen=True)
class Resources:
    """What the Pulumi program registered under the mock engine."""

    total: int
    by_type: dict[str, int]
    by_component: dict[str, int]
    exports: tuple[str, ...] = ()
    by_account: dict[str, int] = field(default_factory=dict)  # the account of each provider
    protected: tuple[tuple[str, str], ...] = ()  # (Pulumi type, name) registered with protect


@dataclass(frozen=True)
class PlanReport:
    """Everything a reviewer needs to judge a change."""

    plan: NetworkPlan
    findings: tuple[Finding, ...]
    quotas: tuple[QuotaRow, ...]
    quota_mode: str  # offline | live
    resources: Resources
    pairs: tuple[PairResult, ...]
    segment_matrix: dict[str, dict[str, str]]
    egress: tuple[EgressPath, ...]
    az_impacts: tuple[AzImpact, ...]
    lock_written: bool = False
    frozen_missing: tuple[str, ...] = ()
    frozen_stale: tuple[str, ...] = ()  # lock entries the config no longer needs (--frozen)
    notes: tuple[str, ...] = field(default_factory=tuple)
    cost: CostEstimate | None = None  # every plan has one (DESIGN §3.12)
    diff: PlanDiff | None = None  # with --base REF (DESIGN §3.11)
    hybrid: HybridAnalysis | None = None  # with onPremises (DESIGN §3.14)
    services_reach: tuple[ServiceReach, ...] = ()  # per spoke, with shared services (§3.15)
    inspection: InspectionAnalysis | None = None  # symmetry and firewall-AZ loss (§3.10)
    region_failure: tuple[RegionLoss, ...] = ()  # one per peered Region (DESIGN §3.9)

    @property
    def errors(self) -> int:
        """Number of error findings."""
        return sum(1 for f in self.findings if f.severity == "error")

    @property
    def warnings(self) -> int:
        """Number of warning findings."""
        return sum(1 for f in self.findings if f.severity == "warning")

    @property
    def exit_code(self) -> int:
        """1 when a check failed (an error finding, or with --frozen a lock out of date)."""
        return 1 if self.errors or self.frozen_missing or self.frozen_stale else 0
