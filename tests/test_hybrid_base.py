"""`plan --base` with hybrid attachments: a changed TGW ASN is an error (§3.14)."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import edit_stack
from tests.hybrid_stack import write_hybrid_stack
from tests.test_plan_base import commit, plan, repo, rules

__all__ = ["repo"]  # the fixture


def test_changing_the_asn_under_vpn_and_dx_is_an_error(repo: Path, cli) -> None:
    write_hybrid_stack(repo)
    commit(repo, "hybrid")
    edit_stack(repo, "hybrid", "asn: 64512", "asn: 64600")
    doc = plan(cli, repo, stack="hybrid", code=1)
    assert rules(doc).get("DIFF.HYBRID-ASN error") == 1
    finding = next(f for f in doc["findings"] if f["rule"] == "DIFF.HYBRID-ASN")
    assert "64512 to 64600" in finding["message"] and "vpn-dc1" in finding["message"]


def test_changing_the_asn_without_hybrid_is_no_hybrid_finding(repo: Path, cli) -> None:
    write_hybrid_stack(
        repo, "    onPremises:", "    production: false\n    unusedOnPremises:"
    )  # replaced below: a stack without onPremises
    text = (repo / "stacks" / "Pulumi.hybrid.yaml").read_text()
    (repo / "stacks" / "Pulumi.hybrid.yaml").write_text(
        text.split("    production: false\n    unusedOnPremises:")[0] + "    production: true\n"
    )
    commit(repo, "no hybrid")
    edit_stack(repo, "hybrid", "asn: 64512", "asn: 64600")
    doc = plan(cli, repo, stack="hybrid")
    assert "DIFF.HYBRID-ASN error" not in rules(doc)


def test_a_new_customer_gateway_ip_replaces_the_gateway_not_the_vpn(repo: Path, cli) -> None:
    write_hybrid_stack(repo)
    commit(repo, "hybrid")
    edit_stack(repo, "hybrid", "ip: 203.0.113.10", "ip: 203.0.113.99")
    doc = plan(cli, repo, stack="hybrid")  # a warning: only VPC, subnet and TGW are errors
    replaced = {(r["type"], r["name"]) for r in doc["diff"]["replacements"]}
    assert ("aws:ec2/customerGateway:CustomerGateway", "cgw-dc1") in replaced
    assert ("aws:ec2/vpnConnection:VpnConnection", "vpn-dc1") not in replaced  # modified
    assert rules(doc).get("DIFF.REPLACE warning", 0) >= 1
    changed = doc["diff"]["resources"]["byType"]["aws:ec2/vpnConnection:VpnConnection"]
    assert changed["change"] == 1


def test_a_segment_newly_listed_gains_on_premises_with_a_warning(repo: Path, cli) -> None:
    write_hybrid_stack(repo)
    commit(repo, "hybrid")
    edit_stack(
        repo, "hybrid", "segments: [prod, shared]\n      vpn", "segments: [shared]\n      vpn"
    )
    commit(repo, "only shared")  # the base: prod does not reach on-premises
    edit_stack(
        repo, "hybrid", "segments: [shared]\n      vpn", "segments: [prod, shared]\n      vpn"
    )
    doc = plan(cli, repo, stack="hybrid")
    gained = doc["diff"]["reachability"]["gained"]
    assert ["payments", "on-premises"] in gained and ["ledger", "on-premises"] in gained
    assert ["tools", "on-premises"] not in gained  # shared reached it already
    subjects = {f["subject"] for f in doc["findings"] if f["rule"] == "DIFF.REACH-GAINED"}
    assert subjects == {"payments -> on-premises", "ledger -> on-premises"}
    commit(repo, "prod listed again")  # the base
    edit_stack(
        repo, "hybrid", "segments: [prod, shared]\n      vpn", "segments: [shared]\n      vpn"
    )
    lost = plan(cli, repo, stack="hybrid")["diff"]["reachability"]["lost"]
    assert sorted(lost) == [["ledger", "on-premises"], ["payments", "on-premises"]]
