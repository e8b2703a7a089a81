"""The program's live gates, degrading gracefully when AWS cannot be read (REL05).

A gate that cannot reach AWS (refused, hanging, AccessDenied, expired credentials,
throttling beyond the retries) cannot decide. In its blocking mode (`quotas.mode:
enforce`, `drift.mode: fail`) that stops the program with a RunError naming the gate and
the reason; in `warn` it logs a warning naming the gate and the program goes on. Both
gates share one `Aws`, so an unreachable endpoint is waited for once (its circuit breaker),
and each call is bounded by `RetryPolicy.worst_case`.
"""

from __future__ import annotations

from collections.abc import Callable

import pulumi
from botocore.exceptions import BotoCoreError, ClientError

from foundation.config.spec import StackSpec
from foundation.errors import AwsError, FoundationError
from foundation.live.accounts import Sessions, open_accounts
from foundation.live.aws import Aws, client_error
from foundation.live.drift.gate import drift_gate
from foundation.live.quotas.gate import quota_gate
from foundation.network.model import NetworkPlan


def _fail(exc: FoundationError) -> pulumi.RunError:
    """Pulumi shows a RunError as a message, without a traceback."""
    return pulumi.RunError("\n".join(str(p) for p in exc.problems))


def guarded(name: str, key: str, mode: str, blocking: str, check: Callable[[], None]) -> None:
    """Run one gate; when AWS cannot be read, stop (blocking mode) or warn and go on.

    Args:
        name: the gate as users know it ("quota preflight", "drift check").
        key: its config key (`quotas.mode`), named in the messages.
        mode: the configured mode.
        blocking: the mode that stops the program when the gate cannot decide.
        check: runs the gate; raises FoundationError for what it found.

    Raises:
        pulumi.RunError: the gate found a blocking problem, or cannot read AWS in `blocking`.
    """
    try:
        check()
        return
    except AwsError as exc:
        reason = "; ".join(f"{p.path}: {p.message}" for p in exc.problems)
        fix = next((p.fix for p in exc.problems if p.fix), "")
    except ClientError as exc:
        problem = client_error(exc, name).problems[0]
        reason, fix = problem.message, problem.fix
    except BotoCoreError as exc:
        reason, fix = f"{type(exc).__name__}: {exc}", "check the credentials and the endpoint"
    except FoundationError as exc:
        raise _fail(exc) from None
    if mode == blocking:
        raise pulumi.RunError(
            f"{name}: cannot read AWS, so it cannot decide ({reason}). Fix: {fix}; or set "
            f"{key}: warn to deploy without this check"
        )
    pulumi.log.warn(
        f"{name} skipped: cannot read AWS ({reason}); continuing because {key} is "
        f"{mode}. Fix: {fix}"
    )


def run_live_gates(spec: StackSpec, plan: NetworkPlan, profile: str | None) -> None:
    """Quota preflight, then the drift check, each per its configured mode.

    The network account is read with the stack's credentials (the pin checked first),
    each spoke account through its read role, all through the one bounded `Aws`.

    Raises:
        pulumi.RunError: a gate stopped the program (its message names the gate).
    """
    aws = Aws(spec.region, profile=profile)
    opened: list[Sessions | AwsError] = []

    def sessions() -> Sessions:
        """The pin checked, each spoke account's read role assumed: once for both gates.

        Opened inside each gate's guard, so a wrong pin or an AssumeRole that fails
        degrades like any other read (warn goes on, enforce/fail stop naming the gate).
        """
        if not opened:
            try:
                opened.append(open_accounts(spec, aws))
            except AwsError as exc:
                opened.append(exc)
        found = opened[0]
        if isinstance(found, AwsError):
            raise found
        return found

    quotas, drift = spec.network.quotas.mode, spec.network.drift.mode
    if quotas != "off":
        guarded(
            "quota preflight",
            "quotas.mode",
            quotas,
            "enforce",
            lambda: quota_gate(spec, plan, sessions()),
        )
    if drift != "off":
        guarded(
            "drift check", "drift.mode", drift, "fail", lambda: drift_gate(spec, plan, sessions())
        )
