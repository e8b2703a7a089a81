"""The topology as a Mermaid flowchart: hub, Transit Gateway, segments and spokes."""

from __future__ import annotations

import re

from foundation.network.model import NetworkPlan


def _id(*parts: str) -> str:
    return "_".join(re.sub(r"[^A-Za-z0-9]", "_", p) for p in parts)


def topology(plan: NetworkPlan, detail: bool = True) -> str:
    """A Mermaid `flowchart LR` of the plan (spoke boxes summarised when detail is False)."""
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
    return "\n".join(lines)
