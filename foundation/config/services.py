"""The `sharedServices:` block (DESIGN §3.15): central interface endpoints and DNS.

Defaults state their behaviour:

- ``size``: 24 -- a /24 `services` VPC, split into AZ slots (one spare) like every VPC; the
  `endpoints` tier takes half a slot (a /27 per AZ with four slots: 27 usable addresses,
  one per interface endpoint and per Resolver endpoint IP).
- ``segments``: absent -- every segment may use the services; listed -- only those.
- ``interfaceEndpoints``: none; each name is checked against the shipped per-Region list
  (data/endpoint_services.json, with its source and date).
- ``dns.inbound``: false -- no Resolver inbound endpoint; ``dns.forward``: none -- no
  outbound endpoint and no forwarding rules.
"""

from __future__ import annotations

import difflib
import ipaddress
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Annotated, Any

from pydantic import (
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
)

from foundation.config.base import ConfigModel, SizedVpc
from foundation.errors import Problem

KEY = "sharedServices"
VPC_NAME = "services"
DEFAULT_SERVICES_SIZE = 24
DOMAIN_RE = re.compile(
    r"^(?=.{1,253}\.?$)[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9])?)*\.?\Z"
)
MAX_TARGETS = 6  # Route 53 Resolver: target IPs per forwarding rule


_Model = ConfigModel


class DnsSpec(_Model):
    """Route 53 Resolver: an inbound endpoint, and forwarding rules via an outbound one."""

    inbound: StrictBool = False
    forward: dict[StrictStr, list[StrictStr]] = {}


class SharedServicesSpec(SizedVpc):
    """The services VPC, who may use it, its interface endpoints and its DNS."""

    size: Annotated[StrictInt, Field(ge=16, le=28)] | None = None
    cidr: StrictStr | None = None
    segments: list[StrictStr] | None = None
    interface_endpoints: list[StrictStr] = []
    dns: DnsSpec = DnsSpec()


@dataclass(frozen=True)
class EndpointService:
    """An AWS service offered as an interface endpoint, and the DNS name AWS gives it."""

    name: str
    dns: str  # e.g. ssm.us-east-1.amazonaws.com, *.dkr.ecr.us-east-1.amazonaws.com

    @property
    def zone(self) -> str:
        """The private hosted zone that answers for the service (the name without '*.')."""
        return self.dns.removeprefix("*.")

    @property
    def wildcard(self) -> bool:
        """Whether the zone needs a wildcard record too (e.g. <registry>.dkr.ecr...)."""
        return self.dns.startswith("*.")


@cache
def _catalogue() -> dict[str, Any]:
    text = resources.files("foundation.config").joinpath("data/endpoint_services.json")
    data: dict[str, Any] = json.loads(text.read_text())
    return data


def catalogue_source() -> tuple[str, str]:
    """Where the shipped service list comes from, and when it was compiled."""
    data = _catalogue()
    return str(data["source"]), str(data["date"])


def offered(region: str) -> tuple[str, ...]:
    """The interface endpoint services the shipped list knows for a Region."""
    return tuple(_catalogue()["regions"].get(region, ()))


def endpoint_service(region: str, name: str) -> EndpointService:
    """A service of the shipped list, its DNS name resolved for the Region."""
    return EndpointService(name, _catalogue()["services"][name].format(region=region))


def target_problem(value: str) -> str:
    """What is wrong with a forward target (an IPv4 address, not public), or ''."""
    try:
        ip = ipaddress.IPv4Address(value)
    except ValueError:
        return "is not an IPv4 address"
    if ip.is_loopback or ip.is_multicast or ip.is_unspecified or ip.is_link_local:
        return "is a loopback, multicast, link-local or unspecified address"
    if ip.is_global:
        return "is a public address (Resolver forwards over the TGW to private resolvers)"
    return ""


def _segment_problems(
    body: Mapping[str, Any], segments: list[str], root: str, source: str
) -> list[Problem]:
    listed = body.get("segments")
    out: list[Problem] = []
    if not isinstance(listed, list):
        return out
    known = ", ".join(segments) or "(none defined)"
    if not listed:
        out.append(
            Problem(
                source,
                f"{root}.segments",
                "the list is empty: no spoke could use the shared services",
                "list the segments that use them, or remove segments (every segment)",
            )
        )
    for i, name in enumerate(listed):
        if isinstance(name, str) and name not in segments:
            close = difflib.get_close_matches(name, segments, n=1)
            hint = f"did you mean '{close[0]}'? " if close else ""
            out.append(
                Problem(
                    source,
                    f"{root}.segments[{i}]",
                    f"names undefined segment '{name}'",
                    f"{hint}defined segments: {known}",
                )
            )
        elif isinstance(name, str) and name in listed[:i]:
            out.append(
                Problem(
                    source,
                    f"{root}.segments[{i}]",
                    f"'{name}' is listed twice",
                    "list each segment once",
                )
            )
    return out


def _endpoint_problems(
    body: Mapping[str, Any], region: str, root: str, source: str
) -> list[Problem]:
    names = body.get("interfaceEndpoints")
    out: list[Problem] = []
    if not isinstance(names, list):
        return out
    known = offered(region)
    for i, name in enumerate(names):
        if not isinstance(name, str):
            continue
        path = f"{root}.interfaceEndpoints[{i}]"
        if name not in known:
            close = difflib.get_close_matches(name, known, n=1)
            hint = f"did you mean '{close[0]}'? " if close else ""
            out.append(
                Problem(
                    source,
                    path,
                    f"'{name}' is not an interface endpoint service the shipped list knows "
                    f"in {region}",
                    f"{hint}use one of {', '.join(known) or '(none for this Region)'} "
                    "(foundation/config/data/endpoint_services.json)",
                )
            )
        elif name in names[:i]:
            out.append(Problem(source, path, f"'{name}' is listed twice", "list each service once"))
    return out


def _dns_problems(body: Mapping[str, Any], root: str, source: str) -> list[Problem]:
    dns = body.get("dns")
    forward = dns.get("forward") if isinstance(dns, dict) else None
    out: list[Problem] = []
    if not isinstance(forward, dict):
        return out
    seen: dict[str, str] = {}  # DNS names ignore case and a trailing dot
    for domain, targets in forward.items():
        path = f"{root}.dns.forward.{domain}"
        if not isinstance(domain, str) or not DOMAIN_RE.match(domain) or domain.strip(".") == "":
            out.append(
                Problem(
                    source,
                    path,
                    f"'{domain}' is not a DNS name",
                    "write a domain like corp.example.com (labels of letters, digits and '-', "
                    "separated by '.')",
                )
            )
        else:
            same = seen.setdefault(domain.lower().rstrip("."), domain)
            if same != domain:
                out.append(
                    Problem(
                        source,
                        path,
                        f"'{domain}' is the same domain as '{same}' (DNS names ignore case and "
                        "a trailing dot): Resolver refuses two rules for one domain in a VPC",
                        "list the domain once",
                    )
                )
        if not isinstance(targets, list):
            continue
        if not targets:
            out.append(
                Problem(
                    source,
                    path,
                    "no target resolver is listed",
                    "list the on-premises resolvers' IPv4 addresses",
                )
            )
        if len(targets) > MAX_TARGETS:
            out.append(
                Problem(
                    source,
                    path,
                    f"{len(targets)} targets; a Resolver rule takes at most {MAX_TARGETS}",
                    f"list at most {MAX_TARGETS} resolvers",
                )
            )
        for i, target in enumerate(targets):
            if not isinstance(target, str):
                continue
            problem = target_problem(target)
            if problem:
                out.append(
                    Problem(
                        source,
                        f"{path}[{i}]",
                        f"forward target '{target}' {problem}",
                        "use the private IPv4 address of a resolver on-premises",
                    )
                )
            elif target in targets[:i]:
                out.append(
                    Problem(
                        source,
                        f"{path}[{i}]",
                        f"'{target}' is listed twice",
                        "list each resolver once",
                    )
                )
    return out


def services_problems(raw: Mapping[str, Any], region: str, root: str, source: str) -> list[Problem]:
    """Checks of the block pydantic cannot express: segments, services, domains, targets.

    Also refuses a spoke or segment named `services` (a reserved name, DESIGN §3.6).
    """
    out: list[Problem] = []
    for kind in ("spokes", "segments"):
        body = raw.get(kind)
        if isinstance(body, dict) and VPC_NAME in body:
            out.append(
                Problem(
                    source,
                    f"{root}.{kind}.{VPC_NAME}",
                    f"'{VPC_NAME}' is a reserved name (the shared-services VPC and TGW table)",
                    "rename it",
                )
            )
    block = raw.get(KEY)
    if not isinstance(block, dict):
        return out
    segments = raw.get("segments")
    names = [str(s) for s in segments] if isinstance(segments, dict) else []
    path = f"{root}.{KEY}"
    out += _segment_problems(block, names, path, source)
    out += _endpoint_problems(block, region, path, source)
    out += _dns_problems(block, path, source)
    return out
