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

from foundation.network.cost import usd
from foundation.reports.jsonout import plan_document
from foundation.reports.model import PlanReport
from foundation.reports.services_text import print_services

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


def _print_cost(console: Console, cost: dict[str, Any]) -> None:
    """The monthly fixed cost and the per-GB rates (DESIGN §3.12)."""
    approx = f", approximate ({cost['priceRegion']} prices)" if cost["approximate"] else ""
    console.print(
        f"Cost (estimated, {cost['currency']}, {cost['hoursPerMonth']} h a month{approx}): "
        f"{usd(cost['monthlyFixed'])} a month fixed"
    )
    if cost["items"]:
        console.print(
            _table(
                ["item", "count", "per hour", "monthly"],
                [
                    [i["item"], i["count"], f"${i['unitPrice']}", usd(i["monthly"])]
                    for i in cost["items"]
                ],
            )
        )
    console.print(
        "Per GB on top: "
        + "; ".join(f"{r['item']} ${r['price']}" for r in cost["perGB"])
        + f" (prices of {cost['priceDate']})"
    )
    console.print()


def _print_diff(console: Console, doc: dict[str, Any], report: PlanReport) -> None:
    """The change against --base first: counts, replacements, deletions, reach, cost."""
    diff = doc["diff"]
    res = diff["resources"]
    console.print(f"Change of {doc['stack']} against {diff['base']} ({diff['commit'][:12]})")
    if not diff["baseExists"]:
        console.print(f"{doc['stack']} does not exist at {diff['base']}: everything is new")
    cost = diff["cost"]
    console.print(
        f"{res['add']} to add | {res['change']} to change | {res['replace']} to replace | "
        f"{res['delete']} to delete | cost {usd(cost['base'])} -> {usd(cost['head'])} a month "
        f"({usd(cost['delta'], signed=True)}) | "
        f"{_count(report.errors, 'error')}, {_count(report.warnings, 'warning')}"
    )
    if res["byType"]:
        console.print(
            _table(
                ["type", "add", "change", "replace", "delete"],
                [
                    [t, n["add"], n["change"], n["replace"], n["delete"]]
                    for t, n in res["byType"].items()
                ],
            )
        )
    if diff["replacements"]:
        console.print("Replaced (deleted, then created again)")
        console.print(
            _table(
                ["type", "name", "why"],
                [[r["type"], r["name"], r["reason"]] for r in diff["replacements"]],
            )
        )
    if diff["deletions"]:
        console.print("Deleted")
        console.print(_table(["type", "name"], [[d["type"], d["name"]] for d in diff["deletions"]]))
    apart = diff["reachability"]["gainedBetweenSegmentsApart"]
    for label in ("gained", "lost"):
        pairs = diff["reachability"][label]
        console.print(
            f"Reachability {label}: "
            + (
                ", ".join(
                    f"{a} -> {b}" + (" (segments were apart)" if [a, b] in apart else "")
                    for a, b in pairs
                )
                or "none"
            )
        )
    cidrs = diff["cidrs"]
    console.print(
        "CIDRs allocated: "
        + (", ".join(f"{c['key']} {c['cidr']}" for c in cidrs["allocated"]) or "none")
    )
    console.print(
        "CIDRs released: "
        + (", ".join(f"{c['key']} {c['cidr']}" for c in cidrs["released"]) or "none")
    )
    for title, key, rows in (
        ("Egress paths changed", "path", diff["egress"]),
        ("AZ-failure impacts changed", "az", diff["azFailure"]),
        ("Quota rows changed (planned)", "quota", diff["quotas"]),
    ):
        if rows:
            console.print(title)
            console.print(
                _table(
                    [key, "base", "head"],
                    [[r[key], r["base"] or "-", r["head"] or "-"] for r in rows],
                )
            )
    console.print()


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
    if "diff" in doc:
        _print_diff(console, doc, report)
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
            ["from \\ to", *segs, *(["on-premises"] if "onPremises" in doc else [])],
            [
                [
                    a,
                    *(doc["reachability"]["segments"][a][b] for b in segs),
                    *([doc["onPremises"]["reach"][a]] if "onPremises" in doc else []),
                ]
                for a in segs
            ],
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
    _on_premises(console, doc)
    if doc.get("inspection"):
        _inspection(console, doc)
    if "peerings" in doc["transitGateway"]:  # DESIGN §3.9, stacks with peers only
        _peerings(console, doc)
    accounts = doc["transitGateway"]["share"] is not None
    console.print("VPCs")
    console.print(
        _table(
            [
                *("VPC", "role", "segment"),
                *(["account"] if accounts else []),
                *("CIDR", "AZ slots", "subnets", "usable"),
            ],
            [
                [
                    v["name"] + (" *" if v["new"] else ""),
                    v["role"],
                    v["segment"] or "-",
                    *([v["account"]] if accounts else []),
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
    if accounts:
        share = doc["transitGateway"]["share"]
        ids = ", ".join(f"{a['name']} {a['id'] or '(not pinned)'}" for a in doc["accounts"])
        console.print(f"Accounts: {ids}")
        console.print(
            "RAM share of the Transit Gateway with: "
            + ", ".join(share["principals"])
            + (" (invitations accepted)" if share["acceptInvitations"] else "")
            + (" (external principals allowed)" if share["allowExternalPrincipals"] else "")
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
                *(["account"] if accounts else []),
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
                    *([q["account"]] if accounts else []),
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
    if "cost" in doc:
        _print_cost(console, doc["cost"])
    if "sharedServices" in doc:  # DESIGN §3.15
        print_services(console, doc["sharedServices"], _table)
    console.print(f"Resources ({doc['resources']['total']} to create)")
    console.print(
        _table(["type", "count"], [[t, n] for t, n in doc["resources"]["byType"].items()])
    )
    if accounts:
        console.print()
        console.print("By account")
        console.print(_table(["account", "resources"], list(doc["resources"]["byAccount"].items())))
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
                        f"{a['statistic']} {_sign(a['comparison'])} {a['threshold']:g}",
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


def _on_premises(console: Console, doc: dict[str, Any]) -> None:
    """Hybrid (§3.14): attachments, each spoke's on-premises reach, each path's loss."""
    if "hybridFailure" not in doc:
        return
    onprem = doc["onPremises"]
    console.print(
        f"On-premises {', '.join(onprem['cidrs'])} (segments {', '.join(onprem['segments'])})"
    )
    console.print(
        _table(
            ["attachment", "type", "brings in", "advertises", "losing it cuts off"],
            [
                [
                    h["name"],
                    h["type"],
                    ", ".join(h["prefixes"]),
                    ", ".join(h["advertises"]) or "nothing",
                    ", ".join(f["cutOff"]) or "none",
                ]
                for h, f in zip(doc["transitGateway"]["hybrid"], doc["hybridFailure"], strict=True)
            ],
        )
    )
    console.print(
        _table(
            ["spoke", "reaches on-premises and back", "intended"],
            [
                [
                    r["vpc"],
                    "yes" if r["reachable"] else f"no ({r['outcome']})",
                    "yes" if r["intended"] else "no",
                ]
                for r in doc["reachability"]["onPremises"]
            ],
        )
    )
    console.print()


def _sign(comparison: str) -> str:
    """An alarm's comparison as a sign (VPN tunnels alarm below their threshold)."""
    return "<" if comparison == "LessThanThreshold" else ">"


def _inspection(console: Console, doc: dict[str, Any]) -> None:
    """Central inspection (DESIGN §3.10): the firewall, what it sees, the proofs."""
    i = doc["inspection"]
    pairs = [p for p in doc["reachability"]["pairs"] if p["inspected"]]
    egress = [e for e in doc["reachability"]["egress"] if e["inspected"]]
    console.print(
        f"Inspection: firewall {i['firewall']} in {len(i['endpoints'])} AZs, appliance mode "
        f"{'on' if i['applianceMode'] else 'off'}; {len(pairs)} spoke pairs and "
        f"{len(egress)} of {len(doc['reachability']['egress'])} egress paths inspected; "
        + (
            f"symmetric ({i['flowsChecked']} flows checked)"
            if i["symmetric"]
            else f"{len(i['asymmetries'])} asymmetric flows (INSPECT.ASYMMETRIC)"
        )
    )
    console.print(
        _table(
            ["firewall AZ lost", "flows in flight reset", "lost from the other AZs"],
            [
                [
                    z["az"],
                    f"{z['inFlightShare'] * 100:.0f}%",
                    ", ".join(z["lostElsewhere"]) or "none",
                ]
                for z in i["azFailure"]
            ],
        )
    )
    console.print()


def _peerings(console: Console, doc: dict[str, Any]) -> None:
    """Peered Regions: each peering, the remote pairs and what each Region's loss takes."""
    console.print("Peered Regions (cross-Region traffic is not inspected; egress stays in-Region)")
    console.print(
        _table(
            ["peering", "peer stack", "peer Region", "side", "state"],
            [
                [
                    p["name"],
                    p["peerStack"],
                    p["peerRegion"],
                    "requester" if p["requester"] else "accepter",
                    p["state"],
                ]
                for p in doc["transitGateway"]["peerings"]
            ],
        )
    )
    remote = [p for p in doc["reachability"]["pairs"] if "/" in p["target"]]
    if remote:
        console.print(
            _table(
                ["from", "to (remote)", "reachable", "intended"],
                [
                    [p["source"], p["target"], _yes(p["reachable"]), _yes(p["intended"])]
                    for p in remote
                ],
            )
        )
    console.print(
        _table(
            ["Region fails", "what local spokes lose"],
            [[r["region"], ", ".join(r["lost"]) or "nothing"] for r in doc["regionFailure"]],
        )
    )
    console.print()


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"
