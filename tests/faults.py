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
