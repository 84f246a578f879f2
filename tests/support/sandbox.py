"""The lexoffice sandbox served over real HTTP on a loopback port, for tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx

from connectors.lexoffice.sandbox.app import Sandbox, SandboxConfig
from connectors.lexoffice.sandbox.state import Organization
from gateway.serving import ThreadedServer


@dataclass
class SandboxOrg:
    """One organization of the running sandbox with an API key and a ready HTTP client."""

    sandbox: RunningSandbox
    org: Organization
    api_key: str

    @property
    def id(self) -> str:
        return self.org.id

    def client(self, **kwargs: Any) -> httpx.Client:
        """An httpx client for this organization's key (base URL = the sandbox)."""
        return httpx.Client(
            base_url=self.sandbox.url,
            headers={"Authorization": f"Bearer {self.api_key}", "Accept": "application/json"},
            timeout=10,
            **kwargs,
        )

    def set_faults(self, **plan: Any) -> dict[str, Any]:
        with self.sandbox.control() as c:
            response = c.put(f"/_sandbox/keys/{self.api_key}/faults", json=plan)
            response.raise_for_status()
            data: dict[str, Any] = response.json()
            return data

    def set_rate_limit(self, rate: float, burst: float) -> None:
        with self.sandbox.control() as c:
            c.put(
                f"/_sandbox/keys/{self.api_key}/rate-limit", json={"rate": rate, "burst": burst}
            ).raise_for_status()

    def stats(self) -> dict[str, Any]:
        with self.sandbox.control() as c:
            data: dict[str, Any] = c.get(f"/_sandbox/keys/{self.api_key}/stats").json()
            return data


@dataclass
class RunningSandbox:
    """A sandbox instance and its URL."""

    app: Sandbox
    server: ThreadedServer

    @property
    def url(self) -> str:
        return self.server.url

    def control(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=30)

    def new_org(
        self,
        company_name: str = "Testfirma GmbH",
        rate: float = 1000.0,
        burst: float = 1000.0,
        **settings: Any,
    ) -> SandboxOrg:
        """A fresh organization; by default its key is not throttled (tests of the bucket set their own)."""
        org = self.app.state.create_organization(company_name, **settings)
        key = self.app.state.create_key(org.id, rate=rate, burst=burst)
        return SandboxOrg(self, org, key.token)

    def drain_events(self) -> list[dict[str, Any]]:
        """Wait until all webhook callbacks under way have completed; return the delivery log."""
        with self.control() as c:
            data: list[dict[str, Any]] = c.post("/_sandbox/deliveries/drain").json()
            return data


@contextmanager
def running_sandbox(config: SandboxConfig | None = None) -> Iterator[RunningSandbox]:
    app = Sandbox(config or SandboxConfig())
    with ThreadedServer(app.asgi) as server:
        yield RunningSandbox(app, server)
