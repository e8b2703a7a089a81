"""What the user asked for: pydantic models of the stack config, validated at the boundary.

Every problem is reported at once, each with its key path and a fix. Defaults state their
behaviour:

- ``availabilityZones``: 3 -- the first three AZs the Region offers (no opt-in zones).
- ``hub.size``: 22 -- a /22 hub, split into AZ slots (one spare); public tier a quarter slot.
- ``hub.egress``: ``nat-per-az`` -- one NAT per AZ, so losing an AZ never breaks another.
- spoke ``size``: 21; spoke ``tiers``: ``{private: <half an AZ slot>}``.
- ``flowLogs``: CloudWatch, ALL traffic, 90 days retention, log groups encrypted by
  CloudWatch Logs' own key (``kmsKey: true`` creates a customer-managed key with rotation
  for the stack's flow-log groups; ``kmsKeyArn`` uses an existing one in the same Region).
- ``gatewayEndpoints``: s3 and dynamodb on every workload route table.
- ``quotas``: ``enforce`` with 15% headroom (REL01-BP06).
- ``drift``: ``warn`` (findings become Pulumi warnings; use ``fail`` to stop a deployment).
- ``transitGateway``: ASN 64512, auto-accept off, default route table association and
  propagation off (segments need explicit tables).
- ``peers``: none -- the stack is alone in its Region. Listed stacks (each listing this one
  back, with a distinct ``transitGateway.asn``) are peered TGW to TGW (DESIGN §3.9).
- ``alarms``: absent -- no CloudWatch alarms and no SNS topic. With it, every NAT gateway and
  the TGW get alarms (DESIGN §3.13) that notify the topic on ALARM and OK.
"""

from __future__ import annotations

import difflib
import re
import typing
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    ValidationError,
    field_validator,
    model_validator,
)

from foundation.config import regions
from foundation.config.accounts import NETWORK, account_problems
from foundation.config.base import ConfigModel, Prefix, SizedVpc
from foundation.config.hybrid import OnPremisesSpec, hybrid_problems
from foundation.config.inspection import InspectionSpec, inspection_problems
from foundation.config.peers import peer_key_problems
from foundation.config.services import SharedServicesSpec, services_problems
from foundation.errors import InputError, Problem

ROOT = "foundation:network"
NAME_RE = re.compile(r"^[a-z][a-z0-9-]{0,30}\Z")
TIER_RE = re.compile(r"^[a-z][a-z0-9]{0,15}\Z")
KMS_KEY_ARN_RE = re.compile(
    r"^arn:aws(?:-[a-z]+)*:kms:(?P<region>[a-z0-9-]+):\d{12}:key/"
    r"(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})\Z"
)
RETENTION_DAYS = (
    1,
    3,
    5,
    7,
    14,
    30,
    60,
    90,
    120,
    150,
    180,
    365,
    400,
    545,
    731,
    1096,
    1827,
    2192,
    2557,
    2922,
    3288,
    3653,
)
# Amazon-side ASNs AWS accepts for a Transit Gateway: the private 16-bit and 32-bit ranges.
PRIVATE_ASNS = ((64512, 65534), (4200000000, 4294967294))
DEFAULT_HUB_SIZE = 22
DEFAULT_SPOKE_SIZE = 21


_Model = ConfigModel


class _VpcSpec(SizedVpc):
    size: Prefix | None = None
    cidr: StrictStr | None = None
    tiers: dict[str, Prefix] | None = None


class HubSpec(_VpcSpec):
    """The hub VPC: central egress (IGW + NAT) and the return path to the spokes."""

    egress: Literal["nat-per-az", "single-nat", "none"] = "nat-per-az"


class SpokeSpec(_VpcSpec):
    """A workload VPC attached to the Transit Gateway in one segment (and one account)."""

    segment: StrictStr
    account: StrictStr = NETWORK


class AccountSpec(_Model):
    """An AWS account: its id, the role assumed to deploy there and to read it."""

    id: StrictStr | StrictInt | None = None
    role: StrictStr | None = None
    read_role: StrictStr | None = None


class ShareSpec(_Model):
    """How the network account shares the Transit Gateway through AWS RAM."""

    principals: list[StrictStr] | None = None
    accept_invitations: StrictBool = False
    allow_external_principals: StrictBool = False


class SegmentSpec(_Model):
    """A bulkhead: spokes reach their own segment (unless isolated) and connected ones."""

    connects_to: list[StrictStr] = []
    isolated: StrictBool = False


BUCKET_ARN_RE = re.compile(r"^arn:aws(?:-cn|-us-gov)?:s3:::(?P<bucket>[^/]*)(?:/(?P<prefix>.*))?\Z")
BUCKET_RE = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\Z")
PREFIX_RE = re.compile(r"^(?:[A-Za-z0-9!_.*'()-]+/)*[A-Za-z0-9!_.*'()-]*\Z")
IPV4_RE = re.compile(r"^\d+\.\d+\.\d+\.\d+\Z")
BUCKET_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
BUCKET_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")


def bucket_arn_problem(arn: str) -> str:
    """What is wrong with a flow-log S3 destination ARN (S3 naming rules), or ''."""
    match = BUCKET_ARN_RE.match(arn)
    if not match:
        return "expected arn:<partition>:s3:::<bucket>"
    bucket, prefix = match["bucket"], match["prefix"]
    if not BUCKET_RE.match(bucket):
        return (
            f"bucket name '{bucket}' must be 3-63 lower-case letters, digits, '.' or '-', "
            "starting and ending with a letter or digit"
        )
    if ".." in bucket or IPV4_RE.match(bucket):
        return f"bucket name '{bucket}' has adjacent periods or looks like an IP address"
    if bucket.startswith(BUCKET_PREFIXES) or bucket.endswith(BUCKET_SUFFIXES):
        return f"bucket name '{bucket}' uses a prefix or suffix S3 reserves"
    if prefix is not None and not PREFIX_RE.match(prefix):
        return f"prefix '{prefix}' must be '/'-separated letters, digits and !_.*'()-"
    if prefix is not None and prefix.split("/")[0] == "AWSLogs":
        return "the prefix may not start with AWSLogs (flow logs add it themselves)"
    return ""


class FlowLogSpec(_Model):
    """VPC flow logs (FSBP EC2.6); CloudWatch with retention, or an existing S3 bucket."""

    enabled: StrictBool = True
    destination: Literal["cloudwatch", "s3"] = "cloudwatch"
    retention_days: StrictInt = 90
    bucket_arn: StrictStr | None = None
    traffic_type: Literal["ALL", "ACCEPT", "REJECT"] = "ALL"
    kms_key: StrictBool = False
    kms_key_arn: StrictStr | None = None

    @field_validator("retention_days")
    @classmethod
    def _retention(cls, value: int) -> int:
        if value not in RETENTION_DAYS:
            allowed = ", ".join(str(d) for d in RETENTION_DAYS)
            raise ValueError(
                f"{value} is not a CloudWatch retention period || use one of {allowed}"
            )
        return value

    @field_validator("bucket_arn")
    @classmethod
    def _bucket_arn(cls, value: str | None) -> str | None:
        if value is not None:
            problem = bucket_arn_problem(value)
            if problem:
                raise ValueError(
                    f"'{value}' is not an S3 bucket ARN: {problem} "
                    "|| write arn:aws:s3:::<bucket>[/<prefix>] (aws-cn, aws-us-gov in those "
                    "partitions) with a valid bucket name"
                )
        return value

    @model_validator(mode="after")
    def _bucket(self) -> FlowLogSpec:
        if self.enabled and self.destination == "s3" and not self.bucket_arn:
            raise ValueError(
                "destination s3 needs bucketArn || set bucketArn to the log archive bucket's ARN"
            )
        if self.kms_key and self.kms_key_arn:
            raise ValueError(
                "give either kmsKey: true (a key for this stack) or kmsKeyArn (an existing "
                "key), not both || remove one of them"
            )
        if (self.kms_key or self.kms_key_arn) and self.destination != "cloudwatch":
            raise ValueError(
                "kmsKey and kmsKeyArn encrypt CloudWatch log groups; S3 flow logs use the "
                "bucket's encryption || remove them, or use destination: cloudwatch"
            )
        if self.kms_key_arn is not None and not KMS_KEY_ARN_RE.match(self.kms_key_arn):
            raise ValueError(
                f"kmsKeyArn '{self.kms_key_arn}' is not a KMS key ARN || use the key's ARN, "
                "arn:aws:kms:<region>:<account>:key/<key id> (not an alias; CloudWatch Logs "
                "needs the key ARN)"
            )
        return self


def _off(value: object) -> object:
    """YAML 1.1 (PyYAML) reads a bare `off` as false; Pulumi's YAML reads it as a string."""
    return "off" if value is False else value


class QuotaSpec(_Model):
    """Quota preflight: enforce stops a deployment AWS would refuse half-way."""

    mode: Literal["enforce", "warn", "off"] = "enforce"
    headroom: Annotated[float, Field(ge=0.0, lt=1.0)] = 0.15

    _mode = field_validator("mode", mode="before")(lambda cls, v: _off(v))


class IgnoreRule(_Model):
    """One accepted drift exception; patterns are shell globs (`*`, `?`)."""

    type: StrictStr = "*"
    name: StrictStr = "*"
    attribute: StrictStr = "*"
    reason: StrictStr

    @field_validator("reason")
    @classmethod
    def _reason(cls, value: str) -> str:
        if not value.strip():
            raise ValueError(
                "an accepted drift exception needs a reason "
                "|| say why it is accepted (a ticket, an owner)"
            )
        return value


class DriftSpec(_Model):
    """Drift check on every run: fail stops, warn logs, off skips."""

    mode: Literal["fail", "warn", "off"] = "warn"
    ignore: list[IgnoreRule] = []

    _mode = field_validator("mode", mode="before")(lambda cls, v: _off(v))


class TransitGatewaySpec(_Model):
    """Transit Gateway options; auto-accept stays off unless a team insists (EC2.23)."""

    asn: StrictInt = 64512
    auto_accept_shared_attachments: StrictBool = False

    @field_validator("asn")
    @classmethod
    def _asn(cls, value: int) -> int:
        if not any(low <= value <= high for low, high in PRIVATE_ASNS):
            raise ValueError(
                f"{value} is not a private ASN AWS accepts for a Transit Gateway "
                "|| use 64512-65534 (16-bit) or 4200000000-4294967294 (32-bit)"
            )
        return value


SNS_ARN_RE = re.compile(r"^arn:aws[a-z-]*:sns:([a-z0-9-]+):(\d{12}):([A-Za-z0-9_-]{1,256})\Z")
EMAIL_RE = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+\Z")
URL_RE = re.compile(r"^https://[A-Za-z0-9.-]+(:\d+)?(/[^\s]*)?\Z")


class AlarmSpec(_Model):
    """Where alarms notify: a topic created as `<stack>-<topic>`, or an existing topicArn."""

    topic: StrictStr | None = None
    topic_arn: StrictStr | None = None
    email: list[StrictStr] = []
    runbook_base_url: StrictStr | None = None

    @field_validator("topic")
    @classmethod
    def _topic(cls, value: str | None) -> str | None:
        if value is not None and not NAME_RE.match(value):
            raise ValueError(
                f"invalid topic name '{value}' || use lower-case letters, digits and '-' "
                "(the topic is created as <stack>-<topic>)"
            )
        return value

    @field_validator("topic_arn")
    @classmethod
    def _topic_arn(cls, value: str | None) -> str | None:
        if value is not None and not SNS_ARN_RE.match(value):
            raise ValueError(
                f"'{value}' is not an SNS topic ARN || write "
                "arn:aws:sns:<region>:<12-digit account>:<topic name>"
            )
        return value

    @field_validator("email")
    @classmethod
    def _email(cls, value: list[str]) -> list[str]:
        bad = [e for e in value if not EMAIL_RE.match(e)]
        if bad:
            raise ValueError(
                f"not an email address: {', '.join(bad)} || write addresses like netops@example.com"
            )
        if len(set(value)) != len(value):
            raise ValueError("an address is listed twice || list each address once")
        return value

    @field_validator("runbook_base_url")
    @classmethod
    def _base_url(cls, value: str | None) -> str | None:
        if value is not None and not URL_RE.match(value):
            raise ValueError(
                f"'{value}' is not an https URL || point it at the docs/runbooks folder, "
                "e.g. https://github.com/acme/network/blob/main/docs/runbooks"
            )
        return value.rstrip("/") if value else value

    @model_validator(mode="after")
    def _one_topic(self) -> AlarmSpec:
        if (self.topic is None) == (self.topic_arn is None):
            raise ValueError(
                "give exactly one of topic and topicArn || topic: <name> creates an encrypted "
                "topic, topicArn: uses an existing one"
            )
        return self


class NetworkSpec(_Model):
    """The `foundation:network` config object of one stack."""

    pool: StrictStr
    availability_zones: StrictInt | list[StrictStr] = 3
    hub: HubSpec = HubSpec()
    segments: dict[str, SegmentSpec]
    spokes: dict[str, SpokeSpec] = {}
    flow_logs: FlowLogSpec = FlowLogSpec()
    gateway_endpoints: list[Literal["s3", "dynamodb"]] = ["s3", "dynamodb"]
    quotas: QuotaSpec = QuotaSpec()
    drift: DriftSpec = DriftSpec()
    transit_gateway: TransitGatewaySpec = TransitGatewaySpec()
    production: StrictBool = False
    accounts: dict[str, AccountSpec] = {}
    share: ShareSpec | None = None
    peers: list[StrictStr] = []  # stacks in other Regions, peered TGW to TGW (DESIGN §3.9)

    @property
    def multi_account(self) -> bool:
        """Whether some spoke lives outside the network account (AZ slots are then AZ IDs)."""
        return any(s.account != NETWORK for s in self.spokes.values())

    alarms: AlarmSpec | None = None
    on_premises: OnPremisesSpec | None = None  # DESIGN §3.14; absent: no hybrid
    shared_services: SharedServicesSpec | None = None  # DESIGN §3.15
    inspection: InspectionSpec | None = None  # DESIGN §3.10; absent: nothing is inspected

    @property
    def az_count(self) -> int:
        """Number of AZs the stack uses."""
        azs = self.availability_zones
        return azs if isinstance(azs, int) else len(azs)


class StackSpec(BaseModel):
    """A validated stack: its name, Region and network."""

    model_config = ConfigDict(frozen=True)

    name: str
    region: str
    network: NetworkSpec
    source: str


# --- turning pydantic errors into Problems -------------------------------------------------


def _field_type(model: type[BaseModel], alias: str) -> Any:
    for name, info in model.model_fields.items():
        if (info.alias or name) == alias:
            return info.annotation
    return None


def _allowed_keys(loc: tuple[Any, ...]) -> list[str]:
    """Walk NetworkSpec along an error location to list the keys allowed at its parent."""
    current: Any = NetworkSpec
    for part in loc[:-1]:
        current = _unwrap(current)
        if isinstance(current, type) and issubclass(current, BaseModel):
            current = _field_type(current, str(part))
        elif typing.get_origin(current) in (dict, list):
            current = typing.get_args(current)[-1]
        else:
            return []
    current = _unwrap(current)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return [info.alias or name for name, info in current.model_fields.items()]
    return []


def _unwrap(tp: Any) -> Any:
    """Strip Optional/Annotated so the walk sees the model or container inside."""
    while True:
        origin = typing.get_origin(tp)
        if origin is Annotated:
            tp = typing.get_args(tp)[0]
        elif origin in (typing.Union, getattr(__import__("types"), "UnionType", None)):
            args = [a for a in typing.get_args(tp) if a is not type(None)]
            models = [a for a in args if isinstance(a, type) and issubclass(a, BaseModel)]
            containers = [a for a in args if typing.get_origin(a) in (dict, list)]
            tp = (models or containers or args)[0]
        else:
            return tp


UNION_BRANCHES = ("int", "str", "list[str]", "function-after[_cidr(), str]")  # pydantic adds these


def _path(prefix: str, loc: tuple[Any, ...]) -> str:
    return prefix + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc)


def problems_from_validation(exc: ValidationError, source: str, prefix: str) -> list[Problem]:
    """Turn each pydantic error into one Problem with key path, message and fix."""
    problems: list[Problem] = []
    seen: set[tuple[str, str]] = set()
    for err in exc.errors():
        loc = tuple(p for p in err["loc"] if p not in UNION_BRANCHES)
        path = _path(prefix, loc)
        kind = err["type"]
        value = err.get("input")
        if kind == "extra_forbidden":
            key = str(loc[-1])
            allowed = _allowed_keys(loc)
            close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
            hint = f"did you mean '{close[0]}'? " if close else ""
            message, fix = f"unknown key '{key}'", f"{hint}allowed keys here: {', '.join(allowed)}"
        elif kind == "missing":
            message, fix = "required key is missing", "add it"
        elif kind == "value_error":
            text = str(err["msg"]).removeprefix("Value error, ")
            message, _, fix = (s.strip() for s in text.partition("||"))
        elif kind in ("int_type", "int_parsing", "int_from_float"):
            message, fix = (
                f"expected a whole number, got {value!r}",
                "write a number without quotes",
            )
        elif kind in ("bool_type", "bool_parsing"):
            message, fix = f"expected true or false, got {value!r}", "write true or false"
        elif kind in ("string_type",):
            message, fix = f"expected a string, got {value!r}", "quote the value"
        elif kind in ("dict_type", "model_type", "model_attributes_type"):
            message, fix = f"expected a mapping, got {value!r}", "write key: value pairs"
        elif kind == "list_type":
            message, fix = f"expected a list, got {value!r}", "write a YAML list"
        elif kind in ("greater_than_equal", "less_than_equal", "less_than", "greater_than"):
            message, fix = (
                f"{value!r} is out of range: {err['msg'].lower()}",
                "pick a value in range",
            )
        else:
            message, fix = f"{err['msg']} (got {value!r})", "correct the value"
        if (path, message) not in seen:
            seen.add((path, message))
            problems.append(Problem(source, path, message, fix))
    return problems


# --- cross-reference checks on the raw mapping ---------------------------------------------


def _cross_references(raw: Mapping[str, Any], region: str, source: str) -> list[Problem]:
    """Checks pydantic cannot express: names, references between keys, AZs of the Region."""
    problems: list[Problem] = []
    segments = raw.get("segments")
    segment_names = list(segments) if isinstance(segments, dict) else []
    known = ", ".join(segment_names) or "(none defined)"
    if isinstance(segments, dict) and not segments:
        problems.append(
            Problem(
                source,
                f"{ROOT}.segments",
                "no segment is defined",
                "define at least one segment, for example shared: {}",
            )
        )
    for name in segment_names:
        path = f"{ROOT}.segments.{name}"
        if not NAME_RE.match(str(name)) or name == "hub":
            problems.append(
                Problem(
                    source,
                    path,
                    f"invalid segment name '{name}'",
                    "use lower-case letters, digits and '-' (not 'hub')",
                )
            )
        body = segments.get(name) if isinstance(segments, dict) else None
        targets = body.get("connectsTo") if isinstance(body, dict) else None
        if isinstance(targets, list):
            for i, target in enumerate(targets):
                if target not in segment_names:
                    problems.append(
                        Problem(
                            source,
                            f"{path}.connectsTo[{i}]",
                            f"connectsTo names undefined segment '{target}'",
                            f"use one of: {known}, or define segment '{target}'",
                        )
                    )
                elif target == name:
                    problems.append(
                        Problem(
                            source,
                            f"{path}.connectsTo[{i}]",
                            "a segment cannot connect to itself",
                            "remove it; a segment reaches itself unless isolated",
                        )
                    )
    spokes = raw.get("spokes")
    if isinstance(spokes, dict):
        for name, body in spokes.items():
            path = f"{ROOT}.spokes.{name}"
            if not NAME_RE.match(str(name)) or name == "hub":
                problems.append(
                    Problem(
                        source,
                        path,
                        f"invalid spoke name '{name}'",
                        "use lower-case letters, digits and '-' (not 'hub')",
                    )
                )
            if not isinstance(body, dict):
                continue
            segment = body.get("segment")
            if isinstance(segment, str) and segment not in segment_names:
                close = difflib.get_close_matches(segment, segment_names, n=1)
                hint = f"did you mean '{close[0]}'? " if close else ""
                problems.append(
                    Problem(
                        source,
                        f"{path}.segment",
                        f"spoke names undefined segment '{segment}'",
                        f"{hint}defined segments: {known}",
                    )
                )
            problems += _tier_problems(body.get("tiers"), f"{path}.tiers", source, hub=False)
    endpoints = raw.get("gatewayEndpoints")
    if isinstance(endpoints, list):
        for i, service in enumerate(endpoints):
            if isinstance(service, str) and service in endpoints[:i]:
                problems.append(
                    Problem(
                        source,
                        f"{ROOT}.gatewayEndpoints[{i}]",
                        f"gateway endpoint '{service}' is listed twice "
                        f"(first at gatewayEndpoints[{endpoints.index(service)}])",
                        "list each service once; a VPC takes one gateway endpoint per service",
                    )
                )
    hub = raw.get("hub")
    if isinstance(hub, dict):
        problems += _tier_problems(hub.get("tiers"), f"{ROOT}.hub.tiers", source, hub=True)
    problems += _az_problems(raw.get("availabilityZones", 3), region, source)
    problems += account_problems(raw, ROOT, source)
    problems += _kms_region_problems(raw.get("flowLogs"), region, source)
    problems += _alarm_problems(raw.get("alarms"), region, source)
    problems += hybrid_problems(raw, source, region)
    problems += services_problems(raw, region, ROOT, source)
    problems += inspection_problems(raw, ROOT, source)
    return problems


def _kms_region_problems(flow: Any, region: str, source: str) -> list[Problem]:
    """CloudWatch Logs can only use a KMS key of its own Region."""
    arn = flow.get("kmsKeyArn") if isinstance(flow, dict) else None
    match = KMS_KEY_ARN_RE.match(arn) if isinstance(arn, str) else None
    if match and match["region"] != region:
        return [
            Problem(
                source,
                f"{ROOT}.flowLogs.kmsKeyArn",
                f"the key is in {match['region']}, the stack in {region}",
                f"use a key in {region} (CloudWatch Logs cannot use another Region's key), "
                "or kmsKey: true",
            )
        ]
    return []


def _alarm_problems(alarms: Any, region: str, source: str) -> list[Problem]:
    """CloudWatch alarms can only notify a topic in their own Region."""
    arn = alarms.get("topicArn") if isinstance(alarms, dict) else None
    match = SNS_ARN_RE.match(arn) if isinstance(arn, str) else None
    if match and match.group(1) != region:
        return [
            Problem(
                source,
                f"{ROOT}.alarms.topicArn",
                f"the topic is in {match.group(1)}, the stack in {region}; CloudWatch alarms "
                "only notify topics in their own Region",
                f"use a topic in {region}, or topic: <name> to create one",
            )
        ]
    return []


def _tier_problems(tiers: Any, path: str, source: str, hub: bool) -> list[Problem]:
    problems: list[Problem] = []
    if not isinstance(tiers, dict):
        return problems
    if not tiers and not hub:
        problems.append(
            Problem(
                source,
                path,
                "a spoke needs at least one workload tier",
                "remove tiers to get the default private tier, or name one",
            )
        )
    for tier in tiers:
        if tier == "transit":
            problems.append(
                Problem(
                    source,
                    f"{path}.{tier}",
                    "'transit' is reserved (a /28 per AZ is always created)",
                    "remove it",
                )
            )
        elif hub and tier != "public":
            problems.append(
                Problem(
                    source,
                    f"{path}.{tier}",
                    "the hub takes no workload tiers: spokes could not answer them (the "
                    "segment tables blackhole the pool, which holds the hub's CIDR), and "
                    "workloads there would sit outside every segment",
                    "put these workloads in a spoke, e.g. of a segment every other "
                    "segment connects to (shared); hub.tiers may only size public",
                )
            )
        elif tier == "public" and not hub:
            problems.append(
                Problem(
                    source,
                    f"{path}.{tier}",
                    "spokes have no public tier (egress goes through the hub)",
                    "remove it or put public workloads behind the hub",
                )
            )
        elif not TIER_RE.match(str(tier)):
            problems.append(
                Problem(
                    source,
                    f"{path}.{tier}",
                    f"invalid tier name '{tier}'",
                    "use lower-case letters and digits, starting with a letter",
                )
            )
    return problems


def _az_problems(azs: Any, region: str, source: str) -> list[Problem]:
    path = f"{ROOT}.availabilityZones"
    offered = regions.catalogue().get(region)
    if offered is None:
        return []  # the unknown Region is reported at aws:region
    if isinstance(azs, bool):
        return []  # reported by the type check
    if isinstance(azs, int):
        if azs < 2:
            return [
                Problem(
                    source,
                    path,
                    f"{azs} AZ is too few for a reliable network",
                    "use at least 2 (3 recommended, REL10)",
                )
            ]
        if azs > len(offered):
            return [
                Problem(
                    source,
                    path,
                    f"{region} offers {len(offered)} AZs, not {azs}",
                    f"use at most {len(offered)}",
                )
            ]
        return []
    if not isinstance(azs, list):
        return []
    problems: list[Problem] = []
    if len(azs) < 2:
        problems.append(
            Problem(
                source,
                path,
                f"{len(azs)} AZ is too few for a reliable network",
                "list at least 2 AZs",
            )
        )
    for i, az in enumerate(azs):
        if not isinstance(az, str):
            continue
        if not (regions.is_az_name(region, az) or regions.is_az_id(region, az)):
            problems.append(
                Problem(
                    source,
                    f"{path}[{i}]",
                    f"'{az}' is not an AZ name or AZ ID of {region}",
                    f"use names like {region}a or IDs like {', '.join(offered[:3])}",
                )
            )
    names = [a for a in azs if isinstance(a, str) and regions.is_az_name(region, a)]
    ids = [a for a in azs if isinstance(a, str) and regions.is_az_id(region, a)]
    if names and ids:
        problems.append(
            Problem(
                source,
                path,
                f"the list mixes AZ names ({', '.join(names)}) and AZ IDs ({', '.join(ids)}); "
                "the name-to-ID mapping differs per account, so one AZ could be listed twice",
                f"list only AZ IDs (e.g. {', '.join(offered[:3])}), which name the same AZ "
                "in every account, or only names",
            )
        )
    dupes = sorted({a for a in azs if isinstance(a, str) and azs.count(a) > 1})
    for az in dupes:
        problems.append(Problem(source, path, f"AZ '{az}' is listed twice", "list each AZ once"))
    return problems


def parse_network(raw: Any, region: str, source: str, stack: str) -> StackSpec:
    """Validate the `foundation:network` object of one stack, reporting every problem.

    Raises:
        InputError: listing every problem found.
    """
    problems: list[Problem] = []
    if region not in regions.catalogue():
        known = ", ".join(sorted(regions.catalogue()))
        problems.append(
            Problem(
                source,
                "aws:region",
                f"unknown Region '{region}'",
                f"use one of {known} (or add it to foundation/config/data/regions.json)",
            )
        )
    if not isinstance(raw, dict):
        problems.append(
            Problem(
                source,
                ROOT,
                f"expected a mapping, got {raw!r}",
                "see the README's configuration reference",
            )
        )
        raise InputError(problems)
    network: NetworkSpec | None = None
    try:
        network = NetworkSpec.model_validate(raw)
    except ValidationError as exc:
        problems += problems_from_validation(exc, source, ROOT)
    problems += _cross_references(raw, region, source)
    problems += peer_key_problems(raw, stack, source)
    if problems or network is None:
        raise InputError(problems)
    return StackSpec(name=stack, region=region, network=network, source=source)
