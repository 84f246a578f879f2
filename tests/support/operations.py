"""Helpers of the operation tests: receipts for vouchers, the sandbox's records, and waiting for a
background operation."""

from __future__ import annotations

import base64
import time
from typing import Any

import httpx

from tests.support.sandbox import SandboxOrg
from tests.support.uploads import PDF

Json = dict[str, Any]


def receipt(name: str = "beleg.pdf", content: bytes = PDF, media_type: str = "application/pdf") -> Json:
    """A ``receipts`` entry of a voucher create (base64 content)."""
    return {"filename": name, "media_type": media_type, "content": base64.b64encode(content).decode()}


def vouchers_numbered(lex: SandboxOrg, number: str) -> list[Json]:
    """The sandbox's vouchers with this number."""
    return [v for v in lex.org.collection("vouchers").values() if v["voucherNumber"] == number]


def unassigned_uploads(lex: SandboxOrg) -> list[str]:
    """Uploaded files attached to no voucher (orphans, if an operation left them)."""
    return [file_id for file_id, f in lex.org.files.items() if f.voucher_id is None]


def wait_until(condition: Any, seconds: float = 60, what: str = "condition") -> None:
    """Poll ``condition()`` until it is true (for work that happens in another process or task)."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not reached within {seconds} s")
        time.sleep(0.02)


def wait_until_finished(client: httpx.Client, url: str, seconds: float = 60) -> Json:
    """Poll a background operation until it is no longer running; its final state."""
    states: list[Json] = []

    def finished() -> bool:
        states.append(client.get(url).json())
        return bool(states[-1]["status"] != "running")

    wait_until(finished, seconds, f"operation {url} finished")
    return states[-1]
