"""Golden files, the JSON contract, Markdown size and text that is never truncated."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from foundation.config.synthetic import write_project
from foundation.reports.markdown import SUMMARY_THRESHOLD
from tests.conftest import REPO

GOLDEN = Path(__file__).parent / "golden"


@pytest.mark.parametrize("stack", ["dev", "prod"])
@pytest.mark.parametrize(("fmt", "ext"), [("markdown", "md"), ("text", "txt")])
def test_reports_match_the_golden_files(
    workspace: Path, cli, stack: str, fmt: str, ext: str
) -> None:
    result = cli(workspace, "plan", stack, "--format", fmt)
    assert result.code == 0, result.err
    golden = GOLDEN / f"{stack}.{ext}"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(result.out)
    assert result.out == golden.read_text(), f"rerun with UPDATE_GOLDEN=1 if {golden} should change"


def test_json_follows_the_plan_contract(workspace: Path, cli) -> None:
    doc = json.loads(cli(workspace, "plan", "dev", "--format", "json").out)
    assert doc["schema"] == "foundation/plan@1"
    assert doc["stack"] == "dev" and doc["region"] == "us-east-1"
    assert doc["availabilityZones"] == ["us-east-1a", "us-east-1b", "us-east-1c"]
    hub = doc["vpcs"][0]
    assert (hub["name"], hub["role"], hub["segment"]) == ("hub", "hub", None)
    assert hub["internetGateway"] is True
    public_a = next(t for t in hub["routeTables"] if t["name"] == "hub-public-a")
    assert public_a["routes"] == [
        {"destination": "0.0.0.0/0", "target": {"type": "igw"}},
        {"destination": "10.16.0.0/14", "target": {"type": "tgw"}},
    ]
    transit_b = next(t for t in hub["routeTables"] if t["name"] == "hub-transit-b")
    assert transit_b["routes"] == [
        {"destination": "0.0.0.0/0", "target": {"type": "nat", "name": "hub-nat-a"}}
    ]
    tiers = {s["tier"] for v in doc["vpcs"] for s in v["subnets"]}
    assert tiers == {"public", "transit", "private", "data"}
    assert all(s["routeTable"] for v in doc["vpcs"] for s in v["subnets"])
    tgw = doc["transitGateway"]
    assert tgw["name"] == "tgw"
    assert {a["name"] for a in tgw["attachments"]} == {"hub", "payments", "sandbox", "tools"}
    assert {t["name"] for t in tgw["routeTables"]} == {"prod", "nonprod", "shared", "hub"}
    prod = next(t for t in tgw["routeTables"] if t["name"] == "prod")
    assert prod["staticRoutes"] == [
        {"destination": "0.0.0.0/0", "attachment": "hub"},
        {"destination": "10.16.0.0/14", "blackhole": True},
    ]
    vpcs_quota = next(q for q in doc["quotas"] if q["code"] == "L-F678F1CE")
    assert vpcs_quota == {
        **vpcs_quota,
        "existing": 0,
        "planned": 4,
        "limit": 5,
        "limitSource": "aws-default",
        "status": "ok",
    }
    assert doc["resources"]["total"] == sum(doc["resources"]["byType"].values()) == 136
    assert doc["resources"]["byType"]["aws:ec2/subnet:Subnet"] == 27


@pytest.fixture(scope="module")
def large_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_project(tmp_path_factory.mktemp("large"), spokes=100)


def test_markdown_of_a_large_stack_fits_one_pr_comment(large_project: Path, cli) -> None:
    result = cli(large_project, "plan", "scale", "--format", "markdown")
    assert result.code == 0, result.err
    assert len(result.out) <= SUMMARY_THRESHOLD
    assert "Subnet details are left out" in result.out
    assert "```mermaid" in result.out and "25 spokes" in result.out
    assert "**2681 to create**" in result.out  # the resource total is still there


def test_text_is_never_truncated_on_a_narrow_piped_terminal(large_project: Path) -> None:
    env = {**os.environ, "COLUMNS": "40", "LINES": "10"}
    proc = subprocess.run(
        [sys.executable, "-m", "foundation", "--project", str(large_project), "plan", "scale"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(
        subprocess.run(
            [
                sys.executable,
                "-m",
                "foundation",
                "--project",
                str(large_project),
                "plan",
                "scale",
                "--format",
                "json",
                "--frozen",
            ],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=False,
        ).stdout
    )
    lines = proc.stdout.splitlines()
    for vpc in doc["vpcs"]:
        for subnet in vpc["subnets"]:
            row = next(line for line in lines if line.startswith(subnet["name"] + " "))
            assert subnet["cidr"] in row.split() and subnet["routeTable"] in row.split()
    assert "…" not in proc.stdout


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_markdown_structure_survives_a_real_parser(workspace: Path, cli, stack: str) -> None:
    """Regression: blank lines lost by the template once merged two tables into one."""
    from markdown_it import MarkdownIt

    text = cli(workspace, "plan", stack, "--format", "markdown").out
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    # 9 tables, + the cost table (DESIGN §3.12); prod adds two: its alarms and its protected
    # resources (DESIGN §3.13)
    assert sum(t.type == "table_open" for t in tokens) == {"dev": 10, "prod": 12}[stack]
    assert [t.info for t in tokens if t.type == "fence"] == ["mermaid"]
    headings = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open"]
    assert headings[1:] == [
        "Findings",
        "Topology",
        "Reachability",
        "AZ failure",
        "Addresses",
        "Quotas",
        "Cost",
        "Resources",
        "Operations",
    ]
