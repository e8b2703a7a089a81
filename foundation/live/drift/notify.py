"""Posting drift to a webhook (Slack-compatible `text`), with a timeout and retries.

Webhook URLs are secrets: every message shows them through `redact` (scheme and host;
user-info, path and query values replaced by `***`), and any error text is scrubbed of
their parts. Credentials in the user-info (`https://user:pass@host/...`) are sent as HTTP
Basic authentication, never as part of the host.
"""

from __future__ import annotations

import base64
import http.client
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


def redact(url: str) -> str:
    """The URL as messages may show it: scheme and host, every secret part as `***`."""
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        return "(unparseable URL)"
    if not parts.netloc:  # not `scheme://host...`: what looks like a scheme may be a user
        return "***"
    _, at, host = parts.netloc.rpartition("@")
    shown = f"{parts.scheme}://" + ("***@" if at else "") + host
    if parts.path.strip("/"):
        shown += "/***"
    if parts.query:
        keys = [k for k, _ in urllib.parse.parse_qsl(parts.query, keep_blank_values=True)]
        shown += "?" + ("&".join(f"{k}=***" for k in keys) if keys else "***")
    if parts.fragment:
        shown += "#***"
    return "".join(c if c.isprintable() and not c.isspace() else "?" for c in shown)


def _secrets(url: str) -> list[str]:
    """The parts of a URL that must never be printed, longest first."""
    found = [url]
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        return found
    userinfo = parts.netloc.rpartition("@")[0]
    found += [userinfo, *userinfo.split(":"), parts.path, parts.query, parts.fragment]
    found += [v for _, v in urllib.parse.parse_qsl(parts.query, keep_blank_values=True)]
    found += [urllib.parse.unquote(f) for f in found]
    return sorted({f for f in found if len(f) >= 3 and f != "/"}, key=len, reverse=True)


def scrub(text: str, url: str) -> str:
    """`text` with every secret part of `url` replaced by `***`."""
    for secret in _secrets(url):
        text = text.replace(secret, "***")
    return text


def validate_url(url: str) -> str:
    """Refuse anything but an absolute http(s) URL, before any AWS call is made."""
    problem = ""
    try:
        parts = urllib.parse.urlsplit(url)
        _ = parts.port  # a non-numeric or out-of-range port raises here
    except ValueError:
        problem = "is not a valid URL (bad host or port)"
    else:
        if parts.scheme not in ("http", "https") or not parts.hostname:
            problem = "is not an absolute http(s) URL"
        elif any(c.isspace() or not c.isprintable() for c in url):
            problem = "contains spaces or control characters"
    if problem:
        raise InputError.single(
            "--notify",
            redact(url),
            problem,
            "pass the webhook URL, for example https://hooks.slack.com/services/...",
        )
    return url


def _request(url: str, body: bytes) -> urllib.request.Request:
    """A POST to `url` with any user-info moved into a Basic Authorization header."""
    parts = urllib.parse.urlsplit(url)
    userinfo, at, host = parts.netloc.rpartition("@")
    headers = {"Content-Type": "application/json"}
    if at:
        user, _, password = userinfo.partition(":")
        pair = f"{urllib.parse.unquote(user)}:{urllib.parse.unquote(password)}"
        headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode()
        url = urllib.parse.urlunsplit(parts._replace(netloc=host))
    return urllib.request.Request(url, data=body, method="POST", headers=headers)


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
    shown = redact(url).partition("://")[2].rpartition("@")[2]  # host[:port]
    shown = shown.partition("/")[0].partition("?")[0].partition("#")[0] or "(webhook)"
    body = json.dumps(message(result)).encode()
    reason = ""
    for attempt in range(1, attempts + 1):
        try:
            request = _request(url, body)
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
            reason = scrub(str(getattr(exc, "reason", exc)), url)
        except (ValueError, http.client.HTTPException) as exc:  # a URL urllib cannot use
            reason = f"{type(exc).__name__}: {scrub(str(exc), url)}"
            break
        if attempt < attempts:
            time.sleep(backoff * attempt)
    return f"notification to {shown} failed after {attempt} attempts ({reason})"
