"""The topology as a Mermaid flowchart: hub, Transit Gateway, segments and spokes."""

from __future__ import annotations

import re

from foundation.network.model import NetworkPlan
from foundation.reports.hybrid import diagram_lines
from foundation.reports.peering_diagram import peered_topology
from foundation.reports.services import services_diagram


def _id(*parts: str) -> str:
    return "_".join(re.sub(r"[^A-Za-z0-9]", "_", p) for p in parts)


def topology(plan: NetworkPlan, detail: bool = True) -> str:
    """A Mermaid `flowchart LR` of the plan (spoke boxes summarised when detail is False).

    With spokes in other accounts the diagram is grouped by account (DESIGN §3.8) and each
    spoke's link to the Transit Gateway is labelled with its segment.
    """
    if plan.transit_gateway.peerings:  # DESIGN §3.9: one subgraph per Region
        return peered_topology(plan, detail, topology)
    if plan.share is not None:
        return _by_account(plan, detail)
    hub = plan.hub
    lines = ["flowchart LR", '  internet(("Internet"))']
    lines.append(f'  subgraph {_id("hub")}["hub {hub.cidr}"]')
    lines.append(f'    {_id("igw")}["IGW"]')
    for nat in hub.nat_gateways:
        lines.append(f'    {_id(nat.name)}["{nat.name}<br/>{nat.az}"]')
    lines.append("  end")
    lines.append(
        f'  {_id("tgw")}{{{{"Transit Gateway<br/>{len(plan.transit_gateway.route_tables)} '
        'route tables"}}'
    )
    lines.append(f"  internet --- {_id('igw')}")
    for nat in hub.nat_gateways:
        lines.append(f"  {_id('igw')} --- {_id(nat.name)}")
    lines.append(f'  {_id("hub")} ---|"hub table"| {_id("tgw")}')
    lines += _inspection_lines(plan, "  ")
    for seg in plan.segments:
        spokes = [s for s in plan.spokes if s.segment == seg.name]
        label = f"segment {seg.name}" + (" (isolated)" if seg.isolated else "")
        lines.append(f'  subgraph {_id("seg", seg.name)}["{label}"]')
        if detail or len(spokes) <= 8:
            for s in spokes:
                lines.append(f'    {_id("vpc", s.name)}["{s.name}<br/>{s.cidr}"]')
        else:
            lines.append(f'    {_id("vpc", seg.name, "all")}["{len(spokes)} spokes"]')
        if not spokes:
            lines.append(f'    {_id("empty", seg.name)}["(no spokes)"]')
        lines.append("  end")
        lines.append(f"  {_id('seg', seg.name)} --- {_id('tgw')}")
    drawn: set[tuple[str, str]] = set()
    for seg in plan.segments:
        for other in seg.connects_to:
            pair = (min(seg.name, other), max(seg.name, other))
            if pair not in drawn:
                drawn.add(pair)
                lines.append(f'  {_id("seg", pair[0])} -.-|"connected"| {_id("seg", pair[1])}')
    lines += services_diagram(plan, _id("tgw"))  # DESIGN §3.15, only with the block
    return "\n".join(lines + diagram_lines(plan))


def _inspection_lines(plan: NetworkPlan, indent: str) -> list[str]:
    """The inspection VPC with its firewall endpoints, linked to the TGW (DESIGN §3.10)."""
    inspection = plan.inspection
    if inspection is None:
        return []
    vpc = plan.vpc(inspection.vpc)
    lines = [f'{indent}subgraph {_id("inspection")}["inspection {vpc.cidr}"]']
    lines += [
        f'{indent}  {_id("fw", e.az)}["firewall endpoint<br/>{e.az}"]' for e in inspection.endpoints
    ]
    lines.append(f"{indent}end")
    mode = (
        "appliance mode"
        if any(a.appliance_mode for a in plan.transit_gateway.attachments if a.vpc == vpc.name)
        else "no appliance mode"
    )
    lines.append(f'{indent}{_id("inspection")} ---|"inspection table, {mode}"| {_id("tgw")}')
    return lines


def _hub_lines(plan: NetworkPlan, indent: str) -> list[str]:
    hub = plan.hub
    lines = [f'{indent}subgraph {_id("hub")}["hub {hub.cidr}"]', f'{indent}  {_id("igw")}["IGW"]']
    lines += [f'{indent}  {_id(n.name)}["{n.name}<br/>{n.az}"]' for n in hub.nat_gateways]
    return [*lines, f"{indent}end"]


def _by_account(plan: NetworkPlan, detail: bool) -> str:
    """The topology with one subgraph per account (the network account holds hub and TGW)."""
    tables = len(plan.transit_gateway.route_tables)
    lines = ["flowchart LR", '  internet(("Internet"))']
    links: list[str] = []
    for account in plan.accounts:
        label = f"account {account.name}" + (f" ({account.id})" if account.id else "")
        lines.append(f'  subgraph {_id("acct", account.name)}["{label}"]')
        if account.name == "network":
            lines += _hub_lines(plan, "    ")
            lines.append(f'    {_id("tgw")}{{{{"Transit Gateway<br/>{tables} route tables"}}}}')
        spokes = [s for s in plan.spokes if s.account == account.name]
        if detail or len(spokes) <= 8:
            for s in spokes:
                lines.append(f'    {_id("vpc", s.name)}["{s.name}<br/>{s.cidr}"]')
                links.append(f'  {_id("vpc", s.name)} ---|"{s.segment}"| {_id("tgw")}')
        else:
            for seg in plan.segments:
                n = sum(1 for s in spokes if s.segment == seg.name)
                if n:
                    node = _id("vpc", account.name, seg.name, "all")
                    lines.append(f'    {node}["{n} spokes"]')
                    links.append(f'  {node} ---|"{seg.name}"| {_id("tgw")}')
        lines.append("  end")
    lines.append(f"  internet --- {_id('igw')}")
    lines += [f"  {_id('igw')} --- {_id(n.name)}" for n in plan.hub.nat_gateways]
    lines.append(f'  {_id("hub")} ---|"hub table"| {_id("tgw")}')
    lines += _inspection_lines(plan, "  ")
    lines += services_diagram(plan, _id("tgw"), segments=False)  # DESIGN §3.15
    return "\n".join(lines + links + diagram_lines(plan))
