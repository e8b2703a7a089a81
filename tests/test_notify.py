"""`--notify URL` never prints the URL's secrets: user-info, path or query (issue 10)."""

from __future__ import annotations

import base64
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest

from foundation.errors import InputError
from foundation.live.drift import notify as notify_module
from foundation.live.drift.model import DriftResult
from foundation.live.drift.notify import notify, redact, validate_url
from tests.faults import closed_port

SECRETS = ("alice", "hunter2", "s3cret-path", "tok3n")
RESULT = DriftResult("dev", "drift", (), 0)


def assert_clean(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text, f"{secret!r} leaked in {text!r}"


@pytest.mark.parametrize(
    "url",
    [
        "ftp://alice:hunter2@hooks.example.com/s3cret-path?token=tok3n-value",
        "file://alice:hunter2@/s3cret-path",
        "alice:hunter2@hooks.example.com/s3cret-path",
        "https://alice:hunter2@hooks.example.com:port/s3cret-path?token=tok3n-value",
        "https://alice:hunter2@[::1/s3cret-path",
        "https://alice:hunter2@hooks.example.com/s3cret-path\n?token=tok3n-value",
        "https:///s3cret-path?token=tok3n-value",
    ],
)
def test_a_refused_url_never_shows_its_secrets(url: str) -> None:
    with pytest.raises(InputError) as exc:
        validate_url(url)
    assert_clean(str(exc.value))
    assert str(exc.value).startswith("--notify: ")


def test_the_rejection_still_says_what_was_given() -> None:
    with pytest.raises(InputError) as exc:
        validate_url("ftp://alice:hunter2@hooks.example.com/s3cret-path?token=tok3n-value")
    assert "ftp://***@hooks.example.com/***?token=***" in str(exc.value)
    assert "not an absolute http(s) URL" in str(exc.value)


def test_redact_keeps_scheme_and_host_only() -> None:
    assert redact("https://hooks.example.com") == "https://hooks.example.com"
    assert (
        redact("https://alice:hunter2@hooks.example.com:8443/s3cret-path?token=tok3n-value&a=")
        == "https://***@hooks.example.com:8443/***?token=***&a=***"
    )


def test_cli_rejection_prints_no_credentials(workspace: Path, cli) -> None:
    result = cli(
        workspace,
        "drift",
        "dev",
        "--notify",
        "ftp://alice:hunter2@hooks.example.com/s3cret-path?token=tok3n-value",
    )
    assert result.code == 2 and "--notify" in result.err and "Fix:" in result.err
    assert_clean(result.err + result.out)


class _Hook(BaseHTTPRequestHandler):
    seen: list[tuple[str, str | None]] = []
    status = 200

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        type(self).seen.append((self.path, self.headers.get("Authorization")))
        self.send_response(type(self).status)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def hook() -> Iterator[tuple[int, type[_Hook]]]:
    handler = type("Hook", (_Hook,), {"seen": [], "status": 200})
    server = HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], handler
    server.shutdown()
    server.server_close()


def test_user_info_is_sent_as_basic_auth_not_as_the_host(hook) -> None:
    port, handler = hook
    url = f"http://alice:hunter2@127.0.0.1:{port}/s3cret-path?token=tok3n-value"
    assert notify(validate_url(url), RESULT, attempts=1) is None
    path, auth = handler.seen[0]
    assert path == "/s3cret-path?token=tok3n-value"
    assert auth == "Basic " + base64.b64encode(b"alice:hunter2").decode()


def test_a_failed_post_names_the_host_only(hook, monkeypatch) -> None:
    port, handler = hook
    handler.status = 500
    url = f"http://alice:hunter2@127.0.0.1:{port}/s3cret-path?token=tok3n-value"
    failure = notify(url, RESULT, attempts=2, backoff=0.01)
    assert failure == f"notification to 127.0.0.1:{port} failed after 2 attempts (HTTP 500)"
    assert_clean(failure)


def test_an_unreachable_webhook_names_the_host_only() -> None:
    url = closed_port().replace("http://", "http://alice:hunter2@") + "/s3cret-path?token=tok3n"
    failure = notify(url, RESULT, attempts=1, timeout=2)
    assert failure is not None and "notification to 127.0.0.1:" in failure
    assert_clean(failure)


def test_an_error_urllib_raises_with_the_url_in_it_is_scrubbed(monkeypatch) -> None:
    def boom(*_: Any, **__: Any) -> Any:
        raise ValueError("cannot open http://alice:hunter2@h/s3cret-path?token=tok3n-value")

    monkeypatch.setattr(notify_module.urllib.request, "urlopen", boom)
    failure = notify(
        "http://alice:hunter2@h/s3cret-path?token=tok3n-value", RESULT, attempts=1, backoff=0
    )
    assert failure is not None and failure.startswith("notification to h failed")
    assert_clean(failure)
