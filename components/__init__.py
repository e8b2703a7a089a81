"""Pulumi ComponentResources built from a NetworkPlan; the only code importing pulumi_aws."""

from components.network import Network

__all__ = ["Network"]
