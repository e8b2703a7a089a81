"""The plan as Markdown for a pull-request comment (jinja2, strict undefined).

A comment must fit GitHub's limit: above SUMMARY_THRESHOLD characters the report is
rendered again in summary form (no per-subnet rows, spokes grouped in the diagram).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jinja2

from foundation.reports.diagram import topology
from foundation.reports.jsonout import plan_document
from foundation.reports.model import PlanReport

SUMMARY_THRESHOLD = 60_000

_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("foundation.reports", "templates"),
    undefined=jinja2.StrictUndefined,
    keep_trailing_newline=True,
    autoescape=False,
    trim_blocks=True,
    lstrip_blocks=True,
)


def _runbook_linker(report: PlanReport) -> Callable[[str], str]:
    """Playbook links: under `alarms.runbookBaseUrl` when set, else the repository path."""
    base = report.plan.monitoring.runbook_base_url if report.plan.monitoring else None

    def link(path: str) -> str:
        return f"{base}/{path.rsplit('/', 1)[1]}" if base else path

    return link


def _context(report: PlanReport, summarised: bool) -> dict[str, Any]:
    doc = plan_document(report)
    return {
        "runbook": _runbook_linker(report),
        "doc": doc,
        "errors": report.errors,
        "warnings": report.warnings,
        "lock_written": report.lock_written,
        "subnet_count": sum(len(v["subnets"]) for v in doc["vpcs"]),
        "segments": [s.name for s in report.plan.segments],
        "mermaid": topology(report.plan, detail=not summarised),
        "summarised": summarised,
        "egress_ok": sum(1 for e in report.egress if e.outcome == "internet" and e.returns),
    }


def render_markdown(report: PlanReport) -> str:
    """Markdown, summarised when the full form would not fit one PR comment."""
    template = _ENV.get_template("plan.md.j2")
    text = template.render(**_context(report, summarised=False))
    if len(text) > SUMMARY_THRESHOLD:
        text = template.render(**_context(report, summarised=True))
    return text
