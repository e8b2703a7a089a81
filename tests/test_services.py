"""Shared services (DESIGN §3.15): plan model, walk proofs, mock engine, JSON, bad input."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from netaddr import IPAddress, IPNetwork

from foundation.network.analysis.services import (
    private_dns_conflicts,
    services_findings,
    services_reach,
)
from foundation.network.services_cost import savings
from tests.accounts_stack import write_accounts_stack
from tests.conftest import snapshot
from tests.services_stack import BLOCK, record_lock, write_services_stack
from tests.test_program import of_type, plan_of, record

LISTED, UNLISTED = ("payments", "tools"), "sandbox"


@pytest.fixture
def services_ws(workspace: Path) -> Path:
    write_services_stack(workspace)
    return workspace


def test_the_services_vpc_is_allocated_with_endpoints_and_transit_tiers(services_ws: Path) -> None:
    plan = plan_of(services_ws, "dev")
    vpc = plan.vpc("services")
    assert (vpc.role, vpc.segment, IPNetwork(vpc.cidr).prefixlen) == ("services", None, 23)
    assert IPNetwork(vpc.cidr) in IPNetwork(plan.pool_cidr)
    others = [IPNetwork(v.cidr) for v in plan.vpcs if v.name != "services"]
    assert all(not (IPNetwork(vpc.cidr) in o or o in IPNetwork(vpc.cidr)) for o in others)
    assert {(s.tier, s.az) for s in vpc.subnets} == {
        (t, az) for t in ("endpoints", "transit") for az in plan.availability_zones
    }
    assert all(IPNetwork(s.cidr).prefixlen == 28 for s in vpc.subnets_of("transit"))
    endpoints = vpc.route_table("services-endpoints")
    assert [(r.destination, r.target.type) for r in endpoints.routes] == [(plan.pool_cidr, "tgw")]
    assert vpc.route_table("services-transit").routes == ()
    assert vpc.endpoints == ()  # no gateway endpoints: nothing here talks to S3
    assert vpc.flow_log is not None and vpc.default_security_group is not None


def test_plan_records_the_services_lock_entries_and_keeps_the_others(
    services_ws: Path, cli
) -> None:
    lock = services_ws / "stacks" / "addresses.lock.yaml"
    before = {line for line in lock.read_text().splitlines() if "dev/" in line}
    assert cli(services_ws, "plan", "dev", "--format", "json").code == 0
    after = {line for line in lock.read_text().splitlines() if "dev/" in line}
    assert before <= after  # nothing renumbered
    added = sorted(after - before)
    assert any("dev/services:" in line for line in added)
    assert sum("dev/services/az" in line and "/endpoints" in line for line in added) == 3


def test_tgw_tables_route_services_only_for_the_listed_segments(services_ws: Path) -> None:
    plan = plan_of(services_ws, "dev")
    tgw = plan.transit_gateway
    table = tgw.route_table("services")
    assert table.associations == ("services",)
    assert set(table.propagations) == set(LISTED)
    assert [(r.destination, r.blackhole) for r in table.static_routes] == [(plan.pool_cidr, True)]
    assert not any(r.destination == "0.0.0.0/0" for r in table.static_routes)
    assert "services" in tgw.route_table("prod").propagations
    assert "services" in tgw.route_table("shared").propagations
    assert "services" not in tgw.route_table("nonprod").propagations
    assert "services" not in tgw.route_table("hub").propagations
    (attachment,) = [a for a in tgw.attachments if a.name == "services"]
    assert attachment.subnets == ("services-transit-a", "services-transit-b", "services-transit-c")


def test_endpoints_zones_and_resolver_are_planned_for_the_listed_spokes(services_ws: Path) -> None:
    plan = plan_of(services_ws, "dev")
    shared = plan.shared_services
    assert shared is not None and shared.spokes == LISTED
    assert [e.service for e in shared.endpoints] == ["ssm", "sts", "ecr.api", "ecr.dkr"]
    assert all(not e.private_dns and len(e.subnets) == 3 for e in shared.endpoints)
    cidrs = {plan.vpc(s).cidr for s in LISTED}
    assert {(r.protocol, r.port, r.cidr) for r in shared.endpoint_group.ingress} == {
        ("tcp", 443, c) for c in cidrs
    }
    assert shared.endpoint_group.egress == ()
    zones = {z.domain: z for z in shared.zones}
    assert set(zones) == {
        "ssm.us-east-1.amazonaws.com",
        "sts.us-east-1.amazonaws.com",
        "api.ecr.us-east-1.amazonaws.com",
        "dkr.ecr.us-east-1.amazonaws.com",
    }
    assert zones["dkr.ecr.us-east-1.amazonaws.com"].wildcard
    assert not zones["api.ecr.us-east-1.amazonaws.com"].wildcard
    assert all(set(z.vpcs) == {*LISTED, "services"} for z in shared.zones)
    assert shared.inbound is not None and shared.outbound is not None
    subnets = {s.name: s for s in plan.vpc("services").subnets}
    for resolver in (shared.inbound, shared.outbound):
        assert len({subnets[a.subnet].az for a in resolver.addresses}) == 2
        for a in resolver.addresses:
            assert IPAddress(a.ip) in IPNetwork(subnets[a.subnet].cidr)
    ips = [a.ip for r in (shared.inbound, shared.outbound) for a in r.addresses]
    assert len(set(ips)) == 4
    inbound_sg = shared.security_group(shared.inbound.security_group)
    assert {(r.protocol, r.cidr) for r in inbound_sg.ingress} == {
        (p, c) for p in ("tcp", "udp") for c in cidrs
    }
    outbound_sg = shared.security_group(shared.outbound.security_group)
    assert outbound_sg.ingress == ()
    assert {(r.protocol, r.port, r.cidr) for r in outbound_sg.egress} == {
        (p, 53, f"{t}/32") for p in ("tcp", "udp") for t in ("10.0.0.2", "10.0.0.3")
    }
    (rule,) = shared.rules
    assert (rule.domain, rule.targets, rule.vpcs) == (
        "corp.example.com",
        ("10.0.0.2", "10.0.0.3"),
        LISTED,
    )


def test_default_segments_are_every_segment(workspace: Path) -> None:
    write_services_stack(workspace, "    sharedServices: {interfaceEndpoints: [ssm]}\n")
    plan = plan_of(workspace, "dev")
    assert plan.shared_services is not None
    assert set(plan.shared_services.spokes) == {*LISTED, UNLISTED}
    assert plan.shared_services.inbound is None and plan.shared_services.rules == ()
    assert IPNetwork(plan.vpc("services").cidr).prefixlen == 24  # the documented default


def test_the_walk_proves_listed_spokes_reach_the_endpoints_and_no_other(services_ws: Path) -> None:
    plan = plan_of(services_ws, "dev")
    reach = {r.vpc: r for r in services_reach(plan)}
    assert {n: (r.reachable, r.intended) for n, r in reach.items()} == {
        "payments": (True, True),
        "tools": (True, True),
        "sandbox": (False, False),
    }
    assert reach["sandbox"].outcome == "blackhole"
    assert services_findings(list(reach.values())) == []


def _tables(plan, **changes):
    tgw = plan.transit_gateway
    tables = tuple(
        replace(t, propagations=changes[t.name]) if t.name in changes else t
        for t in tgw.route_tables
    )
    return replace(plan, transit_gateway=replace(tgw, route_tables=tables))


def test_a_listed_spoke_without_the_route_is_an_error(services_ws: Path) -> None:
    plan = plan_of(services_ws, "dev")
    prod = plan.transit_gateway.route_table("prod")
    broken = _tables(plan, prod=tuple(p for p in prod.propagations if p != "services"))
    findings = services_findings(services_reach(broken))
    assert [(f.rule, f.severity, f.subject) for f in findings] == [
        ("SERVICES.REACH", "error", "payments")
    ]


def test_an_unlisted_spoke_that_reaches_the_services_is_an_error(services_ws: Path) -> None:
    plan = plan_of(services_ws, "dev")
    leaky = _tables(
        plan,
        nonprod=(*plan.transit_gateway.route_table("nonprod").propagations, "services"),
        services=(*plan.transit_gateway.route_table("services").propagations, "sandbox"),
    )
    findings = services_findings(services_reach(leaky))
    assert [(f.rule, f.subject) for f in findings] == [("SERVICES.REACH", "sandbox")]


def test_a_spokes_own_private_dns_endpoint_is_a_finding_naming_both(services_ws: Path) -> None:
    plan = plan_of(services_ws, "dev")
    found = private_dns_conflicts(
        plan,
        [
            ("payments", "vpce-0abc", "ssm"),
            ("sandbox", "vpce-0def", "ssm"),  # not listed: its own endpoint is its business
            ("tools", "vpce-0123", "sqs"),  # not a central service
        ],
    )
    assert [(f.rule, f.subject) for f in found] == [
        ("SERVICES.PRIVATE-DNS-CONFLICT", "payments/ssm")
    ]
    assert "vpce-0abc" in found[0].message and "services-endpoint-ssm" in found[0].message


def test_savings_compare_central_with_one_set_per_listed_spoke(services_ws: Path) -> None:
    plan = plan_of(services_ws, "dev")
    saved = savings(plan)
    assert saved is not None
    # 4 services x 3 AZs at $0.01 an hour, 730 hours: $87.60 per set
    assert saved.per_spoke == pytest.approx(2 * 87.60)
    assert saved.central == pytest.approx(87.60 + 0.05 * 730)  # + the services attachment
    assert saved.monthly == pytest.approx(175.20 - 124.10)


# --- the real program under the mock engine -------------------------------------------------


def test_the_program_registers_endpoints_zones_associations_and_resolver(
    services_ws: Path,
) -> None:
    record_lock(services_ws)
    rec = record(services_ws, "dev", preview=False)
    ids = {r.name: r.id for r in of_type(rec, "ec2/securityGroup:SecurityGroup")}
    vpc_id = {r.name: r.id for r in of_type(rec, "ec2/vpc:Vpc")}
    endpoints = {
        r.name: r.inputs
        for r in of_type(rec, "ec2/vpcEndpoint:VpcEndpoint")
        if r.inputs.get("vpcEndpointType") == "Interface"
    }
    assert set(endpoints) == {
        "services-endpoint-ssm",
        "services-endpoint-sts",
        "services-endpoint-ecr-api",
        "services-endpoint-ecr-dkr",
    }
    for inputs in endpoints.values():
        assert inputs["privateDnsEnabled"] is False
        assert inputs["vpcId"] == vpc_id["services"]
        assert len(inputs["subnetIds"]) == 3
        assert inputs["securityGroupIds"] == [ids["services-endpoints-sg"]]
    assert endpoints["services-endpoint-ecr-dkr"]["serviceName"] == (
        "com.amazonaws.us-east-1.ecr.dkr"
    )
    ingress = [
        r.inputs
        for r in of_type(rec, "vpc/securityGroupIngressRule:SecurityGroupIngressRule")
        if r.inputs["securityGroupId"] == ids["services-endpoints-sg"]
    ]
    plan = plan_of(services_ws, "dev")
    assert sorted((i["ipProtocol"], i["fromPort"], i["cidrIpv4"]) for i in ingress) == sorted(
        ("tcp", 443.0, plan.vpc(s).cidr) for s in LISTED
    )
    zones = {r.name: r.inputs for r in of_type(rec, "route53/zone:Zone")}
    assert {z["name"] for z in zones.values()} == {
        "ssm.us-east-1.amazonaws.com",
        "sts.us-east-1.amazonaws.com",
        "api.ecr.us-east-1.amazonaws.com",
        "dkr.ecr.us-east-1.amazonaws.com",
    }
    assert all(
        z["vpcs"] == [{"vpcId": vpc_id["services"], "vpcRegion": "us-east-1"}]
        for z in zones.values()
    )
    associated = {
        (a.inputs["zoneId"], a.inputs["vpcId"])
        for a in of_type(rec, "route53/zoneAssociation:ZoneAssociation")
    }
    zone_ids = {r.name: r.id for r in of_type(rec, "route53/zone:Zone")}
    assert {v for _, v in associated} == {vpc_id[s] for s in LISTED}
    assert len(associated) == 4 * len(LISTED)
    assert vpc_id[UNLISTED] not in {v for _, v in associated}
    records = {r.inputs["name"] for r in of_type(rec, "route53/record:Record")}
    assert "*.dkr.ecr.us-east-1.amazonaws.com" in records and len(records) == 5
    resolvers = {
        r.inputs["direction"]: r.inputs for r in of_type(rec, "resolverEndpoint:ResolverEndpoint")
    }
    assert set(resolvers) == {"INBOUND", "OUTBOUND"}
    shared = plan.shared_services
    assert shared is not None and shared.inbound is not None
    assert sorted(a["ip"] for a in resolvers["INBOUND"]["ipAddresses"]) == sorted(
        a.ip for a in shared.inbound.addresses
    )
    (rule,) = of_type(rec, "route53/resolverRule:ResolverRule")
    assert rule.inputs["domainName"] == "corp.example.com"
    assert rule.inputs["ruleType"] == "FORWARD"
    assert [t["ip"] for t in rule.inputs["targetIps"]] == ["10.0.0.2", "10.0.0.3"]
    rule_vpcs = {
        a.inputs["vpcId"] for a in of_type(rec, "resolverRuleAssociation:ResolverRuleAssociation")
    }
    assert rule_vpcs == {vpc_id[s] for s in LISTED}
    assert {a for a, _ in associated} == set(zone_ids.values())
    for r in rec.custom:
        if r.type in TAGGED:
            assert r.inputs["tags"]["foundation:stack"] == "dev", r.name


TAGGED = {
    "aws:route53/zone:Zone",
    "aws:route53/resolverEndpoint:ResolverEndpoint",
    "aws:route53/resolverRule:ResolverRule",
    "aws:ec2/vpcEndpoint:VpcEndpoint",
    "aws:ec2/securityGroup:SecurityGroup",
}
ACCOUNTS_BLOCK = """    sharedServices:
      segments: [prod]
      interfaceEndpoints: [ssm]
      dns: {forward: {corp.example.com: [10.0.0.2]}}
"""


def test_across_accounts_zones_are_authorised_and_rules_shared_by_ram(workspace: Path) -> None:
    stack = write_accounts_stack(workspace)
    write_services_stack(workspace, ACCOUNTS_BLOCK, stack)
    record_lock(workspace, stack)
    rec = record(workspace, stack, preview=False)
    ids = {r.name: r.id for r in of_type(rec, "ec2/vpc:Vpc")}
    auths = of_type(rec, "route53/vpcAssociationAuthorization:VpcAssociationAuthorization")
    assert {a.inputs["vpcId"] for a in auths} == {ids["payments"], ids["ledger"]}
    assert all(rec.provider_of(a) is None or "network" in a.provider for a in auths)
    for assoc in of_type(rec, "route53/zoneAssociation:ZoneAssociation"):
        provider = rec.provider_of(assoc)
        assert provider is not None and provider.name in (
            "account-payments-prod",
            "account-data-prod",
        )
    principals = {
        p.inputs["principal"]
        for p in of_type(rec, "ram/principalAssociation:PrincipalAssociation")
        if "rules-share" in p.name
    }
    assert principals == {"222222222222", "333333333333"}
    shared_arns = [
        r
        for r in of_type(rec, "ram/resourceAssociation:ResourceAssociation")
        if "rules-share" in r.name
    ]
    assert len(shared_arns) == 1
    for assoc in of_type(rec, "resolverRuleAssociation:ResolverRuleAssociation"):
        provider = rec.provider_of(assoc)
        assert provider is not None and provider.name.startswith("account-")
        assert any("rules-share" in d for d in assoc.dependencies), assoc.name


def test_the_plan_json_has_the_shared_services_contract(services_ws: Path, cli) -> None:
    result = cli(services_ws, "plan", "dev", "--format", "json")
    assert result.code == 0, result.err
    doc = json.loads(result.out)
    services = next(v for v in doc["vpcs"] if v["name"] == "services")
    assert services["role"] == "services"
    assert "services" in {t["name"] for t in doc["transitGateway"]["routeTables"]}
    ss = doc["sharedServices"]
    assert ss["endpoints"][0] == {
        "service": "ssm",
        "name": "services-endpoint-ssm",
        "serviceName": "com.amazonaws.us-east-1.ssm",
        "subnets": ["services-endpoints-a", "services-endpoints-b", "services-endpoints-c"],
        "privateDns": False,
    }
    assert sorted(ss["securityGroup"]["ingress"]) == sorted(
        v["cidr"] for v in doc["vpcs"] if v["name"] in LISTED
    )
    assert {
        "name": "ssm.us-east-1.amazonaws.com",
        "alias": "ssm",
        "wildcard": False,
        "vpcs": ["payments", "tools", "services"],
    } in ss["zones"]
    assert ss["resolver"]["inbound"] is True
    assert ss["resolver"]["rules"] == [
        {
            "domain": "corp.example.com",
            "targets": ["10.0.0.2", "10.0.0.3"],
            "vpcs": ["payments", "tools"],
        }
    ]
    assert ss["savings"]["monthly"] == pytest.approx(51.10)
    assert {r["vpc"]: r["reachable"] for r in ss["reachability"]} == {
        "payments": True,
        "sandbox": False,
        "tools": True,
    }
    items = {i["item"]: i["count"] for i in doc["cost"]["items"]}
    assert items["Interface endpoint hours (per AZ)"] == 12  # 4 services x 3 AZs
    assert items["Route 53 Resolver endpoint hours (per IP)"] == 4  # 2 endpoints x 2 IPs
    # no on-premises in this stack: the forward targets cannot be reached (warnings only)
    assert sorted(
        (f["rule"], f["subject"]) for f in doc["findings"] if f["rule"].startswith("SERVICES.")
    ) == [
        ("SERVICES.FORWARD-UNREACHABLE", "10.0.0.2"),
        ("SERVICES.FORWARD-UNREACHABLE", "10.0.0.3"),
    ]
    markdown = cli(services_ws, "plan", "dev", "--format", "markdown").out
    assert "### Shared services" in markdown and "`corp.example.com`" in markdown
    assert "| sandbox | no | no (blackhole) | no |" in markdown


def test_a_stack_without_the_block_has_no_services(workspace: Path, cli) -> None:
    doc = json.loads(cli(workspace, "plan", "dev", "--format", "json").out)
    assert "sharedServices" not in doc
    assert "services" not in {v["name"] for v in doc["vpcs"]}


# --- bad input (§3.15's list): exit 2, key path and fix, nothing written --------------------

ROOT = "foundation:network.sharedServices"
BAD = [
    (
        "unknown-service",
        BLOCK.replace("ecr.dkr]", "ecr.dockr]"),
        [f"{ROOT}.interfaceEndpoints[3]", "'ecr.dockr'", "did you mean 'ecr.dkr'"],
    ),
    (
        "unknown-segment",
        BLOCK.replace("[prod, shared]", "[prod, shraed]"),
        [f"{ROOT}.segments[1]", "undefined segment 'shraed'", "did you mean 'shared'"],
    ),
    (
        "bad-domain",
        BLOCK.replace("corp.example.com", "corp..example"),
        [f"{ROOT}.dns.forward.corp..example", "is not a DNS name"],
    ),
    (
        "public-target",
        BLOCK.replace("10.0.0.3", "8.8.8.8"),
        [f"{ROOT}.dns.forward.corp.example.com[1]", "'8.8.8.8' is a public address"],
    ),
    (
        "not-an-address",
        BLOCK.replace("10.0.0.3", "resolver1"),
        [f"{ROOT}.dns.forward.corp.example.com[1]", "is not an IPv4 address"],
    ),
    (
        "target-in-a-vpc",
        BLOCK.replace("10.0.0.3", "10.16.16.10"),
        [f"{ROOT}.dns.forward.corp.example.com[1]", "inside VPC payments"],
    ),
    (
        "size-and-cidr",
        BLOCK.replace("size: 23", "size: 23\n      cidr: 10.16.64.0/23"),
        [ROOT, "either size or cidr"],
    ),
    (
        "unknown-key",
        BLOCK.replace("dns:", "dnss:"),
        [f"{ROOT}.dnss", "unknown key"],
    ),
    (
        "domain-twice-by-case-and-dot",
        BLOCK.replace("[10.0.0.2, 10.0.0.3]}", "[10.0.0.2], Corp.Example.com.: [10.0.0.3]}"),
        [f"{ROOT}.dns.forward.Corp.Example.com.", "same domain as 'corp.example.com'"],
    ),
    (
        "domain-trailing-newline",
        BLOCK.replace("{corp.example.com:", '{"corp.example.com\\n":'),
        ["is not a DNS name"],
    ),
]


@pytest.mark.parametrize(("case", "block", "fragments"), BAD, ids=[b[0] for b in BAD])
def test_bad_shared_services_input_exits_2_naming_the_key(
    workspace: Path, cli, case: str, block: str, fragments: list[str]
) -> None:
    write_services_stack(workspace, block)
    before = snapshot(workspace / "stacks")
    result = cli(workspace, "plan", "dev", "--format", "json")
    assert result.code == 2 and result.out == "", (case, result.out[:200])
    assert "Traceback" not in result.err and "Fix:" in result.err
    for fragment in fragments:
        assert fragment in result.err, result.err
    assert snapshot(workspace / "stacks") == before


def test_a_spoke_named_services_is_refused(workspace: Path, cli) -> None:
    path = workspace / "stacks" / "Pulumi.dev.yaml"
    path.write_text(path.read_text().replace("tools:    {segment", "services: {segment"))
    before = snapshot(workspace / "stacks")
    result = cli(workspace, "plan", "dev")
    assert result.code == 2
    assert "foundation:network.spokes.services" in result.err and "reserved" in result.err
    assert snapshot(workspace / "stacks") == before


def test_the_hybrid_hook_wires_dns_both_ways_once_onprem_exists(services_ws: Path) -> None:
    """§3.14 is not on this branch: its `onprem` table is simulated to prove the hook."""
    from foundation.network.model import TgwRouteTable
    from foundation.network.services import with_hybrid

    plan = plan_of(services_ws, "dev")
    tgw = plan.transit_gateway
    onprem = TgwRouteTable("onprem", ("vpn-dc1",), ("payments", "tools"), ())
    tgw = replace(tgw, route_tables=(*tgw.route_tables, onprem))
    wired = with_hybrid(tgw, plan.shared_services, ["vpn-dc1", "dx"])
    assert wired.route_table("services").propagations[-2:] == ("vpn-dc1", "dx")
    assert wired.route_table("onprem").propagations == ("payments", "tools", "services")
    assert with_hybrid(tgw, plan.shared_services, []) == tgw
    no_dns = replace(plan.shared_services, inbound=None, outbound=None)
    assert with_hybrid(tgw, no_dns, ["vpn-dc1"]) == tgw


def test_on_premises_cidrs_reach_the_endpoints_table_and_bound_forward_targets(
    services_ws: Path,
) -> None:
    """The §3.14 hook of the builder: on-premises CIDRs routed, and targets kept inside them."""
    from foundation.addresses.allocation import allocate_in_memory, read_lock_checked
    from foundation.config.workspace import Workspace
    from foundation.errors import InputError
    from foundation.network.build import _transit, slot_positions
    from foundation.network.services import add_shared_services
    from foundation.network.stack_plan import offline_azs

    ws = Workspace(services_ws)
    spec, addresses = ws.load("dev")
    allocation = allocate_in_memory(spec, addresses, read_lock_checked(ws.lock_path))
    plan = plan_of(services_ws, "dev")
    azs = offline_azs(spec)
    by_slot = {s: azs[p] for s, p in slot_positions(spec, allocation).items()}
    base = [v for v in plan.vpcs if v.name != "services"]
    transit = _transit(spec, base, plan.pool_cidr)
    vpcs, _, shared = add_shared_services(
        spec, allocation, by_slot, plan.pool_cidr, base, transit, onprem_cidrs=["10.0.0.0/16"]
    )
    table = next(v for v in vpcs if v.name == "services").route_table("services-endpoints")
    assert [r.destination for r in table.routes] == [plan.pool_cidr, "10.0.0.0/16"]
    assert shared is not None and shared.inbound is not None
    inbound = shared.security_group(shared.inbound.security_group)
    assert {r.cidr for r in inbound.ingress} >= {"10.0.0.0/16"}
    with pytest.raises(InputError) as err:
        add_shared_services(
            spec, allocation, by_slot, plan.pool_cidr, base, transit, onprem_cidrs=["10.9.0.0/16"]
        )
    assert "outside the on-premises CIDRs" in str(err.value)
    assert "sharedServices.dns.forward.corp.example.com[0]" in str(err.value)


def test_the_markdown_report_matches_its_golden_file(services_ws: Path, cli) -> None:
    import os

    result = cli(services_ws, "plan", "dev", "--format", "markdown")
    assert result.code == 0, result.err
    golden = Path(__file__).parent / "golden" / "services-dev.md"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(result.out)
    assert result.out == golden.read_text(), f"rerun with UPDATE_GOLDEN=1 if {golden} should change"


def test_adding_the_block_under_base_only_adds_and_allocates(tmp_path: Path, cli) -> None:
    """`plan --base`: the services VPC is new; nothing existing is replaced or renumbered."""
    import shutil

    from tests.conftest import REPO
    from tests.test_plan_base import commit, counts, git, plan

    root = tmp_path / "net"
    shutil.copytree(REPO / "stacks", root / "stacks")
    git(root, "init", "-q", "-b", "main")
    commit(root, "base")
    write_services_stack(root)
    doc = plan(cli, root)
    assert counts(doc)["replace"] == 0 and counts(doc)["delete"] == 0
    changed = {t for t, v in doc["diff"]["resources"]["byType"].items() if v["change"]}
    assert changed == {"aws:iam/rolePolicy:RolePolicy"}  # the flow-log role: one more log group
    by_type = doc["diff"]["resources"]["byType"]
    assert by_type["aws:route53/zone:Zone"]["add"] == 4
    assert by_type["aws:ec2/vpc:Vpc"]["add"] == 1
    allocated = {a["key"] for a in doc["diff"]["cidrs"]["allocated"]}
    assert "dev/services" in allocated and not doc["diff"]["cidrs"]["released"]
    assert doc["diff"]["cost"]["head"] > doc["diff"]["cost"]["base"]


class _FakeAws:
    """Canned list answers per operation (the drift reader's only two methods)."""

    def __init__(self, answers: dict[str, list[dict]]):
        self.answers = answers
        self.calls: list[str] = []

    def pages(self, service: str, operation: str, key: str, **params):
        self.calls.append(operation)
        return iter(self.answers.get(operation, []))

    def call(self, service: str, operation: str, **params):
        self.calls.append(operation)
        if operation == "list_hosted_zones":
            return {"HostedZones": [], "IsTruncated": False}
        return {}


def test_rule_associations_are_read_in_the_spoke_accounts_that_made_them(
    workspace: Path,
) -> None:
    from foundation.live.drift.services import observe_services, services_items

    stack = write_accounts_stack(workspace)
    write_services_stack(workspace, ACCOUNTS_BLOCK, stack)
    plan = plan_of(workspace, stack)
    rule = {"Id": "rslvr-rr-1", "Name": f"{stack}-services-rule-corp-example-com"}
    rule |= {"DomainName": "corp.example.com.", "TargetIps": [{"Ip": "10.0.0.2"}]}
    network = _FakeAws({"list_resolver_rules": [rule]})
    payments = _FakeAws(
        {
            "list_resolver_rule_associations": [
                {"ResolverRuleId": "rslvr-rr-1", "VPCId": "vpc-payments"}
            ]
        }
    )
    data = _FakeAws({"list_resolver_rule_associations": []})
    ids = {"vpc-payments": "payments", "vpc-ledger": "ledger"}
    items = observe_services(
        network,  # type: ignore[arg-type]
        plan,
        ids,
        [("network", network), ("payments-prod", payments), ("data-prod", data)],  # type: ignore[list-item]
    )
    found = {(i.name, i.account) for i in items if i.type == "resolver-rule-association"}
    assert found == {("services-rule-corp-example-com payments", "payments-prod")}
    assert "list_resolver_rule_associations" not in network.calls  # no spoke there uses it
    assert data.calls == ["list_resolver_rule_associations"]
    expected = {
        (i.name, i.account) for i in services_items(plan) if i.type == "resolver-rule-association"
    }
    assert expected == {
        ("services-rule-corp-example-com payments", "payments-prod"),
        ("services-rule-corp-example-com ledger", "data-prod"),
    }


@pytest.mark.parametrize(
    ("domain", "warned"),
    [("amazonaws.com", True), ("ssm.us-east-1.amazonaws.com", True), ("corp.example.com", False)],
)
def test_a_forward_rule_over_a_central_zone_is_a_warning(
    services_ws: Path, domain: str, warned: bool
) -> None:
    from foundation.network.analysis.services import forward_shadowing

    plan = plan_of(services_ws, "dev")
    shared = plan.shared_services
    assert shared is not None
    rule = replace(shared.rules[0], domain=domain)
    plan = replace(plan, shared_services=replace(shared, rules=(rule,)))
    found = forward_shadowing(plan)
    assert [f.rule for f in found] == (["SERVICES.FORWARD-SHADOWS"] if warned else [])
    if warned:
        assert found[0].severity == "warning"
        assert "ssm.us-east-1.amazonaws.com" in found[0].message
