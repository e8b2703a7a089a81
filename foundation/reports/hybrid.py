"""The hybrid parts of the plan report (DESIGN §3.14): JSON keys and diagram lines.

Only a stack with `onPremises` gets them: a stack without it renders exactly as before.
"""

from __future__ import annotations

import re
from typing import Any

from foundation.network.analysis.hybrid import HybridAnalysis
from foundation.network.model import NetworkPlan
from foundation.reports.model import PlanReport


def add_hybrid(doc: dict[str, Any], report: PlanReport) -> None:
    """Add `onPremises`, `transitGateway.hybrid`, `reachability.onPremises`, `hybridFailure`."""
    plan, analysis = report.plan, report.hybrid
    if plan.on_premises is None or analysis is None:
        return
    doc["onPremises"] = {
        "cidrs": list(plan.on_premises.cidrs),
        "segments": list(plan.on_premises.segments),
        "reach": segment_reach(plan, analysis),
    }
    doc["transitGateway"]["ecmp"] = True
    doc["transitGateway"]["hybrid"] = [
        {
            "name": h.name,
            "type": h.type,
            "customerGateway": h.customer_gateway,
            "ip": h.ip,
            "asn": h.asn,
            "directConnectGateway": h.gateway_id,
            "prefixes": list(h.prefixes),
            "advertises": list(h.advertises),
        }
        for h in plan.transit_gateway.hybrid
    ]
    doc["reachability"]["onPremises"] = [
        {"vpc": r.vpc, "reachable": r.reachable, "intended": r.intended, "outcome": r.outcome}
        for r in analysis.on_premises
    ]
    doc["hybridFailure"] = [{"lost": f.lost, "cutOff": list(f.cut_off)} for f in analysis.failures]


def segment_reach(plan: NetworkPlan, analysis: HybridAnalysis) -> dict[str, str]:
    """Segment -> whether its spokes reach on-premises: yes, no, partial or - (no spokes)."""
    seg_of = {v.name: v.segment for v in plan.spokes}
    out = {}
    for segment in plan.segments:
        got = [r.reachable for r in analysis.on_premises if seg_of[r.vpc] == segment.name]
        out[segment.name] = (
            "-" if not got else "yes" if all(got) else "no" if not any(got) else "partial"
        )
    return out


def _id(*parts: str) -> str:
    return "_".join(re.sub(r"[^A-Za-z0-9]", "_", p) for p in parts)


def diagram_lines(plan: NetworkPlan) -> list[str]:
    """On-premises as a node, one link per hybrid attachment to the Transit Gateway."""
    if plan.on_premises is None:
        return []
    cidrs = "<br/>".join(plan.on_premises.cidrs)
    lines = [f'  {_id("onprem")}[("on-premises<br/>{cidrs}")]']
    for h in plan.transit_gateway.hybrid:
        label = f"{h.name} (VPN, 2 tunnels, BGP)" if h.type == "vpn" else "dx (Direct Connect)"
        lines.append(f'  {_id("onprem")} ===|"{label}"| {_id("tgw")}')
    return lines
