"""Shared fixtures: a private copy of the project's stacks, an in-process CLI, snapshots."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from foundation.cli import main

REPO = Path(__file__).resolve().parent.parent


@dataclass
class CliResult:
    code: int
    out: str
    err: str


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A copy of stacks/ in a temporary project folder (tests never touch the real lock)."""
    shutil.copytree(REPO / "stacks", tmp_path / "stacks")
    return tmp_path


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., CliResult]:
    """Run `python -m foundation` in-process with --project set."""

    def run(project: Path, *args: str) -> CliResult:
        code = main(["--project", str(project), *args])
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run


def snapshot(folder: Path) -> dict[str, str]:
    """Hash of every file under a folder, to prove a command changed nothing."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def edit_stack(project: Path, stack: str, old: str, new: str) -> None:
    """Replace text in a stack file (the edit must apply)."""
    path = project / "stacks" / f"Pulumi.{stack}.yaml"
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


# --- AWS as a real moto server on loopback (DESIGN §4) ------------------------------------


@pytest.fixture(scope="session")
def moto_server() -> str:
    """A moto server on 127.0.0.1, a free port, for the whole session."""
    import logging

    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.CRITICAL)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def aws(moto_server: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    """An empty moto account in us-east-1; returns a boto3 EC2 client for test set-up."""
    import urllib.request

    import boto3

    from foundation.live import aws as aws_module

    urllib.request.urlopen(
        urllib.request.Request(f"{moto_server}/moto-api/reset", method="POST"), timeout=10
    ).read()
    for name, value in {
        "AWS_ENDPOINT_URL": moto_server,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": str(empty_file(tmp_path)),
        "AWS_SHARED_CREDENTIALS_FILE": str(empty_file(tmp_path)),
    }.items():
        monkeypatch.setenv(name, value)
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_REGION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(
        aws_module,
        "POLICY",
        aws_module.RetryPolicy(
            base_delay=0.005, max_delay=0.02, deadline=10, connect_timeout=2, read_timeout=5
        ),
    )
    monkeypatch.setattr(aws_module, "EVENT_HOOKS", [])
    return boto3.client("ec2", region_name="us-east-1")


def empty_file(folder: Path) -> Path:
    """An empty AWS config file (not /dev/null: a test elsewhere may have replaced it)."""
    path = folder / "aws-empty-config"
    path.touch()
    return path
