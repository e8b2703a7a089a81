"""A drift history summary as text, Markdown or JSON (schema `foundation/drift-history-summary@1`).

Times are UTC (ISO 8601, `Z`); durations are whole seconds in JSON and `1d 2h 3m` in text.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime
from typing import Any

from foundation.live.drift.history import FindingHistory, HistorySummary
from foundation.reports.columns import aligned

SCHEMA = "foundation/drift-history-summary@1"
COLUMNS = ["kind", "type", "name", "attribute", "account", "first seen", "last seen", "runs",
           "resolved in", "state"]  # fmt: skip


def _stamp(moment: datetime | None) -> str | None:
    return None if moment is None else moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def duration(seconds: int | None) -> str:
    """Seconds as `2d 3h 5m` (`-` when unknown, `0m` under a minute)."""
    if seconds is None:
        return "-"
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    parts = [f"{days}d"] if days else []
    parts += [f"{hours}h"] if hours else []
    parts += [f"{minutes}m"] if minutes or not parts else []
    return " ".join(parts)


def _finding(h: FindingHistory) -> dict[str, Any]:
    kind, resource_type, name, attribute, account = h.key
    return {
        "kind": kind,
        "resourceType": resource_type,
        "name": name,
        "attribute": attribute,
        "account": account,
        "firstSeen": _stamp(h.first_seen),
        "lastSeen": _stamp(h.last_seen),
        "runsSeen": h.runs_seen,
        "recurring": h.recurring,
        "open": h.open,
        "timeToResolve": h.time_to_resolve,
        "episodes": [
            {"opened": _stamp(e.opened), "resolved": _stamp(e.resolved), "seconds": e.seconds}
            for e in h.episodes
        ],
    }


def history_document(summary: HistorySummary) -> dict[str, Any]:
    """The JSON-serialisable summary."""
    runs = summary.runs
    return {
        "schema": SCHEMA,
        "file": summary.path,
        "runs": len(runs),
        "firstRun": _stamp(runs[0].time) if runs else None,
        "lastRun": _stamp(runs[-1].time) if runs else None,
        "byStatus": dict(sorted(Counter(r.status for r in runs).items())),
        "findings": [_finding(h) for h in summary.findings],
        "recurring": [_finding(h) for h in summary.findings if h.recurring],
        "corruptLines": [{"line": c.line, "reason": c.reason} for c in summary.corrupt],
    }


def _rows(doc: dict[str, Any]) -> list[list[str]]:
    return [
        [
            f["kind"],
            f["resourceType"],
            f["name"],
            f["attribute"] or "-",
            f["account"],
            f["firstSeen"],
            f["lastSeen"],
            str(f["runsSeen"]),
            duration(f["timeToResolve"]),
            ("open" if f["open"] else "resolved") + (", recurring" if f["recurring"] else ""),
        ]
        for f in doc["findings"]
    ]


def render_history(summary: HistorySummary, fmt: str) -> str:
    """Render a drift history summary."""
    doc = history_document(summary)
    if fmt == "json":
        return json.dumps(doc, indent=2) + "\n"
    statuses = ", ".join(f"{n} {s}" for s, n in doc["byStatus"].items()) or "none"
    head = (
        f"{doc['runs']} runs ({statuses}) from {doc['firstRun']} to {doc['lastRun']}"
        if doc["runs"]
        else "no runs recorded"
    )
    recurring = [f"{f['resourceType']} {f['name']}" for f in doc["recurring"]]
    notes = [f"recurring drift: {', '.join(recurring)}"] if recurring else []
    notes += [
        f"line {c['line']} is corrupt and was skipped: {c['reason']}" for c in doc["corruptLines"]
    ]
    rows = _rows(doc)
    if fmt == "markdown":
        out = [f"## Drift history: `{summary.path}`", "", head, ""]
        if rows:
            out += ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
            out += ["| " + " | ".join(r) + " |" for r in rows] + [""]
        else:
            out += ["No finding in any run.", ""]
        out += [f"- {n}" for n in notes]
        return "\n".join(out).rstrip("\n") + "\n"
    text = f"Drift history: {summary.path}: {head}\n"
    if rows:
        text += "\n" + aligned(COLUMNS, rows)
    else:
        text += "\nNo finding in any run.\n"
    return text + "".join(f"\n{n}" for n in notes) + ("\n" if notes else "")
