"""`--base` and hybrid (§3.14): AWS refuses to change a TGW's ASN while VPN or DX attach.

The Transit Gateway's Amazon-side ASN can be modified in place, but not while it has VPN
or Direct Connect attachments: `pulumi up` would fail half-way. The base plan tells
whether the live TGW has them.
"""

from __future__ import annotations

from foundation.network.analysis.findings import Finding
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
