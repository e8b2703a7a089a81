"""botocore event hooks for tests: count calls, inject throttling (DESIGN §4)."""

from __future__ import annotations

from typing import Any

from botocore.awsrequest import AWSResponse


class _Raw:
    def __init__(self, body: bytes):
        self._body = body

    def stream(self, **_: Any) -> Any:
        yield self._body


def throttled(request: Any) -> AWSResponse:
    """A 503 RequestLimitExceeded answer in the protocol of the request's service."""
    if "x-amz-json" in str(request.headers.get("Content-Type", "")):
        body = b'{"__type": "ThrottlingException", "message": "Rate exceeded"}'
    else:
        body = (
            b"<Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>Request limit"
            b" exceeded.</Message></Error></Errors><RequestID>r</RequestID></Response>"
        )
    return AWSResponse(request.url, 503, {}, _Raw(body))


class Throttle:
    """Answers every `every`-th request (every=1: all of them) with throttling."""

    def __init__(self, every: int):
        self.every = every
        self.seen = 0
        self.injected = 0

    def __call__(self, request: Any, **_: Any) -> AWSResponse | None:
        self.seen += 1
        if self.seen % self.every == 0:
            self.injected += 1
            return throttled(request)
        return None


class CallLog:
    """Records the operation name of every API call."""

    def __init__(self) -> None:
        self.operations: list[str] = []

    def __call__(self, model: Any, **_: Any) -> None:
        self.operations.append(model.name)


def denied(code: str = "UnauthorizedOperation", status: int = 403) -> Any:
    """A before-send hook answering every request with an authorisation error."""

    def hook(request: Any, **_: Any) -> AWSResponse:
        if "x-amz-json" in str(request.headers.get("Content-Type", "")):
            body = f'{{"__type": "{code}", "message": "denied by test"}}'.encode()
        else:
            body = (
                f"<Response><Errors><Error><Code>{code}</Code><Message>denied by test"
                "</Message></Error></Errors><RequestID>r</RequestID></Response>"
            ).encode()
        return AWSResponse(request.url, status, {}, _Raw(body))

    return hook


def closed_port() -> str:
    """An endpoint on loopback where nothing listens (connection refused)."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"


class HangingServer:
    """A loopback server that accepts connections and never answers (a hanging endpoint)."""

    def __init__(self) -> None:
        import socket
        import threading

        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(64)
        self._sock.settimeout(0.2)
        self._held: list[Any] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()
        self.url = f"http://127.0.0.1:{self._sock.getsockname()[1]}"

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except OSError:
                continue
            self._held.append(conn)  # accepted, read nothing, answer nothing

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        for conn in self._held:
            conn.close()
        self._sock.close()
