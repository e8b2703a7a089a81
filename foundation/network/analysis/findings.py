"""A finding: one rule's verdict on one subject, with a fix. Errors make `plan` exit 1."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from foundation.network.runbooks import runbook_path

Severity = Literal["error", "warning", "info"]
SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


@dataclass(frozen=True)
class Finding:
    """One rule's verdict on one subject."""

    rule: str
    severity: Severity
    subject: str
    message: str
    fix: str = ""

    def to_dict(self) -> dict[str, str]:
        """The finding as reports write it in JSON, with the path of its playbook."""
        return {
            "rule": self.rule,
            "severity": self.severity,
            "subject": self.subject,
            "message": self.message,
            "fix": self.fix,
            "runbook": runbook_path(self.rule),
        }


def sort_findings(findings: list[Finding]) -> list[Finding]:
    """Errors first, then by rule and subject, so reports are stable."""
    return sorted(findings, key=lambda f: (SEVERITY_ORDER[f.severity], f.rule, f.subject))
