"""Drift results as text, Markdown or JSON (schema `foundation/drift@1`)."""

from __future__ import annotations

import json

from foundation.live.drift.model import DriftResult
from foundation.network.runbooks import drift_rule, runbook_path
from foundation.reports.columns import aligned

SCHEMA = "foundation/drift@1"
COLUMNS = ["severity", "kind", "type", "name", "attribute", "expected", "actual"]


def _multi(result: DriftResult) -> bool:
    return any(f.account != "network" for f in result.findings)


def _columns(result: DriftResult) -> list[str]:
    return [*COLUMNS, "account"] if _multi(result) else COLUMNS


def _rows(result: DriftResult) -> list[list[str]]:
    extra = _multi(result)
    return [
        [f.severity, f.kind, f.resource_type, f.name, f.attribute or "-", f.expected, f.actual]
        + ([f.account] if extra else [])
        for f in result.findings
    ]


def _playbook(kind: str) -> str:
    """A Markdown link to the drift kind's playbook (relative to the repository root)."""
    rule = drift_rule(kind)
    return f"[{rule}]({runbook_path(rule)})"


def render_drift(result: DriftResult, fmt: str) -> str:
    """Render a drift result."""
    if fmt == "json":
        return (
            json.dumps(
                {
                    "schema": SCHEMA,
                    "stack": result.stack,
                    "status": result.status,
                    "findings": [f.to_dict() for f in result.findings],
                    "ignored": result.ignored,
                    "apiCalls": result.api_calls,
                },
                indent=2,
            )
            + "\n"
        )
    head = {
        "clean": "clean: the live network matches the plan",
        "not-deployed": "not deployed: no resource of this stack exists yet",
        "drift": f"drift: {len(result.findings)} findings",
    }[result.status]
    tail = f"{result.api_calls} AWS API calls" + (
        f", {result.ignored} findings ignored by drift.ignore" if result.ignored else ""
    )
    rows = _rows(result)
    if fmt == "markdown":
        out = [f"## Drift: `{result.stack}`: {head}", ""]
        if rows:
            columns = [*_columns(result), "playbook"]
            out += ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
            out += [
                "| " + " | ".join([*r, _playbook(f.kind)]) + " |"
                for r, f in zip(rows, result.findings, strict=True)
            ] + [""]
        return "\n".join([*out, tail]) + "\n"
    text = f"Drift: {result.stack}: {head}\n"
    if rows:
        text += "\n" + aligned(_columns(result), rows)
    return text + "\n" + tail + "\n"
