"""Structured logging (structlog, JSON or console) with secrets redacted from every line.

Each request's ``request_id``, ``tenant_id`` and ``account_id`` are bound as context variables, so every line
logged while serving it carries them. Standard-library loggers (uvicorn, httpx, ...) go through the same
processors. :func:`redact` runs last before rendering: values under secret-sounding names are replaced,
anything that looks like a LedgerBridge key or a bearer token is masked wherever it appears, and so is every
secret the current request has handled (:func:`register_secret`), whatever its shape.
"""

from __future__ import annotations

import logging
import re
import sys
from contextvars import ContextVar
from typing import Any, TextIO

import structlog
from structlog.tracebacks import ExceptionDictTransformer
from structlog.typing import EventDict, Processor, WrappedLogger

REDACTED = "[REDACTED]"
MIN_SECRET_CHARS = 6
_request_secrets: ContextVar[tuple[str, ...]] = ContextVar("ledgerbridge_request_secrets", default=())
_SECRET_NAME = re.compile(
    r"(?i)(api[_-]?key|authorization|password|passwd|secret|token|credential|master[_-]?key|cookie)"
)
_SECRET_TEXT: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(?<![A-Za-z0-9])lb_[A-Za-z0-9_-]{8,}"), "lb_" + REDACTED),
    (re.compile(r"(?i)\b(bearer|basic)(\s+)[A-Za-z0-9._~+/=-]{12,}"), r"\1\2" + REDACTED),
    (
        re.compile(
            r"""(?i)(["']?(?:api[_-]?key|access[_-]?token|password|secret)["']?\s*[:=]\s*["']?)[^"'\s,&}]+"""
        ),
        r"\1" + REDACTED,
    ),
)


def register_secret(secret: str) -> None:
    """Mask this exact value in everything logged or echoed for the rest of the current request."""
    if len(secret) >= MIN_SECRET_CHARS:
        _request_secrets.set((*_request_secrets.get(), secret))


def scrub(text: str) -> str:
    """``text`` with the request's secrets, LedgerBridge keys, bearer tokens, ``api_key=`` values masked."""
    for secret in _request_secrets.get():
        text = text.replace(secret, REDACTED)
    for pattern, replacement in _SECRET_TEXT:
        text = pattern.sub(replacement, text)
    return text


def _redact_value(value: Any) -> Any:
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, dict):
        return {k: REDACTED if _is_secret(k, v) else _redact_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_redact_value(v) for v in value]
    return value


def _is_secret(name: object, value: object) -> bool:
    return isinstance(name, str) and value is not None and bool(_SECRET_NAME.search(name))


def redact(_: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
    """structlog processor: mask secrets in every field of the event."""
    redacted: EventDict = _redact_value(dict(event_dict))
    return redacted


def configure_logging(level: str = "info", fmt: str = "json", stream: TextIO | None = None) -> None:
    """Route structlog and standard-library logging through one redacting handler on ``stream``."""
    shared: list[Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    if fmt == "json":
        exceptions: Processor = structlog.processors.ExceptionRenderer(
            ExceptionDictTransformer(show_locals=False)
        )
        renderer: Processor = structlog.processors.JSONRenderer()
    else:
        exceptions = structlog.processors.format_exc_info
        renderer = structlog.dev.ConsoleRenderer(
            colors=False, exception_formatter=structlog.dev.plain_traceback
        )
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=False,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, exceptions, redact, renderer],
    )
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level.upper())


def bind_request(request_id: str) -> None:
    """Start a request's logging context (drops whatever an earlier request bound)."""
    structlog.contextvars.clear_contextvars()
    structlog.contextvars.bind_contextvars(request_id=request_id)
    _request_secrets.set(())


def bind_tenant(tenant_id: str) -> None:
    structlog.contextvars.bind_contextvars(tenant_id=tenant_id)


def bind_account(account_id: str) -> None:
    structlog.contextvars.bind_contextvars(account_id=account_id)
