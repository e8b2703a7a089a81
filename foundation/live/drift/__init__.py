"""Drift detection: the live network (read-only) against the NetworkPlan itself."""
