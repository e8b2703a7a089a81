"""`python -m foundation drift STACK`: exit 0 clean or not deployed, 1 drift, 2 error."""

from __future__ import annotations

from pathlib import Path

from foundation.config.workspace import Workspace
from foundation.live.drift.check import check_drift
from foundation.live.drift.notify import notify, validate_url
from foundation.network.stack_plan import read_only_plan
from foundation.reports.drift import render_drift


def run_drift(
    project: Path, stack: str, fmt: str, notify_url: str | None
) -> tuple[str, int, str | None]:
    """Check drift; notify only when there is drift. Returns (report, exit code, notice)."""
    if notify_url is not None:
        validate_url(notify_url)
    spec, plan = read_only_plan(Workspace(project), stack)
    result = check_drift(spec, plan)
    notice = None
    if result.status == "drift" and notify_url:
        failure = notify(notify_url, result)
        notice = f"warning: {failure}" if failure else "notified the drift webhook"
    return render_drift(result, fmt), 1 if result.status == "drift" else 0, notice
