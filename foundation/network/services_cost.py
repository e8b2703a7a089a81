"""What centralising interface endpoints saves (DESIGN §3.15), from the shipped prices.

Central: every service once, in every AZ, plus the services VPC's TGW attachment. The
alternative is one set per listed spoke (each service in each of its AZs). Resolver
endpoints are left out of both sides: a spoke-by-spoke design needs them too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from foundation.network.cost import FALLBACK_REGION, price_table
from foundation.network.model import NetworkPlan


@dataclass(frozen=True)
class Savings:
    """Monthly USD: one set per listed spoke, the central set, and the difference."""

    spokes: tuple[str, ...]
    endpoint_azs_central: int
    endpoint_azs_per_spoke: int
    per_spoke: float
    central: float
    approximate: bool

    @property
    def monthly(self) -> float:
        """What the central set saves each month (negative: it costs more)."""
        return round(self.per_spoke - self.central, 2)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: `monthly` (§3.15) and how it was computed."""
        return {
            "monthly": self.monthly,
            "perSpokeSets": self.per_spoke,
            "central": self.central,
            "spokes": list(self.spokes),
            "endpointAzsCentral": self.endpoint_azs_central,
            "endpointAzsPerSpoke": self.endpoint_azs_per_spoke,
            "approximate": self.approximate,
        }


def savings(plan: NetworkPlan) -> Savings | None:
    """The saving of the central interface endpoints, or None without shared services."""
    shared = plan.shared_services
    if shared is None:
        return None
    table = price_table()
    region = plan.region if plan.region in table["regions"] else FALLBACK_REGION
    hourly = table["regions"][region]["hourly"]
    hours = int(table["hoursPerMonth"])
    endpoint_az, attachment = float(hourly["interfaceEndpointAz"]), float(hourly["tgwAttachment"])
    central_units = sum(len(e.subnets) for e in shared.endpoints)
    spoke_units = sum(
        len(plan.vpc(s).subnets_of("transit")) * len(shared.endpoints) for s in shared.spokes
    )
    return Savings(
        spokes=shared.spokes,
        endpoint_azs_central=central_units,
        endpoint_azs_per_spoke=spoke_units,
        per_spoke=round(spoke_units * endpoint_az * hours, 2),
        central=round((central_units * endpoint_az + attachment) * hours, 2),
        approximate=region != plan.region,
    )
