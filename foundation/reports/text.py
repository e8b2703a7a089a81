"""The plan as text tables for a terminal (rich).

Names and CIDRs are never truncated or wrapped: tables are laid out on a canvas as wide as
they need, whatever the terminal's width and whether or not the output is piped.
"""

from __future__ import annotations

import io
from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table

from foundation.reports.jsonout import plan_document
from foundation.reports.model import PlanReport

CANVAS_WIDTH = 10_000


def _table(headers: list[str], rows: list[list[object]]) -> Table:
    table = Table(box=box.SIMPLE_HEAD, expand=False, show_edge=False, pad_edge=False)
    for header in headers:
        table.add_column(header, no_wrap=True, overflow="ignore")
    for row in rows:
        table.add_row(*(str(c) for c in row))
    return table


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def render_text(report: PlanReport) -> str:
    """Plain text (no colour codes), stable for golden files."""
    doc = plan_document(report)
    out = io.StringIO()
    console = Console(
        file=out,
        width=CANVAS_WIDTH,
        color_system=None,
        force_terminal=False,
        highlight=False,
        emoji=False,
        soft_wrap=False,
    )
    subnets = sum(len(v["subnets"]) for v in doc["vpcs"])
    console.print(f"Network plan: {doc['stack']} ({doc['region']})")
    console.print(
        f"{doc['resources']['total']} to create | {len(doc['vpcs'])} VPCs | {subnets} subnets | "
        f"{len(doc['availabilityZones'])} AZs | egress {doc['egress']} | "
        f"pool {doc['pool']['name']} "
        f"{doc['pool']['cidr']} {doc['pool']['utilisation'] * 100:.1f}% allocated | "
        f"{_count(report.errors, 'error')}, {_count(report.warnings, 'warning')}"
    )
    if doc["newAllocations"]:
        where = " (written to stacks/addresses.lock.yaml)" if report.lock_written else ""
        console.print(f"{len(doc['newAllocations'])} new CIDR allocations, marked *{where}")
    released = doc["cidrs"]["released"]
    if released:
        where = " (removed from stacks/addresses.lock.yaml)" if report.lock_written else ""
        console.print(f"{len(released)} CIDR allocations released, their resources deleted{where}:")
        for entry in released:
            console.print(f"  - {entry['key']} {entry['cidr']}")
    if doc["frozenMissing"]:
        console.print(
            f"--frozen: {len(doc['frozenMissing'])} lock entries missing: "
            + ", ".join(doc["frozenMissing"])
        )
    if doc["frozenStale"]:
        console.print(
            f"--frozen: {len(doc['frozenStale'])} lock entries no longer in the config: "
            + ", ".join(doc["frozenStale"])
            + f" (run `python -m foundation plan {doc['stack']}` to free them, and commit)"
        )
    console.print()
    findings = [
        [f["severity"], f["rule"], f["subject"], f["message"], f["fix"]] for f in doc["findings"]
    ]
    if findings:
        console.print("Findings")
        console.print(_table(["severity", "rule", "subject", "finding", "fix"], findings))
    else:
        console.print("Findings: none")
    console.print()
    segs = [s.name for s in report.plan.segments]
    console.print("Reachability (segment -> segment, from the route tables)")
    console.print(
        _table(
            ["from \\ to", *segs],
            [[a, *(doc["reachability"]["segments"][a][b] for b in segs)] for a in segs],
        )
    )
    console.print()
    console.print("Egress")
    console.print(
        _table(
            ["spoke", "AZ", "egress", "via NAT", "NAT AZ", "return path"],
            [
                [
                    e["vpc"],
                    e["az"],
                    e["outcome"],
                    e["nat"] or "-",
                    e["natAz"] or "-",
                    "yes" if e["returnPath"] else "no",
                ]
                for e in doc["reachability"]["egress"]
            ],
        )
    )
    console.print()
    console.print("AZ failure")
    console.print(
        _table(
            ["AZ fails", "egress lost elsewhere", "connectivity lost elsewhere"],
            [
                [
                    i["az"],
                    ", ".join(i["egressLostElsewhere"]) or "none",
                    ", ".join(i["connectivityLostElsewhere"]) or "none",
                ]
                for i in doc["azFailure"]
            ],
        )
    )
    console.print()
    console.print("VPCs")
    console.print(
        _table(
            ["VPC", "role", "segment", "CIDR", "AZ slots", "subnets", "usable"],
            [
                [
                    v["name"] + (" *" if v["new"] else ""),
                    v["role"],
                    v["segment"] or "-",
                    v["cidr"],
                    v["azSlots"],
                    len(v["subnets"]),
                    sum(s["usableAddresses"] for s in v["subnets"]),
                ]
                for v in doc["vpcs"]
            ],
        )
    )
    console.print()
    console.print("Subnets")
    console.print(
        _table(
            ["subnet", "tier", "AZ", "CIDR", "usable", "route table"],
            [
                [
                    s["name"] + (" *" if s["new"] else ""),
                    s["tier"],
                    s["az"],
                    s["cidr"],
                    s["usableAddresses"],
                    s["routeTable"],
                ]
                for v in doc["vpcs"]
                for s in v["subnets"]
            ],
        )
    )
    console.print()
    mode = "live" if doc["quotaMode"] == "live" else "offline, AWS default limits"
    console.print(f"Quotas ({mode})")
    console.print(
        _table(
            [
                "quota",
                "code",
                "scope",
                "existing",
                "planned",
                "failover",
                "limit",
                "source",
                "status",
            ],
            [
                [
                    q["name"],
                    q["code"],
                    q["scope"],
                    q["existing"],
                    q["planned"],
                    q["failover"],
                    q["limit"],
                    q["limitSource"],
                    q["status"],
                ]
                for q in doc["quotas"]
            ],
        )
    )
    console.print()
    console.print(f"Resources ({doc['resources']['total']} to create)")
    console.print(
        _table(["type", "count"], [[t, n] for t, n in doc["resources"]["byType"].items()])
    )
    console.print()
    console.print("By component")
    console.print(
        _table(
            ["component", "resources"], [[c, n] for c, n in doc["resources"]["byComponent"].items()]
        )
    )
    _operations(console, doc)
    return "\n".join(line.rstrip() for line in out.getvalue().splitlines()) + "\n"


def _operations(console: Console, doc: dict[str, Any]) -> None:
    """Alarms and what cannot be recreated (DESIGN §3.13)."""
    console.print()
    if doc["alarms"]:
        topic = doc["alarmTopic"]
        console.print(f"Alarms (notify {topic['name'] or topic['arn']} on ALARM and OK)")
        console.print(
            _table(
                ["alarm", "watches", "metric", "threshold", "window", "playbook"],
                [
                    [
                        a["name"],
                        a["subject"],
                        f"{a['namespace']} {a['metric']}",
                        f"{a['statistic']} > {a['threshold']:g}",
                        f"{a['datapointsToAlarm']} of {a['evaluationPeriods']} x {a['period']} s",
                        a["runbook"],
                    ]
                    for a in doc["alarms"]
                ],
            )
        )
    else:
        console.print("Alarms: none (no alarms: block)")
    console.print()
    if doc["protected"]:
        console.print("Cannot be recreated (protected)")
        console.print(_table(["type", "name"], [[p["type"], p["name"]] for p in doc["protected"]]))
    else:
        console.print("Cannot be recreated (protected): none")
