"""`plan --base REF` in a scratch git repository: each kind of change appears exactly.

The repository is a temporary folder holding a copy of the project's stacks/ (the code runs
from this checkout, pointed at it with --project): a base commit, then a head edit.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO, edit_stack, snapshot

GOLDEN = Path(__file__).parent / "golden"
FIXED_DATE = "2026-01-01T00:00:00Z"  # fixed commit ids, so the golden file is stable
NEW_SPOKE = "      reports:  {segment: prod, size: 22}\n      tools:"


def git(repo: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "test",
        "GIT_AUTHOR_EMAIL": "test@example.com",
        "GIT_COMMITTER_NAME": "test",
        "GIT_COMMITTER_EMAIL": "test@example.com",
        "GIT_AUTHOR_DATE": FIXED_DATE,
        "GIT_COMMITTER_DATE": FIXED_DATE,
    }
    proc = subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, env=env, check=True
    )
    return proc.stdout


def commit(repo: Path, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git repository whose `main` holds the project's stacks (the base)."""
    root = tmp_path / "net"
    shutil.copytree(REPO / "stacks", root / "stacks")
    git(root, "init", "-q", "-b", "main")
    commit(root, "base")
    return root


def plan(cli, repo: Path, *args: str, stack: str = "dev", code: int = 0) -> dict[str, Any]:
    result = cli(repo, "plan", stack, "--base", "main", "--format", "json", *args)
    assert result.code == code, result.err
    doc: dict[str, Any] = json.loads(result.out)
    return doc


def counts(doc: dict[str, Any]) -> dict[str, int]:
    res = doc["diff"]["resources"]
    return {k: res[k] for k in ("add", "change", "replace", "delete")}


def rules(doc: dict[str, Any]) -> dict[str, int]:
    out: dict[str, int] = {}
    for f in doc["findings"]:
        if f["rule"].startswith("DIFF."):
            out[f"{f['rule']} {f['severity']}"] = out.get(f"{f['rule']} {f['severity']}", 0) + 1
    return out


def test_no_change_is_an_empty_diff(repo: Path, cli) -> None:
    doc = plan(cli, repo)
    diff = doc["diff"]
    assert diff["base"] == "main" and diff["baseExists"] is True
    assert counts(doc) == {"add": 0, "change": 0, "replace": 0, "delete": 0}
    assert diff["resources"]["byType"] == {}
    assert diff["cidrs"] == {"allocated": [], "released": []}
    assert diff["reachability"]["gained"] == [] and diff["reachability"]["lost"] == []
    assert diff["cost"] == {"base": 182.5, "head": 182.5, "delta": 0.0}
    assert rules(doc) == {}


def test_adding_a_spoke(repo: Path, cli) -> None:
    edit_stack(
        repo, "dev", "      tools:", "      reports:  {segment: prod, size: 22}\n      tools:"
    )
    doc = plan(cli, repo)
    diff = doc["diff"]
    # the flow-logs role policy names each stack log group: it gains the new one in place
    assert counts(doc) == {"add": 26, "change": 1, "replace": 0, "delete": 0}
    (policy,) = doc["diff"]["changes"]
    assert (policy["type"], policy["name"]) == ("aws:iam/rolePolicy:RolePolicy", "flow-logs-policy")
    assert diff["resources"]["byType"]["aws:ec2/subnet:Subnet"] == {
        "add": 6,
        "change": 0,
        "replace": 0,
        "delete": 0,
    }
    allocated = {c["key"]: c["cidr"] for c in diff["cidrs"]["allocated"]}
    assert len(allocated) == 10 and all(k.startswith("dev/reports") for k in allocated)
    assert allocated["dev/reports"] == "10.16.32.0/22"
    assert diff["cidrs"]["released"] == []
    assert sorted(map(tuple, diff["reachability"]["gained"])) == [
        ("payments", "reports"),
        ("reports", "payments"),
        ("reports", "tools"),
        ("tools", "reports"),
    ]
    assert diff["reachability"]["lost"] == []
    assert diff["reachability"]["gainedBetweenSegmentsApart"] == []
    assert diff["cost"] == {"base": 182.5, "head": 219.0, "delta": 36.5}  # one attachment
    assert rules(doc) == {}
    lock = (repo / "stacks/addresses.lock.yaml").read_text()
    assert "  dev/reports: 10.16.32.0/22\n" in lock  # recorded once the base had planned
    frozen = plan(cli, repo, "--frozen")  # what CI runs once the lock is committed
    assert frozen["diff"] == diff and frozen["frozenMissing"] == []


def test_removing_a_spoke(repo: Path, cli) -> None:
    edit_stack(repo, "dev", "      sandbox:  {segment: nonprod, size: 22}\n", "")
    doc = plan(cli, repo)
    diff = doc["diff"]
    # 26 resources of the spoke and its attachment's association and propagations.
    # the flow-logs role policy loses the spoke's log group (in place)
    assert counts(doc) == {"add": 0, "change": 1, "replace": 0, "delete": 26}
    assert all("sandbox" in d["name"] for d in diff["deletions"])
    assert rules(doc) == {"DIFF.DELETE warning": 26}
    released = {c["key"] for c in diff["cidrs"]["released"]}
    assert len(released) == 10 and all(k.startswith("dev/sandbox") for k in released)
    assert diff["cidrs"]["allocated"] == []
    assert sorted(map(tuple, diff["reachability"]["lost"])) == [
        ("sandbox", "tools"),
        ("tools", "sandbox"),
    ]
    assert diff["reachability"]["gained"] == []
    assert diff["cost"]["delta"] == -36.5


def test_deleting_a_protected_resource_is_an_error(repo: Path, cli) -> None:
    """Production NAT EIPs are protected (§3.13): deleting them is an error, not a warning."""
    edit_stack(repo, "prod", "egress: nat-per-az", "egress: single-nat")
    doc = plan(cli, repo, stack="prod", code=1)
    by_subject = {
        f["subject"]: f for f in doc["findings"] if f["rule"] in ("DIFF.DELETE", "DIFF.REPLACE")
    }
    for eip in ("Eip hub-nat-b-eip", "Eip hub-nat-c-eip"):
        assert by_subject[eip]["severity"] == "error", by_subject[eip]
        assert "protected" in by_subject[eip]["message"]
    # the NAT gateways themselves are not protected: their deletion stays a warning
    nat = by_subject["NatGateway hub-nat-b"]
    assert nat["severity"] == "warning" and "protected" not in nat["message"]
    assert "Eip hub-nat-a-eip" not in by_subject  # the kept NAT's address is untouched


def test_connecting_two_segments_is_a_reach_gained_warning(repo: Path, cli) -> None:
    edit_stack(
        repo, "dev", "prod:    {connectsTo: [shared]}", "prod:    {connectsTo: [shared, nonprod]}"
    )
    doc = plan(cli, repo)
    diff = doc["diff"]
    assert counts(doc) == {"add": 2, "change": 0, "replace": 0, "delete": 0}
    assert set(diff["resources"]["byType"]) == {
        "aws:ec2transitgateway/routeTablePropagation:RouteTablePropagation"
    }
    gained = sorted(map(tuple, diff["reachability"]["gained"]))
    assert gained == [("payments", "sandbox"), ("sandbox", "payments")]
    assert sorted(map(tuple, diff["reachability"]["gainedBetweenSegmentsApart"])) == gained
    assert rules(doc) == {"DIFF.REACH-GAINED warning": 2}
    assert diff["cidrs"] == {"allocated": [], "released": []}
    assert diff["cost"]["delta"] == 0.0


def test_changing_egress_adds_nat_gateways_and_updates_routes_in_place(repo: Path, cli) -> None:
    edit_stack(repo, "dev", "egress: single-nat", "egress: nat-per-az")
    doc = plan(cli, repo)
    diff = doc["diff"]
    assert counts(doc) == {"add": 4, "change": 2, "replace": 0, "delete": 0}
    by_type = diff["resources"]["byType"]
    assert by_type["aws:ec2/natGateway:NatGateway"]["add"] == 2
    assert by_type["aws:ec2/eip:Eip"]["add"] == 2
    changed = {c["name"]: c["reason"] for c in diff["changes"]}
    assert changed == {
        "hub-transit-b-0-0-0-0-0": "natGatewayId",
        "hub-transit-c-0-0-0-0-0": "natGatewayId",
    }
    paths = {e["path"]: (e["base"], e["head"]) for e in diff["egress"]}
    assert paths["payments us-east-1b"] == (
        "internet via hub-nat-a (us-east-1a)",
        "internet via hub-nat-b (us-east-1b)",
    )
    assert len(paths) == 6  # three spokes, AZs b and c
    assert {i["az"] for i in diff["azFailure"]} == {"us-east-1a"}
    assert diff["cost"]["delta"] == 73.0  # 2 x (NAT 0.045 + IPv4 0.005) x 730
    assert rules(doc) == {}


def test_moving_an_az_slot_replaces_its_subnets_and_what_is_in_them(repo: Path, cli) -> None:
    """prod (production: true): the replaced subnets are errors; the NAT cascades."""
    edit_stack(
        repo,
        "prod",
        "availabilityZones: 3",
        "availabilityZones: [us-east-1a, us-east-1b, us-east-1d]",
    )
    doc = plan(cli, repo, stack="prod", code=1)
    diff = doc["diff"]
    replaced = {(r["type"].rsplit(":", 1)[1], r["name"]): r["reason"] for r in diff["replacements"]}
    subnets = {n for t, n in replaced if t == "Subnet"}
    assert len(subnets) == 16 and all(n.endswith("-c") for n in subnets)
    assert replaced[("Subnet", "hub-public-c")] == (
        "availabilityZone us-east-1c -> us-east-1d (cannot change in place)"
    )
    assert (
        replaced[("NatGateway", "hub-nat-c")]
        == "subnetId refers to the replaced Subnet hub-public-c"
    )
    associations = {n for t, n in replaced if t == "RouteTableAssociation"}
    assert associations == {f"{s}-association" for s in subnets}
    # 8 in place: 7 attachments' subnetIds, the transit route's natGatewayId; and the NAT
    # alarms' dimensions follow the replaced NAT gateway (2)
    assert counts(doc) == {"add": 0, "change": 10, "replace": 33, "delete": 0}
    changed = {(c["type"].rsplit(":", 1)[1], c["name"]) for c in diff["changes"]}
    assert ("MetricAlarm", "hub-nat-c-port-allocation") in changed
    assert ("VpcAttachment", "payments") in changed  # subnetIds update in place
    assert ("Route", "hub-transit-c-0-0-0-0-0") in changed  # natGatewayId
    assert diff["cidrs"] == {"allocated": [], "released": []}  # slots keep their CIDRs
    assert diff["reachability"]["gained"] == [] and diff["reachability"]["lost"] == []
    assert diff["cost"]["delta"] == 0.0
    assert rules(doc) == {"DIFF.REPLACE error": 16, "DIFF.REPLACE warning": 17}


def test_a_stack_absent_at_the_ref_is_all_new(repo: Path, cli) -> None:
    git(repo, "rm", "-q", "stacks/Pulumi.dev.yaml")
    commit(repo, "no dev yet")
    git(repo, "branch", "-q", "before-dev")
    git(repo, "checkout", "-q", "HEAD~1", "--", "stacks/Pulumi.dev.yaml")
    result = cli(repo, "plan", "dev", "--base", "before-dev", "--format", "json")
    assert result.code == 0, result.err
    doc = json.loads(result.out)
    diff = doc["diff"]
    assert diff["baseExists"] is False
    assert counts(doc) == {"add": doc["resources"]["total"], "change": 0, "replace": 0, "delete": 0}
    assert diff["cost"] == {"base": 0.0, "head": 182.5, "delta": 182.5}
    assert len(diff["cidrs"]["allocated"]) == 43 and diff["cidrs"]["released"] == []
    assert len(diff["reachability"]["gained"]) == 4


def test_the_markdown_starts_with_the_summary_and_matches_the_golden_file(repo: Path, cli) -> None:
    edit_stack(
        repo, "dev", "      tools:", "      reports:  {segment: prod, size: 22}\n      tools:"
    )
    result = cli(repo, "plan", "dev", "--base", "main", "--format", "markdown")
    assert result.code == 0, result.err
    assert result.out.startswith("## Network change: `dev` against `main`\n\n**26 to add · 1 to")
    assert "cost $182.50 → $219.00 a month (**+$36.50**)" in result.out.splitlines()[2]
    summary, _, _rest = result.out.partition("<details>")
    assert "### " not in summary  # every section of the full report is collapsed
    golden = GOLDEN / "dev-base.md"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(result.out)
    assert result.out == golden.read_text(), f"rerun with UPDATE_GOLDEN=1 if {golden} should change"


def test_text_shows_the_diff_summary_first(repo: Path, cli) -> None:
    edit_stack(repo, "dev", "egress: single-nat", "egress: nat-per-az")
    result = cli(repo, "plan", "dev", "--base", "main")
    lines = result.out.splitlines()
    assert lines[0].startswith("Change of dev against main (")
    assert lines[1].startswith("4 to add | 2 to change | 0 to replace | 0 to delete | ")
    assert "cost $182.50 -> $255.50 a month (+$73.00)" in lines[1]


# --- bad input: exit 2 naming the ref, stacks/ byte-identical, no report written -----------


def _refused(repo: Path, cli, ref: str, *expected: str) -> None:
    edit_stack(
        repo, "dev", "      tools:", "      reports:  {segment: prod, size: 22}\n      tools:"
    )
    before = snapshot(repo / "stacks")
    out = repo / "report.md"
    result = cli(repo, "plan", "dev", f"--base={ref}", "--output", str(out))
    assert result.code == 2, result.out
    assert "Traceback" not in result.err
    for text in expected:
        assert text in result.err, result.err
    assert snapshot(repo / "stacks") == before  # the head's lock is not written either
    assert not out.exists()


def test_an_unknown_ref_exits_2_naming_it(repo: Path, cli) -> None:
    _refused(
        repo, cli, "origin/nope", "--base: origin/nope: unknown git ref 'origin/nope'", "fetch"
    )


def test_a_malformed_lock_at_the_ref_exits_2_naming_the_ref(repo: Path, cli) -> None:
    lock = repo / "stacks/addresses.lock.yaml"
    good = lock.read_text()
    lock.write_text(good.replace("dev/hub: 10.16.0.0/20", "dev/hub: 10.16.0.0/99"))
    commit(repo, "broken lock")
    git(repo, "branch", "-q", "broken")
    lock.write_text(good)
    commit(repo, "fixed lock")
    _refused(
        repo,
        cli,
        "broken",
        "--base broken: stacks/addresses.lock.yaml at broken",
        "fix it there, or choose another --base",
    )


@pytest.mark.parametrize(
    "ref", ["--output=/tmp/x", "main:stacks/addresses.yaml", "main..HEAD", "a b", "-"]
)
def test_refs_that_could_inject_into_gits_argv_are_refused(repo: Path, cli, ref: str) -> None:
    _refused(repo, cli, ref, "not a git revision name")


def test_a_project_outside_git_exits_2(workspace: Path, cli) -> None:
    before = snapshot(workspace)
    result = cli(workspace, "plan", "dev", "--base", "main")
    assert result.code == 2
    assert "is not inside a git repository" in result.err
    assert snapshot(workspace) == before
