"""The pure comparison: plan Items against live Items, with severities and ignore rules.

- missing: planned, not live. changed: an attribute differs (tags compared too).
- unmanaged: live inside managed scope, not planned. `hand_made` marks what no config
  change could explain (untagged resources, rules, routes our code never makes).
Routing and security are high severity, tags low, the rest medium.
"""

from __future__ import annotations

from collections.abc import Mapping
from fnmatch import fnmatchcase

from foundation.config.spec import IgnoreRule
from foundation.live.drift.expected import TAGGABLE
from foundation.live.drift.model import UNREPORTED, DriftFinding, Item, Severity
from foundation.live.drift.services import TYPES as SERVICES_TYPES

HIGH = {
    "vpc",
    "subnet",
    "route-table",
    "route",
    "internet-gateway",
    "nat-gateway",
    "transit-gateway",
    "tgw-attachment",
    "tgw-route-table",
    "tgw-association",
    "tgw-propagation",
    "tgw-route",
    "tgw-peering",
    "default-security-group",
    "security-group-rule",
    "flow-log",
    # hybrid (§3.14)
    "vpn-connection",
    "customer-gateway",
    "hybrid-attachment",
    "tgw-learned-route",
} | set(SERVICES_TYPES)  # endpoints, their security groups, zones and Resolver (§3.15)


def _severity(resource_type: str, attribute: str) -> Severity:
    if attribute.startswith("tags."):
        return "low"
    return "high" if resource_type in HIGH else "medium"


def diff(
    stack: str, expected: Mapping[tuple[str, str], Item], observed: Mapping[tuple[str, str], Item]
) -> list[DriftFinding]:
    """Every difference between what the plan expects and what is live."""
    findings: list[DriftFinding] = []
    for key, want in sorted(expected.items()):
        have = observed.get(key)
        if have is None:
            findings.append(
                DriftFinding(
                    "missing",
                    want.type,
                    want.name,
                    "",
                    "present",
                    "absent",
                    _severity(want.type, ""),
                    account=want.account,
                )
            )
            continue
        for attr, value in sorted(want.attrs.items()):
            actual = have.attrs.get(attr, "")
            if actual != value and actual != UNREPORTED:
                findings.append(
                    DriftFinding(
                        "changed",
                        want.type,
                        want.name,
                        attr,
                        value,
                        actual,
                        _severity(want.type, attr),
                        account=want.account,
                    )
                )
        if want.type in TAGGABLE:
            name_tag = f"{stack}-{want.name}"
            if have.tags.get("Name") != name_tag:
                findings.append(
                    DriftFinding(
                        "changed",
                        want.type,
                        want.name,
                        "tags.Name",
                        name_tag,
                        have.tags.get("Name", ""),
                        "low",
                        account=want.account,
                    )
                )
    for key, have in sorted(observed.items()):
        if key not in expected:
            hand_made = not have.tagged if have.type in TAGGABLE else not have.producible
            findings.append(
                DriftFinding(
                    "unmanaged",
                    have.type,
                    have.name,
                    "",
                    "absent",
                    "present",
                    _severity(have.type, ""),
                    hand_made,
                    account=have.account,
                )
            )
    return findings


def ignored(finding: DriftFinding, rules: list[IgnoreRule]) -> bool:
    """Whether an accepted exception covers the finding (shell globs on each field)."""
    return any(
        fnmatchcase(finding.resource_type, r.type)
        and fnmatchcase(finding.name, r.name)
        and fnmatchcase(finding.attribute or "", r.attribute)
        for r in rules
    )
