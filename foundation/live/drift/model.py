"""The shared shape of expected and observed resources, and of drift findings."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from foundation.network.runbooks import drift_rule, runbook_path

Kind = Literal["missing", "changed", "unmanaged"]
UNREPORTED = "(not reported by AWS)"  # an attribute the API left out: never compared
Severity = Literal["high", "medium", "low"]


@dataclass(frozen=True)
class Item:
    """One resource (or route, rule, association) by type and logical name.

    `tagged` is whether it carries this stack's tags; `producible` whether the program's
    code could have made it (an untagged route to our own gateway could be one a config
    change just removed; a route to a peering connection never is).
    """

    type: str
    name: str
    attrs: dict[str, str] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    tagged: bool = True
    producible: bool = True
    account: str = "network"  # the account it lives in (DESIGN §3.8)


@dataclass(frozen=True)
class DriftFinding:
    """One difference between the plan and the live network."""

    kind: Kind
    resource_type: str
    name: str
    attribute: str
    expected: str
    actual: str
    severity: Severity
    hand_made: bool = False  # no config change could explain it (blocks the fail gate)
    account: str = "network"  # the account the resource lives in (DESIGN §3.8)

    def to_dict(self) -> dict[str, object]:
        """The finding as the drift report and the webhook write it in JSON."""
        return {
            "kind": self.kind,
            "resourceType": self.resource_type,
            "name": self.name,
            "attribute": self.attribute,
            "expected": self.expected,
            "actual": self.actual,
            "severity": self.severity,
            "handMade": self.hand_made,
            "account": self.account,
            "runbook": runbook_path(drift_rule(self.kind)),
        }


@dataclass(frozen=True)
class DriftResult:
    """Status, findings, and how many API calls it took."""

    stack: str
    status: Literal["clean", "drift", "not-deployed"]
    findings: tuple[DriftFinding, ...]
    api_calls: int
    ignored: int = 0
