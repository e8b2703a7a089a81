"""The quota table on its own (`quotas` command, the program's gate): text, Markdown, JSON."""

from __future__ import annotations

import json

from foundation.live.quotas.decide import QuotaRow
from foundation.network.analysis.findings import Finding
from foundation.reports.columns import aligned

HEADERS = [
    "status",
    "quota",
    "code",
    "scope",
    "existing",
    "planned",
    "failover",
    "limit",
    "source",
    "adjustable",
]


def _multi(rows: list[QuotaRow]) -> bool:
    return any(r.account != "network" for r in rows)


def _headers(rows: list[QuotaRow]) -> list[str]:
    return ["account", *HEADERS] if _multi(rows) else HEADERS


def _row(r: QuotaRow, rows: list[QuotaRow]) -> list[str]:
    return [r.account, *_cells(r)] if _multi(rows) else _cells(r)


def _cells(r: QuotaRow) -> list[str]:
    return [
        r.status,
        r.name,
        r.code,
        r.scope,
        str(r.existing),
        str(r.planned),
        str(r.failover),
        str(r.limit),
        r.limit_source,
        "yes" if r.adjustable else "no (fixed)",
    ]


def quota_table_text(rows: list[QuotaRow]) -> str:
    """A plain aligned table, widest cell per column (never truncated)."""
    return aligned(_headers(rows), [_row(r, rows) for r in rows], rule=True)


def render_quotas(
    stack: str, region: str, rows: list[QuotaRow], findings: list[Finding], api_calls: int, fmt: str
) -> str:
    """The `quotas` command's report."""
    status = (
        "fail"
        if any(r.status == "fail" for r in rows)
        else ("warn" if any(r.status == "warn" for r in rows) else "ok")
    )
    if fmt == "json":
        return (
            json.dumps(
                {
                    "schema": "foundation/quotas@1",
                    "stack": stack,
                    "region": region,
                    "status": status,
                    "quotas": [r.to_dict() for r in rows],
                    "findings": [f.to_dict() for f in findings],
                    "apiCalls": api_calls,
                },
                indent=2,
            )
            + "\n"
        )
    if fmt == "markdown":
        out = [
            f"## Quotas: `{stack}` ({region}): **{status}**",
            "",
            "| " + " | ".join(_headers(rows)) + " |",
            "|" + "---|" * len(_headers(rows)),
        ]
        out += ["| " + " | ".join(_row(r, rows)) + " |" for r in rows]
        out += [
            "",
            *(
                f"- **{f.severity}** `{f.rule}` {f.subject}: {f.message}. Fix: {f.fix}"
                for f in findings
            ),
            "",
            f"{api_calls} AWS API calls.",
        ]
        return "\n".join(out) + "\n"
    text = f"Quotas: {stack} ({region}): {status}\n\n" + quota_table_text(rows)
    if findings:
        text += (
            "\n"
            + "\n".join(
                f"{f.severity}: {f.rule} {f.subject}: {f.message}. Fix: {f.fix}" for f in findings
            )
            + "\n"
        )
    return text + f"\n{api_calls} AWS API calls\n"
