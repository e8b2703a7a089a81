"""What every block of the stack config shares: strict camelCase models and the VPC shape.

The hub, the spokes, and the inspection and services VPCs are each given by `size` (a
prefix length the IPAM allocates) or by `cidr` (taken as written), never both; one rule,
one message, wherever a VPC is declared.
"""

from __future__ import annotations

from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, StrictInt, field_validator, model_validator
from pydantic.alias_generators import to_camel

from ipam.cidr import CidrError, parse_cidr

VPC_MIN_PREFIX, VPC_MAX_PREFIX = 16, 28  # the VPC sizes AWS allows
Prefix = Annotated[StrictInt, Field(ge=VPC_MIN_PREFIX, le=VPC_MAX_PREFIX)]


class ConfigModel(BaseModel):
    """A block of the stack config: unknown keys refused, camelCase keys, immutable."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, alias_generator=to_camel, populate_by_name=False
    )


class SizedVpc(ConfigModel):
    """A VPC block: its `cidr` within the VPC sizes AWS allows, and `size` or `cidr`."""

    @field_validator("cidr", check_fields=False)
    @classmethod
    def _cidr(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                parse_cidr(value, VPC_MIN_PREFIX, VPC_MAX_PREFIX)
            except CidrError as exc:
                raise ValueError(f"{exc.message} || {exc.fix}") from None
        return value

    @model_validator(mode="after")
    def _size_or_cidr(self) -> Self:
        if getattr(self, "size", None) is not None and getattr(self, "cidr", None) is not None:
            raise ValueError("give either size or cidr, not both || remove one of them")
        return self
