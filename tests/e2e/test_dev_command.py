"""``ledgerbridge dev`` as a newcomer runs it: a real process, its facts, its printed curl examples."""

from __future__ import annotations

import json
import shlex
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from gateway.dev import DevFacts, curl_examples


@pytest.fixture(scope="module")
def dev_process(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    data_dir: Path = tmp_path_factory.mktemp("dev")
    process = subprocess.Popen(
        [sys.executable, "-m", "gateway.cli", "dev", "--port", "0", "--json", "--data-dir", str(data_dir)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    first_line = process.stdout.readline()
    if not first_line:
        process.kill()
        pytest.fail(f"dev printed nothing: {process.stderr.read() if process.stderr else ''}")
    try:
        yield json.loads(first_line)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


def test_dev_prints_the_facts_as_one_json_line(dev_process: dict[str, Any]) -> None:
    assert set(dev_process) == set(DevFacts.__dataclass_fields__)
    assert dev_process["api_key"].startswith("lb_")


def test_the_printed_curl_examples_work_as_printed(dev_process: dict[str, Any]) -> None:
    for example in curl_examples(DevFacts(**dev_process)):
        result = subprocess.run([*shlex.split(example), "-f"], capture_output=True, text=True, timeout=30)
        assert result.returncode == 0, (example, result.stderr)


def test_the_demo_account_is_connected_to_the_sandbox(dev_process: dict[str, Any]) -> None:
    """The account reaches the sandbox organization through the gateway (paced: the dev sandbox enforces
    lexoffice's 2 requests/second, so direct calls could be throttled after the examples above)."""
    headers = {"Authorization": f"Bearer {dev_process['api_key']}", "X-Account-Id": dev_process["account_id"]}
    gateway = dev_process["gateway_url"]
    account = httpx.get(f"{gateway}/v1/accounts/{dev_process['account_id']}", headers=headers, timeout=30)
    company = httpx.get(f"{gateway}/v1/accounting/company", headers=headers, timeout=30)
    assert account.status_code == company.status_code == 200
    assert account.json()["organization"]["organization_id"] == company.json()["organization_id"]
