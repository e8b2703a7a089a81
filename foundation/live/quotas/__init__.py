"""Quota preflight: catalogue, planned usage, live usage and limits, and the decision."""
