"""Drift history (DESIGN §3.13): `drift --history` appends, `history` summarises."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from foundation.live import aws as aws_module
from foundation.live.drift import command as drift_command
from tests import test_drift
from tests.conftest import snapshot
from tests.faults import Throttle

deployed = test_drift.deployed  # fixtures shared with the drift tests
dev_recording = test_drift.dev_recording

T0 = datetime(2026, 11, 2, 6, 17, tzinfo=UTC)
ROUTE = "hub-public-a 0.0.0.0/0"


class Clock:
    """The times the drift command stamps, one per run."""

    def __init__(self, *times: datetime):
        self.times = list(times)

    def __call__(self) -> datetime:
        return self.times.pop(0)


def key_of(f: dict) -> tuple:
    return (f["kind"], f["resourceType"], f["name"], f["attribute"], f["account"])


@pytest.mark.moto
def test_clean_drift_clean_gives_exact_first_last_seen_and_time_to_resolve(
    aws,
    deployed,
    workspace: Path,
    cli,
    monkeypatch,
) -> None:
    history = workspace / "drift-history.jsonl"
    t1, t2, t3 = T0, T0 + timedelta(days=1), T0 + timedelta(days=2, hours=3, minutes=5)
    monkeypatch.setattr(drift_command, "now", Clock(t1, t2, t3))
    table = deployed["ec2/routeTable:hub-public-a"]
    igw = deployed["ec2/internetGateway:hub-igw"]

    assert cli(workspace, "drift", "dev", "--history", str(history)).code == 0
    aws.delete_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0")
    assert cli(workspace, "drift", "dev", "--history", str(history)).code == 1
    aws.create_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    assert cli(workspace, "drift", "dev", "--history", str(history)).code == 0

    lines = [json.loads(x) for x in history.read_text().splitlines()]
    assert [(x["time"], x["status"]) for x in lines] == [
        ("2026-11-02T06:17:00Z", "clean"),
        ("2026-11-03T06:17:00Z", "drift"),
        ("2026-11-04T09:22:00Z", "clean"),
    ]
    assert lines[1]["counts"] == {"kind": {"missing": 1}, "severity": {"high": 1}}
    assert lines[1]["findings"] == [
        {
            "kind": "missing",
            "resourceType": "route",
            "name": ROUTE,
            "attribute": "",
            "account": "network",
        }
    ]
    result = cli(workspace, "history", str(history), "--format", "json")
    assert result.code == 0, result.err
    doc = json.loads(result.out)
    assert (doc["runs"], doc["byStatus"]) == (3, {"clean": 2, "drift": 1})
    (finding,) = doc["findings"]
    assert key_of(finding) == ("missing", "route", ROUTE, "", "network")
    assert (finding["firstSeen"], finding["lastSeen"]) == (
        "2026-11-03T06:17:00Z",
        "2026-11-03T06:17:00Z",
    )
    assert finding["timeToResolve"] == int((t3 - t2).total_seconds()) == 97500
    assert (finding["open"], finding["recurring"]) == (False, False)
    text = cli(workspace, "history", str(history)).out
    assert "1d 3h 5m" in text and "resolved" in text


@pytest.mark.moto
def test_an_error_run_is_recorded_and_exits_2(
    aws,
    deployed,
    workspace: Path,
    cli,
    monkeypatch,
) -> None:
    history = workspace / "h.jsonl"
    monkeypatch.setattr(drift_command, "now", Clock(T0))
    monkeypatch.setattr(aws_module, "EVENT_HOOKS", [("before-send", Throttle(every=1))])
    before = snapshot(workspace / "stacks")
    result = cli(workspace, "drift", "dev", "--history", str(history))
    assert result.code == 2 and "gave up" in result.err and "Traceback" not in result.err
    (line,) = [json.loads(x) for x in history.read_text().splitlines()]
    assert (line["status"], line["findings"], line["time"]) == ("error", [], "2026-11-02T06:17:00Z")
    assert "gave up" in line["error"]
    assert snapshot(workspace / "stacks") == before


def write_runs(path: Path, runs: list[tuple[int, str, list[str]]]) -> list[str]:
    """Lines for (hours after T0, status, names of missing routes)."""
    lines = []
    for hours, status, names in runs:
        findings = [
            {"kind": "missing", "resourceType": "route", "name": n, "attribute": "",
             "account": "network"}
            for n in names
        ]  # fmt: skip
        lines.append(
            json.dumps(
                {
                    "schema": "foundation/drift-history@1",
                    "time": (T0 + timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "stack": "dev",
                    "status": status,
                    "counts": {"kind": {}, "severity": {}},
                    "findings": findings,
                }
            )
        )
    path.write_text("\n".join(lines) + "\n")
    return lines


def test_error_runs_neither_open_nor_close_and_recurrence_is_found(tmp_path: Path, cli) -> None:
    history = tmp_path / "h.jsonl"
    write_runs(
        history,
        [
            (0, "drift", ["a"]),
            (1, "error", []),  # saw nothing: "a" stays open
            (2, "clean", []),  # "a" resolved after 2 h
            (3, "drift", ["a", "b"]),  # "a" is back: recurring
            (5, "drift", ["b"]),
        ],
    )
    doc = json.loads(cli(tmp_path, "history", str(history), "--format", "json").out)
    by_name = {f["name"]: f for f in doc["findings"]}
    a, b = by_name["a"], by_name["b"]
    assert a["timeToResolve"] == 7200 and a["recurring"] is True
    assert [e["seconds"] for e in a["episodes"]] == [7200, 7200]
    assert (a["firstSeen"], a["lastSeen"]) == ("2026-11-02T06:17:00Z", "2026-11-02T09:17:00Z")
    assert b["open"] is True and b["timeToResolve"] is None and b["runsSeen"] == 2
    assert [f["name"] for f in doc["recurring"]] == ["a"]


def test_a_corrupt_line_is_reported_with_its_number_and_never_lost(tmp_path: Path, cli) -> None:
    history = tmp_path / "h.jsonl"
    lines = write_runs(history, [(0, "drift", ["a"]), (2, "clean", [])])
    text = lines[0] + "\n" + '{"schema": "foundation/drift-history@1", "time": "2026-11-0' + "\n"
    history.write_text(text + lines[1] + "\n")
    before = history.read_bytes()
    result = cli(tmp_path, "history", str(history), "--format", "json")
    assert result.code == 0
    doc = json.loads(result.out)
    assert [c["line"] for c in doc["corruptLines"]] == [2]
    assert "line 2" in result.err and "skipped" in result.err
    assert doc["runs"] == 2 and doc["findings"][0]["timeToResolve"] == 7200
    assert history.read_bytes() == before  # never rewritten
    markdown = cli(tmp_path, "history", str(history), "--format", "markdown").out
    assert "line 2 is corrupt" in markdown


def test_appending_after_a_torn_line_keeps_both(tmp_path: Path) -> None:
    from foundation.live.drift.history import append, read_history

    history = tmp_path / "h.jsonl"
    history.write_text('{"torn": ')  # a crash mid-write, no newline
    append(history, json.loads(write_runs(tmp_path / "x", [(0, "clean", [])])[0]))
    runs, corrupt = read_history(history)
    assert len(runs) == 1 and [c.line for c in corrupt] == [1]
    assert history.read_text().startswith('{"torn": \n')


@pytest.mark.parametrize(
    ("make", "fragment"),
    [
        (lambda p: None, "cannot be read"),  # missing
        (lambda p: p.mkdir(), "cannot be read"),  # a folder
    ],
)
def test_an_unreadable_file_is_exit_2(tmp_path: Path, cli, make, fragment: str) -> None:
    path = tmp_path / "missing.jsonl"
    make(path)
    result = cli(tmp_path, "history", str(path))
    assert result.code == 2 and fragment in result.err and "Fix:" in result.err
    assert "Traceback" not in result.err


def test_a_bad_history_path_is_refused_before_any_aws_call(aws, workspace: Path, cli) -> None:
    result = cli(workspace, "drift", "dev", "--history", str(workspace / "nope" / "h.jsonl"))
    assert result.code == 2 and "--history" in result.err and "does not exist" in result.err


def test_bad_input_is_an_error_run_too(workspace: Path, cli, monkeypatch) -> None:
    """A scheduled job whose webhook secret broke must not stop recording its runs."""
    history = workspace / "h.jsonl"
    monkeypatch.setattr(drift_command, "now", Clock(T0))
    result = cli(workspace, "drift", "dev", "--notify", "ftp://x", "--history", str(history))
    assert result.code == 2 and "--notify" in result.err
    (line,) = [json.loads(x) for x in history.read_text().splitlines()]
    assert line["status"] == "error" and "not an absolute http(s) URL" in line["error"]
