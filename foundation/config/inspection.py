"""The `inspection:` block (DESIGN §3.10): central inspection with AWS Network Firewall.

Defaults state their behaviour:

- ``size``: 24 -- a /24 inspection VPC: AZ slots (one spare) each holding the transit /28
  and the firewall /28.
- ``eastWest``: true -- traffic between spokes of different (connected) segments passes
  the firewall.
- ``egress``: true -- internet-bound traffic passes the firewall before the hub's NAT.
- ``withinSegment``: false -- spokes of one segment talk directly.
- ``allowDomains``: absent -- all egress passes the firewall and is logged (alert rule);
  with a list, only TLS SNI / HTTP Host names in it pass (a leading dot allows the domain
  and every subdomain), everything else is dropped.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import (
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    field_validator,
)

from foundation.config.base import SizedVpc
from foundation.errors import Problem

INSPECTION = "inspection"  # the VPC, its attachment and its TGW table share this name
DEFAULT_INSPECTION_SIZE = 24
FIREWALL_PREFIX = 28  # AWS: the firewall subnet needs at least a /28 per AZ
MAX_DOMAINS = 400  # two rules each (TLS, HTTP) + 2 fit the rule group's fixed capacity 1,000
LABEL = r"(?!-)[a-z0-9-]{1,63}(?<!-)"
DOMAIN_RE = re.compile(rf"^\.?(?:{LABEL}\.)+[a-z][a-z0-9-]{{0,62}}(?<!-)\Z")


def domain_problem(domain: str) -> str:
    """What is wrong with an allow-list domain, or '' when it is a DNS name."""
    if domain != domain.strip() or not domain:
        return "is empty or has surrounding spaces"
    if domain.lower() != domain:
        return "has upper-case letters (names match case-insensitively; write it lower-case)"
    if "*" in domain:
        return "uses '*'; Network Firewall domain lists take a leading dot for subdomains"
    if len(domain.lstrip(".")) > 253 or not DOMAIN_RE.match(domain):
        return "is not a DNS name (labels of letters, digits and '-', separated by dots)"
    return ""


class InspectionSpec(SizedVpc):
    """Central inspection: an inspection VPC with a firewall endpoint per AZ."""

    size: Annotated[StrictInt, Field(ge=16, le=28)] | None = None
    cidr: StrictStr | None = None
    east_west: StrictBool = True
    egress: StrictBool = True
    within_segment: StrictBool = False
    allow_domains: list[StrictStr] | None = None

    @field_validator("allow_domains")
    @classmethod
    def _domains(cls, value: list[str] | None) -> list[str] | None:
        for domain in value or []:
            problem = domain_problem(domain)
            if problem:
                raise ValueError(
                    f"allowDomains entry '{domain}' {problem} || write names like "
                    "example.com, or .example.com for the domain and its subdomains"
                )
        if value is not None and len(value) > MAX_DOMAINS:
            raise ValueError(
                f"allowDomains lists {len(value)} domains, more than {MAX_DOMAINS} || use "
                "leading-dot entries (.example.com) to cover subdomains with one entry"
            )
        if value is not None and len(set(value)) != len(value):
            dupes = sorted({d for d in value if value.count(d) > 1})
            raise ValueError(
                f"allowDomains lists {', '.join(dupes)} more than once || list each domain once"
            )
        if value is not None and not value:
            raise ValueError(
                "allowDomains is empty, which would drop all egress || list the allowed "
                "domains, or remove allowDomains to allow (and log) all egress"
            )
        return value


def inspection_problems(raw: Mapping[str, Any], root: str, source: str) -> list[Problem]:
    """Checks across keys: egress inspection needs hub egress; reserved names."""
    problems: list[Problem] = []
    block = raw.get("inspection")
    hub = raw.get("hub")
    hub_egress = hub.get("egress", "nat-per-az") if isinstance(hub, dict) else "nat-per-az"
    if isinstance(block, dict) and block.get("egress", True) is True and hub_egress == "none":
        problems.append(
            Problem(
                source,
                f"{root}.inspection.egress",
                "egress inspection needs internet egress, but hub.egress is none",
                "set inspection.egress: false, or give the hub egress (hub.egress: nat-per-az)",
            )
        )
    for key in ("spokes", "segments"):
        names = raw.get(key)
        if isinstance(names, dict) and INSPECTION in names:
            problems.append(
                Problem(
                    source,
                    f"{root}.{key}.{INSPECTION}",
                    f"'{INSPECTION}' is a reserved name (the inspection VPC and TGW table)",
                    "rename it",
                )
            )
    return problems
