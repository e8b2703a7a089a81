"""API calls and time of the quota and drift checks for 1, 10 and 100 deployed spokes.

Each stack is generated, recorded under the mock engine and deployed into a moto server on
127.0.0.1 (as `pulumi up` would); then both checks run with a call counter. Beside them:
the reads `pulumi refresh` would make (one per resource in the state).
"""

from __future__ import annotations

import logging
import os
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from foundation.addresses.allocation import allocate  # noqa: E402
from foundation.config import synthetic  # noqa: E402
from foundation.config.workspace import Workspace  # noqa: E402
from foundation.live.aws import Aws  # noqa: E402
from foundation.live.drift.check import check_drift  # noqa: E402
from foundation.live.quotas.live import live_quota_rows  # noqa: E402
from foundation.network.stack_plan import read_only_plan  # noqa: E402
from tests.moto_deploy import deploy, record_stack  # noqa: E402

SIZES = (1, 10, 100)
EMPTY = Path(tempfile.gettempdir()) / "foundation-empty-aws-config"  # /dev/null may be a file


def _server() -> tuple[object, str]:
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.CRITICAL)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    return server, f"http://{host}:{port}"


def run() -> list[dict[str, float]]:
    """Deploy each size into a fresh moto account and measure both checks."""
    EMPTY.write_text("")
    server, url = _server()
    os.environ.update(
        AWS_ENDPOINT_URL=url,
        AWS_ACCESS_KEY_ID="bench",
        AWS_SECRET_ACCESS_KEY="bench",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_CONFIG_FILE=str(EMPTY),
        AWS_SHARED_CREDENTIALS_FILE=str(EMPTY),
    )
    os.environ.pop("AWS_PROFILE", None)
    rows = []
    try:
        for spokes in SIZES:
            urllib.request.urlopen(
                urllib.request.Request(f"{url}/moto-api/reset", method="POST"), timeout=10
            ).read()
            with tempfile.TemporaryDirectory() as tmp:
                project = synthetic.write_project(Path(tmp), spokes=spokes)
                workspace = Workspace(project)
                allocate(*workspace.load("scale"), workspace.lock_path, write=True)  # = `plan`
                recording = record_stack(project, "scale")
                start = time.perf_counter()
                deploy(recording)
                deploy_s = time.perf_counter() - start
                spec, plan = read_only_plan(workspace, "scale")
                aws = Aws(spec.region)
                start = time.perf_counter()
                live_quota_rows(spec, plan, aws)
                quota_s, quota_calls = time.perf_counter() - start, aws.api_calls
                aws = Aws(spec.region)
                start = time.perf_counter()
                result = check_drift(spec, plan, aws)
                drift_s, drift_calls = time.perf_counter() - start, aws.api_calls
                assert result.status == "clean", result.findings[:3]
            refresh = len(recording.custom)
            print(
                f"live checks, {spokes:>3} spokes ({refresh} resources, deployed in "
                f"{deploy_s:.1f} s): quotas {quota_calls} calls {quota_s:.2f} s; drift "
                f"{drift_calls} calls {drift_s:.2f} s; pulumi refresh would read {refresh} "
                f"resources one by one"
            )
            rows.append(
                {
                    "spokes": spokes,
                    "quota_calls": quota_calls,
                    "drift_calls": drift_calls,
                    "quota_s": quota_s,
                    "drift_s": drift_s,
                    "refresh_reads": refresh,
                }
            )
    finally:
        server.stop()  # type: ignore[attr-defined]
    flat = len({r["quota_calls"] for r in rows}) == 1 and len({r["drift_calls"] for r in rows}) == 1
    print(f"live checks: API calls independent of the number of spokes: {'yes' if flat else 'NO'}")
    return rows


if __name__ == "__main__":
    run()
