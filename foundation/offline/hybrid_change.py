"""`--base` and hybrid (§3.14): on-premises reach gained and lost, and the TGW's ASN.

- Reachability pairs `[spoke, "on-premises"]` join the spoke pairs gained and lost; a
  spoke whose segment newly reaches on-premises is a DIFF.REACH-GAINED warning.
- The Transit Gateway's Amazon-side ASN can be modified in place, but not while it has
  VPN or Direct Connect attachments: `pulumi up` would fail half-way. The base plan
  tells whether the live TGW has them.
"""

from __future__ import annotations

from foundation.network.analysis.findings import Finding
from foundation.network.analysis.hybrid import analyse_hybrid
from foundation.network.model import NetworkPlan
from foundation.offline.sides import Side


def asn_findings(base: Side | None, head: Side) -> list[Finding]:
    """An error when the TGW's ASN changes while the base has hybrid attachments."""
    if base is None:
        return []
    before, after = base.plan.transit_gateway, head.plan.transit_gateway
    if before.asn == after.asn or not before.hybrid:
        return []
    names = ", ".join(h.name for h in before.hybrid)
    return [
        Finding(
            "DIFF.HYBRID-ASN",
            "error",
            after.name,
            f"the Transit Gateway's ASN changes from {before.asn} to {after.asn} while it has "
            f"hybrid attachments ({names}): AWS refuses the change",
            "keep transitGateway.asn, or remove the VPN and DX attachments in one change "
            "and change the ASN in the next (on-premises BGP peers must follow it)",
        )
    ]


ON_PREMISES = "on-premises"  # the target of a spoke's on-premises reach in diff pairs


def onprem_pairs(plan: NetworkPlan) -> set[tuple[str, str]]:
    """`(spoke, "on-premises")` for every spoke that reaches on-premises and back."""
    analysis = analyse_hybrid(plan)
    if analysis is None:
        return set()
    return {(r.vpc, ON_PREMISES) for r in analysis.on_premises if r.reachable}


def onprem_gained_findings(
    base: Side | None, head: Side, gained: list[tuple[str, str]]
) -> list[Finding]:
    """A warning per spoke whose segment, present at the base, did not reach on-premises."""
    if base is None:
        return []
    listed = set(base.plan.on_premises.segments) if base.plan.on_premises else set()
    base_segments = {s.name for s in base.plan.segments}
    segment_of = {v.name: str(v.segment) for v in head.plan.spokes}
    out = []
    for spoke, target in gained:
        segment = segment_of.get(spoke)
        if target != ON_PREMISES or segment not in base_segments or segment in listed:
            continue
        out.append(
            Finding(
                "DIFF.REACH-GAINED",
                "warning",
                f"{spoke} -> {ON_PREMISES}",
                f"{spoke} now reaches on-premises; its segment {segment} did not at the base",
                "check that onPremises.segments should list it: on-premises reaches back",
            )
        )
    return out
