"""A real webhook receiver for tests: a tiny ASGI app on a free loopback port that records every request.

It answers HEAD (lexoffice's subscription probe) and everything else with 200, unless told to answer the
next calls with another status (``respond_with``). Recorded requests keep the exact raw body bytes, so
signatures can be checked against what was actually sent.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Any

from gateway.serving import ThreadedServer
from tests.support.asgi import read_body, serve_lifespan

Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


@dataclass(frozen=True)
class ReceivedRequest:
    """One request as it arrived (header names lower-case, repeated headers joined with ``", "``)."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


class WebhookReceiver:
    """An ASGI app recording the requests on ``url``; a context manager starts and stops its server."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._requests: list[ReceivedRequest] = []
        self._scripted: deque[int] = deque()
        self._server = ThreadedServer(self)

    @property
    def url(self) -> str:
        """The callback URL (any path on the server is recorded alike)."""
        return f"{self._server.url}/webhook"

    @property
    def requests(self) -> list[ReceivedRequest]:
        """A snapshot of every request received so far, in arrival order."""
        with self._lock:
            return list(self._requests)

    def posts(self) -> list[ReceivedRequest]:
        """The received POST requests (the callbacks, without the HEAD probes)."""
        return [r for r in self.requests if r.method == "POST"]

    def respond_with(self, status: int, times: int = 1) -> None:
        """Answer the next ``times`` requests (any method) with ``status`` instead of 200."""
        with self._lock:
            self._scripted.extend([status] * times)

    def _record(self, request: ReceivedRequest) -> int:
        with self._lock:
            self._requests.append(request)
            return self._scripted.popleft() if self._scripted else 200

    async def __call__(self, scope: Message, receive: Receive, send: Send) -> None:
        """The ASGI app: record the request, answer with an empty body."""
        if scope["type"] == "lifespan":
            await serve_lifespan(receive, send)
            return
        body = await read_body(receive)
        headers: dict[str, str] = {}
        for raw_name, raw_value in scope["headers"]:
            name, value = raw_name.decode("latin-1").lower(), raw_value.decode("latin-1")
            headers[name] = f"{headers[name]}, {value}" if name in headers else value
        status = self._record(ReceivedRequest(scope["method"], scope["path"], headers, body))
        await send({"type": "http.response.start", "status": status, "headers": [(b"content-length", b"0")]})
        await send({"type": "http.response.body", "body": b""})

    def __enter__(self) -> WebhookReceiver:
        self._server.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._server.stop()
