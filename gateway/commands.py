"""Operator commands: ``tenants``, ``keys``, ``reseal-credentials`` (on ``REDIS_URL``) and ``serve``."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import click
import msgspec
import uvicorn
from redis.asyncio import Redis

from schemas.admin import TenantCreate

from .accounts import reseal_all
from .crypto import Keyring
from .problems import ProblemError
from .settings import Settings, SettingsError
from .store import Store
from .tenants import IssuedKey, TenantService

T = TypeVar("T")


def _settings() -> Settings:
    try:
        return Settings.from_env()
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from None


def _with_store(work: Callable[[Store, Settings], Awaitable[T]]) -> T:
    """Run ``work`` against the Redis of ``REDIS_URL``; problems and bad settings become CLI errors."""
    settings = _settings()

    async def run() -> T:
        redis = Redis.from_url(settings.require_redis_url(), decode_responses=True)
        try:
            return await work(Store(redis), settings)
        finally:
            await redis.aclose()

    try:
        return asyncio.run(run())
    except (ProblemError, SettingsError) as exc:
        raise click.ClickException(str(exc)) from None


def _echo_key(key: IssuedKey, as_json: bool, extra: dict[str, Any] | None = None) -> None:
    if as_json:
        click.echo(json.dumps({**(extra or {}), **msgspec.to_builtins(key.view())}))
        return
    click.echo(f"  key id:  {key.record.id}")
    click.echo(f"  API key: {key.secret}")
    click.echo("  (shown once: only its SHA-256 hash is stored)")


@click.group()
def tenants() -> None:
    """Onboard and list tenants (the SaaS products using the gateway)."""


@tenants.command("create")
@click.argument("name")
@click.option("--rate", type=float, default=None, help="Inbound requests/second (default: the gateway's).")
@click.option("--burst", type=int, default=None, help="Inbound burst (default: the gateway's).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON line (for scripts).")
def create_tenant(name: str, rate: float | None, burst: int | None, as_json: bool) -> None:
    """Create a tenant and print its first API key (once)."""
    try:
        spec = msgspec.convert({"name": name, "rate": rate, "burst": burst}, TenantCreate)
    except msgspec.ValidationError as exc:
        raise click.BadParameter(str(exc)) from None
    tenant, key = _with_store(lambda store, _: TenantService(store).create(spec))
    if not as_json:
        click.echo(f"tenant {tenant.id} ({tenant.name}) created")
    _echo_key(key, as_json, {"tenant_id": tenant.id})


@tenants.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per line.")
def list_tenants(as_json: bool) -> None:
    """List all tenants."""

    async def collect(store: Store, settings: Settings) -> list[dict[str, Any]]:
        service, rows, cursor = TenantService(store), [], None
        while True:
            page, cursor = await service.page(cursor, 250)
            rows += [msgspec.to_builtins(await service.view(tenant)) for tenant in page]
            if cursor is None:
                return rows

    for row in _with_store(collect):
        if as_json:
            click.echo(json.dumps(row))
        else:
            quota = f"rate={row['rate'] or 'default'} burst={row['burst'] or 'default'}"
            click.echo(
                f"{row['id']}  {row['name']}  {quota}  keys={len(row['keys'])}  created={row['created_at']}"
            )


@click.group()
def keys() -> None:
    """Issue, list and revoke tenants' API keys."""


@keys.command("create")
@click.argument("tenant_id")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON line (for scripts).")
def create_key(tenant_id: str, as_json: bool) -> None:
    """Issue a new API key for TENANT_ID and print it (once)."""
    key = _with_store(lambda store, _: TenantService(store).issue_key(tenant_id))
    if not as_json:
        click.echo(f"new API key for tenant {tenant_id}")
    _echo_key(key, as_json)


@keys.command("list")
@click.argument("tenant_id")
def list_keys(tenant_id: str) -> None:
    """List TENANT_ID's API keys (id, prefix, created, last used; never the keys)."""
    for use in _with_store(lambda store, _: TenantService(store).keys(tenant_id)):
        record, used = use.record, use.last_used_at.isoformat() if use.last_used_at else "never"
        click.echo(f"{record.id}  {record.prefix}...  created={record.created_at.isoformat()}  used={used}")


@keys.command("revoke")
@click.argument("tenant_id")
@click.argument("key_id")
def revoke_key(tenant_id: str, key_id: str) -> None:
    """Revoke KEY_ID of TENANT_ID; it stops working at once."""
    _with_store(lambda store, _: TenantService(store).revoke_key(tenant_id, key_id))
    click.echo(f"revoked {key_id}")


@click.command("reseal-credentials")
def reseal_credentials() -> None:
    """Re-encrypt stored credentials sealed by a retired master key (LEDGERBRIDGE_MASTER_KEYS_OLD)."""

    async def reseal(store: Store, settings: Settings) -> int:
        settings.require_master_key()
        return await reseal_all(store, Keyring.from_settings(settings))

    click.echo(f"re-encrypted {_with_store(reseal)} account(s) under the current master key")


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface (0.0.0.0 in a container).")
@click.option("--port", default=8080, show_default=True, type=int, help="Port.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(min=1), help="Worker processes.")
def serve(host: str, port: int, workers: int) -> None:
    """Serve the gateway (production: needs REDIS_URL and LEDGERBRIDGE_MASTER_KEY)."""
    settings = _settings()
    try:
        settings.require_redis_url()
        settings.require_master_key()
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from None
    uvicorn.run(
        "gateway.app:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_config=None,
        access_log=False,
        server_header=False,
        timeout_graceful_shutdown=settings.shutdown_grace_seconds,
    )


COMMANDS = (tenants, keys, reseal_credentials, serve)
