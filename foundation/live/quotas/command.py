"""`python -m foundation quotas STACK`: the live preflight (exit 1 when a limit is exceeded)."""

from __future__ import annotations

from pathlib import Path

from foundation.config.workspace import Workspace
from foundation.live.aws import Aws
from foundation.live.quotas.decide import quota_findings
from foundation.live.quotas.live import live_quota_rows
from foundation.network.stack_plan import read_only_plan
from foundation.reports.quotas import render_quotas


def run_quotas(project: Path, stack: str, fmt: str) -> tuple[str, int]:
    """Check the stack's quotas against the account; returns (report, exit code)."""
    spec, plan = read_only_plan(Workspace(project), stack)
    aws = Aws(spec.region)
    rows = live_quota_rows(spec, plan, aws)  # spoke accounts' calls count in aws.api_calls
    findings = quota_findings(rows, live=True)
    code = 1 if any(r.status == "fail" for r in rows) else 0
    return render_quotas(stack, spec.region, rows, findings, aws.api_calls, fmt), code
