"""One error hierarchy for the tool: every user-facing failure is a list of Problems.

A Problem names where (file and key path), what is wrong, and how to fix it. The CLI prints
one line per problem and exits 2; nothing here ever reaches the user as a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Self


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, phrased for the person who must fix it."""

    source: str
    path: str
    message: str
    fix: str = ""

    def __str__(self) -> str:
        where = f"{self.source}: {self.path}" if self.path else self.source
        text = f"{where}: {self.message}"
        return f"{text}. Fix: {self.fix}" if self.fix else text


class FoundationError(Exception):
    """Root of the tool's errors; carries every problem found, exit code 2."""

    exit_code = 2

    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems

    @classmethod
    def single(cls, source: str, path: str, message: str, fix: str = "") -> Self:
        """Build an error holding one problem."""
        return cls([Problem(source, path, message, fix)])


class InputError(FoundationError):
    """The stack config, address plan or lock file is invalid."""


class AwsError(FoundationError):
    """AWS could not be read (credentials, endpoint, persistent throttling)."""
