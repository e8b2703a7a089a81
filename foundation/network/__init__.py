"""The network model: the NetworkPlan, how it is built from the spec, and what it implies."""
