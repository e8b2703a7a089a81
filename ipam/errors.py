"""Errors of the pure IPAM layer; the tool turns them into user-facing Problems."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class IpamProblem:
    """One allocation problem: where (a key path or lock key), what, and how to fix it."""

    path: str
    message: str
    fix: str


class AllocationError(Exception):
    """Allocation cannot satisfy the request; carries every problem found."""

    def __init__(self, problems: list[IpamProblem]):
        super().__init__("; ".join(f"{p.path}: {p.message}" for p in problems))
        self.problems = problems


class LockError(AllocationError):
    """The lock file is unreadable or malformed."""
