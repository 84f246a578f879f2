"""Serving ASGI apps with uvicorn: in the foreground (CLI) or on a background thread (tests, dev)."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import uvicorn


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that is free on ``host`` right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def bind_socket(host: str, port: int) -> socket.socket:
    """A listening socket bound before the server starts, so its URL is valid the moment we print it.

    The protocol must be given explicitly: asyncio only disables Nagle's algorithm (``TCP_NODELAY``) on
    accepted connections of sockets created with ``IPPROTO_TCP``; without it each response waits ~40 ms for
    the client's delayed ACK.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


class SignallingServer(uvicorn.Server):
    """A uvicorn server that calls ``on_started`` once it accepts connections."""

    def __init__(self, config: uvicorn.Config, on_started: Callable[[], object]) -> None:
        super().__init__(config)
        self.on_started = on_started

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        self.on_started()


@dataclass
class ThreadedServer:
    """An ASGI app served by uvicorn on its own thread and event loop, on an already bound socket."""

    app: Any
    host: str = "127.0.0.1"
    port: int = 0
    log_level: str = "warning"
    _server: uvicorn.Server | None = field(default=None, init=False)
    _thread: threading.Thread | None = field(default=None, init=False)
    _ready: threading.Event = field(default_factory=threading.Event, init=False)
    loop: asyncio.AbstractEventLoop | None = field(default=None, init=False)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> ThreadedServer:
        sock = bind_socket(self.host, self.port)
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(self.app, log_level=self.log_level, lifespan="on", access_log=False)
        self._server = SignallingServer(config, self._ready.set)
        self._thread = threading.Thread(target=self._run, args=(sock,), daemon=True, name=f"asgi:{self.port}")
        self._thread.start()
        if not self._ready.wait(timeout=30) or not self._server.started:
            self.stop()
            raise RuntimeError(f"ASGI server on port {self.port} did not start")
        return self

    def _run(self, sock: socket.socket) -> None:
        assert self._server is not None
        self.loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self.loop)
        try:
            self.loop.run_until_complete(self._server.serve(sockets=[sock]))
        finally:
            self._ready.set()
            self.loop.close()

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=30)

    def __enter__(self) -> ThreadedServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
