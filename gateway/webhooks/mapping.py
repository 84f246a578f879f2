"""lexoffice event types -> unified event types (pure; no I/O).

lexoffice names resources in kebab-case and events ``created``/``changed``/``deleted``/``status.changed``;
the unified events use snake_case resources and ``created``/``updated``/``deleted``/``status_changed``.
``payment.changed`` becomes ``payment.updated`` and ``token.revoked`` ``account.credentials_revoked``.
A type lexoffice adds later passes through as ``lexoffice.<type>`` (delivered to ``*`` endpoints only).
"""

from __future__ import annotations

from dataclasses import dataclass

_VERBS = {
    "created": "created",
    "changed": "updated",
    "deleted": "deleted",
    "status.changed": "status_changed",
}
_CRUD = ("created", "changed", "deleted")
_WITH_STATUS = (*_CRUD, "status.changed")
_RESOURCES: dict[str, tuple[str, ...]] = {
    "contact": _CRUD,
    "credit-note": _WITH_STATUS,
    "delivery-note": _CRUD,
    "down-payment-invoice": _WITH_STATUS,
    "dunning": _CRUD,
    "invoice": _WITH_STATUS,
    "order-confirmation": _WITH_STATUS,
    "quotation": _WITH_STATUS,
    "recurring-template": _CRUD,
    "voucher": _WITH_STATUS,
}
UNKNOWN_PREFIX = "lexoffice."


@dataclass(frozen=True)
class EventMapping:
    """What a lexoffice event becomes: the unified type, the resource type, whether to fetch the resource."""

    type: str
    resource_type: str
    fetch_resource: bool


def _table() -> dict[str, EventMapping]:
    table = {
        f"{resource}.{verb}": EventMapping(
            f"{resource.replace('-', '_')}.{_VERBS[verb]}", resource.replace("-", "_"), verb != "deleted"
        )
        for resource, verbs in _RESOURCES.items()
        for verb in verbs
    }
    table["payment.changed"] = EventMapping("payment.updated", "payment", True)
    table["token.revoked"] = EventMapping("account.credentials_revoked", "account", False)
    return table


LEXOFFICE_EVENTS: dict[str, EventMapping] = _table()
"""Every documented lexoffice event type (38) and what it becomes."""
UNIFIED_EVENT_TYPES: frozenset[str] = frozenset(mapping.type for mapping in LEXOFFICE_EVENTS.values())


def map_lexoffice_event(event_type: str) -> EventMapping:
    """The unified event for a lexoffice event type (lexoffice handles them case-insensitively)."""
    lowered = event_type.lower()
    known = LEXOFFICE_EVENTS.get(lowered)
    if known is not None:
        return known
    return EventMapping(UNKNOWN_PREFIX + lowered, lowered.split(".")[0].replace("-", "_"), False)


def matches(event_filter: str, event_type: str) -> bool:
    """Whether an endpoint's filter (``*``, ``invoice.*`` or an exact type) selects ``event_type``."""
    if event_filter in ("*", event_type):
        return True
    return event_filter.endswith(".*") and event_type.startswith(event_filter[:-1])


def unknown_filters(filters: list[str]) -> list[str]:
    """The filters that can never match: neither ``*``, a known type, nor the family of a known type."""
    return [
        f
        for f in filters
        if f != "*"
        and not f.startswith(UNKNOWN_PREFIX)
        and not any(matches(f, event_type) for event_type in UNIFIED_EVENT_TYPES)
    ]


def lexoffice_types_for(filters: list[str]) -> set[str]:
    """The lexoffice event types an endpoint with these filters needs subscriptions for."""
    return {
        upstream
        for upstream, mapping in LEXOFFICE_EVENTS.items()
        if any(matches(f, mapping.type) for f in filters)
    }
