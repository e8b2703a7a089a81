"""The drift gate at the start of the Pulumi program (when the stack is deployed).

Compared with the plan about to be applied, `missing` is what this update creates and
`changed` on managed resources is what it reverts (refresh: always), so both are only
logged. `unmanaged` drift is what Pulumi cannot see: `warn` logs it; `fail` stops on the
hand-made part (untagged resources in managed scope, security group rules, routes our code
never makes), while unmanaged items a config change could explain (a route or propagation
this update removes) are logged, not blocking.
"""

from __future__ import annotations

import pulumi

from foundation.config.spec import StackSpec
from foundation.errors import FoundationError, Problem
from foundation.live.accounts import Sessions
from foundation.live.aws import Aws
from foundation.live.drift.check import check_drift
from foundation.network.model import NetworkPlan


def drift_gate(spec: StackSpec, plan: NetworkPlan, aws: Aws | Sessions | None = None) -> None:
    """Run the drift check per `drift.mode`.

    Raises:
        FoundationError: in fail mode, when hand-made drift is found.
    """
    mode = spec.network.drift.mode
    if mode == "off":
        return
    result = check_drift(spec, plan, aws)
    if result.status != "drift":
        return
    blocking = [f for f in result.findings if f.kind == "unmanaged" and f.hand_made]
    if blocking and mode == "fail":
        raise FoundationError(
            [
                Problem(
                    "drift",
                    f"{f.resource_type} {f.name}"
                    + ("" if f.account == "network" else f" (account {f.account})"),
                    f"{f.severity} unmanaged drift: present live, not in the plan",
                    "remove it by hand, add it to the stack config, or accept it in drift.ignore",
                )
                for f in blocking
            ]
        )
    for f in result.findings:
        text = f"drift {f.kind} {f.resource_type} {f.name}" + (
            f" {f.attribute}: expected {f.expected}, live {f.actual}" if f.kind == "changed" else ""
        )
        if f.kind == "unmanaged":
            pulumi.log.warn(f"{text} (not in the plan; Pulumi cannot see it)")
        elif f.kind == "changed":
            pulumi.log.warn(f"{text} (this update reverts it)")
        else:
            pulumi.log.info(f"{text} (this update creates it)")
