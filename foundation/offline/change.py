"""`plan --base`: the head side compared with the base side, and the findings that makes.

Rules (each has a playbook-style fix in its message):

- `DIFF.REPLACE`: a resource is replaced (deleted and created again). Error for a VPC, subnet
  or Transit Gateway when the stack is `production` at the head (everything in or attached
  to it is interrupted); warning otherwise.
- `DIFF.DELETE`: a resource is deleted; warning.
- `DIFF.REACH-GAINED`: a spoke pair that can now talk, between segments that were apart at
  the base (by the base's segment intent); warning: someone should look.
"""

from __future__ import annotations

from collections.abc import Mapping

from foundation.network.analysis.findings import Finding
from foundation.network.analysis.reachability import AzImpact, EgressPath
from foundation.network.model import NetworkPlan
from foundation.offline.gitref import BaseFiles
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


def _impact_text(i: AzImpact) -> str:
    egress = ", ".join(i.egress_lost_elsewhere) or "none"
    reach = ", ".join(i.connectivity_lost_elsewhere) or "none"
    return f"egress lost elsewhere: {egress}; connectivity lost elsewhere: {reach}"


def _side_values(
    base: Mapping[str, str], head: Mapping[str, str], keep: set[str] | None = None
) -> tuple[SideValue, ...]:
    keys = sorted(base.keys() | head.keys())
    return tuple(
        SideValue(k, base.get(k), head.get(k))
        for k in keys
        if base.get(k) != head.get(k) and (keep is None or k in keep)
    )


def _findings(
    head: Side, changes: list[ResourceChange], apart: list[tuple[str, str]]
) -> list[Finding]:
    production = head.spec.network.production
    out = []
    for c in changes:
        label = f"{c.type.rsplit(':', 1)[-1]} {c.name}"
        if c.action == "replace":
            blast = CRITICAL_TYPES.get(c.type)
            severe = production and blast is not None
            out.append(
                Finding(
                    "DIFF.REPLACE",
                    "error" if severe else "warning",
                    label,
                    f"will be replaced (deleted, then created with a new id): {c.reason}"
                    + (f"; in production that interrupts {blast}" if severe else ""),
                    "keep the input that forces it as it is, or plan the migration (create the "
                    "new resource beside the old one, move traffic, then remove the old one)",
                )
            )
        elif c.action == "delete":
            out.append(
                Finding(
                    "DIFF.DELETE",
                    "warning",
                    label,
                    "will be deleted",
                    "make sure nothing still uses it; if the removal is not intended, restore "
                    "the config entry that created it",
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
    base_reach = (
        {(p.source, p.target) for p in base.analyses.pairs if p.reachable} if base else set()
    )
    gained = sorted(head_reach - base_reach)
    lost = sorted(base_reach - head_reach)
    apart = [p for p in gained if base and _apart(base.plan, head.plan, p)]
    if base is not None:
        both = {v.name for v in base.plan.vpcs} & {v.name for v in head.plan.vpcs}
        egress = _side_values(
            {f"{e.vpc} {e.az}": _egress_text(e) for e in base.analyses.egress if e.vpc in both},
            {f"{e.vpc} {e.az}": _egress_text(e) for e in head.analyses.egress if e.vpc in both},
        )
        impacts = _side_values(
            {i.az: _impact_text(i) for i in base.analyses.impacts},
            {i.az: _impact_text(i) for i in head.analyses.impacts},
        )
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
    return diff, _findings(head, changes, apart)
