"""Analyses of a NetworkPlan: reachability, AZ failure, policy rules. Pure functions."""
