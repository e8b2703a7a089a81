"""`plan --base` when a stack turns central inspection on (DESIGN §3.10, §3.11)."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import edit_stack
from tests.test_plan_base import plan, repo  # noqa: F401  (the fixture)


def test_turning_inspection_on_adds_the_firewall_and_reroutes_without_renumbering(
    cli,
    repo: Path,  # noqa: F811
) -> None:
    edit_stack(repo, "dev", "production: false", "production: false\n    inspection: {}")
    doc = plan(cli, repo)
    diff = doc["diff"]
    by_type = diff["resources"]["byType"]
    assert by_type["aws:networkfirewall/firewall:Firewall"]["add"] == 1
    assert by_type["aws:networkfirewall/ruleGroup:RuleGroup"]["add"] == 2
    assert by_type["aws:ec2/vpc:Vpc"] == {"add": 1, "change": 0, "replace": 0, "delete": 0}
    assert by_type["aws:ec2/subnet:Subnet"]["replace"] == 0  # nothing renumbered
    assert {c["key"] for c in diff["cidrs"]["allocated"]} >= {"dev/inspection"}
    assert diff["cidrs"]["released"] == []
    # segment tables now send 0/0 to the inspection attachment: TGW routes have no update
    replaced = {(r["type"], r["name"]) for r in diff["replacements"]}
    assert ("aws:ec2transitgateway/route:Route", "prod-route-0-0-0-0-0") in replaced
    reach = diff["reachability"]
    assert (reach["gained"], reach["lost"]) == ([], [])  # the intent is unchanged
