"""Hybrid (DESIGN §3.14): the onPremises block planned, walked, reported and refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import snapshot
from tests.hybrid_stack import write_hybrid_stack

TWO_VPN_NO_DX = ("      directConnect: {gatewayId: 5f3e8a2c-1b2d-4c3e-9f00-0123456789ab}\n", "")


def plan_json(workspace: Path, cli, *edit: str) -> dict:
    write_hybrid_stack(workspace, *edit)
    result = cli(workspace, "plan", "hybrid", "--format", "json")
    assert result.code in (0, 1), result.err
    return json.loads(result.out)


def table(doc: dict, name: str) -> dict:
    return next(t for t in doc["transitGateway"]["routeTables"] if t["name"] == name)


def test_hybrid_attachments_and_the_onprem_table(workspace: Path, cli) -> None:
    doc = plan_json(workspace, cli)
    hybrid = {h["name"]: h for h in doc["transitGateway"]["hybrid"]}
    assert list(hybrid) == ["vpn-dc1", "vpn-dc2", "dx"]
    assert hybrid["vpn-dc1"]["type"] == "vpn" and hybrid["vpn-dc1"]["customerGateway"] == "dc1"
    assert hybrid["dx"]["type"] == "directConnect" and hybrid["dx"]["customerGateway"] is None
    assert hybrid["vpn-dc2"]["prefixes"] == ["10.0.0.0/16", "10.35.0.0/16"]
    # advertised: exactly the listed segments' spokes, never the pool (10.35/16 is carved out)
    spokes = {v["name"]: v["cidr"] for v in doc["vpcs"]}
    listed = {spokes[n] for n in ("payments", "ledger", "tools")}
    from netaddr import IPSet

    assert IPSet(hybrid["dx"]["advertises"]) == IPSet(listed)
    assert "10.32.0.0/14" not in hybrid["dx"]["advertises"]
    # hybrid attachments are not VPC attachments
    assert {"vpn-dc1", "dx"}.isdisjoint(a["name"] for a in doc["transitGateway"]["attachments"])
    onprem = table(doc, "onprem")
    assert onprem["associations"] == ["vpn-dc1", "vpn-dc2", "dx"]
    assert sorted(onprem["propagations"]) == ["ledger", "payments", "tools"]
    assert onprem["staticRoutes"] == []
    for listed_segment in ("prod", "shared"):
        assert {"vpn-dc1", "vpn-dc2", "dx"} <= set(table(doc, listed_segment)["propagations"])
        assert not any(
            r.get("blackhole") and r["destination"].startswith("10.0.")
            for r in table(doc, listed_segment)["staticRoutes"]
        )
    nonprod = table(doc, "nonprod")
    assert not {"vpn-dc1", "vpn-dc2", "dx"} & set(nonprod["propagations"])
    assert {"destination": "10.0.0.0/16", "blackhole": True} in nonprod["staticRoutes"]
    assert {"destination": "10.35.0.0/16", "blackhole": True} in nonprod["staticRoutes"]
    assert table(doc, "hub")["propagations"] == ["ledger", "payments", "sandbox", "tools"]
    assert doc["transitGateway"]["ecmp"] is True


def test_on_premises_reachability_and_failures(workspace: Path, cli) -> None:
    doc = plan_json(workspace, cli)
    reach = {r["vpc"]: (r["reachable"], r["intended"]) for r in doc["reachability"]["onPremises"]}
    assert reach == {
        "ledger": (True, True),
        "payments": (True, True),
        "sandbox": (False, False),
        "tools": (True, True),
    }
    assert doc["onPremises"]["reach"] == {"nonprod": "no", "prod": "yes", "shared": "yes"}
    assert doc["hybridFailure"] == [
        {"lost": "vpn-dc1", "cutOff": []},
        {"lost": "vpn-dc2", "cutOff": []},
        {"lost": "dx", "cutOff": []},
    ]
    assert not [f for f in doc["findings"] if f["rule"].startswith("HYBRID")]
    # the spoke-to-spoke matrix is untouched by hybrid
    pairs = {(p["source"], p["target"]): p["reachable"] for p in doc["reachability"]["pairs"]}
    assert pairs[("payments", "tools")] and not pairs[("payments", "sandbox")]


def test_one_customer_gateway_is_a_single_path(workspace: Path, cli) -> None:
    one = (
        "      vpn:\n        dc1: {ip: 203.0.113.10, asn: 65010}\n"
        "        dc2: {ip: 198.51.100.20, asn: 65020}\n"
        "      directConnect: {gatewayId: 5f3e8a2c-1b2d-4c3e-9f00-0123456789ab}\n",
        "      vpn:\n        dc1: {ip: 203.0.113.10, asn: 65010}\n",
    )
    write_hybrid_stack(workspace, *one)
    result = cli(workspace, "plan", "hybrid", "--format", "json")
    assert result.code == 1  # production: an error
    doc = json.loads(result.out)
    single = [f for f in doc["findings"] if f["rule"] == "HYBRID.SINGLE-PATH"]
    assert [(f["severity"], f["subject"]) for f in single] == [("error", "vpn-dc1")]
    assert doc["hybridFailure"] == [{"lost": "vpn-dc1", "cutOff": ["ledger", "payments", "tools"]}]
    write_hybrid_stack(workspace, *one)
    (workspace / "stacks" / "Pulumi.hybrid.yaml").write_text(
        (workspace / "stacks" / "Pulumi.hybrid.yaml")
        .read_text()
        .replace("production: true", "production: false")
    )
    result = cli(workspace, "plan", "hybrid", "--format", "json")
    assert result.code == 0
    rules = {(f["rule"], f["severity"]) for f in json.loads(result.out)["findings"]}
    assert ("HYBRID.SINGLE-PATH", "warning") in rules


def test_two_vpns_without_dx_are_redundant(workspace: Path, cli) -> None:
    doc = plan_json(workspace, cli, *TWO_VPN_NO_DX)
    assert [h["name"] for h in doc["transitGateway"]["hybrid"]] == ["vpn-dc1", "vpn-dc2"]
    assert not [f for f in doc["findings"] if f["rule"] == "HYBRID.SINGLE-PATH"]


def test_egress_none_routes_on_premises_from_listed_spokes_only(workspace: Path, cli) -> None:
    doc = plan_json(workspace, cli, "egress: nat-per-az", "egress: none")
    routes = {
        v["name"]: [r["destination"] for t in v["routeTables"] for r in t["routes"]]
        for v in doc["vpcs"]
    }
    assert "10.0.0.0/16" in routes["payments"] and "10.0.0.0/16" not in routes["sandbox"]
    assert "10.35.0.0/16" not in routes["payments"]  # inside the pool, already via the TGW
    reach = {r["vpc"]: r["reachable"] for r in doc["reachability"]["onPremises"]}
    assert reach == {"ledger": True, "payments": True, "sandbox": False, "tools": True}


def test_per_gateway_prefixes(workspace: Path, cli) -> None:
    doc = plan_json(
        workspace,
        cli,
        "dc2: {ip: 198.51.100.20, asn: 65020}",
        "dc2: {ip: 198.51.100.20, asn: 65020, cidrs: [10.35.0.0/16]}",
    )
    hybrid = {h["name"]: h["prefixes"] for h in doc["transitGateway"]["hybrid"]}
    assert hybrid["vpn-dc2"] == ["10.35.0.0/16"]
    assert hybrid["vpn-dc1"] == ["10.0.0.0/16", "10.35.0.0/16"]
    # 10.35/16 still has two paths (dc1 and dx): no single path
    assert not [f for f in doc["findings"] if f["rule"] == "HYBRID.SINGLE-PATH"]


def test_each_cidr_through_one_gateway_is_a_single_path(workspace: Path, cli) -> None:
    # two VPNs and no DX, but each gateway alone announces one of the on-premises CIDRs:
    # losing either cuts every listed spoke off (reach means every CIDR), so no redundancy
    split = (
        "        dc1: {ip: 203.0.113.10, asn: 65010}\n"
        "        dc2: {ip: 198.51.100.20, asn: 65020}\n"
        "      directConnect: {gatewayId: 5f3e8a2c-1b2d-4c3e-9f00-0123456789ab}\n",
        "        dc1: {ip: 203.0.113.10, asn: 65010, cidrs: [10.0.0.0/16]}\n"
        "        dc2: {ip: 198.51.100.20, asn: 65020, cidrs: [10.35.0.0/16]}\n",
    )
    write_hybrid_stack(workspace, *split)
    result = cli(workspace, "plan", "hybrid", "--format", "json")
    assert result.code == 1  # production: an error
    doc = json.loads(result.out)
    assert doc["hybridFailure"] == [
        {"lost": "vpn-dc1", "cutOff": ["ledger", "payments", "tools"]},
        {"lost": "vpn-dc2", "cutOff": ["ledger", "payments", "tools"]},
    ]
    single = [f for f in doc["findings"] if f["rule"] == "HYBRID.SINGLE-PATH"]
    assert [(f["severity"], f["subject"]) for f in single] == [
        ("error", "vpn-dc1"),
        ("error", "vpn-dc2"),
    ]
    assert "cuts off ledger, payments, tools" in single[0]["message"]


def test_markdown_shows_on_premises(workspace: Path, cli) -> None:
    write_hybrid_stack(workspace)
    out = cli(workspace, "plan", "hybrid", "--format", "markdown").out
    assert "### On-premises" in out
    assert 'onprem ===|"vpn-dc1 (VPN, 2 tunnels, BGP)"| tgw' in out
    assert "| sandbox | no (blackhole) | no |" in out


def test_a_stack_without_on_premises_has_no_hybrid_keys(workspace: Path, cli) -> None:
    doc = json.loads(cli(workspace, "plan", "dev", "--format", "json").out)
    assert "hybrid" not in doc["transitGateway"] and "hybridFailure" not in doc
    assert "onPremises" not in doc["reachability"]
    assert "onprem" not in {t["name"] for t in doc["transitGateway"]["routeTables"]}


P = "foundation:network.onPremises"
CIDRS = "cidrs: [10.0.0.0/16, 10.35.0.0/16]"
LISTED = "segments: [prod, shared]\n      vpn"
BAD = [
    (
        "outside-reserved",
        "cidrs: [10.0.0.0/16, 10.35.0.0/16]",
        "cidrs: [10.0.0.0/16, 192.168.8.0/24]",
        [f"{P}.cidrs[1]", "not inside a reserved range", "reserved:"],
    ),
    (
        "cidrs-overlap",
        "cidrs: [10.0.0.0/16, 10.35.0.0/16]",
        "cidrs: [10.0.0.0/16, 10.0.4.0/24]",
        [f"{P}.cidrs", "overlap"],
    ),
    (
        "malformed-cidr",
        "cidrs: [10.0.0.0/16, 10.35.0.0/16]",
        "cidrs: [10.0.0.1/16]",
        [f"{P}.cidrs", "host bits"],
    ),
    (
        "unknown-segment",
        "segments: [prod, shared]\n      vpn",
        "segments: [prod, shraed]\n      vpn",
        [f"{P}.segments[1]", "unknown segment 'shraed'"],
    ),
    ("cgw-asn-equals-tgw", "asn: 65010", "asn: 64512", [f"{P}.vpn.dc1.asn", "equals the Transit"]),
    ("cgw-ip-private", "ip: 203.0.113.10", "ip: 10.1.2.3", [f"{P}.vpn.dc1.ip", "RFC 1918"]),
    ("cgw-ip-loopback", "ip: 203.0.113.10", "ip: 127.0.0.1", [f"{P}.vpn.dc1.ip", "loopback"]),
    ("cgw-ip-multicast", "ip: 203.0.113.10", "ip: 239.1.1.1", [f"{P}.vpn.dc1.ip", "multicast"]),
    (
        "cgw-ip-not-ipv4",
        "ip: 203.0.113.10",
        "ip: dc1.example.com",
        [f"{P}.vpn.dc1.ip", "not an IPv4 address"],
    ),
    (
        "dx-gateway-id",
        "gatewayId: 5f3e8a2c-1b2d-4c3e-9f00-0123456789ab",
        "gatewayId: 5f3e",
        [f"{P}.directConnect.gatewayId", "not a Direct Connect gateway id"],
    ),
    (
        "no-path",
        "      directConnect: {gatewayId: 5f3e8a2c-1b2d-4c3e-9f00-0123456789ab}\n",
        "",
        [],
    ),  # replaced below
    (
        "reserved-spoke-name",
        "tools:    {segment: shared",
        "onprem:   {segment: shared",
        ["foundation:network.spokes.onprem", "reserved"],
    ),
    (
        "reserved-segment-name",
        "nonprod: {connectsTo: [shared]}",
        "vpn-x: {connectsTo: [shared]}",
        ["foundation:network.segments.vpn-x", "reserved"],
    ),
    (
        "dx-asn-out-of-range",
        "gatewayId: 5f3e8a2c-1b2d-4c3e-9f00-0123456789ab}",
        "gatewayId: 5f3e8a2c-1b2d-4c3e-9f00-0123456789ab, asn: -5}",
        [f"{P}.directConnect.asn", "not an ASN a Direct Connect gateway"],
    ),
    (
        "cgw-cidrs-empty",
        "dc1: {ip: 203.0.113.10, asn: 65010}",
        "dc1: {ip: 203.0.113.10, asn: 65010, cidrs: []}",
        [f"{P}.vpn.dc1.cidrs", "announces nothing"],
    ),
    (
        "cgw-name-trailing-newline",
        "dc2: {ip",
        '"dc2\\n": {ip',
        ["invalid customer gateway name"],
    ),
    (
        "cgw-asn-reserved-in-region",
        "asn: 65010",
        "asn: 7224",
        [f"{P}.vpn.dc1.asn", "reserved by AWS in us-east-1"],
    ),
    ("cgw-ip-cgnat", "ip: 203.0.113.10", "ip: 100.64.1.1", [f"{P}.vpn.dc1.ip", "RFC 6598"]),
    (
        "cgw-ip-benchmarking",
        "ip: 203.0.113.10",
        "ip: 198.18.0.1",
        [f"{P}.vpn.dc1.ip", "not routable"],
    ),
    (
        "cgw-ip-twice",
        "ip: 198.51.100.20",
        "ip: 203.0.113.10",
        [f"{P}.vpn.dc2.ip", "same IP 203.0.113.10 as 'dc1'", "no redundancy"],
    ),
]
BAD[10] = (
    "no-path",
    "      vpn:\n        dc1: {ip: 203.0.113.10, asn: 65010}\n"
    "        dc2: {ip: 198.51.100.20, asn: 65020}\n"
    "      directConnect: {gatewayId: 5f3e8a2c-1b2d-4c3e-9f00-0123456789ab}\n",
    "",
    [P, "no way to reach on-premises"],
)


@pytest.mark.parametrize(("case", "old", "new", "fragments"), BAD, ids=[b[0] for b in BAD])
def test_bad_hybrid_input_exits_2_and_changes_nothing(
    workspace: Path, cli, case: str, old: str, new: str, fragments: list[str]
) -> None:
    write_hybrid_stack(workspace, old, new)
    before = snapshot(workspace)
    result = cli(workspace, "plan", "hybrid")
    assert result.code == 2, result.err
    for fragment in fragments:
        assert fragment in result.err, f"{fragment!r} missing from:\n{result.err}"
    assert "Fix:" in result.err and "Traceback" not in result.err
    assert result.out == ""
    assert snapshot(workspace) == before


def test_rfc5737_gateway_ips_are_accepted(workspace: Path, cli) -> None:
    doc = plan_json(workspace, cli, "ip: 203.0.113.10", "ip: 192.0.2.44")
    assert doc["transitGateway"]["hybrid"][0]["ip"] == "192.0.2.44"


def test_cost_counts_vpn_connection_hours_and_hybrid_attachments(workspace: Path, cli) -> None:
    doc = plan_json(workspace, cli)
    items = {i["item"]: i for i in doc["cost"]["items"]}
    vpn = items["Site-to-Site VPN connection hours"]
    assert vpn["count"] == 2 and vpn["monthly"] == round(2 * vpn["unitPrice"] * 730, 2)
    attachments = next(i for i in doc["cost"]["items"] if "attachment" in i["item"].lower())
    assert attachments["count"] == 5 + 3  # hub and four spokes, two VPNs and the DX gateway


def test_quotas_count_vpn_connections_and_customer_gateways(workspace: Path, cli) -> None:
    doc = plan_json(workspace, cli)
    rows = {q["code"]: q for q in doc["quotas"]}
    assert rows["L-3E6EC3A3"]["planned"] == 2 and rows["L-3E6EC3A3"]["limit"] == 50
    assert rows["DEFAULT-CGW-PER-REGION"]["planned"] == 2
    routes = rows["L-BCC1FB47"]["planned"]  # hybrid propagations count as TGW routes
    dev = json.loads(cli(workspace, "plan", "dev", "--format", "json").out)
    assert {"L-3E6EC3A3", "DEFAULT-CGW-PER-REGION"}.isdisjoint(q["code"] for q in dev["quotas"])
    assert routes > 0


def test_direct_connect_alone_is_a_single_path_too(workspace: Path, cli) -> None:
    only_dx = (
        "      vpn:\n        dc1: {ip: 203.0.113.10, asn: 65010}\n"
        "        dc2: {ip: 198.51.100.20, asn: 65020}\n",
        "",
    )
    doc = plan_json(workspace, cli, *only_dx)
    assert [h["name"] for h in doc["transitGateway"]["hybrid"]] == ["dx"]
    single = [f for f in doc["findings"] if f["rule"] == "HYBRID.SINGLE-PATH"]
    assert [(f["subject"], f["severity"]) for f in single] == [("dx", "error")]
    assert "HYBRID.SINGLE-PATH" not in {f["rule"] for f in doc["findings"] if f["subject"] != "dx"}
