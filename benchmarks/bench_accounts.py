"""API calls of the quota and drift checks across accounts (DESIGN §5): 1, 3 and 10 accounts.

Each stack has the network account plus N-1 spoke accounts, with S spokes per account
(S = 1 and 10). It is recorded under the mock engine and deployed into a moto server on
127.0.0.1, each spoke into its own account (moto: any assumed role acts in its account);
then both checks run with a call counter. Target: flat in spokes, linear in accounts.
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

ACCOUNTS = (1, 3, 10)
SPOKES_PER_ACCOUNT = (1, 10)
EMPTY = Path(tempfile.gettempdir()) / "foundation-empty-aws-config"  # /dev/null may be a file


def _server() -> tuple[object, str]:
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.CRITICAL)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    return server, f"http://{host}:{port}"


def measure(url: str, accounts: int, per_account: int) -> dict[str, float]:
    """Deploy one generated stack into a fresh moto and count both checks' API calls."""
    urllib.request.urlopen(
        urllib.request.Request(f"{url}/moto-api/reset", method="POST"), timeout=10
    ).read()
    with tempfile.TemporaryDirectory() as tmp:
        spokes = accounts * per_account
        project = synthetic.write_project(Path(tmp), spokes=spokes, accounts=accounts)
        workspace = Workspace(project)
        allocate(*workspace.load("scale"), workspace.lock_path, write=True)  # = `plan`
        deploy(record_stack(project, "scale"))
        spec, plan = read_only_plan(workspace, "scale")
        aws = Aws(spec.region)
        start = time.perf_counter()
        live_quota_rows(spec, plan, aws)
        quota_s, quota_calls = time.perf_counter() - start, aws.api_calls
        aws = Aws(spec.region)
        start = time.perf_counter()
        result = check_drift(spec, plan, aws)
        drift_s, drift_calls = time.perf_counter() - start, aws.api_calls
    gaps = {f.resource_type for f in result.findings} - {
        "tgw-attachment",
        "tgw-association",
        "tgw-propagation",
        "route",  # moto drops a spoke route's target when the TGW is another account's
    }
    assert not gaps, gaps
    return {
        "accounts": accounts,
        "spokes": spokes,
        "quota_calls": quota_calls,
        "drift_calls": drift_calls,
        "quota_s": quota_s,
        "drift_s": drift_s,
    }


def run() -> list[dict[str, float]]:
    """Every (accounts, spokes per account) pair, printed as one line each."""
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
        for per_account in SPOKES_PER_ACCOUNT:
            for accounts in ACCOUNTS:
                row = measure(url, accounts, per_account)
                rows.append(row)
                print(
                    f"accounts: {accounts:>2} accounts x {per_account:>2} spokes "
                    f"({int(row['spokes']):>3} spokes): quotas {int(row['quota_calls']):>3} calls "
                    f"{row['quota_s']:.2f} s; drift {int(row['drift_calls']):>3} calls "
                    f"{row['drift_s']:.2f} s"
                )
    finally:
        server.stop()  # type: ignore[attr-defined]
    flat = all(
        {(r["quota_calls"], r["drift_calls"]) for r in rows if r["accounts"] == n}.__len__() == 1
        for n in ACCOUNTS
    )
    by_n = {r["accounts"]: r for r in rows if r["spokes"] == r["accounts"] * 10}
    per_q = [(by_n[n]["quota_calls"] - by_n[1]["quota_calls"]) / (n - 1) for n in ACCOUNTS[1:]]
    per_d = [(by_n[n]["drift_calls"] - by_n[1]["drift_calls"]) / (n - 1) for n in ACCOUNTS[1:]]
    linear = len(set(per_q)) == 1 and len(set(per_d)) == 1
    print(
        f"accounts: API calls flat in spokes: {'yes' if flat else 'NO'}; linear in accounts: "
        f"{'yes' if linear else 'NO'} (+{per_q[0]:.0f} quota calls, +{per_d[0]:.0f} drift "
        "calls per spoke account)"
    )
    return rows


if __name__ == "__main__":
    run()
