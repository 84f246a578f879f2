"""Operator CLI (click's CliRunner, real Redis from REDIS_URL): tenants, keys, reseal, serve's checks."""

from __future__ import annotations

import asyncio
import base64
import json
import secrets
from collections.abc import Awaitable, Callable
from typing import TypeVar

import pytest
from click.testing import CliRunner
from redis.asyncio import Redis

from gateway.accounts import AccountService
from gateway.cli import main
from gateway.crypto import Keyring
from gateway.settings import Settings
from gateway.store import Store
from gateway.verification import LexofficeVerifier
from schemas.accounts import AccountCreate, LexofficeCredentials
from tests.gateway.conftest import redis_dump
from tests.support.sandbox import SandboxOrg

T = TypeVar("T")


@pytest.fixture
def cli(redis_url: str) -> CliRunner:
    return CliRunner(env={"REDIS_URL": redis_url})


def test_tenant_create_prints_the_key_once_and_list_shows_it(cli: CliRunner, redis_url: str) -> None:
    created = cli.invoke(main, ["tenants", "create", "Acme SaaS", "--rate", "5", "--burst", "10"])
    assert created.exit_code == 0, created.output
    key_line = next(line for line in created.output.splitlines() if "API key:" in line)
    key = key_line.split()[-1]
    assert key.startswith("lb_")
    assert key.encode() not in redis_dump(redis_url)

    listed = cli.invoke(main, ["tenants", "list"])
    assert listed.exit_code == 0
    assert "Acme SaaS" in listed.output
    assert "rate=5.0 burst=10" in listed.output
    assert key not in listed.output

    as_json = cli.invoke(main, ["tenants", "list", "--json"])
    (tenant,) = [json.loads(line) for line in as_json.output.splitlines()]
    assert tenant["name"] == "Acme SaaS"
    assert len(tenant["keys"]) == 1


def test_keys_create_list_and_revoke(cli: CliRunner) -> None:
    created = json.loads(cli.invoke(main, ["tenants", "create", "Acme", "--json"]).output)
    tenant_id = created["tenant_id"]
    second = cli.invoke(main, ["keys", "create", tenant_id, "--json"])
    assert second.exit_code == 0
    key = json.loads(second.output)
    assert key["key"].startswith("lb_")

    listed = cli.invoke(main, ["keys", "list", tenant_id])
    assert {created["id"], key["id"]} <= set(listed.output.split())
    assert key["key"] not in listed.output

    revoked = cli.invoke(main, ["keys", "revoke", tenant_id, key["id"]])
    assert revoked.exit_code == 0
    assert key["id"] not in cli.invoke(main, ["keys", "list", tenant_id]).output
    again = cli.invoke(main, ["keys", "revoke", tenant_id, key["id"]])
    assert again.exit_code == 1
    assert "has no API key" in again.output


def test_errors_are_clear(cli: CliRunner) -> None:
    unknown = cli.invoke(main, ["keys", "create", "ten_00000000000000000000000000"])
    assert unknown.exit_code == 1
    assert "No tenant" in unknown.output
    bad_rate = cli.invoke(main, ["tenants", "create", "Acme", "--rate", "0"])
    assert bad_rate.exit_code == 2
    assert "rate" in bad_rate.output
    no_redis = CliRunner(env={"REDIS_URL": ""}).invoke(main, ["tenants", "list"])
    assert no_redis.exit_code == 1
    assert "REDIS_URL: required" in no_redis.output


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"REDIS_URL": ""}, "REDIS_URL"),
        ({"LEDGERBRIDGE_MASTER_KEY": ""}, "LEDGERBRIDGE_MASTER_KEY"),
        ({"LEDGERBRIDGE_DEFAULT_TENANT_RATE": "fast"}, "LEDGERBRIDGE_DEFAULT_TENANT_RATE"),
    ],
)
def test_serve_refuses_to_start_without_valid_settings(
    redis_url: str, env: dict[str, str], variable: str
) -> None:
    base = {
        "REDIS_URL": redis_url,
        "LEDGERBRIDGE_MASTER_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
    }
    result = CliRunner(env=base | env).invoke(main, ["serve", "--port", "0"])
    assert result.exit_code == 1
    assert f"Error: {variable}: " in result.output


def test_reseal_credentials_moves_accounts_to_the_current_key(
    cli: CliRunner, redis_url: str, lex: SandboxOrg
) -> None:
    old, new = (base64.b64encode(secrets.token_bytes(32)).decode() for _ in range(2))
    tenant_id = json.loads(cli.invoke(main, ["tenants", "create", "Acme", "--json"]).output)["tenant_id"]

    async def accounts(master_key: str, work: Callable[[AccountService], Awaitable[T]]) -> T:
        redis = Redis.from_url(redis_url, decode_responses=True)
        verifier = LexofficeVerifier(lex.sandbox.url)
        try:
            return await work(
                AccountService(Store(redis), Keyring.from_settings(Settings(master_key=master_key)), verifier)
            )
        finally:
            await verifier.aclose()
            await redis.aclose()

    spec = AccountCreate("lexoffice", LexofficeCredentials(lex.api_key))
    account = asyncio.run(accounts(old, lambda service: service.create(tenant_id, spec)))

    env = {"LEDGERBRIDGE_MASTER_KEY": new, "LEDGERBRIDGE_MASTER_KEYS_OLD": old}
    first = cli.invoke(main, ["reseal-credentials"], env=env)
    assert first.exit_code == 0, first.output
    assert "re-encrypted 1 account(s)" in first.output
    assert "re-encrypted 0 account(s)" in cli.invoke(main, ["reseal-credentials"], env=env).output

    resolved = asyncio.run(accounts(new, lambda service: service.resolve(tenant_id, account.id)))
    assert resolved.credentials == {"api_key": lex.api_key}
    assert lex.api_key not in repr(resolved)
