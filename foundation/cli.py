"""`python -m foundation`: plan, quotas, drift, history and ipam check.

Exit codes: 0 ok (warnings allowed), 1 a check failed, 2 bad input or error. Errors go to
stderr as one line per problem (key path, what is wrong, how to fix it), never as a
traceback, and a command that exits 2 leaves every file as it was.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from foundation.errors import FoundationError, Problem, os_problem
from ipam.lock import stack_name_problem

FORMATS = ("text", "markdown", "json")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        print(
            f"error: {message}. Fix: see `python -m foundation {self.prog.split()[-1]} --help`",
            file=sys.stderr,
        )
        raise SystemExit(2)


def stack_name(value: str) -> str:
    """An argparse type: a stack name that can be a lock key and a file name, or exit 2."""
    problem = stack_name_problem(value)
    if problem:
        raise argparse.ArgumentTypeError(f"{value!r} {problem}")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The command-line interface."""
    parser = _Parser(
        prog="python -m foundation",
        description="A reliable AWS network foundation: plan, quotas, drift, IPAM.",
    )
    parser.add_argument(
        "--project",
        type=Path,
        default=Path("."),
        help="project folder holding stacks/ (default: the current folder)",
    )
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    plan = sub.add_parser("plan", help="offline plan of a stack (no AWS credentials needed)")
    plan.add_argument("stack", type=stack_name, help="names stacks/Pulumi.<STACK>.yaml")
    plan.add_argument("--format", choices=FORMATS, default="text")
    plan.add_argument("--output", type=Path, help="write the report to FILE instead of stdout")
    plan.add_argument(
        "--frozen",
        action="store_true",
        help="never write the lock; missing entries fail the check (exit 1), for CI",
    )
    plan.add_argument(
        "--live",
        action="store_true",
        help="compare quotas with the account's real usage and limits (needs AWS)",
    )
    plan.add_argument(
        "--base",
        metavar="REF",
        help="also plan the stack as of git REF (offline, frozen) and report the difference "
        "first: resources added/changed/replaced/deleted, CIDRs, reachability, cost",
    )
    plan.set_defaults(handler=cmd_plan)

    quotas = sub.add_parser("quotas", help="live quota preflight (AWS credentials needed)")
    quotas.add_argument("stack", type=stack_name)
    quotas.add_argument("--format", choices=FORMATS, default="text")
    quotas.add_argument("--output", type=Path)
    quotas.set_defaults(handler=cmd_quotas)

    drift = sub.add_parser("drift", help="live drift check, read-only (AWS credentials needed)")
    drift.add_argument("stack", type=stack_name)
    drift.add_argument("--format", choices=FORMATS, default="text")
    drift.add_argument("--output", type=Path)
    drift.add_argument(
        "--notify",
        metavar="URL",
        help="POST a JSON message (Slack-compatible `text`) when drift is found",
    )
    drift.add_argument(
        "--history",
        metavar="FILE",
        type=Path,
        help="append one JSON line per run to FILE (see the history command)",
    )
    drift.set_defaults(handler=cmd_drift)

    history = sub.add_parser("history", help="summarise a drift history file (drift --history)")
    history.add_argument("file", metavar="FILE", type=Path)
    history.add_argument("--format", choices=FORMATS, default="text")
    history.add_argument("--output", type=Path)
    history.set_defaults(handler=cmd_history)

    ipam = sub.add_parser("ipam", help="address management")
    ipam_sub = ipam.add_subparsers(dest="ipam_command", required=True, parser_class=_Parser)
    check = ipam_sub.add_parser("check", help="validate the address plan and lock of all stacks")
    check.add_argument("--format", choices=("text", "json"), default="text")
    check.set_defaults(handler=cmd_ipam_check)
    return parser


def emit(text: str, output: Path | None) -> None:
    """Print to stdout, or write FILE (atomically, or into a FIFO or device)."""
    if output is None:
        sys.stdout.write(text)
        return
    from foundation.reports.output import write_output

    write_output(text, output)
    print(f"wrote {output}", file=sys.stderr)


def _waiting() -> None:
    print(
        "waiting for the lock held by another process on stacks/ (another plan is running)...",
        file=sys.stderr,
        flush=True,
    )


def cmd_plan(args: argparse.Namespace) -> int:
    """The offline plan (with --live, quotas from the account).

    Everything that can fail with exit 2 (the output target first, the staged report last)
    is decided before the lock is written; the report is published after it.
    """
    from foundation.config.workspace import Workspace
    from foundation.offline.plan_run import planned
    from foundation.reports.output import StagedOutput, check_output, stage_output
    from foundation.reports.render import render

    if args.output is not None:
        check_output(args.output, guarded=[args.project / "stacks"])
    live = None
    if args.live:
        from foundation.live.quotas.live import live_quota_rows

        # the pin, then each spoke account's read role: opened inside the plan cycle,
        # after the --base check and before the lock is written (an error there: exit 2)
        live = live_quota_rows
    workspace = Workspace(args.project)
    staged: StagedOutput | None = None
    try:
        with planned(
            workspace, args.stack, args.frozen, live, on_wait=_waiting, base=args.base
        ) as report:
            text = render(report, args.format)
            if args.output is not None:
                staged = stage_output(text, args.output)
        # the lock is written; now publish the report
        for note in report.notes:
            print(f"warning: {note}", file=sys.stderr)
        if staged is None:
            sys.stdout.write(text)
        else:
            staged.commit()
            print(f"wrote {args.output}", file=sys.stderr)
    finally:
        if staged is not None:
            staged.discard()
    return report.exit_code


def cmd_quotas(args: argparse.Namespace) -> int:
    """Live quota preflight of a stack."""
    from foundation.live.quotas.command import run_quotas

    if args.output is not None:
        from foundation.reports.output import check_output

        check_output(args.output, guarded=[args.project / "stacks"])
    text, code = run_quotas(args.project, args.stack, args.format)
    emit(text, args.output)
    return code


def cmd_drift(args: argparse.Namespace) -> int:
    """Live drift check of a stack."""
    from foundation.live.drift.command import run_drift

    if args.output is not None:
        from foundation.reports.output import check_output

        guarded = [args.project / "stacks", *([args.history] if args.history else [])]
        check_output(args.output, guarded=guarded)
    if args.history is not None:
        from foundation.reports.output import refuse_own_files

        refuse_own_files("--history", args.history, [args.project / "stacks"])
    text, code, notice = run_drift(args.project, args.stack, args.format, args.notify, args.history)
    emit(text, args.output)
    if notice:
        print(notice, file=sys.stderr)
    return code


def cmd_history(args: argparse.Namespace) -> int:
    """Summarise a drift history file; corrupt lines are reported (stderr too), never fatal."""
    from foundation.live.drift.history import summarise
    from foundation.reports.history import render_history

    if args.output is not None:
        from foundation.reports.output import check_output

        check_output(args.output, guarded=[args.file])
    summary = summarise(args.file)
    emit(render_history(summary, args.format), args.output)
    for corrupt in summary.corrupt:
        print(
            f"warning: {args.file}: line {corrupt.line}: skipped, cannot be read "
            f"({corrupt.reason}). Fix: correct or delete that line by hand",
            file=sys.stderr,
        )
    return 0


def cmd_ipam_check(args: argparse.Namespace) -> int:
    """Validate the address plan and the lock across all stacks."""
    from foundation.addresses.check import run_check

    text, code = run_check(args.project, args.format)
    sys.stdout.write(text)
    return code


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code."""
    args = build_parser().parse_args(argv)
    try:
        code: int = args.handler(args)
        return code
    except FoundationError as exc:
        for problem in exc.problems:
            print(f"error: {problem}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 2
    except Exception as exc:  # a bug: still no traceback for the user, unless asked for
        if isinstance(exc, OSError) and exc.filename is not None:
            # a file that cannot be read or written (full disk, read-only folder): name it
            print(f"error: {os_problem(exc)}", file=sys.stderr)
            return 2
        if os.environ.get("FOUNDATION_DEBUG"):
            raise
        problem = Problem(
            "foundation",
            "",
            f"internal error: {type(exc).__name__}: {exc}",
            "rerun with FOUNDATION_DEBUG=1 and report the traceback",
        )
        print(f"error: {problem}", file=sys.stderr)
        return 2
