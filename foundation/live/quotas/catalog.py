"""The quota catalogue (catalog.yaml), loaded once into frozen entries."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml


@dataclass(frozen=True)
class QuotaDef:
    """One quota: where its limit lives, its scope, AWS's default, and what it counts."""

    service: str
    code: str
    name: str
    scope: str
    default: int
    adjustable: bool
    counts: str
    raises_with: str = ""  # AWS raises this quota together with that one
    optional: bool = False  # a row (and a live read) only when the plan counts it


def _entry(raw: dict[str, object]) -> QuotaDef:
    raw = dict(raw)
    raw["raises_with"] = raw.pop("raisesWith", "")
    return QuotaDef(**raw)  # type: ignore[arg-type]


@cache
def catalog() -> tuple[QuotaDef, ...]:
    """Every quota the network consumes."""
    text = resources.files("foundation.live.quotas").joinpath("catalog.yaml").read_text()
    return tuple(_entry(entry) for entry in yaml.safe_load(text))


def increase_fix(code: str) -> str:
    """How to raise quota `code`: itself in Service Quotas, or the quota AWS raises it with."""
    quotas = {q.code: q for q in catalog()}
    quota = quotas.get(code)
    if quota is not None and quota.raises_with in quotas:
        other = quotas[quota.raises_with]
        return (
            f"request an increase of {other.code} ({other.name}, {other.service}) in Service "
            f"Quotas: AWS raises {quota.name} together with it"
        )
    service = quota.service if quota else "?"
    return f"request an increase of {code} ({service}) in Service Quotas"
