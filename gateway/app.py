"""The gateway's Litestar application."""

from __future__ import annotations

from importlib.metadata import version

from litestar import Litestar, Router
from litestar.datastructures import State
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import (
    JsonRenderPlugin,
    ScalarRenderPlugin,
    SwaggerRenderPlugin,
    YamlRenderPlugin,
)
from litestar.openapi.spec import Components, SecurityScheme, Server
from redis.asyncio import BlockingConnectionPool, Redis

from connectors.lexoffice.flows import FLOWS

from . import observe
from .accounts import AccountService
from .auth import PUBLIC, AuthMiddleware
from .connectors import Connectors
from .content import require_json_body
from .crypto import Keyring
from .idempotency import IdempotencyMiddleware
from .logging import configure_logging
from .metrics import Metrics
from .operations import Operations, OperationStore
from .problems import EXCEPTION_HANDLERS
from .ratelimit import InboundLimiter
from .routes import accounting, accounts, admin, ops, passthrough, webhooks
from .routes import operations as operation_routes
from .services import DEPENDENCIES, STATE_KEY, Services
from .settings import Settings
from .store import Store
from .tenants import TenantService
from .verification import CredentialVerifier, LexofficeVerifier
from .webhooks import ResourceFetcher, Webhooks

OPENAPI_PATH = "/schema"
REDIS_TIMEOUT_SECONDS = 5.0
REDIS_MAX_CONNECTIONS = 64
OPERATION_RETENTION_SECONDS = 24 * 3600
"""How long a finished operation (and its response, replayed to retries) is kept."""


def create_app(
    settings: Settings,
    redis: Redis | None = None,
    verifier: CredentialVerifier | None = None,
    keyring: Keyring | None = None,
    resource_fetcher: ResourceFetcher | None = None,
    lexoffice_interval: float | None = None,
) -> Litestar:
    """The gateway app.

    ``redis`` (made with ``decode_responses=True``), ``verifier`` and ``keyring`` default to ones built from
    the settings; the app closes only what it built itself. ``resource_fetcher`` gives webhook events their
    current resource (default: none, events carry the resource id only). ``lexoffice_interval`` overrides the
    seconds between two calls with one lexoffice API key (default: lexoffice's documented limit, with margin).
    """
    owned_redis = redis is None
    if redis is None:
        # a bounded pool: a burst of requests queues for a connection instead of opening hundreds at once
        redis = Redis.from_pool(
            BlockingConnectionPool.from_url(
                settings.require_redis_url(),
                max_connections=REDIS_MAX_CONNECTIONS,
                timeout=REDIS_TIMEOUT_SECONDS,
                decode_responses=True,
                socket_timeout=REDIS_TIMEOUT_SECONDS,
                socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
            )
        )
    lexoffice: LexofficeVerifier | None = None
    if verifier is None:
        verifier = lexoffice = LexofficeVerifier(settings.lexoffice_base_url)
    store = Store(redis)
    tenants = TenantService(store)
    keyring = keyring or Keyring.from_settings(settings)
    connectors = Connectors.build(settings, redis, lexoffice_interval=lexoffice_interval)
    hooks = Webhooks.build(settings, redis, store, keyring, connectors, resource_fetcher)
    account_service = AccountService(store, keyring, verifier, listener=hooks.subscriptions)
    operations = Operations(
        OperationStore(redis, settings.operation_lease_seconds, OPERATION_RETENTION_SECONDS),
        account_service,
        connectors,
        FLOWS,
        wait_seconds=settings.operation_wait_seconds,
        sweep_seconds=settings.operation_sweep_seconds,
    )
    services = Services(
        settings=settings,
        redis=redis,
        store=store,
        tenants=tenants,
        accounts=account_service,
        limiter=InboundLimiter(redis, settings.default_tenant_rate, settings.default_tenant_burst),
        metrics=Metrics(),
        webhooks=hooks,
        connectors=connectors,
        operations=operations,
    )

    async def start() -> None:
        await hooks.start()
        await operations.start()

    async def close() -> None:
        await operations.stop()
        await hooks.stop()
        await services.connectors.aclose()
        if lexoffice is not None:
            await lexoffice.aclose()
        if owned_redis:
            await services.redis.aclose()

    app = Litestar(
        route_handlers=[
            *ops.ROUTES,
            accounts.router,
            *accounting.ROUTERS,
            passthrough.router,
            operation_routes.router,
            *webhooks.ROUTES,
            *([admin.router] if settings.admin_token else []),
        ],
        middleware=[
            AuthMiddleware(tenants, services.limiter, services.metrics, settings.admin_token),
            IdempotencyMiddleware(redis, settings.max_body_bytes),
        ],
        guards=[require_json_body],
        dependencies=DEPENDENCIES,
        exception_handlers=EXCEPTION_HANDLERS,
        request_max_body_size=settings.max_body_bytes,
        openapi_config=_openapi(settings),
        state=State({STATE_KEY: services}),
        on_startup=[start],
        on_shutdown=[close],
        logging_config=None,
        debug=False,
    )
    observe.install(app, services.metrics)
    return app


def _openapi(settings: Settings) -> OpenAPIConfig:
    """OpenAPI 3.1 at ``/schema``: Scalar (default), Swagger UI, JSON and YAML; no authentication needed."""
    return OpenAPIConfig(
        title="LedgerBridge",
        version=version("ledgerbridge"),
        description="One accounting API for your SaaS product. Errors are RFC 9457 problem details. Every "
        "POST and PATCH accepts an `Idempotency-Key` header (1-255 printable ASCII characters): a repeat "
        "returns the first response (`Idempotent-Replayed: true`), the same key with another request is "
        "`422 idempotency-key-reused`, a repeat while the first still runs "
        "`409 idempotency-request-in-progress`; keys are kept 24 h per tenant and account. Calls that take "
        "several upstream calls run as operations (response header `X-Operation-Id`, "
        "`GET /v1/operations/{id}`): a retry with the same key resumes after the last finished step, and one "
        "still running answers `202`.",
        path=OPENAPI_PATH,
        render_plugins=[ScalarRenderPlugin(), SwaggerRenderPlugin(), JsonRenderPlugin(), YamlRenderPlugin()],
        openapi_router=Router(OPENAPI_PATH, route_handlers=[], opt=PUBLIC, include_in_schema=False),
        servers=[Server(url=settings.public_url)] if settings.public_url else [Server(url="/")],
        components=Components(
            security_schemes={
                "ApiKey": SecurityScheme(
                    type="http", scheme="bearer", description="A tenant API key (`lb_...`)."
                ),
                "AdminToken": SecurityScheme(
                    type="http", scheme="bearer", description="The operator's `LEDGERBRIDGE_ADMIN_TOKEN`."
                ),
            }
        ),
    )


def app_from_env() -> Litestar:
    """The app configured from the environment, with logging set up (uvicorn's factory for ``serve``)."""
    settings = Settings.from_env()
    settings.require_master_key()
    configure_logging(settings.log_level, settings.log_format)
    return create_app(settings)
