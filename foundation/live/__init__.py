"""The live checks: the AWS client factory, quota preflight and drift detection (read-only)."""
