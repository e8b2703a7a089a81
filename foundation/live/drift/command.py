"""`python -m foundation drift STACK`: exit 0 clean or not deployed, 1 drift, 2 error.

With `--history FILE` every run appends one line to FILE, a failed run too (status
`error`, before the command exits 2), so the scheduled check keeps a record over time.
"""

from __future__ import annotations

from pathlib import Path

from foundation.config.workspace import Workspace
from foundation.errors import FoundationError
from foundation.live.drift.check import check_drift
from foundation.live.drift.history import append, check_writable, history_line, now
from foundation.live.drift.notify import notify, validate_url
from foundation.network.stack_plan import read_only_plan
from foundation.reports.drift import render_drift


def run_drift(
    project: Path,
    stack: str,
    fmt: str,
    notify_url: str | None,
    history: Path | None = None,
) -> tuple[str, int, str | None]:
    """Check drift; notify only when there is drift. Returns (report, exit code, notice)."""
    if history is not None:
        check_writable(history)  # the one failure that cannot be recorded
    try:
        if notify_url is not None:
            validate_url(notify_url)
        spec, plan = read_only_plan(Workspace(project), stack)
        result = check_drift(spec, plan)
    except FoundationError as exc:
        if history is not None:
            reason = "; ".join(str(p) for p in exc.problems)
            append(history, history_line(stack, None, now(), error=reason))
        raise
    except Exception as exc:  # an internal error is still an error run in the record
        if history is not None:
            reason = f"internal error: {type(exc).__name__}"
            append(history, history_line(stack, None, now(), error=reason))
        raise
    if history is not None:
        append(history, history_line(stack, result, now()))
    notice = None
    if result.status == "drift" and notify_url:
        failure = notify(notify_url, result)
        notice = f"warning: {failure}" if failure else "notified the drift webhook"
    return render_drift(result, fmt), 1 if result.status == "drift" else 0, notice
