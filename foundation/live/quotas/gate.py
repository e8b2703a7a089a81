"""The quota gate at the start of the Pulumi program (before any resource is registered).

`enforce` stops `pulumi preview/up` with the table when a limit would be exceeded; `warn`
logs each finding as a Pulumi warning; `off` skips the check.
"""

from __future__ import annotations

import pulumi

from foundation.config.spec import StackSpec
from foundation.errors import FoundationError, Problem
from foundation.live.accounts import Sessions
from foundation.live.aws import Aws
from foundation.live.quotas.catalog import increase_fix
from foundation.live.quotas.decide import quota_findings
from foundation.live.quotas.live import live_quota_rows
from foundation.network.model import NetworkPlan
from foundation.reports.quotas import quota_table_text


def quota_gate(spec: StackSpec, plan: NetworkPlan, aws: Aws | Sessions | None = None) -> None:
    """Run the live quota preflight per `quotas.mode`.

    Raises:
        FoundationError: in enforce mode, when a quota would be exceeded.
    """
    mode = spec.network.quotas.mode
    if mode == "off":
        return
    rows = live_quota_rows(spec, plan, aws)
    findings = quota_findings(rows, live=True)
    failing = [r for r in rows if r.status == "fail"]
    if failing and mode == "enforce":
        raise FoundationError(
            [
                Problem(
                    "quota preflight",
                    f"{r.code} {r.scope}" + ("" if r.account == "network" else f" ({r.account})"),
                    f"{r.name}: {r.existing} existing + {r.planned} planned exceeds the limit "
                    f"{r.limit} "
                    f"({r.limit_source})",
                    increase_fix(r.code)
                    if r.adjustable
                    else "this limit is fixed: change the architecture",
                )
                for r in failing
            ]
            + [Problem("quota preflight", "table", "\n" + quota_table_text(rows))]
        )
    for finding in findings:
        pulumi.log.warn(
            f"quota {finding.rule} {finding.subject}: {finding.message}. Fix: {finding.fix}"
        )
