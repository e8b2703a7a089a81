"""Central inspection (DESIGN §3.10): the plan, its JSON, the proofs and the bad input."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from netaddr import IPNetwork

from foundation.addresses.allocation import allocate_in_memory
from foundation.config.address_plan import parse_address_plan
from foundation.config.spec import parse_network
from foundation.network.analysis.inspection import analyse_inspection, inspection_findings
from foundation.network.build import build_plan
from foundation.network.model import NetworkPlan
from foundation.network.stack_plan import offline_azs
from ipam.lock import LockFile, read_lock_file
from tests.conftest import REPO, edit_stack, snapshot

EXAMPLE = REPO / "tests" / "data" / "Pulumi.inspect.yaml"
ADDRESSES = parse_address_plan({"pools": {"p": "10.64.0.0/12"}}, "addresses.yaml")
POOL = "10.64.0.0/12"


def plan_for(raw: dict[str, Any]) -> NetworkPlan:
    spec = parse_network(raw, "eu-west-1", "test", "t")
    allocation = allocate_in_memory(spec, ADDRESSES, LockFile())
    return build_plan(spec, allocation, offline_azs(spec), POOL)


def network(hub_egress: str = "nat-per-az", **inspection: Any) -> dict[str, Any]:
    return {
        "pool": "p",
        "availabilityZones": 3,
        "hub": {"size": 20, "egress": hub_egress},
        "segments": {"prod": {"connectsTo": ["shared"]}, "shared": {}, "dev": {}},
        "spokes": {
            "pay": {"segment": "prod"},
            "ledger": {"segment": "prod"},
            "tools": {"segment": "shared"},
            "lab": {"segment": "dev"},
        },
        "inspection": inspection,
    }


def appliance_off(plan: NetworkPlan) -> NetworkPlan:
    tgw = plan.transit_gateway
    attachments = tuple(replace(a, appliance_mode=False) for a in tgw.attachments)
    return replace(plan, transit_gateway=replace(tgw, attachments=attachments))


@pytest.fixture
def inspect_ws(workspace: Path) -> Path:
    shutil.copy(EXAMPLE, workspace / "stacks" / "Pulumi.inspect.yaml")
    return workspace


# --- the plan ------------------------------------------------------------------------------


def test_the_inspection_vpc_has_a_transit_and_a_firewall_subnet_per_az() -> None:
    plan = plan_for(network())
    vpc = plan.vpc("inspection")
    assert (vpc.role, vpc.segment) == ("inspection", None)
    assert IPNetwork(vpc.cidr).prefixlen == 24  # the default size
    for tier in ("transit", "firewall"):
        subnets = vpc.subnets_of(tier)
        assert [s.az for s in subnets] == list(plan.availability_zones)
        assert all(IPNetwork(s.cidr).prefixlen == 28 for s in subnets)
        assert all(IPNetwork(s.cidr) in IPNetwork(vpc.cidr) for s in subnets)
    for sub in vpc.subnets_of("transit"):
        (route,) = vpc.route_table(sub.route_table).routes
        assert (route.destination, route.target.type, route.target.az) == (
            "0.0.0.0/0",
            "firewall",
            sub.az,
        )
    for sub in vpc.subnets_of("firewall"):
        (route,) = vpc.route_table(sub.route_table).routes
        assert (route.destination, route.target.type) == ("0.0.0.0/0", "tgw")
    assert plan.inspection is not None
    assert [(e.az, e.subnet) for e in plan.inspection.endpoints] == [
        (s.az, s.name) for s in vpc.subnets_of("firewall")
    ]
    assert vpc.flow_log is not None and vpc.endpoints == ()


def test_the_tgw_sends_inspected_traffic_through_the_inspection_attachment() -> None:
    plan = plan_for(network())
    tgw = plan.transit_gateway
    cidr = {v.name: v.cidr for v in plan.spokes}
    attachments = {a.name: a.appliance_mode for a in tgw.attachments}
    assert attachments == {
        "hub": False,
        "lab": False,
        "ledger": False,
        "pay": False,
        "tools": False,
        "inspection": True,
    }
    prod = tgw.route_table("prod")
    assert prod.propagations == ("ledger", "pay")  # own segment: direct (withinSegment false)
    statics = [(s.destination, s.attachment, s.blackhole) for s in prod.static_routes]
    assert statics == [
        (cidr["tools"], "inspection", False),
        ("0.0.0.0/0", "inspection", False),
        (POOL, None, True),  # the bulkhead stays
    ]
    hub = tgw.route_table("hub")
    assert hub.propagations == ()
    assert {(s.destination, s.attachment) for s in hub.static_routes} == {
        (c, "inspection") for c in cidr.values()
    }
    table = tgw.route_table("inspection")
    assert table.associations == ("inspection",)
    assert set(table.propagations) == set(cidr)
    assert [(s.destination, s.attachment, s.blackhole) for s in table.static_routes] == [
        ("0.0.0.0/0", "hub", False),
        (POOL, None, True),
    ]


def test_within_segment_and_east_west_switches_choose_what_is_redirected() -> None:
    plan = plan_for(network(eastWest=False, withinSegment=True, egress=False))
    prod = plan.transit_gateway.route_table("prod")
    cidr = {v.name: v.cidr for v in plan.spokes}
    assert prod.propagations == ("tools",)  # other segment: direct
    assert [(s.destination, s.attachment) for s in prod.static_routes] == [
        (cidr["ledger"], "inspection"),
        (cidr["pay"], "inspection"),
        ("0.0.0.0/0", "hub"),  # egress not inspected
        (POOL, None),
    ]
    assert plan.transit_gateway.route_table("hub").propagations != ()


def test_the_policy_is_a_bulkhead_over_the_pool_in_strict_order() -> None:
    plan = plan_for(network(allowDomains=[".amazonaws.com", "github.com"]))
    inspection = plan.inspection
    assert inspection is not None
    assert inspection.home_net == (POOL,)
    assert inspection.default_actions == ("aws:drop_strict", "aws:alert_strict")
    groups = {g.name: g for g in inspection.rule_groups}
    east_west = groups["inspection-east-west"]
    assert dict(east_west.ip_sets)["HOME_NET"] == (POOL,)
    cidr = {v.name: v.cidr for v in plan.spokes}
    assert dict(east_west.ip_sets)["SEG_PROD"] == tuple(sorted([cidr["ledger"], cidr["pay"]]))
    # exactly the permitted pairs of different segments: prod <> shared, not dev
    assert [r.split("(")[0].strip() for r in east_west.rules] == [
        "pass ip $SEG_PROD any <> $SEG_SHARED any"
    ]
    egress = groups["inspection-egress"].rules
    assert any('tls.sni; dotprefix; content:".amazonaws.com"' in r for r in egress)
    assert any('http.host; content:"github.com"; nocase; startswith; endswith' in r for r in egress)
    assert not any(r.startswith("pass ip $HOME_NET any -> $EXTERNAL_NET") for r in egress)
    sids = [r.rsplit("sid:", 1)[1].split(";")[0] for g in inspection.rule_groups for r in g.rules]
    assert len(sids) == len(set(sids))


def test_without_an_allow_list_all_egress_passes_and_is_logged() -> None:
    plan = plan_for(network())
    assert plan.inspection is not None
    egress = next(g for g in plan.inspection.rule_groups if g.name == "inspection-egress")
    assert egress.rules[0].startswith("alert ip $HOME_NET any -> $EXTERNAL_NET any")
    assert egress.rules[1].startswith("pass ip $HOME_NET any -> $EXTERNAL_NET any")


def test_delete_protection_and_log_retention_follow_the_stack() -> None:
    raw = network()
    raw["production"] = True
    raw["flowLogs"] = {"retentionDays": 365}
    inspection = plan_for(raw).inspection
    assert inspection is not None and inspection.delete_protection is True
    assert [(log.log_type, log.retention_days) for log in inspection.logs] == [
        ("ALERT", 365),
        ("FLOW", 365),
    ]
    dev = plan_for(network()).inspection
    assert dev is not None and dev.delete_protection is False


# --- proofs ------------------------------------------------------------------------------


@pytest.mark.parametrize("egress", ["nat-per-az", "single-nat"])
def test_inspected_flows_are_symmetric_with_appliance_mode(egress: str) -> None:
    analysis = analyse_inspection(plan_for(network(egress)))
    assert analysis is not None
    assert analysis.appliance_mode and analysis.symmetric and analysis.flows_checked > 100
    assert inspection_findings(analysis) == []


def test_appliance_mode_off_is_an_asymmetry_error() -> None:
    analysis = analyse_inspection(appliance_off(plan_for(network("single-nat"))))
    assert analysis is not None and not analysis.symmetric
    findings = {f.subject: f for f in inspection_findings(analysis)}
    # east-west across AZs, both ways, and egress behind the single NAT in another AZ
    assert {"pay -> tools", "tools -> pay", "pay -> internet"} <= set(findings)
    assert "lab -> tools" not in findings  # not permitted at all: never inspected
    f = findings["pay -> tools"]
    assert (f.rule, f.severity) == ("INSPECT.ASYMMETRIC", "error")
    assert "appliance mode" in f.fix


def test_losing_an_az_resets_its_flows_and_shows_what_fails_elsewhere() -> None:
    analysis = analyse_inspection(plan_for(network("single-nat")))
    assert analysis is not None
    loss = {x.az: x for x in analysis.az_loss}
    assert all(x.in_flight_share == pytest.approx(1 / 3, abs=1e-3) for x in loss.values())
    # the single NAT sits in the first AZ: losing it cuts every spoke's inspected egress
    assert set(loss["eu-west-1a"].lost_elsewhere) == {
        f"{s} -> internet" for s in ("lab", "ledger", "pay", "tools")
    }
    assert loss["eu-west-1b"].lost_elsewhere == ()
    per_az = analyse_inspection(plan_for(network("nat-per-az")))
    assert per_az is not None and all(not x.lost_elsewhere for x in per_az.az_loss)


# --- the CLI -------------------------------------------------------------------------------


def test_plan_json_shows_the_firewall_and_what_is_inspected(inspect_ws: Path, cli) -> None:
    result = cli(inspect_ws, "plan", "inspect", "--format", "json")
    assert result.code == 0, result.err
    doc = json.loads(result.out)
    vpc = next(v for v in doc["vpcs"] if v["name"] == "inspection")
    assert vpc["role"] == "inspection"
    transit_a = next(t for t in vpc["routeTables"] if t["name"] == "inspection-transit-a")
    assert transit_a["routes"] == [
        {"destination": "0.0.0.0/0", "target": {"type": "firewall", "az": "us-east-1a"}}
    ]
    assert doc["inspection"]["firewall"] == "inspection-firewall"
    assert doc["inspection"]["endpoints"] == [
        {"az": f"us-east-1{x}", "subnet": f"inspection-firewall-{x}"} for x in "abc"
    ]
    assert doc["inspection"]["symmetric"] is True
    assert {a["name"]: a["applianceMode"] for a in doc["transitGateway"]["attachments"]} == {
        "hub": False,
        "ledger": False,
        "payments": False,
        "sandbox": False,
        "tools": False,
        "inspection": True,
    }
    pairs = {(p["source"], p["target"]): p for p in doc["reachability"]["pairs"]}
    assert pairs[("payments", "tools")]["inspected"] is True  # prod <> shared
    assert pairs[("payments", "ledger")]["inspected"] is False  # within prod: direct
    assert pairs[("payments", "sandbox")] == {
        **pairs[("payments", "sandbox")],
        "reachable": False,
        "inspected": False,
    }
    assert all(e["inspected"] for e in doc["reachability"]["egress"])
    assert doc["resources"]["byType"]["aws:networkfirewall/firewall:Firewall"] == 1
    lock = read_lock_file(inspect_ws / "stacks" / "addresses.lock.yaml").entries
    assert str(lock["inspect/inspection"]) == vpc["cidr"]
    assert str(lock["inspect/inspection/az0/firewall"]) == vpc["subnets"][0]["cidr"]


def test_a_stack_without_inspection_has_every_attachment_without_appliance_mode(
    workspace: Path, cli
) -> None:
    doc = json.loads(cli(workspace, "plan", "dev", "--format", "json").out)
    assert doc["inspection"] is None
    assert {a["applianceMode"] for a in doc["transitGateway"]["attachments"]} == {False}
    assert {p["inspected"] for p in doc["reachability"]["pairs"]} == {False}
    assert {e["inspected"] for e in doc["reachability"]["egress"]} == {False}


def test_adding_inspection_to_a_stack_never_renumbers_it(workspace: Path, cli) -> None:
    lock_path = workspace / "stacks" / "addresses.lock.yaml"
    before = read_lock_file(lock_path).entries
    edit_stack(
        workspace, "dev", "    production: false", "    production: false\n    inspection: {}"
    )
    assert cli(workspace, "plan", "dev", "--format", "json").code in (0, 1)
    after = read_lock_file(lock_path).entries
    assert {k: v for k, v in after.items() if k in before} == before
    assert {k for k in after if k not in before} >= {
        "dev/inspection",
        "dev/inspection/az2/firewall",
    }


BAD = [
    (
        "egress-without-hub-egress",
        ("      egress: nat-per-az", "      egress: none"),
        ["foundation:network.inspection.egress", "hub.egress is none", "inspection.egress: false"],
    ),
    (
        "malformed-domain",
        ("allowDomains: [.amazonaws.com, github.com]", "allowDomains: [.amazonaws.com, 'git hub']"),
        ["foundation:network.inspection.allowDomains", "'git hub'", "is not a DNS name"],
    ),
    (
        "wildcard-domain",
        ("allowDomains: [.amazonaws.com, github.com]", "allowDomains: ['*.github.com']"),
        ["foundation:network.inspection.allowDomains", "leading dot"],
    ),
    (
        "duplicate-domain",
        ("allowDomains: [.amazonaws.com, github.com]", "allowDomains: [github.com, github.com]"),
        ["foundation:network.inspection.allowDomains", "github.com more than once"],
    ),
    (
        "empty-allow-list",
        ("allowDomains: [.amazonaws.com, github.com]", "allowDomains: []"),
        ["foundation:network.inspection.allowDomains", "would drop all egress"],
    ),
    (
        "too-small",
        ("      size: 24\n", "      size: 27\n"),
        ["foundation:network.inspection.size", "/27 is too small", "use size 25 or less"],
    ),
    (
        "reserved-name",
        ("      tools:    {segment: shared, size: 22}", "      inspection: {segment: shared}"),
        ["foundation:network.spokes.inspection", "reserved name"],
    ),
]


@pytest.mark.parametrize(("case", "edit", "fragments"), BAD, ids=[c[0] for c in BAD])
def test_bad_inspection_input_exits_2_and_changes_nothing(
    inspect_ws: Path, cli, case: str, edit: tuple[str, str], fragments: list[str]
) -> None:
    edit_stack(inspect_ws, "inspect", *edit)
    before = snapshot(inspect_ws / "stacks")
    out = inspect_ws / "report.json"
    result = cli(inspect_ws, "plan", "inspect", "--format", "json", "--output", str(out))
    assert result.code == 2, result.err
    for fragment in fragments:
        assert fragment in result.err, (fragment, result.err)
    assert "Traceback" not in result.err and "Fix:" in result.err
    assert snapshot(inspect_ws / "stacks") == before
    assert not out.exists()


# --- quotas --------------------------------------------------------------------------------


def test_firewall_quotas_are_rows_only_for_stacks_with_inspection(inspect_ws: Path, cli) -> None:
    doc = json.loads(cli(inspect_ws, "plan", "inspect", "--format", "json").out)
    rows = {q["code"]: q for q in doc["quotas"] if q["code"].startswith("NFW-")}
    assert {c: (q["planned"], q["limit"]) for c, q in rows.items()} == {
        "NFW-FIREWALLS": (1, 5),
        "NFW-POLICIES": (1, 20),
        "NFW-STATEFUL-RULE-GROUPS": (2, 50),
        "NFW-POLICY-CAPACITY": (2000, 30000),
    }
    dev = json.loads(cli(inspect_ws, "plan", "dev", "--format", "json").out)
    assert not [q for q in dev["quotas"] if q["code"].startswith("NFW-")]


# --- cost ----------------------------------------------------------------------------------


def test_firewall_endpoint_hours_are_priced_and_chained_nat_hours_waived(
    inspect_ws: Path, cli
) -> None:
    cost = json.loads(cli(inspect_ws, "plan", "inspect", "--format", "json").out)["cost"]
    items = {i["item"]: i for i in cost["items"]}
    endpoints = items["Network Firewall endpoint hours (per AZ)"]
    assert (endpoints["count"], endpoints["monthly"]) == (3, round(3 * 0.395 * 730, 2))
    waiver = next(i for name, i in items.items() if name.startswith("NAT gateway hours waived"))
    nat = items["NAT gateway hours"]
    assert (waiver["count"], waiver["monthly"]) == (3, -nat["monthly"])
    assert round(sum(i["monthly"] for i in cost["items"]), 2) == cost["monthlyFixed"]
    rates = {r["item"]: r["price"] for r in cost["perGB"]}
    assert rates["Network Firewall data processing"] == 0.065


def test_without_egress_inspection_nothing_is_waived() -> None:
    from foundation.network.cost import estimate

    registered = [
        ("aws:ec2/natGateway:NatGateway", {}),
        ("aws:networkfirewall/firewall:Firewall", {"subnetMappings": [{}, {}]}),
    ]
    east_west_only = estimate("us-east-1", registered)
    assert [i.item for i in east_west_only.items] == [
        "NAT gateway hours",
        "Network Firewall endpoint hours (per AZ)",
    ]
    chained = estimate("us-east-1", registered, nat_behind_firewall=True)
    assert chained.items[-1].count == 1  # min(1 NAT, 2 endpoints)
    assert chained.monthly_fixed == round(east_west_only.monthly_fixed - 0.045 * 730, 2)
