"""Multi-account stacks (DESIGN §3.8): spec, plan and the whole program under the mock engine."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from foundation.offline.mockrun import Recording, Registration, provider_input
from tests.accounts_stack import (
    ACCOUNTS,
    DATA_ID,
    DATA_ROLE,
    NETWORK_ID,
    PAYMENTS_ID,
    PAYMENTS_ROLE,
    write_accounts_stack,
)
from tests.conftest import snapshot
from tests.test_program import record

ACCEPTER = "aws:ec2transitgateway/vpcAttachmentAccepter:VpcAttachmentAccepter"
ATTACHMENT = "aws:ec2transitgateway/vpcAttachment:VpcAttachment"


@pytest.fixture(scope="module")
def rec(tmp_path_factory: pytest.TempPathFactory) -> Recording:
    import shutil

    from tests.conftest import REPO

    project = tmp_path_factory.mktemp("acct")
    shutil.copytree(REPO / "stacks", project / "stacks")
    write_accounts_stack(project)
    return record(project, "acct")


def provider(rec: Recording, r: Registration) -> Registration | None:
    return rec.provider_of(r)


def component(rec: Recording, kind: str, name: str) -> str:
    return next(r.urn for r in rec.resources if r.type == kind and r.name == name)


def children(rec: Recording, parent_urn: str) -> list[Registration]:
    return [r for r in rec.custom if r.parent == parent_urn]


def named(rec: Recording, kind: str, name: str) -> Registration:
    return next(r for r in rec.custom if r.type == kind and r.name == name)


@pytest.mark.parametrize(
    ("spoke", "role", "account_id"),
    [("payments", PAYMENTS_ROLE, PAYMENTS_ID), ("ledger", DATA_ROLE, DATA_ID)],
)
def test_every_spoke_resource_is_created_through_its_accounts_provider(
    rec: Recording, spoke: str, role: str, account_id: str
) -> None:
    resources = children(rec, component(rec, "foundation:network:SpokeVpc", spoke))
    kinds = {r.type.rsplit(":", 1)[1] for r in resources}
    assert {
        "Vpc",
        "Subnet",
        "RouteTable",
        "Route",
        "RouteTableAssociation",
        "FlowLog",
        "LogGroup",
        "DefaultSecurityGroup",
        "VpcEndpoint",
        "VpcAttachment",
    } <= kinds
    for r in resources:
        p = provider(rec, r)
        assert p is not None, r.name
        assert provider_input(p, "assumeRoles") == [
            {"roleArn": role, "sessionName": "foundation-acct"}
        ]
        assert provider_input(p, "allowedAccountIds") == [account_id]
        assert p.inputs["region"] == "us-east-1"


def test_flow_logs_role_lives_in_the_spokes_account(rec: Recording) -> None:
    role = named(rec, "aws:iam/role:Role", "flow-logs-role-payments-prod")
    assert provider_input(provider(rec, role), "allowedAccountIds") == [PAYMENTS_ID]  # type: ignore[arg-type]
    flow = named(rec, "aws:ec2/flowLog:FlowLog", "payments-flow-log")
    assert flow.inputs["iamRoleArn"].endswith("flow-logs-role-payments-prod")


def test_network_side_resources_use_the_pinned_network_provider(rec: Recording) -> None:
    network_kinds = (
        "aws:ec2transitgateway/transitGateway:TransitGateway",
        "aws:ec2transitgateway/routeTable:RouteTable",
        "aws:ec2transitgateway/routeTableAssociation:RouteTableAssociation",
        "aws:ec2transitgateway/routeTablePropagation:RouteTablePropagation",
        "aws:ec2transitgateway/route:Route",
        "aws:ram/resourceShare:ResourceShare",
        ACCEPTER,
    )
    hub = children(rec, component(rec, "foundation:network:HubVpc", "hub"))
    tools = children(rec, component(rec, "foundation:network:SpokeVpc", "tools"))
    for r in [*hub, *tools, *(r for r in rec.custom if r.type in network_kinds)]:
        p = provider(rec, r)
        assert p is not None and p.name == "account-network", r.name
        assert provider_input(p, "allowedAccountIds") == [NETWORK_ID]
        assert provider_input(p, "assumeRoles") is None


def test_each_cross_account_attachment_is_accepted_in_the_network_account(rec: Recording) -> None:
    for spoke in ("payments", "ledger"):
        attachment = named(rec, ATTACHMENT, spoke)
        assert "transitGatewayDefaultRouteTableAssociation" not in attachment.inputs
        assert "transitGatewayDefaultRouteTablePropagation" not in attachment.inputs
        accepter = named(rec, ACCEPTER, f"{spoke}-accept")
        wanted = f"ec2transitgateway/vpcAttachment:{spoke}"
        assert accepter.inputs["transitGatewayAttachmentId"] == wanted
        assert accepter.inputs["transitGatewayDefaultRouteTableAssociation"] is False
        assert accepter.inputs["transitGatewayDefaultRouteTablePropagation"] is False
        assert accepter.inputs["tags"]["foundation:name"] == spoke
    accepted = {r.name for r in rec.custom if r.type == ACCEPTER}
    assert accepted == {"payments-accept", "ledger-accept"}
    # same-account attachments keep setting the flags on their own side
    tools = named(rec, ATTACHMENT, "tools")
    assert tools.inputs["transitGatewayDefaultRouteTableAssociation"] is False


def test_associations_and_propagations_wait_for_the_acceptance(rec: Recording) -> None:
    accepters = {r.name.removesuffix("-accept"): r for r in rec.custom if r.type == ACCEPTER}
    links = [
        r
        for r in rec.custom
        if r.type.endswith(("RouteTableAssociation", "RouteTablePropagation"))
        and r.type.startswith("aws:ec2transitgateway")
    ]
    checked = 0
    for link in links:
        spoke = link.name.rsplit("-", 1)[-1]
        if spoke in accepters:
            assert link.inputs["transitGatewayAttachmentId"] == (
                f"ec2transitgateway/vpcAttachmentAccepter:{spoke}-accept"
            )
            assert accepters[spoke].urn in link.dependencies
            checked += 1
    assert checked == 8  # each: the prod association, propagations into prod, shared and hub
    spoke_routes = [
        r
        for r in children(rec, component(rec, "foundation:network:SpokeVpc", "payments"))
        if r.type == "aws:ec2/route:Route"
    ]
    assert spoke_routes and all(accepters["payments"].urn in r.dependencies for r in spoke_routes)


def test_the_ram_share_names_the_spoke_accounts_and_refuses_external_principals(
    rec: Recording,
) -> None:
    share = named(rec, "aws:ram/resourceShare:ResourceShare", "tgw-share")
    assert share.inputs["allowExternalPrincipals"] is False
    assert share.inputs["name"] == "acct-tgw-share"
    principals = {
        r.inputs["principal"]: r
        for r in rec.custom
        if r.type == "aws:ram/principalAssociation:PrincipalAssociation"
    }
    assert set(principals) == {PAYMENTS_ID, DATA_ID}
    association = named(rec, "aws:ram/resourceAssociation:ResourceAssociation", "tgw-share-tgw")
    assert association.inputs["resourceArn"].endswith(":tgw")
    # each spoke's attachment waits for its own account's principal association
    assert principals[PAYMENTS_ID].urn in named(rec, ATTACHMENT, "payments").dependencies
    assert principals[DATA_ID].urn in named(rec, ATTACHMENT, "ledger").dependencies
    assert not [r for r in rec.custom if r.type.endswith("ResourceShareAccepter")]


def test_subnets_are_placed_by_az_id(rec: Recording) -> None:
    subnets = [r for r in rec.custom if r.type == "aws:ec2/subnet:Subnet"]
    assert {r.inputs["availabilityZoneId"] for r in subnets} == {"use1-az1", "use1-az2", "use1-az3"}
    assert not any("availabilityZone" in r.inputs for r in subnets)


def test_resources_by_account_follow_the_providers(rec: Recording) -> None:
    ids = {NETWORK_ID: "network", PAYMENTS_ID: "payments-prod", DATA_ID: "data-prod"}
    counts = rec.by_account(ids)
    assert sum(counts.values()) == len(rec.custom)
    payments = children(rec, component(rec, "foundation:network:SpokeVpc", "payments"))
    # the spoke's own resources, its flow-log role and policy, and its provider
    assert counts["payments-prod"] == len(payments) + 2 + 1
    assert counts["payments-prod"] == counts["data-prod"]


def test_accepting_invitations_creates_an_accepter_in_each_spoke_account(workspace: Path) -> None:
    write_accounts_stack(
        workspace,
        ACCOUNTS.replace("    segments:", "    share: {acceptInvitations: true}\n    segments:"),
    )
    rec = record(workspace, "acct")
    kind = "aws:ram/resourceShareAccepter:ResourceShareAccepter"
    accepters = [r for r in rec.custom if r.type == kind]
    owners = {provider_input(rec.provider_of(r), "allowedAccountIds")[0] for r in accepters}  # type: ignore[arg-type]
    assert owners == {PAYMENTS_ID, DATA_ID}
    payments_accepter = next(r for r in accepters if r.name.endswith("payments-prod"))
    assert payments_accepter.urn in named(rec, ATTACHMENT, "payments").dependencies


def test_explicit_principals_replace_the_default(workspace: Path) -> None:
    ou = "arn:aws:organizations::111111111111:ou/o-abcdefghij/ou-ab12-abcdefgh"
    write_accounts_stack(
        workspace,
        ACCOUNTS.replace("    segments:", f"    share: {{principals: ['{ou}']}}\n    segments:"),
    )
    rec = record(workspace, "acct")
    principals = [
        r for r in rec.custom if r.type == "aws:ram/principalAssociation:PrincipalAssociation"
    ]
    assert [r.inputs["principal"] for r in principals] == [ou]
    # the attachments wait for the OU's association (it covers both accounts)
    assert principals[0].urn in named(rec, ATTACHMENT, "payments").dependencies


def test_a_single_account_stack_has_no_provider_and_no_share(workspace: Path) -> None:
    rec = record(workspace, "dev")
    assert not [r for r in rec.custom if r.type.startswith(("pulumi:providers:", "aws:ram"))]
    assert all(r.provider == "" for r in rec.custom)
    subnet = named(rec, "aws:ec2/subnet:Subnet", "hub-public-a")
    assert subnet.inputs["availabilityZone"] == "us-east-1a"
    assert "availabilityZoneId" not in subnet.inputs


def test_plan_json_names_accounts(workspace: Path, cli) -> None:
    write_accounts_stack(workspace)
    result = cli(workspace, "plan", "acct", "--format", "json")
    assert result.code == 0, result.err
    doc = json.loads(result.out)
    assert doc["accounts"] == [
        {"name": "network", "id": NETWORK_ID},
        {"name": "data-prod", "id": DATA_ID},
        {"name": "payments-prod", "id": PAYMENTS_ID},
    ]
    assert {v["name"]: v["account"] for v in doc["vpcs"]} == {
        "hub": "network",
        "ledger": "data-prod",
        "payments": "payments-prod",
        "tools": "network",
    }
    tgw = doc["transitGateway"]
    assert {a["name"]: a["account"] for a in tgw["attachments"]}["payments"] == "payments-prod"
    assert tgw["share"] == {
        "principals": [PAYMENTS_ID, DATA_ID],
        "acceptInvitations": False,
        "allowExternalPrincipals": False,
    }
    by_account = doc["resources"]["byAccount"]
    assert sum(by_account.values()) == doc["resources"]["total"]
    assert set(by_account) == {"network", "payments-prod", "data-prod"}
    assert doc["availabilityZones"] == ["use1-az1", "use1-az2", "use1-az3"]
    assert {q["account"] for q in doc["quotas"]} == {"network", "payments-prod", "data-prod"}


def test_single_account_json_keeps_every_vpc_in_the_network_account(workspace: Path, cli) -> None:
    doc = json.loads(cli(workspace, "plan", "dev", "--format", "json").out)
    assert doc["accounts"] == [{"name": "network", "id": None}]
    assert {v["account"] for v in doc["vpcs"]} == {"network"}
    assert doc["transitGateway"]["share"] is None
    assert doc["resources"]["byAccount"] == {"network": doc["resources"]["total"]}


def test_reports_show_accounts_and_group_the_diagram(workspace: Path, cli) -> None:
    write_accounts_stack(workspace)
    markdown = cli(workspace, "plan", "acct", "--format", "markdown").out
    assert 'subgraph acct_payments_prod["account payments-prod (222222222222)"]' in markdown
    assert "| payments-prod | spoke | prod |" in markdown
    assert "RAM share" in markdown and PAYMENTS_ID in markdown
    text = cli(workspace, "plan", "acct").out
    assert "payments-prod" in text and "RAM share" in text


BAD = [
    (
        "unknown-account",
        "account: data-prod}",
        "account: data-prd}",
        ["foundation:network.spokes.ledger.account", "undefined account 'data-prd'"],
    ),
    (
        "id-not-12-digits",
        f'id: "{DATA_ID}"',
        'id: "33333333333"',
        ["foundation:network.accounts.data-prod.id", "not an AWS account id (12 digits)"],
    ),
    (
        "unquoted-id",
        f'id: "{DATA_ID}"',
        "id: 033333333333",
        ["foundation:network.accounts.data-prod.id", "quote it"],
    ),
    (
        "role-in-another-account",
        f"role: {DATA_ROLE}",
        "role: arn:aws:iam::444444444444:role/foundation-deploy",
        [
            "foundation:network.accounts.data-prod.role",
            "in account 444444444444, not in 333333333333",
        ],
    ),
    (
        "read-role-not-an-arn",
        "readRole: arn:aws:iam::222222222222:role/foundation-read",
        "readRole: foundation-read",
        ["foundation:network.accounts.payments-prod.readRole", "not an IAM role ARN"],
    ),
    (
        "two-names-one-id",
        f'id: "{DATA_ID}"\n        role: {DATA_ROLE}',
        f'id: "{PAYMENTS_ID}"\n        role: arn:aws:iam::{PAYMENTS_ID}:role/x',
        ["foundation:network.accounts", "named twice (payments-prod, data-prod)"],
    ),
    (
        "spoke-account-is-the-network-account",
        f'id: "{DATA_ID}"\n        role: {DATA_ROLE}',
        f'id: "{NETWORK_ID}"\n        role: arn:aws:iam::{NETWORK_ID}:role/x',
        ["foundation:network.accounts.data-prod.id", "has the network account's id 111111111111"],
    ),
    (
        "malformed-principal",
        "    segments:",
        "    share: {principals: ['222222222222', 'ou-ab12-abcdefgh']}\n    segments:",
        ["foundation:network.share.principals[1]", "not a RAM principal"],
    ),
    (
        "spoke-account-not-shared",
        "    segments:",
        "    share: {principals: ['222222222222']}\n    segments:",
        ["foundation:network.share.principals", "account data-prod (333333333333) hosts spokes"],
    ),
    (
        "network-with-a-role",
        f'network: {{id: "{NETWORK_ID}"}}',
        f'network: {{id: "{NETWORK_ID}", role: "arn:aws:iam::{NETWORK_ID}:role/x"}}',
        ["foundation:network.accounts.network.role", "takes no role"],
    ),
    (
        "missing-role",
        f"\n        role: {DATA_ROLE}",
        "",
        ["foundation:network.accounts.data-prod.role", "required key is missing"],
    ),
    (
        "az-names-across-accounts",
        "availabilityZones: 3",
        "availabilityZones: [us-east-1a, us-east-1b]",
        ["foundation:network.availabilityZones[0]", "is an AZ name"],
    ),
]


@pytest.mark.parametrize(("case", "old", "new", "fragments"), BAD, ids=[c[0] for c in BAD])
def test_bad_account_input_exits_2_naming_the_key_and_writes_nothing(
    workspace: Path, cli, case: str, old: str, new: str, fragments: list[str]
) -> None:
    assert old in ACCOUNTS
    write_accounts_stack(workspace, ACCOUNTS.replace(old, new, 1))
    before = snapshot(workspace)
    result = cli(workspace, "plan", "acct")
    assert result.code == 2, result.err
    for fragment in fragments:
        assert fragment in result.err, f"{fragment!r} missing from:\n{result.err}"
    assert "Fix:" in result.err and "Traceback" not in result.err
    assert result.out == ""
    assert snapshot(workspace) == before


OPERATED = ACCOUNTS.replace(
    "    quotas: {mode: enforce}\n",
    "    flowLogs: {kmsKey: true}\n    alarms: {topic: netops}\n    quotas: {mode: enforce}\n",
)


def account_of(rec: Recording, r: Registration) -> str | None:
    p = rec.provider_of(r)
    allowed = provider_input(p, "allowedAccountIds") if p is not None else None
    return allowed[0] if allowed else None


def test_flow_log_keys_roles_and_alarms_are_created_in_their_accounts(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    import shutil

    from tests.conftest import REPO

    project = tmp_path_factory.mktemp("acct-operated")
    shutil.copytree(REPO / "stacks", project / "stacks")
    write_accounts_stack(project, OPERATED)
    rec = record(project, "acct")
    wanted = {
        "flow-logs-role": NETWORK_ID,
        "flow-logs-policy": NETWORK_ID,
        "flow-logs-key": NETWORK_ID,
        "flow-logs-key-alias": NETWORK_ID,
        "flow-logs-role-payments-prod": PAYMENTS_ID,
        "flow-logs-policy-payments-prod": PAYMENTS_ID,
        "flow-logs-key-payments-prod": PAYMENTS_ID,
        "flow-logs-key-alias-payments-prod": PAYMENTS_ID,
        "flow-logs-role-data-prod": DATA_ID,
        "flow-logs-key-data-prod": DATA_ID,
    }
    by_name = {r.name: r for r in rec.custom}
    for name, account in wanted.items():
        assert account_of(rec, by_name[name]) == account, name
    alarm_side = [
        r
        for r in rec.custom
        if r.type.startswith(("aws:cloudwatch/metricAlarm", "aws:sns/"))
        or (r.type.startswith("aws:kms/") and not r.name.startswith("flow-logs"))
    ]
    assert any(r.type.startswith("aws:cloudwatch/metricAlarm") for r in alarm_side)
    for r in alarm_side:  # the alarms watch the hub's NATs and the TGW: network account
        assert account_of(rec, r) == NETWORK_ID, r.name
    groups = {r.name: r for r in rec.custom if r.type == "aws:cloudwatch/logGroup:LogGroup"}
    payments_group = next(g for n, g in groups.items() if n.startswith("payments"))
    assert account_of(rec, payments_group) == PAYMENTS_ID
    assert payments_group.inputs["kmsKeyId"].endswith("key/flow-logs-key-payments-prod")
    flow = named(rec, "aws:ec2/flowLog:FlowLog", "ledger-flow-log")
    assert flow.inputs["iamRoleArn"].endswith("flow-logs-role-data-prod")
