"""What every benchmark shares: a private redis-server and the sandbox (as in the tests), the machine's load,
and printing figures side by side with their baseline.

Importing it silences the per-call logs (``upstream.call``, httpx) in the benchmark and its worker processes.
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import structlog

from tests.support.redis_server import RedisServer
from tests.support.sandbox import RunningSandbox, running_sandbox

structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.ERROR))
logging.getLogger("httpx").setLevel(logging.WARNING)


@dataclass(frozen=True)
class Environment:
    redis_url: str
    sandbox: RunningSandbox


@contextmanager
def redis_server() -> Iterator[str]:
    """A private redis-server on a free loopback port; yields its URL."""
    server = RedisServer.start()
    try:
        yield server.url
    finally:
        server.stop()


@contextmanager
def environment() -> Iterator[Environment]:
    """A private redis-server and the lexoffice sandbox on free loopback ports."""
    with redis_server() as url, running_sandbox() as sandbox:
        yield Environment(url, sandbox)


def arguments(description: str, **defaults: float) -> argparse.Namespace:
    """Command-line flags ``--name value`` for each default (ints stay ints)."""
    parser = argparse.ArgumentParser(description=description)
    for name, value in defaults.items():
        parser.add_argument(f"--{name.replace('_', '-')}", type=type(value), default=value)
    return parser.parse_args()


def header(title: str, settings: str) -> None:
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    print(f"== {title}\n   {settings}\n   machine: {os.cpu_count()} cores, load average {load} (1/5/15 min)")


def table(columns: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """Print rows under their column names, aligned."""
    cells = [list(columns), *[[_cell(value) for value in row] for row in rows]]
    widths = [max(len(row[index]) for row in cells) for index in range(len(columns))]
    for row in cells:
        line = "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        print(f"   {line}".rstrip())


def percentile(values: Sequence[float], share: float) -> float:
    """The ``share`` quantile (0..1) of ``values``."""
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=1000, method="inclusive")[round(share * 1000) - 1]


def _cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.3f}" if abs(value) < 100 else f"{value:,.0f}"
    return str(value)
