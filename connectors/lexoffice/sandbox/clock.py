"""Time for the sandbox: lexoffice's strict timestamp format and Europe/Berlin local dates.

lexoffice accepts and emits instants only as ``yyyy-MM-ddTHH:mm:ss.SSSXXX`` (exactly three millisecond
digits, ``Z`` or ``±hh:mm``); bookkeeping voucher dates are plain ``yyyy-MM-dd`` and are echoed back as
local midnight in Europe/Berlin with the offset of that day (``+01:00`` winter, ``+02:00`` summer).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

BERLIN = ZoneInfo("Europe/Berlin")

_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}(?:Z|[+-]\d{2}:\d{2})$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class Clock:
    """The sandbox's notion of "now"; tests can shift it forward (``advance``) to age documents."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def now(self) -> datetime:
        """Current instant in Europe/Berlin, truncated to milliseconds."""
        instant = datetime.now(UTC) + self.offset
        return instant.replace(microsecond=instant.microsecond // 1000 * 1000).astimezone(BERLIN)

    def today(self) -> date:
        """Today's calendar date in Europe/Berlin."""
        return self.now().date()

    def advance(self, delta: timedelta) -> None:
        self.offset += delta


def format_timestamp(instant: datetime) -> str:
    """Render an instant the way lexoffice does: Berlin local time with milliseconds and ``+hh:mm``."""
    local = instant.astimezone(BERLIN)
    return local.isoformat(timespec="milliseconds")


def parse_timestamp(value: str) -> datetime:
    """Parse a strict lexoffice timestamp; raise ``ValueError`` for anything else."""
    if not isinstance(value, str) or not _TIMESTAMP.match(value):
        raise ValueError("must be a date-time of the form yyyy-MM-ddTHH:mm:ss.SSSXXX")
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def parse_date(value: str) -> date:
    """Parse a strict ``yyyy-MM-dd`` calendar date; raise ``ValueError`` otherwise."""
    if not isinstance(value, str) or not _DATE.match(value):
        raise ValueError("must be a date of the form yyyy-MM-dd")
    return date.fromisoformat(value)


def local_midnight(day: date) -> datetime:
    """Midnight of ``day`` in Europe/Berlin (offset depends on summer/winter time)."""
    return datetime.combine(day, time(0), tzinfo=BERLIN)


def berlin_date(instant: datetime) -> date:
    """The Europe/Berlin calendar date of an instant (never via UTC)."""
    return instant.astimezone(BERLIN).date()
