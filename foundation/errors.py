"""One error hierarchy for the tool: every user-facing failure is a list of Problems.

A Problem names where (file and key path), what is wrong, and how to fix it. The CLI prints
one line per problem and exits 2; nothing here ever reaches the user as a traceback.
"""

from __future__ import annotations

import errno
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


OS_FIXES = {
    errno.ENOSPC: "free disk space and rerun; nothing was changed",
    errno.EDQUOT: "free space in your disk quota and rerun; nothing was changed",
    errno.EROFS: "run from a writable checkout (the file system is read-only)",
    errno.EACCES: "make the file and its folder writable by you (chmod u+w) and rerun",
    errno.EPERM: "make the file and its folder writable by you (chmod u+w) and rerun",
    errno.ENOENT: "check that the file and its folder exist",
}


def os_fix(code: int | None) -> str:
    """How to fix an operating-system error on a file the tool reads or writes."""
    return OS_FIXES.get(code or 0, "check the file, its folder and the disk, then rerun")


def os_problem(exc: OSError) -> Problem:
    """An operating-system error on a named file as a Problem naming it, with a fix."""
    name = exc.filename
    code = errno.errorcode.get(exc.errno or 0, str(exc.errno))
    return Problem(
        str(name),
        "",
        f"{exc.strerror or exc} ({code})",
        os_fix(exc.errno),
    )
