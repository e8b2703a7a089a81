"""Process-wide facts about how the Pulumi program is being run.

Only the offline plan (foundation.offline.mockrun) sets these, in-process; no config key can, so a
real `pulumi up` can never skip the live quota and drift gates by accident.
"""

from __future__ import annotations

from pathlib import Path

OFFLINE = False
PROJECT_ROOT: Path | None = None  # None: the working directory Pulumi runs the program in


def project_root() -> Path:
    """Where stacks/ lives for this run."""
    return PROJECT_ROOT or Path.cwd()
