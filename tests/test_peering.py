"""Multi-Region peering in the offline plan (DESIGN §3.9): routes, tables, JSON, bad input."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from netaddr import IPSet

from tests.conftest import edit_stack, snapshot
from tests.peering_project import EUW1, USE1, both_planned, peered_project, plan_json


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return peered_project(tmp_path)


def table(doc: dict[str, Any], name: str) -> dict[str, Any]:
    return next(t for t in doc["transitGateway"]["routeTables"] if t["name"] == name)


def cidr(doc: dict[str, Any], vpc: str) -> str:
    return str(next(v["cidr"] for v in doc["vpcs"] if v["name"] == vpc))


def test_a_peer_without_lock_entries_leaves_the_peering_pending(project: Path, cli) -> None:
    doc = plan_json(cli, project, USE1)
    tgw = doc["transitGateway"]
    assert tgw["peerings"] == [
        {
            "name": "peer-prod-euw1",
            "peerStack": EUW1,
            "peerRegion": "eu-west-1",
            "requester": False,
            "state": "pending",
        }
    ]
    # nothing routed to the peer, no peer table; the peer's pool is blackholed all the same
    assert "peer-prod-euw1" not in [t["name"] for t in tgw["routeTables"]]
    for seg in ("prod", "shared", "partner"):
        statics = table(doc, seg)["staticRoutes"]
        assert not [s for s in statics if s.get("attachment") == "peer-prod-euw1"]
        assert {"destination": "10.48.0.0/14", "blackhole": True} in statics
    pending = [f for f in doc["findings"] if f["rule"] == "PEER.PENDING"]
    assert [f["severity"] for f in pending] == ["warning"]
    assert f"plan {EUW1}" in pending[0]["fix"]
    assert doc["regionFailure"] == [{"region": "eu-west-1", "lost": []}]


def test_segment_tables_route_exactly_the_permitted_remote_spokes(project: Path, cli) -> None:
    use1, euw1 = both_planned(cli, project)
    assert use1["transitGateway"]["peerings"][0]["state"] == "planned"
    assert euw1["transitGateway"]["peerings"][0]["requester"] is True  # prod-euw1 sorts first
    ledger, obs, vault = (cidr(euw1, v) for v in ("ledger", "observability", "dr-vault"))

    def remote(doc: dict[str, Any], seg: str) -> set[str]:
        return {
            s["destination"]
            for s in table(doc, seg)["staticRoutes"]
            if s.get("attachment") == "peer-prod-euw1"
        }

    # prod reaches prod, shared and (connected from the peer's side) recovery
    assert remote(use1, "prod") == {ledger, obs, vault}
    assert remote(use1, "shared") == {ledger, obs}
    assert remote(use1, "partner") == set()  # isolated, and no partner spoke over there
    # the peer table: associated with the peering, learns only local spokes a remote may reach
    peer = table(use1, "peer-prod-euw1")
    assert peer["associations"] == ["peer-prod-euw1"]
    assert peer["propagations"] == ["payments", "tools"]  # never partner-gw, never the hub
    assert peer["staticRoutes"] == []  # no 0/0: egress never crosses Regions
    # egress stays in-Region: the hub table learns no remote spoke, 0/0 still goes to the hub
    assert table(use1, "hub")["staticRoutes"] == []
    assert {"destination": "0.0.0.0/0", "attachment": "hub"} in table(use1, "prod")["staticRoutes"]
    # and the other side mirrors it, with use1's spokes
    assert {
        s["destination"] for s in table(euw1, "recovery")["staticRoutes"] if "attachment" in s
    } >= {cidr(use1, "payments")}
    assert table(euw1, "peer-prod-use1")["propagations"] == ["dr-vault", "ledger", "observability"]
    # the remote spokes' CIDRs never overlap a local VPC
    for r in use1["remoteSpokes"]:
        assert all(IPSet([r["cidr"]]).isdisjoint(IPSet([v["cidr"]])) for v in use1["vpcs"])


def test_reachability_covers_remote_spokes_and_matches_the_intent(project: Path, cli) -> None:
    use1, euw1 = both_planned(cli, project)
    pairs = {(p["source"], p["target"]): p for p in use1["reachability"]["pairs"]}
    assert pairs[("payments", "prod-euw1/ledger")]["reachable"] is True
    assert pairs[("payments", "prod-euw1/dr-vault")]["reachable"] is True
    assert pairs[("tools", "prod-euw1/dr-vault")]["reachable"] is False
    assert pairs[("partner-gw", "prod-euw1/observability")]["reachable"] is False
    for doc in (use1, euw1):
        remote = [p for p in doc["reachability"]["pairs"] if "/" in p["target"]]
        assert len(remote) == 9
        assert all(p["reachable"] == p["intended"] for p in remote)
        assert not [f for f in doc["findings"] if f["rule"].startswith("REACH.")]
    # what losing eu-west-1 takes from us-east-1: exactly the reachable remote pairs
    lost = {
        f"{p['source']} -> {p['target']}"
        for p in pairs.values()
        if "/" in p["target"] and p["reachable"]
    }
    assert use1["regionFailure"] == [{"region": "eu-west-1", "lost": sorted(lost)}]
    assert euw1["regionFailure"][0]["region"] == "us-east-1"
    assert "dr-vault -> prod-use1/payments" in euw1["regionFailure"][0]["lost"]


def test_a_broken_peer_table_is_caught_by_the_walk(project: Path, cli) -> None:
    """Regression guard: the walk crosses the peering for real, it does not trust intent."""
    from dataclasses import replace

    from foundation.config.workspace import Workspace
    from foundation.network.analysis.peering import cross_region
    from foundation.network.peering import peer_plans
    from foundation.network.stack_plan import offline_azs, read_only_plan
    from ipam.lock import read_lock_file

    both_planned(cli, project)
    ws = Workspace(project)
    spec, plan = read_only_plan(ws, USE1)
    _, addresses = ws.load(USE1)
    peers = peer_plans(ws, spec, addresses, plan, read_lock_file(ws.lock_path), offline_azs)
    good, _ = cross_region(plan, peers)
    assert all(p.reachable == p.intended for p in good)
    # the peer forgets to propagate payments into its peer-prod-use1 table: replies die there
    euw1 = peers[EUW1]
    tables = tuple(
        replace(t, propagations=()) if t.name == "peer-prod-use1" else t
        for t in euw1.transit_gateway.route_tables
    )
    broken = {
        EUW1: replace(euw1, transit_gateway=replace(euw1.transit_gateway, route_tables=tables))
    }
    bad, losses = cross_region(plan, broken)
    assert not any(p.reachable for p in bad)
    assert losses[0].lost == ()


def test_peering_json_keys_appear_only_with_peers(workspace: Path, cli) -> None:
    doc = json.loads(cli(workspace, "plan", "dev", "--format", "json").out)
    assert "peerings" not in doc["transitGateway"] and "regionFailure" not in doc


def test_markdown_shows_both_regions(project: Path, cli) -> None:
    both_planned(cli, project)
    md = cli(project, "plan", USE1, "--format", "markdown").out
    assert "us-east-1" in md and "eu-west-1" in md
    assert "prod-euw1/ledger" in md
    assert "Region failure" in md


# --- bad input: exit 2, naming the peer and the fix, nothing written --------------------

BAD = [
    (
        "missing-peer",
        USE1,
        "peers: [prod-euw1]",
        "peers: [prod-aps1]",
        ["peers[0]", "peer 'prod-aps1' does not exist", "existing stacks"],
    ),
    (
        "not-listed-back",
        EUW1,
        "peers: [prod-use1]",
        "peers: []",
        ["peer 'prod-euw1' does not list 'prod-use1' back", "Pulumi.prod-euw1.yaml"],
    ),
    (
        "same-asn",
        EUW1,
        "asn: 64513",
        "asn: 64512",
        ["transitGateway.asn", "peer 'prod-euw1' uses the same TGW ASN 64512", "own ASN"],
    ),
    (
        "segment-differs",
        EUW1,
        "shared:  {}",
        "shared:  {isolated: true}",
        ["segments.shared", "defined differently by peer 'prod-euw1'", "identically"],
    ),
    (
        "invalid-peer-file",
        EUW1,
        "dr-vault: {segment: recovery, size: 23}",
        "dr-vault: {segment: recovry, size: 23}",
        ["Pulumi.prod-euw1.yaml", "(peer 'prod-euw1' of prod-use1)", "recovry"],
    ),
    (
        "lists-itself",
        USE1,
        "peers: [prod-euw1]",
        "peers: [prod-euw1, prod-use1]",
        ["peers[1]", "lists itself"],
    ),
    (
        "reserved-name",
        USE1,
        "tools:    {segment: shared",
        "peer-x:    {segment: shared",
        ["spokes.peer-x", "reserved"],
    ),
]


@pytest.mark.parametrize(("case", "stack", "old", "new", "expected"), BAD, ids=[c[0] for c in BAD])
def test_bad_peering_exits_2_naming_the_peer(
    project: Path, cli, case: str, stack: str, old: str, new: str, expected: list[str]
) -> None:
    edit_stack(project, stack, old, new)
    before = snapshot(project)
    out = project / "report.json"
    result = cli(project, "plan", USE1, "--format", "json", "--output", str(out))
    assert result.code == 2, result.err
    for fragment in expected:
        assert fragment in result.err, (fragment, result.err)
    assert "Traceback" not in result.err
    assert not out.exists()
    assert snapshot(project) == before


def test_ipam_check_validates_peering_as_a_whole(project: Path, cli) -> None:
    both_planned(cli, project)
    assert cli(project, "ipam", "check").code == 0
    edit_stack(project, EUW1, "asn: 64513", "asn: 64512")
    result = cli(project, "ipam", "check")
    assert result.code == 2, result.out + result.err
    assert "same TGW ASN" in result.err


def test_cost_counts_the_peering_attachment_on_each_side(project: Path, cli) -> None:
    use1, euw1 = both_planned(cli, project)
    for doc, vpcs in ((use1, 4), (euw1, 4)):
        items = doc["cost"]["items"]
        [item] = [i for i in items if i["item"] == "Transit Gateway attachment hours"]
        assert item["count"] == vpcs + 1  # its VPC attachments plus its side of the peering


def test_quota_rows_count_the_peering(project: Path, cli) -> None:
    use1, _ = both_planned(cli, project)
    rows = {q["code"]: q for q in use1["quotas"]}
    assert rows["L-A1B5A36F"]["planned"] == 1 and rows["L-A1B5A36F"]["limit"] == 50
    assert rows["L-E0233F82"]["planned"] == 5  # 4 VPC attachments + the peering
    static = sum(len(t["staticRoutes"]) for t in use1["transitGateway"]["routeTables"])
    assert rows["L-BCC1FB47"]["planned"] >= static  # remote routes and blackholes count


def test_base_plans_the_peering_at_the_ref_too(tmp_path: Path, cli) -> None:
    """`--base` reads the peers' stack files at the ref: an unchanged peering is no change."""
    from tests.test_plan_base import commit, git

    root = peered_project(tmp_path / "net")
    both_planned(cli, root)
    git(root, "init", "-q", "-b", "main")
    commit(root, "base")
    edit_stack(
        root, USE1, "      tools:", "      reports:  {segment: shared, size: 23}\n      tools:"
    )
    result = cli(root, "plan", USE1, "--base", "main", "--format", "json")
    assert result.code == 0, result.err
    doc = json.loads(result.out)
    by_type = doc["diff"]["resources"]["byType"]
    assert not [t for t in by_type if "peeringAttachment" in t]  # the peering is unchanged
    assert doc["diff"]["resources"]["delete"] == 0
    gained = doc["diff"]["reachability"]["gained"]
    assert ["reports", "tools"] in gained
    assert ["reports", "prod-euw1/observability"] in gained  # across Regions too
    assert not [p for p in gained if p[0] != "reports" and p[1] != "reports"]
    # the new spoke is routed to the peer: its CIDR joins the peer table's propagations
    assert "reports" in table(doc, "peer-prod-euw1")["propagations"]


@pytest.mark.parametrize(("fmt", "ext"), [("markdown", "md"), ("text", "txt")])
def test_peered_reports_match_the_golden_files(project: Path, cli, fmt: str, ext: str) -> None:
    """New golden files for a peered stack (dev and prod keep theirs unchanged)."""
    import os

    from tests.test_reports import GOLDEN

    both_planned(cli, project)
    result = cli(project, "plan", USE1, "--format", fmt)
    assert result.code == 0, result.err
    golden = GOLDEN / f"peered-{USE1}.{ext}"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(result.out)
    assert result.out == golden.read_text(), f"rerun with UPDATE_GOLDEN=1 if {golden} should change"
