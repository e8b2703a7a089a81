"""Posting drift to a webhook (Slack-compatible `text`), with a timeout and retries.

Only the host of the URL is ever printed: webhook URLs are secrets.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request

from foundation.errors import InputError
from foundation.live.drift.model import DriftResult

ATTEMPTS = 3
TIMEOUT = 10.0
BACKOFF = 1.0


def validate_url(url: str) -> str:
    """Refuse anything but an absolute http(s) URL, before any AWS call is made."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InputError.single(
            "--notify",
            parts.netloc or "(url)",
            "not an absolute http(s) URL",
            "pass the webhook URL, for example https://hooks.slack.com/...",
        )
    return url


def message(result: DriftResult, limit: int = 20) -> dict[str, object]:
    """The JSON body: a `text` summary for chat, and the structured findings."""
    lines = [f":warning: network drift in stack *{result.stack}*: {len(result.findings)} findings"]
    lines += [
        f"• {f.severity} {f.kind} {f.resource_type} {f.name}"
        + (f" {f.attribute}: {f.expected} -> {f.actual}" if f.kind == "changed" else "")
        for f in result.findings[:limit]
    ]
    if len(result.findings) > limit:
        lines.append(f"… and {len(result.findings) - limit} more")
    return {
        "text": "\n".join(lines),
        "stack": result.stack,
        "status": result.status,
        "findings": [f.to_dict() for f in result.findings],
    }


def notify(
    url: str,
    result: DriftResult,
    attempts: int = ATTEMPTS,
    timeout: float = TIMEOUT,
    backoff: float = BACKOFF,
) -> str | None:
    """POST the message; returns None on success, else a one-line reason (never raises)."""
    host = urllib.parse.urlsplit(url).netloc
    body = json.dumps(message(result)).encode()
    reason = ""
    for attempt in range(1, attempts + 1):
        request = urllib.request.Request(
            url, data=body, method="POST", headers={"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                if 200 <= response.status < 300:
                    return None
                reason = f"HTTP {response.status}"
        except urllib.error.HTTPError as exc:
            exc.close()
            reason = f"HTTP {exc.code}"
            if 400 <= exc.code < 500 and exc.code != 429:
                break  # the webhook refuses the request: retrying will not help
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            reason = str(getattr(exc, "reason", exc))
        if attempt < attempts:
            time.sleep(backoff * attempt)
    return f"notification to {host} failed after {attempt} attempts ({reason})"
