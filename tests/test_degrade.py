"""Live gates and live commands when AWS cannot be read (issue 10, REL05).

The whole program runs under the mock engine with live gates against a closed port, a
hanging socket and AccessDenied: `warn` logs and builds everything, `enforce` / `fail`
stop with a message naming the gate; every case ends within the bounded time.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pulumi
import pytest

from foundation.live import aws as aws_module
from tests.conftest import edit_stack, empty_file, snapshot
from tests.faults import HangingServer, Throttle, closed_port, denied
from tests.test_quotas import run_live_program

pytestmark = pytest.mark.moto

FAST = aws_module.RetryPolicy(
    base_delay=0.01, max_delay=0.05, deadline=2.0, connect_timeout=0.5, read_timeout=0.5
)
SLACK = 6.0  # the mock run itself, and a loaded 2-core machine


@pytest.fixture(params=["refused", "hanging", "denied", "expired", "throttled"])
def unreachable(
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
    moto_server: str,
    tmp_path: Path,
) -> Iterator[str]:
    """AWS_ENDPOINT_URL pointing at a fault; yields the kind of fault."""
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": str(empty_file(tmp_path)),
        "AWS_SHARED_CREDENTIALS_FILE": str(empty_file(tmp_path)),
    }.items():
        monkeypatch.setenv(name, value)
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_REGION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(aws_module, "POLICY", FAST)
    monkeypatch.setattr(aws_module, "EVENT_HOOKS", [])
    server = None
    if request.param == "refused":
        monkeypatch.setenv("AWS_ENDPOINT_URL", closed_port())
    elif request.param == "hanging":
        server = HangingServer()
        monkeypatch.setenv("AWS_ENDPOINT_URL", server.url)
    else:
        monkeypatch.setenv("AWS_ENDPOINT_URL", moto_server)
        hook = {
            "denied": denied(),
            "expired": denied("ExpiredToken", 400),
            "throttled": Throttle(every=1),
        }[request.param]
        monkeypatch.setattr(aws_module, "EVENT_HOOKS", [("before-send", hook)])
    yield str(request.param)
    if server is not None:
        server.close()


REASON = {
    "refused": "EndpointConnectionError",
    "hanging": "ReadTimeoutError",
    "denied": "UnauthorizedOperation",
    "expired": "ExpiredToken",
    "throttled": "RequestLimitExceeded",
}


def _modes(workspace: Path, quotas: str, drift: str) -> None:
    edit_stack(
        workspace, "dev", "quotas: {mode: enforce, headroom: 0.15}", f"quotas: {{mode: {quotas}}}"
    )
    edit_stack(workspace, "dev", "drift:  {mode: warn, ignore: []}", f"drift: {{mode: {drift}}}")


def test_warn_gates_log_and_build_everything(unreachable: str, workspace: Path) -> None:
    _modes(workspace, "warn", "warn")
    start = time.monotonic()
    rec = run_live_program(workspace, "dev")
    elapsed = time.monotonic() - start
    assert len(rec.custom) == 136  # the whole network, as offline
    skipped = [w for w in rec.warnings if "skipped: cannot read AWS" in w]
    assert [w.split(" skipped")[0] for w in skipped] == ["quota preflight", "drift check"]
    assert all(REASON[unreachable] in w for w in skipped), skipped
    assert "continuing because quotas.mode is warn" in skipped[0]
    # one bounded wait for the run (the breaker), not one per gate
    assert elapsed < FAST.worst_case + SLACK


@pytest.mark.parametrize(
    ("quotas", "drift", "gate"),
    [("enforce", "warn", "quota preflight"), ("off", "fail", "drift check")],
)
def test_blocking_modes_stop_naming_the_gate_and_the_reason(
    unreachable: str, workspace: Path, quotas: str, drift: str, gate: str
) -> None:
    _modes(workspace, quotas, drift)
    start = time.monotonic()
    with pytest.raises(pulumi.RunError) as exc:
        run_live_program(workspace, "dev")
    assert time.monotonic() - start < FAST.worst_case + SLACK
    message = str(exc.value)
    assert message.startswith(f"{gate}: cannot read AWS, so it cannot decide")
    assert REASON[unreachable] in message and "Fix:" in message
    assert f"set {'quotas' if gate.startswith('quota') else 'drift'}.mode: warn" in message
    from pulumi.runtime import settings

    monitor = settings.SETTINGS.monitor
    assert [r for r in monitor.recording.resources if r.custom] == []  # stopped before any


@pytest.mark.parametrize(
    "command", [("quotas", "dev"), ("drift", "dev"), ("plan", "dev", "--live")], ids=" ".join
)
def test_live_commands_exit_2_in_bounded_time_without_traceback(
    unreachable: str, workspace: Path, cli, command: tuple[str, ...]
) -> None:
    before = snapshot(workspace / "stacks")
    start = time.monotonic()
    result = cli(workspace, *command)
    elapsed = time.monotonic() - start
    assert result.code == 2, result.err
    assert REASON[unreachable] in result.err and "Fix:" in result.err
    assert "Traceback" not in result.err and "internal error" not in result.err
    assert result.out == ""  # no report
    assert snapshot(workspace / "stacks") == before
    assert elapsed < FAST.worst_case + SLACK


def test_the_default_policy_bounds_a_call_well_under_a_minute() -> None:
    policy = aws_module.DEFAULT_POLICY
    assert (policy.connect_timeout, policy.read_timeout) == (3.0, 10.0)
    assert policy.worst_case == 40.0 < 60


def test_a_call_gives_up_before_its_deadline_on_a_hanging_endpoint(monkeypatch) -> None:
    server = HangingServer()
    try:
        monkeypatch.setenv("AWS_ENDPOINT_URL", server.url)
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        policy = aws_module.RetryPolicy(
            base_delay=0.01, max_delay=0.02, deadline=1.8, connect_timeout=0.2, read_timeout=0.5
        )
        aws = aws_module.Aws("us-east-1", policy=policy)
        aws.client("ec2")  # building the client is not part of the call's bound
        start = time.monotonic()
        with pytest.raises(aws_module.AwsError, match=r"gave up after 3 attempts .*ReadTimeout"):
            aws.call("ec2", "describe_vpcs")
        first = time.monotonic() - start
        assert first <= policy.worst_case + 0.5  # scheduling on a loaded machine
        # the breaker: a second call through the same Aws does not wait again
        start = time.monotonic()
        with pytest.raises(aws_module.AwsError, match="gave up"):
            aws.call("ec2", "describe_subnets")
        assert time.monotonic() - start < 0.1
    finally:
        server.close()


def test_an_answer_that_is_not_aws_is_a_clear_error(aws, workspace: Path, cli, monkeypatch) -> None:
    from botocore.awsrequest import AWSResponse

    from tests.faults import _Raw

    def html(request, **_):  # a captive portal or proxy page instead of AWS
        return AWSResponse(request.url, 200, {}, _Raw(b"<!doctype html><p>proxy</p>"))

    monkeypatch.setattr(aws_module, "EVENT_HOOKS", [("before-send", html)])
    result = cli(workspace, "quotas", "dev")
    assert result.code == 2 and "not an AWS response" in result.err
    assert "internal error" not in result.err


@pytest.mark.slow
def test_plan_live_against_a_hanging_endpoint_ends_within_60_s_with_the_default_policy(
    workspace: Path, cli, monkeypatch, tmp_path: Path
) -> None:
    """The real timeouts (no shortened policy): about 31 s, where 20 s reads took 60+."""
    server = HangingServer()
    try:
        for name, value in {
            "AWS_ENDPOINT_URL": server.url,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_CONFIG_FILE": str(empty_file(tmp_path)),
            "AWS_SHARED_CREDENTIALS_FILE": str(empty_file(tmp_path)),
        }.items():
            monkeypatch.setenv(name, value)
        monkeypatch.setattr(aws_module, "POLICY", aws_module.DEFAULT_POLICY)
        monkeypatch.setattr(aws_module, "EVENT_HOOKS", [])
        start = time.monotonic()
        result = cli(workspace, "plan", "dev", "--live")
        elapsed = time.monotonic() - start
    finally:
        server.close()
    assert result.code == 2 and "ReadTimeoutError" in result.err and result.out == ""
    assert elapsed < 60, elapsed
