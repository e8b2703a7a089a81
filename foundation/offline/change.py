"""`plan --base`: the head side compared with the base side, and the findings that makes.

Rules (each has a playbook-style fix in its message):

- `DIFF.REPLACE`: a resource is replaced (deleted and created again). Error for a VPC, subnet
  or Transit Gateway when the stack is `production` at the head (everything in or attached
  to it is interrupted); warning otherwise.
- `DIFF.DELETE`: a resource is deleted; warning.
- Either of those is an error for a resource `protect`ed at the base (NAT EIPs and the TGW of a
  production stack, DESIGN §3.13): `pulumi up` would refuse it half-way.
- `DIFF.REACH-GAINED`: a spoke pair that can now talk, between segments that were apart at
  the base (by the base's segment intent); warning: someone should look.
"""

from __future__ import annotations

from collections.abc import Mapping

from foundation.network.analysis.findings import Finding
from foundation.network.analysis.reachability import AzImpact, EgressPath
from foundation.network.model import NetworkPlan
from foundation.offline.gitref import BaseFiles
from foundation.offline.hybrid_change import asn_findings, onprem_gained_findings, onprem_pairs
from foundation.offline.resource_diff import compare
from foundation.offline.sides import Side
from foundation.reports.diffmodel import PlanDiff, ResourceChange, SideValue

CRITICAL_TYPES = {
    "aws:ec2/vpc:Vpc": "every subnet, route table, attachment and workload in it",
    "aws:ec2/subnet:Subnet": "every instance, ENI and endpoint in it",
    "aws:ec2transitgateway/transitGateway:TransitGateway": (
        "every attachment and route between VPCs"
    ),
}


def _connected(plan: NetworkPlan) -> set[tuple[str, str]]:
    """Segment pairs whose spokes may talk by the plan's intent (symmetric)."""
    out: set[tuple[str, str]] = set()
    for s in plan.segments:
        if not s.isolated:
            out.add((s.name, s.name))
        for other in s.connects_to:
            out |= {(s.name, other), (other, s.name)}
    return out


def _apart(base: NetworkPlan, head: NetworkPlan, pair: tuple[str, str]) -> bool:
    """Whether a gained pair joins segments that were apart at the base.

    Apart: the two spokes' head segments both existed at the base and were not connected
    there, or both spokes existed at the base in segments that were not connected.
    """
    connected = _connected(base)
    base_segments = {s.name for s in base.segments}
    head_seg = {v.name: str(v.segment) for v in head.spokes}
    base_seg = {v.name: str(v.segment) for v in base.spokes}
    a, b = pair
    sa, sb = head_seg.get(a), head_seg.get(b)
    if sa in base_segments and sb in base_segments and (sa, sb) not in connected:
        return True
    ba, bb = base_seg.get(a), base_seg.get(b)
    return ba is not None and bb is not None and (ba, bb) not in connected


def _egress_text(e: EgressPath) -> str:
    via = f" via {e.nat} ({e.nat_az})" if e.nat else ""
    back = "" if e.returns else ", no return path"
    return f"{e.outcome}{via}{back}"


NAMES_SHOWN = 8


def _names(names: list[str]) -> str:
    more = f" and {len(names) - NAMES_SHOWN} more" if len(names) > NAMES_SHOWN else ""
    return ", ".join(names[:NAMES_SHOWN]) + more


def _impact_texts(
    base: list[AzImpact], head: list[AzImpact]
) -> tuple[dict[str, str], dict[str, str]]:
    """Per AZ: what its failure takes elsewhere, as counts, the head naming what moved."""
    old = {i.az: i for i in base}
    new = {i.az: i for i in head}
    texts: tuple[dict[str, str], dict[str, str]] = ({}, {})
    for side, impacts, other in ((0, old, new), (1, new, old)):
        for az, i in impacts.items():
            text = (
                f"egress lost in {len(i.egress_lost_elsewhere)} spoke AZs elsewhere, "
                f"connectivity in {len(i.connectivity_lost_elsewhere)}"
            )
            if side == 1 and az in other:
                was = other[az]
                moved = [
                    (label, sorted(set(now) - set(before)))
                    for label, now, before in (
                        ("newly losing egress", i.egress_lost_elsewhere, was.egress_lost_elsewhere),
                        (
                            "no longer losing egress",
                            was.egress_lost_elsewhere,
                            i.egress_lost_elsewhere,
                        ),
                        (
                            "newly losing connectivity",
                            i.connectivity_lost_elsewhere,
                            was.connectivity_lost_elsewhere,
                        ),
                        (
                            "connectivity no longer lost",
                            was.connectivity_lost_elsewhere,
                            i.connectivity_lost_elsewhere,
                        ),
                    )
                ]
                detail = "; ".join(f"{label}: {_names(n)}" for label, n in moved if n)
                text += f" ({detail})" if detail else ""
            texts[side][az] = text
    return texts


def _side_values(
    base: Mapping[str, str], head: Mapping[str, str], keep: set[str] | None = None
) -> tuple[SideValue, ...]:
    keys = sorted(base.keys() | head.keys())
    return tuple(
        SideValue(k, base.get(k), head.get(k))
        for k in keys
        if base.get(k) != head.get(k) and (keep is None or k in keep)
    )


PROTECTED_TEXT = (
    "; it is protected (it cannot be recreated: partners or peers hold its address or id), "
    "so `pulumi up` would stop half-way"
)


def _findings(
    head: Side,
    changes: list[ResourceChange],
    apart: list[tuple[str, str]],
    protected: frozenset[tuple[str, str]] = frozenset(),
) -> list[Finding]:
    production = head.spec.network.production
    out = []
    for c in changes:
        label = f"{c.type.rsplit(':', 1)[-1]} {c.name}"
        guarded = (c.type, c.name) in protected
        if c.action == "replace":
            blast = CRITICAL_TYPES.get(c.type)
            severe = production and blast is not None
            out.append(
                Finding(
                    "DIFF.REPLACE",
                    "error" if severe or guarded else "warning",
                    label,
                    f"will be replaced (deleted, then created with a new id): {c.reason}"
                    + (f"; in production that interrupts {blast}" if severe else "")
                    + (PROTECTED_TEXT if guarded else ""),
                    "keep the input that forces it as it is, or plan the migration (create the "
                    "new resource beside the old one, move traffic, then remove the old one)",
                )
            )
        elif c.action == "delete":
            out.append(
                Finding(
                    "DIFF.DELETE",
                    "error" if guarded else "warning",
                    label,
                    "will be deleted" + (PROTECTED_TEXT if guarded else ""),
                    "make sure nothing still uses it; if the removal is not intended, restore "
                    "the config entry that created it"
                    + ("; to remove it on purpose, unprotect it first" if guarded else ""),
                )
            )
    for a, b in apart:
        out.append(
            Finding(
                "DIFF.REACH-GAINED",
                "warning",
                f"{a} -> {b}",
                "can now reach its target across segments that were apart at the base",
                "confirm the new segment connection is intended (segments.*.connectsTo, the "
                "spoke's segment) and that security groups and NACLs still hold the boundary",
            )
        )
    return out


def diff_sides(files: BaseFiles, base: Side | None, head: Side) -> tuple[PlanDiff, list[Finding]]:
    """Compare the base side (None: the stack is absent at the ref) with the head side.

    Returns:
        The diff, and the DIFF.* findings it raises.
    """
    changes = sorted(
        compare(base.recording.custom if base else [], head.recording.custom),
        # What a reviewer must see first: VPCs, subnets, the TGW; then direct causes.
        key=lambda c: (c.type not in CRITICAL_TYPES, "refers to" in c.reason, c.type, c.name),
    )
    base_lock = {k: str(v) for k, v in (base.lock if base else {}).items()}
    head_lock = {k: str(v) for k, v in head.lock.items()}
    allocated = tuple((k, c) for k, c in sorted(head_lock.items()) if base_lock.get(k) != c)
    released = tuple((k, c) for k, c in sorted(base_lock.items()) if head_lock.get(k) != c)
    head_reach = {(p.source, p.target) for p in head.analyses.pairs if p.reachable}
    head_reach |= onprem_pairs(head.plan)
    base_reach = (
        {(p.source, p.target) for p in base.analyses.pairs if p.reachable} if base else set()
    )
    base_reach |= onprem_pairs(base.plan) if base else set()
    gained = sorted(head_reach - base_reach)
    lost = sorted(base_reach - head_reach)
    apart = [p for p in gained if base and _apart(base.plan, head.plan, p)]
    if base is not None:
        both = {v.name for v in base.plan.vpcs} & {v.name for v in head.plan.vpcs}
        egress = _side_values(
            {f"{e.vpc} {e.az}": _egress_text(e) for e in base.analyses.egress if e.vpc in both},
            {f"{e.vpc} {e.az}": _egress_text(e) for e in head.analyses.egress if e.vpc in both},
        )
        impacts = _side_values(*_impact_texts(base.analyses.impacts, head.analyses.impacts))
        quotas = _side_values(
            {f"{q.name} ({q.scope})": str(q.planned) for q in base.quotas},
            {f"{q.name} ({q.scope})": str(q.planned) for q in head.quotas},
        )
    else:
        egress = impacts = quotas = ()
    diff = PlanDiff(
        base=files.ref,
        commit=files.commit,
        base_exists=base is not None,
        changes=tuple(changes),
        allocated=allocated,
        released=released,
        gained=tuple(gained),
        lost=tuple(lost),
        gained_apart=tuple(apart),
        egress=egress,
        az_failure=impacts,
        quotas=quotas,
        cost_base=base.cost.monthly_fixed if base else 0.0,
        cost_head=head.cost.monthly_fixed,
    )
    protected = frozenset(
        (r.type, r.name) for r in (base.recording.custom if base else []) if r.protect
    )
    hybrid = asn_findings(base, head) + onprem_gained_findings(base, head, gained)
    return diff, _findings(head, changes, apart, protected) + hybrid
