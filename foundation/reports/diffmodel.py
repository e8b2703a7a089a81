"""What `plan --base REF` found: the difference between the base and the head (DESIGN §3.11).

Plain frozen data, built by foundation.offline.change and rendered by every report format;
`to_dict` is the JSON `diff` object (the contract's keys first, additions after).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any, Literal

Action = Literal["add", "change", "replace", "delete"]
ACTIONS: tuple[Action, ...] = ("add", "change", "replace", "delete")


@dataclass(frozen=True)
class ResourceChange:
    """One resource whose fate differs from the base, identified by URN (and provider)."""

    urn: str
    type: str
    name: str
    action: Action
    reason: str = ""


@dataclass(frozen=True)
class SideValue:
    """A value on each side of a change (None: absent on that side)."""

    key: str
    base: str | None
    head: str | None


@dataclass(frozen=True)
class PlanDiff:
    """The head compared with the base, everything a reviewer needs first."""

    base: str  # the ref as given
    commit: str  # the commit it resolved to
    base_exists: bool  # False: the stack is absent at the ref, everything is new
    changes: tuple[ResourceChange, ...]
    allocated: tuple[tuple[str, str], ...]  # (lock key, cidr)
    released: tuple[tuple[str, str], ...]
    gained: tuple[tuple[str, str], ...]  # directed spoke pairs
    lost: tuple[tuple[str, str], ...]
    gained_apart: tuple[tuple[str, str], ...]  # gains between segments that were apart
    egress: tuple[SideValue, ...]  # key "<vpc> <az>"
    az_failure: tuple[SideValue, ...]  # key "<az>"
    quotas: tuple[SideValue, ...]  # key "<quota name> (<scope>)", planned counts
    cost_base: float
    cost_head: float

    def of(self, action: Action) -> tuple[ResourceChange, ...]:
        """The changes with one action, in report order."""
        return tuple(c for c in self.changes if c.action == action)

    @property
    def counts(self) -> dict[str, int]:
        """Add / change / replace / delete totals."""
        found = Counter(c.action for c in self.changes)
        return {a: found.get(a, 0) for a in ACTIONS}

    @property
    def by_type(self) -> dict[str, dict[str, int]]:
        """Per Pulumi type, the four counts (types with no change are left out)."""
        out: dict[str, dict[str, int]] = {}
        for c in sorted(self.changes, key=lambda c: c.type):
            out.setdefault(c.type, dict.fromkeys(ACTIONS, 0))[c.action] += 1
        return out

    @property
    def cost_delta(self) -> float:
        """Monthly fixed cost, head minus base."""
        return round(self.cost_head - self.cost_base, 2)

    def to_dict(self) -> dict[str, Any]:
        """The JSON `diff` object of §3.11, with additions after the contract's keys."""

        def sides(values: tuple[SideValue, ...], key: str) -> list[dict[str, Any]]:
            return [{key: v.key, "base": v.base, "head": v.head} for v in values]

        return {
            "base": self.base,
            "resources": {**self.counts, "byType": self.by_type},
            "replacements": [
                {"type": c.type, "name": c.name, "reason": c.reason} for c in self.of("replace")
            ],
            "deletions": [{"type": c.type, "name": c.name} for c in self.of("delete")],
            "cidrs": {
                "allocated": [{"key": k, "cidr": c} for k, c in self.allocated],
                "released": [{"key": k, "cidr": c} for k, c in self.released],
            },
            "reachability": {
                "gained": [list(p) for p in self.gained],
                "lost": [list(p) for p in self.lost],
                "gainedBetweenSegmentsApart": [list(p) for p in self.gained_apart],
            },
            "cost": {"base": self.cost_base, "head": self.cost_head, "delta": self.cost_delta},
            "commit": self.commit,
            "baseExists": self.base_exists,
            "changes": [
                {"type": c.type, "name": c.name, "reason": c.reason} for c in self.of("change")
            ],
            "egress": sides(self.egress, "path"),
            "azFailure": sides(self.az_failure, "az"),
            "quotas": sides(self.quotas, "quota"),
        }
