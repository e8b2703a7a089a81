"""Live checks across accounts against moto (DESIGN §3.8, §4): quotas, drift, pin, roles.

moto's default credentials act in account 123456789012 (the network account here); an
assumed role acts in the role's account. A VPC attachment to another account's TGW cannot
be made in moto, so the deployed spokes in spoke accounts have no attachment (the mock
engine tests cover that path): drift reports those attachments and links as missing.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pulumi
import pytest
from botocore.awsrequest import AWSResponse

from foundation.live import aws as aws_module
from foundation.offline.mockrun import Recording
from tests.accounts_stack import ACCOUNTS, NETWORK_ID, PAYMENTS_ID, PAYMENTS_READ
from tests.conftest import snapshot
from tests.faults import CallLog
from tests.moto_deploy import account_session, deploy, record_stack
from tests.test_quotas import run_live_program

pytestmark = pytest.mark.moto

MOTO_ACCOUNT = "123456789012"
LIVE = ACCOUNTS.replace(f'id: "{NETWORK_ID}"', f'id: "{MOTO_ACCOUNT}"')
CROSS_ACCOUNT_GAPS = {"tgw-attachment", "tgw-association", "tgw-propagation"}


def moto_gap(finding: dict[str, Any]) -> bool:
    """What moto cannot show across accounts: the spoke attachments (and their links), and
    the target of a spoke's route to the shared TGW (moto drops it: the TGW is invisible)."""
    return finding["resourceType"] in CROSS_ACCOUNT_GAPS or (
        finding["resourceType"] == "route" and finding["actual"] == "?"
    )


def write(project: Path, text: str = LIVE) -> str:
    (project / "stacks" / "Pulumi.acct.yaml").write_text(text)
    return "acct"


def run(cli, project: Path, command: str) -> tuple[int, dict[str, Any]]:
    result = cli(project, command, "acct", "--format", "json")
    assert result.code in (0, 1), result.err
    return result.code, json.loads(result.out)


@pytest.fixture(scope="module")
def acct_recording(tmp_path_factory: pytest.TempPathFactory) -> Recording:
    import shutil

    from tests.conftest import REPO

    project = tmp_path_factory.mktemp("acct-live")
    shutil.copytree(REPO / "stacks", project / "stacks")
    write(project)
    from foundation.addresses.allocation import allocate
    from foundation.config.workspace import Workspace

    ws = Workspace(project)
    allocate(*ws.load("acct"), ws.lock_path, write=True)
    return record_stack(project, "acct")


@pytest.fixture
def deployed(aws, workspace: Path, acct_recording: Recording) -> dict[str, str]:
    """The three-account stack deployed into moto (each spoke in its own account)."""
    write(workspace)
    from foundation.addresses.allocation import allocate
    from foundation.config.workspace import Workspace

    ws = Workspace(workspace)
    allocate(*ws.load("acct"), ws.lock_path, write=True)  # the lock the recording used
    return deploy(acct_recording)


def test_five_vpcs_in_a_spoke_account_fail_that_account_only(aws, workspace: Path, cli) -> None:
    write(workspace)
    payments = account_session(PAYMENTS_ID).client("ec2")
    for i in range(5):
        payments.create_vpc(CidrBlock=f"192.168.{i}.0/24")
    code, doc = run(cli, workspace, "quotas")
    assert code == 1 and doc["status"] == "fail"
    vpcs = {q["account"]: q for q in doc["quotas"] if q["code"] == "L-F678F1CE"}
    assert set(vpcs) == {"network", "payments-prod", "data-prod"}
    # moto gives every account a default VPC: 1 + 5 existing, 1 planned
    assert (vpcs["payments-prod"]["existing"], vpcs["payments-prod"]["planned"]) == (6, 1)
    assert vpcs["payments-prod"]["status"] == "fail"
    assert (vpcs["network"]["existing"], vpcs["network"]["planned"], vpcs["network"]["status"]) == (
        1,
        2,
        "ok",
    )
    assert vpcs["data-prod"]["status"] == "ok"
    failing = {(q["account"], q["code"]) for q in doc["quotas"] if q["status"] == "fail"}
    assert failing == {("payments-prod", "L-F678F1CE")}
    assert any(
        f["rule"] == "QUOTA.L-F678F1CE" and f["subject"].startswith("payments-prod/")
        for f in doc["findings"]
    )
    # the Transit Gateway quotas are the network account's only
    tgw_rows = [q for q in doc["quotas"] if q["code"] == "L-A2478D36"]
    assert [q["account"] for q in tgw_rows] == ["network"]
    text = cli(workspace, "quotas", "acct").out
    assert "payments-prod" in text and "account" in text.splitlines()[2]


def test_drift_names_the_account_of_a_hand_made_route(deployed, workspace: Path, cli) -> None:
    code, clean = run(cli, workspace, "drift")
    assert all(moto_gap(f) for f in clean["findings"]), clean["findings"]
    assert all(("payments" in f["name"]) or ("ledger" in f["name"]) for f in clean["findings"])
    attachments = {
        f["name"]: f["account"] for f in clean["findings"] if f["resourceType"] == "tgw-attachment"
    }
    assert attachments == {"payments": "payments-prod", "ledger": "data-prod"}
    payments = account_session(PAYMENTS_ID).client("ec2")
    table = deployed["ec2/routeTable:payments-private"]
    payments.create_route(
        RouteTableId=table,
        DestinationCidrBlock="192.168.0.0/16",
        TransitGatewayId=deployed["ec2transitgateway/transitGateway:tgw"],
    )
    code, doc = run(cli, workspace, "drift")
    assert code == 1
    new = [f for f in doc["findings"] if f not in clean["findings"]]
    for f in new:
        del f["handMade"]  # moto drops the route's target, so it looks hand-made here
    assert new == [
        {
            "kind": "unmanaged",
            "resourceType": "route",
            "name": "payments-private 192.168.0.0/16",
            "attribute": "",
            "expected": "absent",
            "actual": "present",
            "severity": "high",
            "account": "payments-prod",
            "runbook": "docs/runbooks/DRIFT.UNMANAGED.md",
        }
    ]
    # spoke subnets sit in the planned AZ IDs of their own account
    subnets = payments.describe_subnets(
        Filters=[{"Name": "tag:foundation:stack", "Values": ["acct"]}]
    )["Subnets"]
    assert {s["AvailabilityZoneId"] for s in subnets} == {"use1-az1", "use1-az2", "use1-az3"}


def test_unmanaged_scope_is_each_vpc_in_its_own_account(deployed, workspace: Path, cli) -> None:
    _, clean = run(cli, workspace, "drift")
    payments = account_session(PAYMENTS_ID).client("ec2")
    payments.create_subnet(
        VpcId=deployed["ec2/vpc:payments"], CidrBlock="10.16.55.0/26", AvailabilityZone="us-east-1a"
    )
    payments.create_vpc(CidrBlock="10.99.0.0/16")  # outside managed scope: not drift
    _, doc = run(cli, workspace, "drift")
    new = [f for f in doc["findings"] if f not in clean["findings"]]
    assert [(f["kind"], f["resourceType"], f["account"]) for f in new] == [
        ("unmanaged", "subnet", "payments-prod")
    ]
    text = cli(workspace, "drift", "acct").out
    assert "account" in text and "payments-prod" in text


@pytest.mark.parametrize("command", ["quotas", "drift"])
def test_only_read_calls_and_assume_role_are_made(
    deployed, workspace: Path, cli, monkeypatch, command: str
) -> None:
    log = CallLog()
    monkeypatch.setattr(aws_module, "EVENT_HOOKS", [("before-call", log)])
    _, doc = run(cli, workspace, command)
    assert log.operations
    others = [
        op for op in log.operations if not op.startswith(("Describe", "Get", "List", "Search"))
    ]
    assert others == ["AssumeRole", "AssumeRole"]  # one per spoke account
    assert log.operations[0] == "GetCallerIdentity"  # the pin is checked first
    assert doc["apiCalls"] == len(log.operations)


class _Raw:
    def __init__(self, body: bytes):
        self._body = body

    def stream(self, **_: Any) -> Any:
        yield self._body


def deny_assume_role(request: Any, **_: Any) -> AWSResponse | None:
    """sts:AssumeRole answers AccessDenied, as when the role's trust policy refuses us."""
    body = request.body or b""
    if b"Action=AssumeRole" not in (body if isinstance(body, bytes) else body.encode()):
        return None
    xml = (
        b"<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User is "
        b"not authorized to perform: sts:AssumeRole</Message></Error><RequestId>r</RequestId>"
        b"</ErrorResponse>"
    )
    return AWSResponse(request.url, 403, {}, _Raw(xml))


@pytest.mark.parametrize("command", ["quotas", "drift"])
def test_an_assume_role_failure_is_a_clear_exit_2(
    aws, workspace: Path, cli, monkeypatch, command: str
) -> None:
    write(workspace)
    monkeypatch.setattr(aws_module, "EVENT_HOOKS", [("before-send", deny_assume_role)])
    before = snapshot(workspace)
    result = cli(workspace, command, "acct")
    assert result.code == 2
    assert "foundation:network.accounts.data-prod.role" in result.err or (
        "foundation:network.accounts.payments-prod.readRole" in result.err
    )
    assert "cannot assume" in result.err and "AccessDenied" in result.err
    assert "Fix: create the read-only role" in result.err and "Traceback" not in result.err
    assert result.out == "" and snapshot(workspace) == before


def test_the_read_role_is_assumed_for_reading(aws, workspace: Path, cli, monkeypatch) -> None:
    write(workspace)
    roles: list[str] = []

    def spy(params: dict[str, Any], model: Any, **_: Any) -> None:
        if model.name == "AssumeRole":
            roles.append(params["RoleArn"])

    monkeypatch.setattr(aws_module, "EVENT_HOOKS", [("before-parameter-build", spy)])
    run(cli, workspace, "quotas")
    assert PAYMENTS_READ in roles  # readRole, not the deploy role
    assert "arn:aws:iam::333333333333:role/foundation-deploy" in roles  # default: role


@pytest.mark.parametrize("args", [["quotas"], ["drift"], ["plan", "--live"]])
def test_credentials_of_another_account_are_refused_naming_both(
    aws, workspace: Path, cli, args: list[str]
) -> None:
    write(workspace, ACCOUNTS)  # pinned to 111111111111; moto's credentials are 123456789012
    before = snapshot(workspace)
    result = cli(workspace, args[0], "acct", *args[1:])
    assert result.code == 2
    assert "foundation:network.accounts.network.id" in result.err
    assert MOTO_ACCOUNT in result.err and NETWORK_ID in result.err
    assert "Traceback" not in result.err and result.out == ""
    assert snapshot(workspace) == before


def test_the_program_refuses_another_account_before_any_resource(aws, workspace: Path) -> None:
    write(workspace, ACCOUNTS)
    with pytest.raises(pulumi.RunError, match=f"belong to account {MOTO_ACCOUNT}, not to the"):
        run_live_program(workspace, "acct")
    from pulumi.runtime import settings

    assert [r for r in settings.SETTINGS.monitor.recording.resources if r.custom] == []


def test_the_program_gates_pass_with_the_right_account(aws, workspace: Path) -> None:
    write(workspace)
    from foundation.addresses.allocation import allocate
    from foundation.config.workspace import Workspace

    ws = Workspace(workspace)
    allocate(*ws.load("acct"), ws.lock_path, write=True)
    rec = run_live_program(workspace, "acct")
    assert len(rec.custom) > 100
    subnets = [r for r in rec.custom if r.type == "aws:ec2/subnet:Subnet"]
    assert {r.inputs["availabilityZoneId"] for r in subnets} == {"use1-az1", "use1-az2", "use1-az3"}


def test_warn_gates_go_on_when_a_spoke_role_cannot_be_assumed(
    aws, workspace: Path, monkeypatch
) -> None:
    """The program's gates read spoke accounts through the bounded client and degrade."""
    write(workspace, LIVE.replace("quotas: {mode: enforce}", "quotas: {mode: warn}"))
    monkeypatch.setattr(aws_module, "EVENT_HOOKS", [("before-send", deny_assume_role)])
    rec = run_live_program(workspace, "acct")
    assert len(rec.custom) > 100  # the whole network was registered
    skipped = [w for w in rec.warnings if "skipped: cannot read AWS" in w]
    assert [w.split(" skipped")[0] for w in skipped] == ["quota preflight", "drift check"]
    assert all("cannot assume" in w and "AccessDenied" in w for w in skipped), skipped


def test_enforce_stops_naming_the_gate_when_a_spoke_role_cannot_be_assumed(
    aws, workspace: Path, monkeypatch
) -> None:
    write(workspace)  # quotas: enforce
    monkeypatch.setattr(aws_module, "EVENT_HOOKS", [("before-send", deny_assume_role)])
    with pytest.raises(pulumi.RunError) as exc:
        run_live_program(workspace, "acct")
    message = str(exc.value)
    assert message.startswith("quota preflight: cannot read AWS, so it cannot decide")
    assert "cannot assume" in message and "set quotas.mode: warn" in message
