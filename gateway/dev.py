"""``ledgerbridge dev``: the whole product on one machine, for trying it out and developing against it.

One process runs an embedded real Redis (AOF-persisted under the data folder), the lexoffice sandbox and the
gateway; it onboards a demo tenant and connects a demo lexoffice account, then prints what a newcomer needs:
the gateway URL, a fresh tenant API key, the account id and curl examples that work as printed.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import click
import msgspec
import uvicorn

from connectors.lexoffice.sandbox.app import Sandbox, SandboxConfig
from schemas.accounts import AccountCreate, LexofficeCredentials
from schemas.admin import TenantCreate

from .app import create_app
from .crypto import Keyring
from .embedded_redis import RedisServer
from .logging import configure_logging
from .services import STATE_KEY, Services
from .serving import SignallingServer, bind_socket
from .settings import Settings

T = TypeVar("T")

DEMO_TENANT = "demo"
DEMO_ACCOUNT_EXTERNAL_ID = "demo-lexoffice"


@dataclass(frozen=True)
class DevFacts:
    """What ``dev`` prints (``--json``: this object as one JSON line)."""

    gateway_url: str
    sandbox_url: str
    api_key: str
    account_id: str
    tenant_id: str
    sandbox_api_key: str


class DevState(msgspec.Struct):
    """The demo sandbox organization's id and key, kept in the data folder so the demo account connected
    in Redis keeps working after a restart (the sandbox itself keeps its data in memory only)."""

    sandbox_organization_id: str
    sandbox_api_key: str

    @classmethod
    def load(cls, path: Path) -> DevState:
        if path.exists():
            return msgspec.json.decode(path.read_bytes(), type=cls)
        state = cls(str(uuid.uuid4()), "sandbox_" + secrets.token_urlsafe(24))
        path.write_bytes(msgspec.json.encode(state))
        path.chmod(0o600)
        return state


async def _find(
    fetch_page: Callable[[str | None], Awaitable[tuple[list[T], str | None]]], matches: Callable[[T], bool]
) -> T | None:
    """The first item of a paged listing that ``matches``."""
    cursor: str | None = None
    while True:
        items, cursor = await fetch_page(cursor)
        found = next((item for item in items if matches(item)), None)
        if found is not None or cursor is None:
            return found


async def _demo_account(services: Services, sandbox_key: str) -> tuple[str, str, str]:
    """The demo tenant (created once) with a fresh API key, and its demo account (connected once)."""
    tenant = await _find(lambda cursor: services.tenants.page(cursor, 250), lambda t: t.name == DEMO_TENANT)
    if tenant is None:
        tenant, issued = await services.tenants.create(TenantCreate(name=DEMO_TENANT))
    else:
        issued = await services.tenants.issue_key(tenant.id)
    tenant_id = tenant.id
    account = await _find(
        lambda cursor: services.accounts.page(tenant_id, cursor, 250),
        lambda a: a.external_id == DEMO_ACCOUNT_EXTERNAL_ID,
    )
    if account is None:
        account = await services.accounts.create(
            tenant_id,
            AccountCreate(
                connector="lexoffice",
                credentials=LexofficeCredentials(api_key=sandbox_key),
                name="Demo GmbH (sandbox)",
                external_id=DEMO_ACCOUNT_EXTERNAL_ID,
            ),
        )
    return tenant_id, issued.secret, account.id


def curl_examples(facts: DevFacts) -> list[str]:
    """Examples that work as printed against a fresh ``dev``."""
    headers = f"-H 'Authorization: Bearer {facts.api_key}' -H 'X-Account-Id: {facts.account_id}'"
    accounting = f"{facts.gateway_url}/v1/accounting"
    contact = '{"type": "company", "roles": ["customer"], "company": {"name": "Musterfirma GmbH"}}'
    return [
        f"curl -s {headers} {accounting}/company",
        f"curl -s {headers} -H 'Content-Type: application/json' -d '{contact}' {accounting}/contacts",
        f"curl -s {headers} '{accounting}/contacts?limit=10'",
    ]


def _print_facts(facts: DevFacts, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(facts.__dict__))
        return
    click.echo(f"LedgerBridge dev gateway on {facts.gateway_url}   (API docs: {facts.gateway_url}/schema)")
    click.echo(f"  lexoffice sandbox: {facts.sandbox_url}  (key {facts.sandbox_api_key})")
    click.echo(f"  tenant API key:    {facts.api_key}")
    click.echo(f"  account id:        {facts.account_id}")
    click.echo("  try:")
    for example in curl_examples(facts):
        click.echo(f"    {example}")


def run_dev(host: str, port: int, sandbox_port: int, data_dir: Path, as_json: bool) -> None:
    """Start Redis, the sandbox and the gateway; onboard the demo; serve until interrupted."""
    configure_logging("warning", "console")
    data_dir.mkdir(parents=True, exist_ok=True)
    redis_server = RedisServer.start(data_dir / "redis", persistent=True)
    try:
        state = DevState.load(data_dir / "dev.json")
        keyring = Keyring.from_settings(Settings(), data_dir / "master.key")
        asyncio.run(_serve(host, port, sandbox_port, data_dir, state, redis_server.url, keyring, as_json))
    finally:
        redis_server.stop()


async def _serve(
    host: str,
    port: int,
    sandbox_port: int,
    data_dir: Path,
    state: DevState,
    redis_url: str,
    keyring: Keyring,
    as_json: bool,
) -> None:
    sandbox = Sandbox(SandboxConfig(signing_key_path=data_dir / "sandbox-signing-key.pem"))
    sandbox.add_organization(
        "Demo GmbH", api_key=state.sandbox_api_key, organization_id=state.sandbox_organization_id
    )
    sandbox_socket, gateway_socket = bind_socket(host, sandbox_port), bind_socket(host, port)
    sandbox_url = f"http://{host}:{sandbox_socket.getsockname()[1]}"
    gateway_url = f"http://{host}:{gateway_socket.getsockname()[1]}"
    settings = Settings(
        redis_url=redis_url,
        lexoffice_base_url=sandbox_url,
        public_url=gateway_url,
        log_format="console",
        log_level="warning",
        mode="development",
        webhooks_allow_private_targets=True,
        lexoffice_webhook_public_key=sandbox.signing_key.public_pem().decode(),
    )
    app = create_app(settings, keyring=keyring)
    sandbox_up = asyncio.Event()
    servers = [
        SignallingServer(uvicorn.Config(sandbox.asgi, log_level="warning"), sandbox_up.set),
        SignallingServer(uvicorn.Config(app, log_level="warning", log_config=None), lambda: None),
    ]
    tasks = [
        asyncio.ensure_future(server.serve(sockets=[sock]))
        for server, sock in zip(servers, (sandbox_socket, gateway_socket), strict=True)
    ]
    await sandbox_up.wait()
    services: Services = app.state[STATE_KEY]
    tenant_id, api_key, account_id = await _demo_account(services, state.sandbox_api_key)
    _print_facts(
        DevFacts(gateway_url, sandbox_url, api_key, account_id, tenant_id, state.sandbox_api_key), as_json
    )
    await asyncio.gather(*tasks)
