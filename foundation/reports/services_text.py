"""The shared-services section of the text report (DESIGN §3.15)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.console import Console
from rich.table import Table

from foundation.network.cost import usd


def _zone(zone: dict[str, Any]) -> str:
    return str(zone["name"]) + (" (+ wildcard)" if zone["wildcard"] else "")


def print_services(
    console: Console, ss: dict[str, Any], table: Callable[[list[str], list[list[object]]], Table]
) -> None:
    """Who uses the central endpoints, the saving, zones and Resolver rules."""
    console.print(
        f"Shared services (VPC {ss['vpc']}, segments {', '.join(ss['segments'])}): "
        f"{len(ss['endpoints'])} interface endpoints, HTTPS from "
        f"{', '.join(ss['securityGroup']['ingress']) or 'nobody'}"
    )
    saved = ss["savings"]
    if saved:
        console.print(
            f"Central {usd(saved['central'])} vs one set per listed spoke "
            f"{usd(saved['perSpokeSets'])} a month: {usd(saved['monthly'])} saved"
        )
    console.print(
        table(
            ["spoke", "uses central endpoints", "reaches them and back", "intended"],
            [
                [
                    r["vpc"],
                    "yes" if r["vpc"] in ss["spokes"] else "no",
                    "yes" if r["reachable"] else f"no ({r['outcome']})",
                    "yes" if r["intended"] else "no",
                ]
                for r in ss["reachability"]
            ],
        )
    )
    console.print(
        table(
            ["private hosted zone", "alias to", "associated VPCs"],
            [
                [
                    z["name"] + (" (+ wildcard)" if z["wildcard"] else ""),
                    z["alias"],
                    ", ".join(z["vpcs"]),
                ]
                for z in ss["zones"]
            ],
        )
    )
    rules = ss["resolver"]["rules"]
    if rules:
        console.print(
            table(
                ["forwarding rule", "targets", "associated VPCs"],
                [[r["domain"], ", ".join(r["targets"]), ", ".join(r["vpcs"])] for r in rules],
            )
        )
    console.print()
