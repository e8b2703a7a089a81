"""The plan as Markdown for a pull-request comment (jinja2, strict undefined).

A comment must fit GitHub's limit: above SUMMARY_THRESHOLD characters the report is
rendered again in summary form (no per-subnet rows, spokes grouped in the diagram).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import jinja2

from foundation.network.cost import usd
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
_ENV.globals["usd"] = usd
DIFF_LIST_LIMIT = 25  # replacement / deletion rows in the summary before "N more"
PAIRS_SHOWN = 12
CIDR_ROWS_LIMIT = 100  # allocated (and released) rows in the change details


def _pairs(pairs: list[list[str]], flagged: list[list[str]]) -> str:
    """`a → b` pairs, the flagged ones marked ⚠️, at most PAIRS_SHOWN of them."""
    shown = [
        f"{a} → {b}" + (" ⚠️ (segments were apart)" if [a, b] in flagged else "") for a, b in pairs
    ]
    more = f" and {len(shown) - PAIRS_SHOWN} more" if len(shown) > PAIRS_SHOWN else ""
    return (
        f"{len(pairs)} pair{'' if len(pairs) == 1 else 's'}: "
        + ", ".join(shown[:PAIRS_SHOWN])
        + more
    )


_ENV.globals["pairs"] = _pairs


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
    summary = _diff_summary(report) if report.diff is not None else ""
    text = template.render(**_context(report, summarised=False))
    if len(summary) + len(text) > SUMMARY_THRESHOLD:  # the diff's summary counts too
        text = template.render(**_context(report, summarised=True))
    if report.diff is not None:
        text = summary + _collapsed(text, report)
    return text


def _diff_summary(report: PlanReport) -> str:
    """The block a reviewer reads first under --base (counts, replacements, cost delta)."""
    assert report.diff is not None
    diff = report.diff
    moved = [
        (len(diff.egress), "egress path"),
        (len(diff.az_failure), "AZ-failure impact"),
        (len(diff.quotas), "quota row"),
    ]
    return _ENV.get_template("diff.md.j2").render(
        doc=plan_document(report),
        diff=diff.to_dict(),
        also=", ".join(f"{n} {noun}{'' if n == 1 else 's'}" for n, noun in moved if n),
        errors=report.errors,
        warnings=report.warnings,
        limit=DIFF_LIST_LIMIT,
        cidr_limit=CIDR_ROWS_LIMIT,
    )


def _collapsed(text: str, report: PlanReport) -> str:
    """The full report, each `###` section (and the header) in its own closed <details>."""
    parts = re.split(r"(?m)^(?=### )", text)
    head, sections = parts[0], parts[1:]
    out = [
        f"<details><summary>Whole network at the head ({report.resources.total} resources)"
        f"</summary>\n\n{head.strip()}\n\n</details>\n\n"
    ]
    for section in sections:
        title = section.splitlines()[0].removeprefix("### ").strip()
        out.append(f"<details><summary>{title}</summary>\n\n{section.strip()}\n\n</details>\n\n")
    return "".join(out).rstrip("\n") + "\n"
