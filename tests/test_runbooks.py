"""Every finding rule, drift kind and alarm kind has a playbook (DESIGN §3.13).

The rule ids are derived from the source, not listed here: every `Finding(...)` call's rule
(a literal, or an f-string's literal head for a family like `QUOTA.<code>`) and every string
constant shaped like a rule id. A rule added anywhere in foundation/ without its
`docs/runbooks/<id>.md` fails this test.
"""

from __future__ import annotations

import ast
import difflib
import itertools
import re
import typing
from pathlib import Path

import pytest

from foundation.live.drift.model import Kind
from foundation.network.alarms import ALARM_KINDS
from foundation.network.runbooks import FAMILIES, drift_rule, runbook_id, runbook_path
from tests.conftest import REPO

RUNBOOKS = REPO / "docs" / "runbooks"
RULE_RE = re.compile(r"^[A-Z][A-Z0-9]*(\.[A-Z0-9][A-Z0-9-]*)+$")
SECTIONS = ("## What it means", "## Impact", "## First checks", "## Mitigation", "## Escalate")
LINK_RE = re.compile(r"\]\(([^)\s]+)\)")
SIMILAR = 0.8


def _rule_of(call: ast.Call) -> ast.expr | None:
    if call.args:
        return call.args[0]
    return next((k.value for k in call.keywords if k.arg == "rule"), None)


def rule_ids_in(source: str) -> set[str]:
    """Rule ids a module can emit: Finding() rules and rule-shaped string constants."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            rule = _rule_of(node) if name == "Finding" else None
            if isinstance(rule, ast.JoinedStr):
                head = rule.values[0] if rule.values else None
                assert isinstance(head, ast.Constant) and str(head.value).endswith("."), (
                    "a parametrised rule id must start with a literal '<FAMILY>.'"
                )
                found.add(str(head.value).rstrip("."))
            elif isinstance(rule, ast.Constant) and isinstance(rule.value, str):
                found.add(rule.value)
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and RULE_RE.match(node.value)
        ):
            found.add(node.value)
    return found


def rule_ids() -> set[str]:
    ids: set[str] = set()
    for path in sorted((REPO / "foundation").rglob("*.py")):
        ids |= rule_ids_in(path.read_text())
    return ids


def every_id() -> set[str]:
    ids = {runbook_id(r) for r in rule_ids()}
    ids |= {k.kind for k in ALARM_KINDS}
    ids |= {drift_rule(k) for k in typing.get_args(Kind)}
    return ids


def playbooks() -> dict[str, str]:
    return {p.stem: p.read_text() for p in sorted(RUNBOOKS.glob("*.md")) if p.name != "README.md"}


def test_the_scan_finds_rules_the_way_they_are_written() -> None:
    source = (
        'Finding("NEW.RULE", "error", s, m)\n'
        'Finding(rule=f"FAM.{code}", severity="warning", subject=s, message=m)\n'
        'RULE = "DIFF.REACH-GAINED"\n'
        'text = "not a rule. AWS/NATGateway"\n'
    )
    assert rule_ids_in(source) == {"NEW.RULE", "FAM", "DIFF.REACH-GAINED"}


def test_the_scan_sees_the_rules_we_know() -> None:
    ids = rule_ids()
    assert {"FSBP.EC2.2", "REACH.INTENT", "TGW.SUBNET-28", "QUOTA"} <= ids
    assert "QUOTA" in FAMILIES


@pytest.mark.parametrize("rule", sorted(every_id()))
def test_every_rule_and_alarm_kind_has_a_playbook(rule: str) -> None:
    path = REPO / runbook_path(rule)
    assert path.is_file(), f"{rule} has no playbook: write {path.relative_to(REPO)}"
    text = path.read_text()
    assert text.startswith(f"# {rule}"), f"{path.name} must start with '# {rule}'"
    for section in SECTIONS:
        assert section in text, f"{path.name} lacks '{section}'"
    checks = text.split("## First checks", 1)[1].split("\n## ", 1)[0]
    assert "```" in checks, f"{path.name}: first checks need the exact commands"


def test_no_playbook_is_orphaned() -> None:
    assert set(playbooks()) <= every_id()


def test_every_link_in_the_playbooks_and_readme_resolves() -> None:
    files = [*sorted(RUNBOOKS.glob("*.md")), REPO / "README.md"]
    broken = []
    for f in files:
        for target in LINK_RE.findall(f.read_text()):
            if target.startswith(("http://", "https://", "mailto:", "#")):
                continue
            if not (f.parent / target.split("#", 1)[0]).resolve().exists():
                broken.append(f"{f.relative_to(REPO)} -> {target}")
    assert broken == []


def test_the_index_lists_every_playbook() -> None:
    index = (RUNBOOKS / "README.md").read_text()
    assert [n for n in playbooks() if f"({n}.md)" not in index] == []


def test_no_two_playbooks_are_near_identical() -> None:
    books = playbooks()
    close = []
    for (a, ta), (b, tb) in itertools.combinations(books.items(), 2):
        matcher = difflib.SequenceMatcher(None, ta, tb, autojunk=False)
        if matcher.real_quick_ratio() > SIMILAR and matcher.quick_ratio() > SIMILAR:
            ratio = matcher.ratio()
            if ratio > SIMILAR:
                close.append((a, b, round(ratio, 2)))
    assert close == []


def test_report_links_point_at_existing_playbooks(workspace: Path, cli) -> None:
    import json

    doc = json.loads(cli(workspace, "plan", "prod", "--format", "json").out)
    paths = [f["runbook"] for f in doc["findings"]] + [a["runbook"] for a in doc["alarms"]]
    assert paths and all((REPO / p).is_file() for p in paths)
