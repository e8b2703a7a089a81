"""The dependency rule of DESIGN §1, checked on the source (imports) and at runtime."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

LIVE = ("foundation/aws.py", "foundation/live.py", "foundation/quotas/", "foundation/drift/")


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def sources() -> dict[str, set[str]]:
    files = [REPO / "__main__.py"]
    for package in ("ipam", "foundation", "components"):
        files += sorted((REPO / package).rglob("*.py"))
    return {str(f.relative_to(REPO)): imports_of(f) for f in files}


def roots(modules: set[str]) -> set[str]:
    return {m.split(".")[0] for m in modules}


def test_ipam_is_pure() -> None:
    for name, mods in sources().items():
        if name.startswith("ipam/"):
            assert not roots(mods) & {
                "foundation",
                "components",
                "pulumi",
                "pulumi_aws",
                "boto3",
                "botocore",
            }, name


def test_the_plan_depends_only_on_ipam() -> None:
    mods = sources()["foundation/plan.py"]
    assert not {m for m in mods if m.startswith(("foundation", "components", "pulumi", "boto"))}


def test_nothing_but_the_program_imports_components() -> None:
    for name, mods in sources().items():
        if not name.startswith("components/") and name != "__main__.py":
            assert "components" not in roots(mods), name


def test_only_components_import_pulumi_aws() -> None:
    for name, mods in sources().items():
        if "pulumi_aws" in roots(mods):
            assert name.startswith("components/"), name


def test_only_the_live_checks_import_boto3() -> None:
    for name, mods in sources().items():
        if roots(mods) & {"boto3", "botocore"}:
            assert name.startswith(LIVE), name


@pytest.mark.parametrize(
    ("module", "forbidden"),
    [
        ("foundation.planning", ("boto3", "botocore")),
        ("foundation.reports.render", ("boto3", "botocore", "pulumi_aws")),
        ("foundation.analysis.policy", ("boto3", "pulumi", "pulumi_aws")),
        ("foundation.plan", ("pulumi", "boto3")),
    ],
)
def test_offline_paths_never_load_aws_sdks(module: str, forbidden: tuple[str, ...]) -> None:
    code = (
        f"import sys, {module}; bad = sorted({{m.split('.')[0] for m in sys.modules}} & "
        f"set({forbidden!r})); print(bad); sys.exit(1 if bad else 0)"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
