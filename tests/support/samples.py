"""The JSON samples of the lexoffice API documentation (copied verbatim into tests/fixtures)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import msgspec

SAMPLES_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "lexoffice-samples"

_decimal_decoder = msgspec.json.Decoder(float_hook=Decimal)


def sample(name: str) -> Any:
    """A sample by file name, parsed with plain floats."""
    return json.loads((SAMPLES_DIR / name).read_text())


def sample_exact(name: str) -> Any:
    """A sample by file name, with fractional numbers as exact ``Decimal``."""
    return _decimal_decoder.decode((SAMPLES_DIR / name).read_bytes())


def sample_bytes(name: str) -> bytes:
    return (SAMPLES_DIR / name).read_bytes()
