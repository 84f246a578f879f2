"""The lexoffice sandbox application: a Litestar app behind the :class:`Gatekeeper`."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from litestar import Litestar, Request, Response
from litestar.exceptions import HTTPException
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from . import (
    contacts,
    control,
    files,
    payments,
    recurring,
    reference,
    sales,
    subscriptions,
    voucherlist,
    vouchers,
)
from .errors import ApiError, gateway_body, render
from .events import EventBus
from .gatekeeper import Gatekeeper
from .signing import SigningKey
from .state import Organization, SandboxState
from .web import encode

log = logging.getLogger("ledgerbridge.sandbox")

MAX_BODY_BYTES = 8 * 1024 * 1024  # above the 5 MB file limit, so the file rule answers, not the parser


@dataclass
class SandboxConfig:
    """Settings of one sandbox instance."""

    rate: float = 2.0
    burst: float = 2.0
    # lexoffice requires https callback URLs; the sandbox also takes http ones (loopback receivers)
    allow_insecure_callbacks: bool = True
    # lexoffice probes a new callback URL with HEAD and refuses the subscription if that fails
    probe_callbacks: bool = True
    signing_key_path: Path | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class Sandbox:
    """A running sandbox: its ASGI app, its state and its event bus."""

    def __init__(self, config: SandboxConfig | None = None) -> None:
        self.config = config or SandboxConfig()
        self.signing_key = _load_signing_key(self.config.signing_key_path)
        self.events = EventBus(self.signing_key)
        self.state = SandboxState(rate=self.config.rate, burst=self.config.burst, emit=self.events.emit)
        self.litestar = Litestar(
            route_handlers=[
                *reference.ROUTES,
                *contacts.ROUTES,
                *sales.ROUTES,
                *payments.ROUTES,
                *recurring.ROUTES,
                *vouchers.ROUTES,
                *voucherlist.ROUTES,
                *files.ROUTES,
                *subscriptions.ROUTES,
                *control.ROUTES,
            ],
            exception_handlers={Exception: self._handle_exception},
            request_max_body_size=MAX_BODY_BYTES,
            on_shutdown=[self.events.close],
            openapi_config=None,
            logging_config=None,
            debug=False,
        )
        self.litestar.state["sandbox"] = self.state
        self.litestar.state["sandbox_app"] = self
        self.asgi = Gatekeeper(self.litestar, self.state)

    def add_organization(
        self, company_name: str = "Sandbox GmbH", api_key: str | None = None, **settings: Any
    ) -> tuple[Organization, str]:
        """Create an organization with one API key; returns both."""
        org = self.state.create_organization(company_name, **settings)
        key = self.state.create_key(org.id, api_key)
        return org, key.token

    def _handle_exception(self, request: Request[Any, Any, Any], exc: Exception) -> Response[bytes]:
        path = request.url.path
        if isinstance(exc, ApiError):
            error = exc
        elif isinstance(exc, HTTPException):
            error = ApiError(exc.status_code, str(exc.detail))
        else:
            log.exception("sandbox: unhandled error on %s %s", request.method, path)
            status = HTTP_500_INTERNAL_SERVER_ERROR
            return Response(
                content=encode(gateway_body(status)), status_code=status, media_type="application/json"
            )
        if path.startswith("/_sandbox/"):
            body: dict[str, Any] = {"status": error.status, "message": error.message}
        else:
            body = render(error, path, self.state.clock)
        headers = exc.headers if isinstance(exc, HTTPException) else None
        return Response(
            content=encode(body), status_code=error.status, media_type="application/json", headers=headers
        )


def _load_signing_key(path: Path | None) -> SigningKey:
    """The webhook signing key: read from ``path`` if it exists, else generated (and saved there)."""
    if path is None:
        return SigningKey.generate()
    if path.exists():
        return SigningKey.from_pem(path.read_bytes())
    key = SigningKey.generate()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(key.private_pem())
    path.chmod(0o600)
    return key
