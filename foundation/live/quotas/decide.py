"""The decision per quota and scope: existing + planned against the limit, with headroom.

- ``fail``: existing + planned exceeds the limit (AWS would refuse half-way).
- ``warn``: it fits, but not with the configured headroom (REL01-BP06) plus the capacity
  needed to survive losing one AZ (for AZ-scoped quotas: the most any one other AZ plans,
  which would move here on failover).
- ``ok``: otherwise.
Each quota is reported at its tightest scope (the VPC, AZ or table closest to its limit).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from foundation.live.quotas.catalog import QuotaDef, catalog, increase_fix
from foundation.live.quotas.planned import Usage, planned_usage
from foundation.network.analysis.findings import Finding
from foundation.network.model import NetworkPlan

STATUS_ORDER = {"fail": 0, "warn": 1, "ok": 2}


@dataclass(frozen=True)
class Limit:
    """A limit value and where it came from."""

    value: int
    source: str  # applied | aws-default | catalog-default


@dataclass(frozen=True)
class QuotaRow:
    """One quota at its tightest scope."""

    service: str
    code: str
    name: str
    scope: str
    existing: int
    planned: int
    failover: int
    limit: int
    limit_source: str
    adjustable: bool
    status: str
    account: str = "network"  # quotas are per account and Region (DESIGN §3.8)

    def to_dict(self) -> dict[str, object]:
        """The row as reports write it in JSON."""
        return {
            "service": self.service,
            "code": self.code,
            "name": self.name,
            "scope": self.scope,
            "existing": self.existing,
            "planned": self.planned,
            "failover": self.failover,
            "limit": self.limit,
            "limitSource": self.limit_source,
            "adjustable": self.adjustable,
            "status": self.status,
            "account": self.account,
        }


def _failover(quota: QuotaDef, planned: Mapping[str, int], scope: str) -> int:
    if quota.scope != "az":
        return 0
    return max((n for s, n in planned.items() if s != scope), default=0)


def decide(
    planned: Usage,
    existing: Usage,
    limits: Mapping[str, Limit],
    headroom: float,
    fallback_source: str = "aws-default",
    skip_uncounted: bool = False,
) -> list[QuotaRow]:
    """A row per quota, at the scope closest to (or furthest over) its limit.

    With `skip_uncounted`, quotas nothing here counts (a spoke account has no Transit
    Gateway) get no row.

    Quotas missing from `limits` use the catalogue's AWS default, labelled
    `fallback_source` (offline: `aws-default`; live, after Service Quotas failed:
    `catalog-default`).
    """
    rows = []
    for quota in catalog():
        limit = limits.get(quota.code, Limit(quota.default, fallback_source))
        if skip_uncounted and quota.counts not in planned:
            continue
        if quota.only_when_counted and quota.counts not in planned and quota.counts not in existing:
            continue
        plan_by_scope = planned.get(quota.counts, {})
        have_by_scope = existing.get(quota.counts, {})
        scopes = sorted(set(plan_by_scope) | set(have_by_scope)) or ["-"]
        candidates = []
        for scope in scopes:
            have, plan = have_by_scope.get(scope, 0), plan_by_scope.get(scope, 0)
            failover = _failover(quota, plan_by_scope, scope)
            need = have + plan
            if need > limit.value:
                status = "fail"
            elif need + failover > limit.value * (1 - headroom):
                status = "warn"
            else:
                status = "ok"
            candidates.append(
                (
                    STATUS_ORDER[status],
                    -(need + failover),
                    scope,
                    QuotaRow(
                        quota.service,
                        quota.code,
                        quota.name,
                        scope,
                        have,
                        plan,
                        failover,
                        limit.value,
                        limit.source,
                        quota.adjustable,
                        status,
                    ),
                )
            )
        rows.append(min(candidates, key=lambda c: c[:3])[3])
    return rows


def decide_per_account(
    plan: NetworkPlan,
    existing: Mapping[str, Usage],
    limits: Mapping[str, Mapping[str, Limit]],
    headroom: float,
    fallback_source: str = "aws-default",
) -> list[QuotaRow]:
    """The rows of every account of the plan: each account's usage against its own limits.

    Args:
        plan: the network plan (its accounts and the VPCs in each).
        existing: account name -> live usage not of this stack ({} offline).
        limits: account name -> its limits ({} offline: AWS defaults).
        headroom: the configured headroom.
        fallback_source: the label of catalogue defaults.
    """
    rows: list[QuotaRow] = []
    for account in plan.accounts:
        rows += [
            replace(row, account=account.name)
            for row in decide(
                planned_usage(plan, account.name),
                existing.get(account.name, {}),
                limits.get(account.name, {}),
                headroom,
                fallback_source,
                skip_uncounted=account.name != "network",
            )
        ]
    return rows


def quota_findings(rows: list[QuotaRow], live: bool) -> list[Finding]:
    """Findings for rows over the limit or inside the headroom.

    Offline, limits are AWS defaults that real accounts often raised: exceeding one is a
    warning. Live, the account's own limits decide: exceeding one is an error.
    """
    out = []
    for r in rows:
        if r.status == "ok":
            continue
        what = f"{r.existing + r.planned} of {r.limit} ({r.limit_source}) at {r.scope}"
        if not r.adjustable:
            fix = "this limit is fixed: change the architecture, a support ticket cannot raise it"
        elif r.status == "fail" and not live:
            fix = (
                "the account may have a raised limit: run `python -m foundation quotas "
                f"STACK` with credentials, or {increase_fix(r.code)}"
            )
        else:
            fix = increase_fix(r.code)
        if r.status == "fail":
            severity = "error" if live else "warning"
            message = f"{r.name}: {what} exceeds the limit"
        else:
            severity = "warning"
            message = f"{r.name}: {what} leaves less than the headroom"
            if r.failover:
                message += f" (+{r.failover} to survive losing an AZ)"
        subject = r.scope if r.account == "network" else f"{r.account}/{r.scope}"
        out.append(Finding(f"QUOTA.{r.code}", severity, subject, message, fix))  # type: ignore[arg-type]
    return out
