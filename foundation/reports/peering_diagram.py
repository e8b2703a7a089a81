"""The Mermaid topology of a peered stack: one subgraph per Region, TGWs joined (§3.9)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from foundation.network.model import NetworkPlan


def _id(*parts: str) -> str:
    return "_".join(re.sub(r"[^A-Za-z0-9]", "_", p) for p in parts)


def peered_topology(
    plan: NetworkPlan, detail: bool, local: Callable[[NetworkPlan, bool], str]
) -> str:
    """This stack's diagram inside its Region, each peer's spokes (by segment) in theirs.

    Args:
        plan: the plan, with peerings.
        detail: draw each remote spoke (False: a count per segment when there are many).
        local: draws the stack alone (the ordinary topology).
    """
    alone = replace(plan, transit_gateway=replace(plan.transit_gateway, peerings=()))
    body = local(alone, detail).splitlines()[1:]  # drop "flowchart LR"
    lines = [
        "flowchart LR",
        f'  subgraph {_id("region", plan.stack)}["{plan.stack} · {plan.region}"]',
    ]
    lines += [f"  {line}" for line in body]
    lines.append("  end")
    for p in plan.transit_gateway.peerings:
        spokes = [r for r in plan.remote_spokes if r.stack == p.peer_stack]
        lines.append(
            f'  subgraph {_id("region", p.peer_stack)}["{p.peer_stack} · {p.peer_region}"]'
        )
        lines.append(f'    {_id("tgw", p.peer_stack)}{{{{"Transit Gateway {p.peer_stack}"}}}}')
        for seg in sorted({r.segment for r in spokes}):
            members = [r for r in spokes if r.segment == seg]
            node = _id("rseg", p.peer_stack, seg)
            lines.append(f'    subgraph {node}["segment {seg}"]')
            if detail or len(members) <= 8:
                lines += [
                    f'      {_id("rvpc", p.peer_stack, r.name)}["{r.name}<br/>{r.cidr}"]'
                    for r in members
                ]
            else:
                lines.append(
                    f'      {_id("rvpc", p.peer_stack, seg, "all")}["{len(members)} spokes"]'
                )
            lines.append("    end")
            lines.append(f"    {node} --- {_id('tgw', p.peer_stack)}")
        lines.append("  end")
        label = f"{p.name} ({p.state})"
        edge = "-.-" if p.state == "pending" else "==="
        lines.append(f'  {_id("tgw")} {edge}|"{label}"| {_id("tgw", p.peer_stack)}')
    return "\n".join(lines)
