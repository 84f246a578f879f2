"""Read-only reference endpoints: countries, payment conditions, posting categories, profile, ping."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get

from .catalog import COUNTRIES, PAYMENT_CONDITIONS, POSTING_CATEGORIES
from .web import json_response, organization


@get("/v1/countries", sync_to_thread=False)
def list_countries() -> Response[bytes]:
    return json_response(COUNTRIES)


@get("/v1/payment-conditions", sync_to_thread=False)
def list_payment_conditions() -> Response[bytes]:
    return json_response(PAYMENT_CONDITIONS)


@get("/v1/posting-categories", sync_to_thread=False)
def list_posting_categories() -> Response[bytes]:
    return json_response(POSTING_CATEGORIES)


@get("/v1/profile", sync_to_thread=False)
def get_profile(request: Request[Any, Any, Any]) -> Response[bytes]:
    return json_response(organization(request).profile())


@get("/v1/ping", sync_to_thread=False)
def ping(request: Request[Any, Any, Any]) -> Response[bytes]:
    """Ping (path not documented; the documented response is ``{"userEmail": ...}``)."""
    return json_response({"userEmail": organization(request).user_email})


ROUTES = [list_countries, list_payment_conditions, list_posting_categories, get_profile, ping]
