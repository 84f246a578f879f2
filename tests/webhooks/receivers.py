"""A webhook receiver that holds the first POST unanswered until released (for the crash test)."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from gateway.serving import ThreadedServer
from tests.support.asgi import read_body, serve_lifespan
from tests.support.receiver import ReceivedRequest

Message = dict[str, Any]


class HoldingReceiver:
    """Records POSTs; the first one is recorded on arrival and then left hanging until :meth:`release`."""

    def __init__(self) -> None:
        self.requests: list[ReceivedRequest] = []
        self.first_arrived = threading.Event()
        self.second_arrived = threading.Event()
        self._release = threading.Event()
        self._server = ThreadedServer(self)

    @property
    def url(self) -> str:
        return f"{self._server.url}/hook"

    def release(self) -> None:
        self._release.set()

    async def __call__(self, scope: Message, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await serve_lifespan(receive, send)
            return
        body = await read_body(receive)
        if scope["method"] != "POST":
            await self._answer(send)
            return
        headers = {name.decode("latin-1"): value.decode("latin-1") for name, value in scope["headers"]}
        self.requests.append(ReceivedRequest("POST", scope["path"], headers, body))
        if len(self.requests) == 1:
            self.first_arrived.set()
            await asyncio.to_thread(self._release.wait, 120)
        else:
            self.second_arrived.set()
        await self._answer(send)

    async def _answer(self, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"0")]})
        await send({"type": "http.response.body", "body": b""})

    def __enter__(self) -> HoldingReceiver:
        self._server.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
        self._server.stop()
