"""Drift against a moto server: deploy what the mocked program registers, then mutate it."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pulumi
import pytest

from foundation.live import aws as aws_module
from foundation.offline.mockrun import Recording
from tests.conftest import edit_stack
from tests.faults import CallLog, Throttle
from tests.moto_deploy import deploy, record_stack
from tests.test_quotas import run_live_program

pytestmark = pytest.mark.moto


@pytest.fixture(scope="module")
def dev_recording(tmp_path_factory: pytest.TempPathFactory) -> Recording:
    import shutil

    from tests.conftest import REPO

    project = tmp_path_factory.mktemp("dev")
    shutil.copytree(REPO / "stacks", project / "stacks")
    return record_stack(project, "dev")


@pytest.fixture
def deployed(aws, dev_recording: Recording) -> dict[str, str]:
    """The dev stack deployed into an empty moto account: logical id -> real id."""
    return deploy(dev_recording)


def drift(cli, workspace: Path, *extra: str) -> tuple[int, dict]:
    result = cli(workspace, "drift", "dev", "--format", "json", *extra)
    assert result.code in (0, 1), result.err
    return result.code, json.loads(result.out)


def test_a_fresh_deployment_is_clean(deployed, workspace: Path, cli) -> None:
    code, doc = drift(cli, workspace)
    assert (code, doc["status"], doc["findings"]) == (0, "clean", [])
    assert doc["schema"] == "foundation/drift@1" and doc["apiCalls"] > 10


def test_not_deployed_is_not_drift(aws, workspace: Path, cli) -> None:
    code, doc = drift(cli, workspace)
    assert (code, doc["status"]) == (0, "not-deployed")


def rt(ids: dict[str, str], name: str) -> str:
    return ids[f"ec2/routeTable:{name}"]


MUTATIONS: list[tuple[str, Callable[[Any, dict[str, str]], None], dict[str, str]]] = [
    (
        "route added to a spoke table",
        lambda ec2, ids: ec2.create_route(
            RouteTableId=rt(ids, "payments-private"),
            DestinationCidrBlock="192.168.0.0/16",
            TransitGatewayId=ids["ec2transitgateway/transitGateway:tgw"],
        ),
        {
            "kind": "unmanaged",
            "resourceType": "route",
            "name": "payments-private 192.168.0.0/16",
            "severity": "high",
        },
    ),
    (
        "route deleted",
        lambda ec2, ids: ec2.delete_route(
            RouteTableId=rt(ids, "hub-public-a"), DestinationCidrBlock="0.0.0.0/0"
        ),
        {
            "kind": "missing",
            "resourceType": "route",
            "name": "hub-public-a 0.0.0.0/0",
            "severity": "high",
        },
    ),
    (
        "route retargeted",
        lambda ec2, ids: ec2.replace_route(
            RouteTableId=rt(ids, "hub-public-b"),
            DestinationCidrBlock="0.0.0.0/0",
            NatGatewayId=ids["ec2/natGateway:hub-nat-a"],
        ),
        {
            "kind": "changed",
            "resourceType": "route",
            "name": "hub-public-b 0.0.0.0/0",
            "attribute": "target",
            "expected": "igw",
            "actual": "nat:hub-nat-a",
            "severity": "high",
        },
    ),
    (
        "subnet added to a managed VPC",
        lambda ec2, ids: ec2.create_subnet(
            VpcId=ids["ec2/vpc:payments"], CidrBlock="10.16.23.0/24", AvailabilityZone="us-east-1a"
        ),
        {"kind": "unmanaged", "resourceType": "subnet", "severity": "high"},
    ),
    (
        "tag changed",
        lambda ec2, ids: ec2.create_tags(
            Resources=[ids["ec2/vpc:tools"]], Tags=[{"Key": "Name", "Value": "someone-renamed-it"}]
        ),
        {
            "kind": "changed",
            "resourceType": "vpc",
            "name": "tools",
            "attribute": "tags.Name",
            "expected": "dev-tools",
            "actual": "someone-renamed-it",
            "severity": "low",
        },
    ),
    (
        "rule added to a default security group",
        lambda ec2, ids: ec2.authorize_security_group_ingress(
            GroupId=ids["ec2/defaultSecurityGroup:hub-default-sg"],
            IpPermissions=[
                {
                    "IpProtocol": "tcp",
                    "FromPort": 22,
                    "ToPort": 22,
                    "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
                }
            ],
        ),
        {
            "kind": "unmanaged",
            "resourceType": "security-group-rule",
            "name": "hub-default-sg ingress tcp 22-22 0.0.0.0/0",
            "severity": "high",
        },
    ),
    (
        "static route added to a TGW route table",
        lambda ec2, ids: ec2.create_transit_gateway_route(
            DestinationCidrBlock="192.168.0.0/16",
            TransitGatewayRouteTableId=ids["ec2transitgateway/routeTable:prod"],
            TransitGatewayAttachmentId=ids["ec2transitgateway/vpcAttachment:sandbox"],
        ),
        {
            "kind": "unmanaged",
            "resourceType": "tgw-route",
            "name": "prod 192.168.0.0/16",
            "severity": "high",
        },
    ),
    (
        "NAT gateway deleted",
        lambda ec2, ids: ec2.delete_nat_gateway(NatGatewayId=ids["ec2/natGateway:hub-nat-a"]),
        {"kind": "missing", "resourceType": "nat-gateway", "name": "hub-nat-a", "severity": "high"},
    ),
]


@pytest.mark.parametrize(("case", "mutate", "expected"), MUTATIONS, ids=[m[0] for m in MUTATIONS])
def test_each_mutation_is_found_with_the_right_kind_and_severity(
    aws, deployed, workspace: Path, cli, case: str, mutate, expected: dict[str, str]
) -> None:
    mutate(aws, deployed)
    code, doc = drift(cli, workspace)
    assert code == 1 and doc["status"] == "drift"
    matches = [f for f in doc["findings"] if all(f.get(k) == v for k, v in expected.items())]
    assert matches, f"{expected} not in {json.dumps(doc['findings'], indent=1)}"


def test_only_the_mutation_is_reported(aws, deployed, workspace: Path, cli) -> None:
    aws.create_tags(Resources=[deployed["ec2/vpc:tools"]], Tags=[{"Key": "Name", "Value": "x"}])
    _, doc = drift(cli, workspace)
    assert len(doc["findings"]) == 1


def test_an_ignored_finding_is_not_reported(aws, deployed, workspace: Path, cli) -> None:
    aws.create_subnet(
        VpcId=deployed["ec2/vpc:payments"], CidrBlock="10.16.23.0/24", AvailabilityZone="us-east-1a"
    )
    aws.create_tags(Resources=[deployed["ec2/vpc:tools"]], Tags=[{"Key": "Name", "Value": "x"}])
    edit_stack(
        workspace,
        "dev",
        "ignore: []",
        "ignore: [{type: subnet, reason: 'lab subnet, ticket NET-42'}, "
        "{type: vpc, name: tools, attribute: 'tags.*', reason: renamed by finance}]",
    )
    code, doc = drift(cli, workspace)
    assert (code, doc["status"], doc["ignored"]) == (0, "clean", 2)


def test_an_ignore_rule_needs_a_reason(aws, workspace: Path, cli) -> None:
    edit_stack(workspace, "dev", "ignore: []", "ignore: [{type: subnet}]")
    result = cli(workspace, "drift", "dev")
    assert result.code == 2
    assert "foundation:network.drift.ignore[0].reason: required key is missing" in result.err


def test_only_read_calls_are_made(deployed, workspace: Path, cli, monkeypatch) -> None:
    log = CallLog()
    monkeypatch.setattr(aws_module, "EVENT_HOOKS", [("before-call", log)])
    _, doc = drift(cli, workspace)
    assert log.operations and doc["apiCalls"] == len(log.operations)
    assert all(op.startswith(("Describe", "Get", "List", "Search")) for op in log.operations)


def test_throttling_on_half_the_calls_still_completes(
    aws, deployed, workspace: Path, cli, monkeypatch
) -> None:
    aws.create_tags(Resources=[deployed["ec2/vpc:tools"]], Tags=[{"Key": "Name", "Value": "x"}])
    _, clean = drift(cli, workspace)
    throttle = Throttle(every=2)
    monkeypatch.setattr(aws_module, "EVENT_HOOKS", [("before-send", throttle)])
    code, doc = drift(cli, workspace)
    assert code == 1 and throttle.injected > 5
    assert doc["findings"] == clean["findings"]


def test_throttling_on_every_call_is_exit_2(deployed, workspace: Path, cli, monkeypatch) -> None:
    monkeypatch.setattr(aws_module, "EVENT_HOOKS", [("before-send", Throttle(every=1))])
    result = cli(workspace, "drift", "dev")
    assert result.code == 2 and "gave up after" in result.err and "Traceback" not in result.err


class _Hook(BaseHTTPRequestHandler):
    received: list[dict[str, Any]] = []
    status = 200

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append(json.loads(body))
        self.send_response(type(self).status)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def webhook() -> Iterator[tuple[str, type[_Hook]]]:
    handler = type("Hook", (_Hook,), {"received": [], "status": 200})
    server = HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hooks/secret-token", handler
    server.shutdown()
    server.server_close()


def test_the_webhook_is_posted_only_on_drift(aws, deployed, workspace: Path, cli, webhook) -> None:
    url, hook = webhook
    result = cli(workspace, "drift", "dev", "--notify", url)
    assert result.code == 0 and hook.received == []
    aws.create_tags(Resources=[deployed["ec2/vpc:tools"]], Tags=[{"Key": "Name", "Value": "x"}])
    result = cli(workspace, "drift", "dev", "--notify", url)
    assert result.code == 1
    assert len(hook.received) == 1
    message = hook.received[0]
    assert "network drift in stack *dev*: 1 findings" in message["text"]
    assert message["findings"][0]["attribute"] == "tags.Name"
    assert "notified" in result.err and "secret-token" not in result.err


def test_a_failed_notification_is_reported_and_the_exit_code_still_tells_drift(
    aws, deployed, workspace: Path, cli, webhook, monkeypatch
) -> None:
    from foundation.live.drift import notify

    monkeypatch.setattr(notify, "BACKOFF", 0.01)
    url, hook = webhook
    hook.status = 500
    aws.create_tags(Resources=[deployed["ec2/vpc:tools"]], Tags=[{"Key": "Name", "Value": "x"}])
    result = cli(workspace, "drift", "dev", "--notify", url)
    assert result.code == 1
    assert len(hook.received) == 3  # retried
    assert "notification to 127.0.0.1" in result.err and "failed after 3 attempts" in result.err
    assert "secret-token" not in result.err


def test_a_bad_webhook_url_is_bad_input(aws, workspace: Path, cli) -> None:
    result = cli(workspace, "drift", "dev", "--notify", "hooks.example/abc")
    assert result.code == 2 and "--notify" in result.err and "Fix:" in result.err


def test_markdown_and_text_name_the_findings(aws, deployed, workspace: Path, cli) -> None:
    aws.create_tags(Resources=[deployed["ec2/vpc:tools"]], Tags=[{"Key": "Name", "Value": "x"}])
    text = cli(workspace, "drift", "dev").out
    assert "drift: 1 findings" in text and "tags.Name" in text
    markdown = cli(workspace, "drift", "dev", "--format", "markdown").out
    assert markdown.startswith("## Drift: `dev`") and "| low | changed | vpc | tools |" in markdown
    assert "| [DRIFT.CHANGED](docs/runbooks/DRIFT.CHANGED.md) |" in markdown


def _gate_stack(workspace: Path, mode: str) -> None:
    edit_stack(
        workspace,
        "dev",
        "drift:  {mode: warn, ignore: []}",
        f"drift:  {{mode: {mode}, ignore: []}}",
    )
    edit_stack(workspace, "dev", "quotas: {mode: enforce, headroom: 0.15}", "quotas: {mode: off}")


def test_the_fail_gate_stops_on_hand_made_drift(aws, deployed, workspace: Path) -> None:
    _gate_stack(workspace, "fail")
    aws.create_subnet(
        VpcId=deployed["ec2/vpc:payments"], CidrBlock="10.16.23.0/24", AvailabilityZone="us-east-1a"
    )
    with pytest.raises(pulumi.RunError, match="unmanaged drift"):
        run_live_program(workspace, "dev")


def test_the_fail_gate_lets_a_config_change_through(aws, deployed, workspace: Path) -> None:
    """Removing a connection leaves propagations this update deletes: not hand-made."""
    _gate_stack(workspace, "fail")
    edit_stack(workspace, "dev", "nonprod: {connectsTo: [shared]}", "nonprod: {}")
    rec = run_live_program(workspace, "dev")
    assert any("drift unmanaged tgw-propagation" in w for w in rec.warnings)
    assert len(rec.custom) > 100


def test_the_warn_gate_logs_and_builds(aws, deployed, workspace: Path) -> None:
    _gate_stack(workspace, "warn")
    aws.create_tags(Resources=[deployed["ec2/vpc:tools"]], Tags=[{"Key": "Name", "Value": "x"}])
    rec = run_live_program(workspace, "dev")
    assert any("drift changed vpc tools tags.Name" in w for w in rec.warnings)
    assert len(rec.custom) > 100
