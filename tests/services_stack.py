"""A stack with shared services (DESIGN §3.15): three segments, `nonprod` not listed."""

from __future__ import annotations

from pathlib import Path

BLOCK = """    sharedServices:
      size: 23
      segments: [prod, shared]
      interfaceEndpoints: [ssm, sts, ecr.api, ecr.dkr]
      dns:
        inbound: true
        forward: {corp.example.com: [10.0.0.2, 10.0.0.3]}
"""


def write_services_stack(project: Path, block: str = BLOCK, stack: str = "dev") -> None:
    """Add a sharedServices block to a copied stack (the file ends inside foundation:network)."""
    path = project / "stacks" / f"Pulumi.{stack}.yaml"
    text = path.read_text()
    if not text.endswith("\n"):
        text += "\n"
    path.write_text(text + block)


def record_lock(project: Path, stack: str = "dev") -> None:
    """Record the stack's allocation in the lock (as `plan` does), so `pulumi up` may run."""
    from foundation.addresses.allocation import allocate
    from foundation.config.workspace import Workspace

    ws = Workspace(project)
    spec, addresses = ws.load(stack)
    allocate(spec, addresses, ws.lock_path, write=True)
