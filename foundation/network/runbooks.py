"""Where the playbook of a finding rule, drift kind or alarm kind lives (DESIGN §3.13).

Every id the tool can emit has `docs/runbooks/<id>.md`. A rule parametrised by a code (a
family, e.g. `QUOTA.L-F678F1CE`) shares one playbook named after the family (`QUOTA.md`).
tests/test_runbooks.py derives the ids from the source, so a new rule without a playbook
fails the suite.
"""

from __future__ import annotations

RUNBOOK_DIR = "docs/runbooks"
FAMILIES = ("QUOTA",)  # rule ids `<FAMILY>.<code>`: one playbook for the family
DRIFT_PREFIX = "DRIFT"


def runbook_id(rule: str) -> str:
    """The playbook id of a rule id (the family for parametrised rules)."""
    family = rule.split(".", 1)[0]
    return family if family in FAMILIES else rule


def drift_rule(kind: str) -> str:
    """The rule id of a drift kind (`missing` -> `DRIFT.MISSING`)."""
    return f"{DRIFT_PREFIX}.{kind.upper()}"


def runbook_path(rule: str) -> str:
    """The playbook's path in the repository, e.g. `docs/runbooks/REACH.INTENT.md`."""
    return f"{RUNBOOK_DIR}/{runbook_id(rule)}.md"


def runbook_link(rule: str, base_url: str | None = None) -> str:
    """A link to the playbook: under `alarms.runbookBaseUrl` when set, else the repo path."""
    if base_url:
        return f"{base_url.rstrip('/')}/{runbook_id(rule)}.md"
    return runbook_path(rule)
