"""Capturing the gateway's structured logs in tests."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
import structlog

from gateway.logging import configure_logging


@pytest.fixture
def log_stream() -> Iterator[io.StringIO]:
    """Gateway logs as JSON lines in memory (the previous logging set-up is restored afterwards)."""
    root = logging.getLogger()
    handlers, level, config = root.handlers[:], root.level, structlog.get_config()
    stream = io.StringIO()
    configure_logging("debug", "json", stream)
    yield stream
    root.handlers, root.level = handlers, level
    structlog.configure(**config)


def lines(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]
