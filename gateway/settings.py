"""Gateway settings, read from the environment once at startup.

``VARIABLES`` is the one source of truth: it maps each environment variable to a field of :class:`Settings`,
documents it, and :data:`SETTINGS_DOC` renders it as the Markdown table of the README. An invalid value is
a :class:`SettingsError` naming the variable (secret values are never repeated in the message).
"""

from __future__ import annotations

import base64
import binascii
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Annotated, Literal

import msgspec

LogLevel = Literal["debug", "info", "warning", "error"]
LogFormat = Literal["json", "console"]
Mode = Literal["production", "development"]
MASTER_KEY_BYTES = 32
_KEY_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class SettingsError(ValueError):
    """An environment variable is missing or invalid."""

    def __init__(self, variable: str, problem: str) -> None:
        super().__init__(f"{variable}: {problem}")
        self.variable = variable


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    """The gateway's configuration (see :data:`SETTINGS_DOC`)."""

    redis_url: str | None = None
    master_key: str | None = None
    master_key_id: str | None = None
    master_keys_old: str | None = None
    admin_token: Annotated[str, msgspec.Meta(min_length=16)] | None = None
    default_tenant_rate: Annotated[float, msgspec.Meta(gt=0)] = 10.0
    default_tenant_burst: Annotated[int, msgspec.Meta(ge=1)] = 20
    max_body_bytes: Annotated[int, msgspec.Meta(ge=1024)] = 10 * 1024 * 1024
    log_level: LogLevel = "info"
    log_format: LogFormat = "json"
    lexoffice_base_url: str = "https://api.lexware.io"
    public_url: str | None = None
    mode: Mode = "production"
    lexoffice_webhook_public_key: str | None = None
    webhooks_allow_private_targets: bool = False
    webhook_timeout: Annotated[float, msgspec.Meta(gt=0, le=120)] = 10.0
    webhook_retry_schedule: str = "5,30,120,600,1800,3600,10800,21600"
    webhook_claim_idle: Annotated[float, msgspec.Meta(gt=0)] = 30.0
    webhook_concurrency: Annotated[int, msgspec.Meta(ge=1, le=1000)] = 32
    webhook_reconcile_interval: Annotated[float, msgspec.Meta(gt=0)] = 900.0
    webhook_event_retention_days: Annotated[float, msgspec.Meta(gt=0, le=365)] = 7.0
    shutdown_grace_seconds: Annotated[int, msgspec.Meta(ge=0, le=3600)] = 25
    operation_wait_seconds: Annotated[float, msgspec.Meta(ge=0, le=120)] = 10.0
    operation_lease_seconds: Annotated[float, msgspec.Meta(gt=0, le=3600)] = 30.0
    operation_sweep_seconds: Annotated[float, msgspec.Meta(gt=0, le=3600)] = 5.0

    def __repr__(self) -> str:
        shown = {
            var.field: "***" if var.secret and getattr(self, var.field) else getattr(self, var.field)
            for var in VARIABLES
        }
        return f"Settings({', '.join(f'{k}={v!r}' for k, v in shown.items())})"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Settings from ``environ`` (default: the process environment); empty values count as unset."""
        env = os.environ if environ is None else environ
        raw: dict[str, str] = {}
        for var in VARIABLES:
            value = env.get(var.env, "").strip()
            if not value:
                continue
            if var.check is not None:
                try:
                    value = var.check(value)
                except ValueError as exc:
                    raise SettingsError(var.env, str(exc)) from None
            raw[var.field] = value
        try:
            return msgspec.convert(raw, cls, strict=False)
        except msgspec.ValidationError as exc:
            raise _explain(exc) from None

    def require_redis_url(self) -> str:
        """The Redis URL, or a :class:`SettingsError` saying it is required."""
        if self.redis_url is None:
            raise SettingsError("REDIS_URL", "required (e.g. redis://localhost:6379/0)")
        return self.redis_url

    @property
    def webhook_retry_delays(self) -> tuple[float, ...]:
        """The retry schedule in seconds."""
        return parse_retry_schedule(self.webhook_retry_schedule)

    def require_master_key(self) -> str:
        """The master key, or a :class:`SettingsError` saying production needs one."""
        if self.master_key is None:
            raise SettingsError(
                "LEDGERBRIDGE_MASTER_KEY",
                "required in production (32 random bytes, base64; e.g. `openssl rand -base64 32`)",
            )
        return self.master_key


def decode_master_key(text: str) -> bytes:
    """Decode a base64 (standard or URL-safe) master key; it must be exactly 32 bytes."""
    padded = text.strip() + "=" * (-len(text.strip()) % 4)
    try:
        key = base64.b64decode(padded.replace("-", "+").replace("_", "/"), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("not valid base64") from None
    if len(key) != MASTER_KEY_BYTES:
        raise ValueError(f"must decode to {MASTER_KEY_BYTES} bytes, got {len(key)}")
    return key


def parse_old_keys(text: str) -> list[tuple[str | None, bytes]]:
    """Parse ``[kid:]base64,[kid:]base64,...`` (retired master keys, still used to decrypt)."""
    keys: list[tuple[str | None, bytes]] = []
    for number, item in enumerate(part.strip() for part in text.split(",")):
        if not item:
            continue
        kid, sep, encoded = item.rpartition(":")
        if sep and not _KEY_ID.match(kid):
            raise ValueError(f"entry {number + 1}: key id must match {_KEY_ID.pattern}")
        try:
            keys.append((kid or None, decode_master_key(encoded)))
        except ValueError as exc:
            raise ValueError(f"entry {number + 1}: {exc}") from None
    return keys


def _check_master_key(text: str) -> str:
    decode_master_key(text)
    return text


def _check_old_keys(text: str) -> str:
    parse_old_keys(text)
    return text


def _check_key_id(text: str) -> str:
    if not _KEY_ID.match(text):
        raise ValueError(f"must match {_KEY_ID.pattern}")
    return text


def _check_redis_url(text: str) -> str:
    if not text.startswith(("redis://", "rediss://", "unix://")):
        raise ValueError("must start with redis://, rediss:// or unix://")
    return text


def parse_retry_schedule(text: str) -> tuple[float, ...]:
    """Parse ``5,30,120,...`` (seconds before each retry; the last retry is the last try)."""
    try:
        delays = tuple(float(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise ValueError("must be comma-separated numbers of seconds") from None
    if any(delay <= 0 for delay in delays):
        raise ValueError("every delay must be positive")
    return delays


def _check_retry_schedule(text: str) -> str:
    parse_retry_schedule(text)
    return text


def _check_public_key(text: str) -> str:
    """A PEM public key, given inline or as the path of a file holding one; it must be RSA."""
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    pem = text if text.lstrip().startswith("-----BEGIN") else _read(text)
    try:
        key = load_pem_public_key(pem.encode())
    except ValueError:
        raise ValueError("not a PEM public key") from None
    if not isinstance(key, rsa.RSAPublicKey):
        raise ValueError("must be an RSA public key")
    return pem


def _read(path: str) -> str:
    try:
        with open(path, encoding="ascii") as file:
            return file.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"neither PEM text nor a readable PEM file ({type(exc).__name__})") from None


def _check_http_url(text: str) -> str:
    if not re.match(r"^https?://[^/\s]+", text):
        raise ValueError("must be an absolute http(s) URL")
    return text.rstrip("/")


@dataclass(frozen=True)
class Variable:
    """One environment variable: its :class:`Settings` field, documentation and extra check."""

    env: str
    field: str
    doc: str
    check: Callable[[str], str] | None = None
    secret: bool = False


VARIABLES: tuple[Variable, ...] = (
    Variable(
        "REDIS_URL", "redis_url", "Redis connection URL. Required for `serve`.", _check_redis_url, secret=True
    ),
    Variable(
        "LEDGERBRIDGE_MASTER_KEY",
        "master_key",
        "Master key encrypting upstream credentials (AES-256-GCM): 32 random bytes, base64. Required for "
        "`serve`; without it (development) a key is generated once into `.ledgerbridge/master.key`.",
        _check_master_key,
        secret=True,
    ),
    Variable(
        "LEDGERBRIDGE_MASTER_KEY_ID",
        "master_key_id",
        "Id stored with each ciphertext. Default: derived from the key (first 16 hex of a SHA-256).",
        _check_key_id,
    ),
    Variable(
        "LEDGERBRIDGE_MASTER_KEYS_OLD",
        "master_keys_old",
        "Retired master keys, decrypt-only, for rotation: comma-separated `[kid:]base64`. Drop them once "
        "`ledgerbridge reseal-credentials` has moved every account to the current key.",
        _check_old_keys,
        secret=True,
    ),
    Variable(
        "LEDGERBRIDGE_ADMIN_TOKEN",
        "admin_token",
        "Bearer token of the admin API (`/v1/admin`), at least 16 characters. Unset: no admin API.",
        secret=True,
    ),
    Variable(
        "LEDGERBRIDGE_DEFAULT_TENANT_RATE",
        "default_tenant_rate",
        "Inbound requests per second per tenant, unless set on the tenant.",
    ),
    Variable(
        "LEDGERBRIDGE_DEFAULT_TENANT_BURST",
        "default_tenant_burst",
        "Inbound burst (requests at once) per tenant, unless set on the tenant.",
    ),
    Variable("LEDGERBRIDGE_MAX_BODY_BYTES", "max_body_bytes", "Largest accepted request body (413 above)."),
    Variable(
        "LEDGERBRIDGE_SHUTDOWN_GRACE_SECONDS",
        "shutdown_grace_seconds",
        "`serve`: seconds in-flight requests get to finish after SIGTERM (new connections are refused at "
        "once); keep it below the pod's `terminationGracePeriodSeconds`.",
    ),
    Variable(
        "LEDGERBRIDGE_OPERATION_WAIT_SECONDS",
        "operation_wait_seconds",
        "How long a multi-step operation (voucher with receipts, invoice with PDF, ...) may take before the "
        "request is answered `202` with the operation's URL; it then finishes in the background.",
    ),
    Variable(
        "LEDGERBRIDGE_OPERATION_LEASE_SECONDS",
        "operation_lease_seconds",
        "How long a process holds a running operation without renewing its lease (renewed every third of "
        "it): after a crash, another process or a retry resumes the operation once it ran out.",
    ),
    Variable(
        "LEDGERBRIDGE_OPERATION_SWEEP_SECONDS",
        "operation_sweep_seconds",
        "How often each process looks for running operations whose lease ran out (their process died).",
    ),
    Variable("LEDGERBRIDGE_LOG_LEVEL", "log_level", "`debug`, `info`, `warning` or `error`.", str.lower),
    Variable(
        "LEDGERBRIDGE_LOG_FORMAT", "log_format", "`json` (one object per line) or `console`.", str.lower
    ),
    Variable(
        "LEDGERBRIDGE_LEXOFFICE_BASE_URL",
        "lexoffice_base_url",
        "lexoffice API base URL (point it at the sandbox for tests and demos).",
        _check_http_url,
    ),
    Variable(
        "LEDGERBRIDGE_PUBLIC_URL",
        "public_url",
        "The gateway's external URL (listed as server in the OpenAPI document; lexoffice calls "
        "`<it>/v1/webhooks/lexoffice`, so webhooks need it).",
        _check_http_url,
    ),
    Variable(
        "LEDGERBRIDGE_MODE",
        "mode",
        "`production` or `development` (development accepts plain-http webhook endpoints).",
        str.lower,
    ),
    Variable(
        "LEDGERBRIDGE_LEXOFFICE_WEBHOOK_PUBLIC_KEY",
        "lexoffice_webhook_public_key",
        "The RSA public key (PEM text, or the path of a PEM file) that verifies lexoffice's "
        "`X-Lxo-Signature`: lexoffice's published key in production, `<sandbox>/_sandbox/public-key.pem` "
        "against the sandbox. Unset: inbound webhooks are refused (503).",
        _check_public_key,
    ),
    Variable(
        "LEDGERBRIDGE_WEBHOOKS_ALLOW_PRIVATE_TARGETS",
        "webhooks_allow_private_targets",
        "`true` lets tenant webhook endpoints point at loopback/private/link-local addresses (tests, dev).",
        str.lower,
    ),
    Variable(
        "LEDGERBRIDGE_WEBHOOK_TIMEOUT",
        "webhook_timeout",
        "Seconds one outbound webhook delivery attempt may take (connect to response).",
    ),
    Variable(
        "LEDGERBRIDGE_WEBHOOK_RETRY_SCHEDULE",
        "webhook_retry_schedule",
        "Seconds before each retry of a failed delivery (full jitter: a random wait up to each value); "
        "after the last one fails the delivery is dead-lettered.",
        _check_retry_schedule,
    ),
    Variable(
        "LEDGERBRIDGE_WEBHOOK_CLAIM_IDLE",
        "webhook_claim_idle",
        "Seconds after which another gateway process takes over queued webhook work that a process claimed "
        "and did not finish (it crashed).",
    ),
    Variable(
        "LEDGERBRIDGE_WEBHOOK_CONCURRENCY",
        "webhook_concurrency",
        "Outbound webhook deliveries in flight at once, per gateway process.",
    ),
    Variable(
        "LEDGERBRIDGE_WEBHOOK_RECONCILE_INTERVAL",
        "webhook_reconcile_interval",
        "Seconds between checks that every account's lexoffice event subscriptions still exist "
        "(lexoffice drops them after a 404 or when a key is revoked).",
    ),
    Variable(
        "LEDGERBRIDGE_WEBHOOK_EVENT_RETENTION_DAYS",
        "webhook_event_retention_days",
        "Days the event log (`/v1/events`) keeps an event and its delivery state.",
    ),
)


def _explain(exc: msgspec.ValidationError) -> SettingsError:
    message, _, where = str(exc).rpartition(" - at `$.")
    field = where.rstrip("`").split(".")[0].split("[")[0]
    variable = next((var for var in VARIABLES if var.field == field), None)
    if variable is None:
        return SettingsError("environment", str(exc))
    return SettingsError(variable.env, message or str(exc))


def _default(field: str) -> str:
    value = next(f.default for f in msgspec.structs.fields(Settings) if f.name == field)
    return "—" if value is None else f"`{value}`"


SETTINGS_DOC = "\n".join(
    [
        "| variable | meaning | default |",
        "|---|---|---|",
        *(f"| `{var.env}` | {var.doc} | {_default(var.field)} |" for var in VARIABLES),
    ]
)
"""The settings as a Markdown table, for the README."""
