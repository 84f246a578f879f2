"""A gateway run as its own OS process (``ledgerbridge serve``), for tests that kill one."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field

import httpx
from redis.asyncio import Redis

from gateway.serving import free_port
from gateway.webhooks.workers import pending_work
from tests.gateway.conftest import ADMIN_TOKEN, MASTER_KEY

READY_LINE = "Uvicorn running on"


@dataclass
class GatewayProcess:
    """``python -m gateway.cli serve`` with the given environment; :meth:`start` returns once it serves."""

    env: Mapping[str, str]
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[str] | None = None
    log: list[str] = field(default_factory=list)
    _ready: threading.Event = field(default_factory=threading.Event)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60) -> GatewayProcess:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gateway.cli", "serve", "--port", str(self.port)],
            env={**os.environ, **self.env},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        threading.Thread(target=self._read_log, daemon=True).start()
        if not self._ready.wait(timeout) or self.process.poll() is not None:
            self.stop()
            raise RuntimeError("gateway process did not start:\n" + "\n".join(self.log[-20:]))
        return self

    def _read_log(self) -> None:
        assert self.process is not None
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.log.append(line.rstrip())
            if READY_LINE in line:
                self._ready.set()
        self._ready.set()  # the process ended: let start() see it

    def kill(self) -> None:
        """SIGKILL: no shutdown, nothing finished, nothing acknowledged."""
        assert self.process is not None
        self.process.kill()
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=30)


def gateway_environment(redis_url: str, sandbox_url: str, **settings: str) -> dict[str, str]:
    """The environment of a gateway process on this Redis with the sandbox as lexoffice and an unlimited
    tenant quota; ``settings`` adds ``LEDGERBRIDGE_<NAME>`` variables (``operation_lease_seconds="1"``)."""
    return {
        "REDIS_URL": redis_url,
        "LEDGERBRIDGE_MASTER_KEY": MASTER_KEY,
        "LEDGERBRIDGE_ADMIN_TOKEN": ADMIN_TOKEN,
        "LEDGERBRIDGE_LEXOFFICE_BASE_URL": sandbox_url,
        "LEDGERBRIDGE_DEFAULT_TENANT_RATE": "100000",
        "LEDGERBRIDGE_DEFAULT_TENANT_BURST": "100000",
        **{f"LEDGERBRIDGE_{name.upper()}": value for name, value in settings.items()},
    }


@contextmanager
def gateway_processes(
    count: int, redis_url: str, sandbox_url: str, **settings: str
) -> Iterator[list[GatewayProcess]]:
    """``count`` gateway processes of :func:`gateway_environment`, started at once; stopped (SIGTERM)
    afterwards."""
    environment = gateway_environment(redis_url, sandbox_url, **settings)
    processes = [GatewayProcess(environment) for _ in range(count)]
    try:
        with ThreadPoolExecutor(count) as pool:
            list(pool.map(GatewayProcess.start, processes))
        yield processes
    finally:
        for process in processes:
            process.stop()


def connect_accounts(url: str, name: str, lexoffice_keys: list[str]) -> tuple[str, list[str]]:
    """Through the gateway at ``url``: a tenant (admin API) with one account per lexoffice API key; returns
    the tenant's API key and the account ids."""
    with httpx.Client(base_url=url, timeout=60) as client:
        made = client.post(
            "/v1/admin/tenants", json={"name": name}, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}
        )
        assert made.status_code == 201, made.text
        api_key: str = made.json()["api_key"]["key"]
        ids = []
        for lexoffice_key in lexoffice_keys:
            response = client.post(
                "/v1/accounts",
                json={"connector": "lexoffice", "credentials": {"api_key": lexoffice_key}},
                headers={"Authorization": f"Bearer {api_key}"},
            )
            assert response.status_code == 201, response.text
            ids.append(response.json()["id"])
    return api_key, ids


def settled(redis_url: str, timeout: float = 60) -> None:
    """Wait (bounded) until no webhook work is left in Redis, whichever process does it."""

    async def wait() -> None:
        redis = Redis.from_url(redis_url, decode_responses=True)
        try:
            async with asyncio.timeout(timeout):
                while await pending_work(redis):  # noqa: ASYNC110 - the work is in other processes
                    await asyncio.sleep(0.02)
        finally:
            await redis.aclose()

    asyncio.run(wait())
