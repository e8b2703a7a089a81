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


@cache
def catalog() -> tuple[QuotaDef, ...]:
    """Every quota the network consumes."""
    text = resources.files("foundation.live.quotas").joinpath("catalog.yaml").read_text()
    return tuple(QuotaDef(**entry) for entry in yaml.safe_load(text))
