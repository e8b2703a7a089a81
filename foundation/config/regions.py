"""The offline catalogue of Regions and their AZ IDs (data in data/regions.json).

Offline there is no AWS to ask which AZs a Region has, yet a plan must be checked and named
without credentials. Live runs resolve AZs through AWS instead (see foundation.program).
"""

from __future__ import annotations

import json
import string
from functools import cache
from importlib import resources


@cache
def catalogue() -> dict[str, tuple[str, ...]]:
    """Return Region -> AZ IDs, as shipped with the tool."""
    raw = json.loads(resources.files("foundation.config").joinpath("data/regions.json").read_text())
    return {region: tuple(ids) for region, ids in raw["regions"].items()}


def offline_az_names(region: str, count: int) -> list[str]:
    """Name the first `count` AZs of a Region the way offline plans show them."""
    return [f"{region}{letter}" for letter in string.ascii_lowercase[:count]]


def is_az_name(region: str, value: str) -> bool:
    """Tell whether `value` is a plausible AZ name (`us-east-1a`) of the Region."""
    ids = catalogue().get(region, ())
    suffix = value[len(region) :]
    return (
        value.startswith(region)
        and len(suffix) == 1
        and suffix in string.ascii_lowercase[: len(ids)]
    )


def is_az_id(region: str, value: str) -> bool:
    """Tell whether `value` is one of the Region's AZ IDs (`use1-az1`)."""
    return value in catalogue().get(region, ())


def az_id_order(az_id: str) -> tuple[str, int]:
    """Sort key of AZ IDs: `use1-az2` before `use1-az10` (the catalogue's order)."""
    prefix, _, number = az_id.rpartition("-az")
    return (prefix, int(number) if number.isdigit() else 0)
