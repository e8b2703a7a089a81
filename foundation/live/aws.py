"""The one way this tool talks to AWS: a small client factory for read-only checks.

- Credentials, Region and endpoint come from the standard boto3 chain (`AWS_PROFILE`,
  `AWS_ENDPOINT_URL` and friends), nothing of our own.
- Connect and read timeouts are short; throttling (and 502/503/504, refused, hanging or
  dropped connections) is retried with capped, jittered exponential backoff, and a retry
  starts only if it can finish inside the call's deadline: one call never takes longer
  than `RetryPolicy.worst_case` (about 40 s), then ends in a clear AwsError (exit 2).
  botocore's own retries are off: it would also retry HTTP 500, which Service Quotas
  answers for quotas it cannot serve, and our fallbacks must be fast.
- Once a call has given up on an unreachable or throttling endpoint, every later call
  through the same `Aws` fails at once with the same reason (a circuit breaker), so a
  run with several checks waits for AWS once, not once per check.
- Read-only by construction: any operation that is not Describe*/Get*/List*/Search* is
  refused before it is sent; the one exception is sts:AssumeRole, which reads another
  account through its read-only role (DESIGN §3.8).
- Every API call is counted (`api_calls`), and tests can attach botocore event hooks
  (`EVENT_HOOKS`) to count calls or inject faults without patching.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    HTTPClientError,
    NoCredentialsError,
    NoRegionError,
)
from botocore.exceptions import ConnectionError as BotoConnectionError
from botocore.parsers import ResponseParserError

from foundation.errors import AwsError

READ_PREFIXES = ("Describe", "Get", "List", "Search")
ALSO_ALLOWED = {"AssumeRole"}  # temporary credentials of a spoke account's read-only role
THROTTLING = {
    "Throttling",
    "ThrottlingException",
    "RequestLimitExceeded",
    "TooManyRequestsException",
    "RequestThrottled",
    "RequestThrottledException",
    "SlowDown",
    "ProvisionedThroughputExceededException",
    "EC2ThrottledException",
    "PriorRequestNotComplete",
}
TRANSIENT_STATUS = {502, 503, 504}
IAM_FIX = "grant the read-only policy from the README to the role you run this with"
DENIED = ("AccessDenied", "Unauthorized", "Forbidden")
CREDENTIALS = {
    "ExpiredToken",
    "ExpiredTokenException",
    "RequestExpired",
    "InvalidClientTokenId",
    "UnrecognizedClientException",
    "AuthFailure",
    "SignatureDoesNotMatch",
    "InvalidToken",
}
CREDENTIALS_FIX = (
    "refresh the credentials (e.g. `aws sso login`, a new session token) or point "
    "AWS_PROFILE at a valid profile"
)

# (event name, handler) pairs registered on every client: for tests and diagnostics.
EVENT_HOOKS: list[tuple[str, Callable[..., Any]]] = []


@dataclass(frozen=True)
class RetryPolicy:
    """Backoff for throttling and unreachable endpoints: attempts, delays, time bounds.

    Defaults: a connect timeout of 3 s and a read timeout of 10 s per attempt (botocore's
    are 60 s each), at most 8 attempts, and a deadline of 40 s per call that a retry must
    fit in, so a hanging endpoint costs at most `worst_case` seconds, not minutes.
    """

    max_attempts: int = 8
    base_delay: float = 0.25
    max_delay: float = 4.0
    deadline: float = 40.0
    connect_timeout: float = 3.0
    read_timeout: float = 10.0

    @property
    def attempt_time(self) -> float:
        """The longest one attempt can wait on the network (connect, then one read)."""
        return self.connect_timeout + self.read_timeout

    @property
    def worst_case(self) -> float:
        """The longest one call can take before it gives up (a retry must fit the deadline)."""
        return max(self.deadline, self.attempt_time)


DEFAULT_POLICY = RetryPolicy()
POLICY: RetryPolicy = DEFAULT_POLICY  # tests shorten the delays in-process


def _read_only_guard(model: Any, **_: Any) -> None:
    name = model.name
    if not name.startswith(READ_PREFIXES) and name not in ALSO_ALLOWED:
        raise AwsError.single(
            "aws",
            name,
            "refused: the checks only read, and this call writes",
            "report this as a bug in foundation",
        )


@dataclass
class Aws:
    """Clients for one Region, with retries, counting and the read-only guard."""

    region: str
    profile: str | None = None  # the stack's aws:profile inside the Pulumi program
    policy: RetryPolicy = field(default_factory=lambda: POLICY)
    api_calls: int = 0
    _clients: dict[str, Any] = field(default_factory=dict)
    _session: Any = None
    _gave_up: AwsError | None = None  # the circuit breaker: set once a call gave up
    parent: Aws | None = None  # calls made in another account also count here

    def assumed(self, credentials: dict[str, Any]) -> Aws:
        """Clients for another account, from sts:AssumeRole credentials; calls count here too.

        The same bounds apply, and the circuit breaker is shared with this `Aws` (the
        endpoint is the same): an account given up on stops the others at once.
        """
        session = boto3.session.Session(
            aws_access_key_id=credentials["AccessKeyId"],
            aws_secret_access_key=credentials["SecretAccessKey"],
            aws_session_token=credentials["SessionToken"],
            region_name=self.region,
        )
        return Aws(self.region, policy=self.policy, _session=session, parent=self)

    def _root(self) -> Aws:
        """The network account's `Aws` (holds the shared circuit breaker)."""
        return self if self.parent is None else self.parent._root()

    def client(self, service: str) -> Any:
        """A cached client for one service."""
        if service not in self._clients:
            try:
                session = self._session or boto3.session.Session(
                    region_name=self.region, profile_name=self.profile
                )
                self._session = session
                client = session.client(
                    service,
                    config=Config(
                        region_name=self.region,
                        retries={"total_max_attempts": 1, "mode": "standard"},
                        connect_timeout=self.policy.connect_timeout,
                        read_timeout=self.policy.read_timeout,
                    ),
                )
            except (NoRegionError, BotoCoreError) as exc:
                raise AwsError.single(
                    "aws",
                    service,
                    f"cannot create a client ({exc})",
                    "check AWS_REGION / AWS_PROFILE / AWS_ENDPOINT_URL",
                ) from None
            client.meta.events.register("before-call", self._count)
            client.meta.events.register("before-parameter-build", self._guard)
            for event, handler in EVENT_HOOKS:
                client.meta.events.register(event, handler)
            self._clients[service] = client
        return self._clients[service]

    def _count(self, **_: Any) -> None:
        account: Aws | None = self
        while account is not None:
            account.api_calls += 1
            account = account.parent

    @staticmethod
    def _guard(model: Any, **kwargs: Any) -> None:
        _read_only_guard(model, **kwargs)

    def call(self, service: str, operation: str, **params: Any) -> dict[str, Any]:
        """One API call with retries on throttling and transient faults, inside a deadline.

        Raises:
            AwsError: unreachable, throttled beyond the retries, no or bad credentials.
            ClientError: any other answer from AWS (callers decide: fall back or fail).
        """
        breaker = self._root()
        if breaker._gave_up is not None:
            raise breaker._gave_up
        client = self.client(service)
        method = getattr(client, operation)
        what = f"{service}:{operation}"
        start = time.monotonic()
        attempt = 0
        while True:
            attempt += 1
            try:
                result: dict[str, Any] = method(**params)
                return result
            except ClientError as exc:
                code = exc.response.get("Error", {}).get("Code", "")
                status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
                if code in CREDENTIALS:
                    raise client_error(exc, what) from None
                if code not in THROTTLING and status not in TRANSIENT_STATUS:
                    raise
                reason = f"{code or status}"
            except (BotoConnectionError, HTTPClientError) as exc:
                # refused, DNS, TLS, connect or read timeout, connection dropped
                reason = _network_reason(exc)
            except ResponseParserError:
                raise AwsError.single(
                    "aws",
                    what,
                    "the endpoint answered something that is not an AWS response",
                    "check AWS_ENDPOINT_URL and any proxy between here and AWS",
                ) from None
            except NoCredentialsError:
                raise AwsError.single(
                    "aws",
                    what,
                    "no AWS credentials found",
                    "set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, "
                    "or run where a role is available",
                ) from None
            except BotoCoreError as exc:  # credential providers, SSO tokens, parameters
                raise AwsError.single(
                    "aws", what, f"cannot call AWS ({exc})", "check AWS_PROFILE and the credentials"
                ) from None
            elapsed = time.monotonic() - start
            delay = random.uniform(
                0, min(self.policy.max_delay, self.policy.base_delay * 2 ** (attempt - 1))
            )
            too_late = elapsed + delay + self.policy.attempt_time > self.policy.deadline
            if attempt >= self.policy.max_attempts or too_late:
                breaker._gave_up = AwsError.single(
                    "aws",
                    what,
                    f"gave up after {attempt} attempts in {elapsed:.1f}s ({reason})",
                    "AWS is throttling or unreachable: check AWS_ENDPOINT_URL, the network "
                    "and the Region, retry later, or lower the API load on this account",
                )
                raise breaker._gave_up from None
            time.sleep(delay)

    def pages(self, service: str, operation: str, key: str, **params: Any) -> Iterator[Any]:
        """Every item of a paged describe (NextToken), each page with retries."""
        token: str | None = None
        while True:
            page = self.call(
                service, operation, **params, **({"NextToken": token} if token else {})
            )
            yield from page.get(key, [])
            token = page.get("NextToken")
            if not token:
                return


def _network_reason(exc: Exception) -> str:
    """A short reason for a network failure: the exception's kind, never a URL's secrets."""
    return type(exc).__name__


def client_error(exc: ClientError, what: str) -> AwsError:
    """A non-retryable AWS error as a user-facing AwsError (exit 2)."""
    code = exc.response.get("Error", {}).get("Code", "?")
    message = exc.response.get("Error", {}).get("Message", "")
    if code in CREDENTIALS:
        fix = CREDENTIALS_FIX
    elif any(word in code for word in DENIED):
        fix = IAM_FIX
    else:
        fix = "check the account, Region and endpoint"
    return AwsError.single("aws", what, f"{code}: {message}", fix)
