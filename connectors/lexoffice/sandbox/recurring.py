"""Recurring templates: read-only through the API, made by the user in the app, executed nightly.

``GET /v1/recurring-templates/{id}`` returns a template, ``GET /v1/recurring-templates`` a page of their
projections (contact id and name, totals, payment conditions, settings), sortable by ``createdDate``,
``updatedDate``, ``lastExecutionDate`` or ``nextExecutionDate``.

A template is an invoice without dates plus ``recurringTemplateSettings``; it always references a
contact. The control surface creates templates and runs the schedule: lexoffice executes it nightly from
03:00 Europe/Berlin, the sandbox when told to (``POST /_sandbox/recurring-templates/run``, optionally up
to a given date). Every due execution creates an invoice (draft, or open with its PDF, per
``finalize``) with ``recurringTemplateId`` and the shipping dates of its period, then advances
``nextExecutionDate`` by the interval; past ``endDate`` the template is ``ENDED``; without ``startDate``
it is ``PAUSED``. A failed execution is recorded (``lastExecutionFailed``) and retried on the next run.
"""

from __future__ import annotations

import calendar
import uuid
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

import msgspec
from litestar import Request, Response, get, post
from litestar.params import FromPath

from . import sales
from .clock import BERLIN, format_timestamp, local_midnight, parse_date, parse_timestamp
from .errors import ApiError, missing, not_found, validation_error
from .sales_rules import SHIPPING_TYPES, DocumentKind
from .state import Organization, Record
from .web import (
    json_body,
    json_response,
    organization,
    organization_by_id,
    page_envelope,
    paging,
    sandbox_state,
    sort_param,
    sort_spec,
    validate,
)

TEMPLATES = "recurring-templates"
RUNS = "recurring-template-runs"  # template id -> {executions, lastExecutionDate, invoiceIds} (sandbox-only)
EVENT_PREFIX = "recurring-template"
# executionInterval -> (days, months) from one execution to the next
INTERVALS: dict[str, tuple[int, int]] = {
    "WEEKLY": (7, 0),
    "BIWEEKLY": (14, 0),
    "MONTHLY": (0, 1),
    "QUARTERLY": (0, 3),
    "BIANNUALLY": (0, 6),
    "ANNUALLY": (0, 12),
}
EXECUTION_HOUR = 3  # lexoffice runs the templates nightly from 03:00 Europe/Berlin
SORT_PROPERTIES = ("createdDate", "updatedDate", "lastExecutionDate", "nextExecutionDate")
DEFAULT_SORT = "updatedDate,DESC"
# the invoice fields a template carries over to its invoices
_CARRIED = (
    "language",
    "address",
    "lineItems",
    "totalPrice",
    "taxConditions",
    "paymentConditions",
    "title",
    "introduction",
    "remark",
)

# a template is an invoice without dates, voucher status or number; it always references a contact
TEMPLATE_KIND = DocumentKind(
    collection=TEMPLATES,
    prefix=EVENT_PREFIX,
    voucher_type="recurringtemplate",
    statuses=(),
    layout=(
        "id",
        "organizationId",
        "createdDate",
        "updatedDate",
        "version",
        "language",
        "archived",
        "address",
        "lineItems",
        "totalPrice",
        "taxAmounts",
        "taxConditions",
        "paymentConditions",
        "title",
        "introduction",
        "remark",
    ),
    required=("address", "lineItems", "totalPrice", "taxConditions"),
    texts=sales.INVOICE_TEXTS,
    api_create=False,
    document=False,
    needs_contact=True,
)


class _Settings(msgspec.Struct, kw_only=True):  # read-only settings sent along are ignored
    startDate: str | None = None
    endDate: str | None = None
    finalize: bool = False
    shippingType: str
    executionInterval: str
    executionStatus: str | None = None  # the user may create a template PAUSED


class _Template(msgspec.Struct):
    recurringTemplateSettings: _Settings


class _Run(msgspec.Struct, forbid_unknown_fields=True):
    organizationId: str | None = None
    until: str | None = None


# --- the schedule -------------------------------------------------------------------------------------


def execution_date(start: date, interval: str, count: int) -> date:
    """The date of execution number ``count`` (0: the start date); months keep the start day where the
    month has it (31 Jan -> 29 Feb -> 31 Mar)."""
    days, months = INTERVALS[interval]
    if days:
        return start + timedelta(days=days * count)
    index = start.month - 1 + months * count
    year, month = start.year + index // 12, index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def _day(value: str | None, field_name: str) -> date | None:
    if value is None:
        return None
    try:
        return parse_date(value)
    except ValueError as exc:
        raise validation_error(field_name, str(exc)) from None


def _schedule(settings: Record, executions: int) -> None:
    """Set ``nextExecutionDate`` and ``executionStatus`` after ``executions`` executions."""
    start, end = _day(settings["startDate"], "startDate"), _day(settings["endDate"], "endDate")
    if start is None or settings["executionStatus"] == "PAUSED":
        settings["nextExecutionDate"], settings["executionStatus"] = None, "PAUSED"
        return
    upcoming = execution_date(start, settings["executionInterval"], executions)
    if end is not None and upcoming > end:
        settings["nextExecutionDate"], settings["executionStatus"] = None, "ENDED"
    else:
        settings["nextExecutionDate"], settings["executionStatus"] = upcoming.isoformat(), "ACTIVE"


def _settings(spec: _Settings, settings_id: str) -> Record:
    """Validated stored settings of a new template (406 naming the field)."""
    path = "recurringTemplateSettings"
    start = _day(spec.startDate, f"{path}.startDate")
    end = _day(spec.endDate, f"{path}.endDate")
    if start and end and end < start:
        raise validation_error(f"{path}.endDate", "must not be before startDate")
    if spec.shippingType not in SHIPPING_TYPES:
        raise validation_error(f"{path}.shippingType", f"must be one of {', '.join(SHIPPING_TYPES)}")
    if spec.executionInterval not in INTERVALS:
        raise validation_error(f"{path}.executionInterval", f"must be one of {', '.join(INTERVALS)}")
    if spec.executionStatus not in (None, "ACTIVE", "PAUSED"):
        raise validation_error(f"{path}.executionStatus", "must be ACTIVE or PAUSED (ENDED is derived)")
    settings: Record = {
        "id": settings_id,
        "startDate": spec.startDate,
        "endDate": spec.endDate,
        "finalize": spec.finalize,
        "shippingType": spec.shippingType,
        "executionInterval": spec.executionInterval,
        "nextExecutionDate": None,
        "lastExecutionFailed": False,
        "lastExecutionErrorMessage": None,
        "executionStatus": spec.executionStatus or "ACTIVE",
    }
    _schedule(settings, 0)
    return settings


def _shipping(settings: Record, day: date, following: date) -> Record:
    """Shipping conditions of an execution on ``day``: the day itself, periods up to the next one."""
    shipping_type = settings["shippingType"]
    needs_date, needs_end = SHIPPING_TYPES[shipping_type]
    conditions: Record = {}
    if needs_date:
        conditions["shippingDate"] = format_timestamp(local_midnight(day))
    if needs_end:
        conditions["shippingEndDate"] = format_timestamp(local_midnight(following - timedelta(days=1)))
    return {**conditions, "shippingType": shipping_type}


def _execute(org: Organization, template: Record, runs: Record, day: date) -> Record:
    """Create the invoice of one execution (raises ApiError when the template no longer validates)."""
    settings = template["recurringTemplateSettings"]
    start = parse_date(settings["startDate"])
    following = execution_date(start, settings["executionInterval"], runs["executions"] + 1)
    body = {key: template[key] for key in _CARRIED if key in template}
    body["voucherDate"] = format_timestamp(local_midnight(day))
    body["shippingConditions"] = _shipping(settings, day, following)
    draft = sales.prepare(org, sales.INVOICES, body, finalize=settings["finalize"])
    draft.template_id = template["id"]
    return sales.commit(draft, render=True)  # finalized ones are e-mailed: their PDF exists


def _outcome(
    org: Organization, template: Record, day: date, invoice_id: str | None, error: str | None
) -> Record:
    return {
        "organizationId": org.id,
        "recurringTemplateId": template["id"],
        "executionDate": day.isoformat(),
        "invoiceId": invoice_id,
        "error": error,
    }


def _templates(org: Organization) -> list[Record]:
    """The organization's templates, oldest first."""
    return sorted(
        org.collection(TEMPLATES).values(), key=lambda t: (parse_timestamp(t["createdDate"]), t["id"])
    )


def _run_template(org: Organization, template: Record, until: date) -> list[Record]:
    """Every execution of one template due up to ``until``; stops at the first failure."""
    settings = template["recurringTemplateSettings"]
    runs = org.collection(RUNS)[template["id"]]
    outcomes = []
    while settings["executionStatus"] == "ACTIVE" and parse_date(settings["nextExecutionDate"]) <= until:
        day = parse_date(settings["nextExecutionDate"])
        try:
            invoice = _execute(org, template, runs, day)
        except ApiError as exc:
            reason = sales.explain(exc)
            if (settings["lastExecutionFailed"], settings["lastExecutionErrorMessage"]) != (True, reason):
                settings["lastExecutionFailed"], settings["lastExecutionErrorMessage"] = True, reason
                org.touch(template, f"{EVENT_PREFIX}.changed")
            outcomes.append(_outcome(org, template, day, None, reason))
            break
        runs["executions"] += 1
        runs["lastExecutionDate"] = day.isoformat()
        runs["invoiceIds"].append(invoice["id"])
        settings["lastExecutionFailed"], settings["lastExecutionErrorMessage"] = False, None
        _schedule(settings, runs["executions"])
        org.touch(template, f"{EVENT_PREFIX}.changed")
        outcomes.append(_outcome(org, template, day, invoice["id"], None))
    return outcomes


def run_due(org: Organization, until: date) -> list[Record]:
    """Execute every template of ``org`` whose executions are due up to ``until`` (oldest template first)."""
    return [outcome for template in _templates(org) for outcome in _run_template(org, template, until)]


def due_until(now: datetime) -> date:
    """The last execution date lexoffice has run by ``now`` (the nightly run starts at 03:00 Berlin)."""
    local = now.astimezone(BERLIN)
    return local.date() if local.hour >= EXECUTION_HOUR else local.date() - timedelta(days=1)


# --- API ----------------------------------------------------------------------------------------------


def _summary(template: Record) -> Record:
    """The list projection: contact id and name, totals, payment conditions, settings (nulls left out)."""
    address, total = template["address"], template["totalPrice"]
    settings = template["recurringTemplateSettings"]
    return {
        "id": template["id"],
        "organizationId": template["organizationId"],
        "title": template["title"],
        "createdDate": template["createdDate"],
        "updatedDate": template["updatedDate"],
        "address": {key: address[key] for key in ("contactId", "name") if key in address},
        "totalPrice": {key: total[key] for key in ("currency", "totalNetAmount", "totalGrossAmount")},
        "paymentConditions": template["paymentConditions"],
        "recurringTemplateSettings": {key: value for key, value in settings.items() if value is not None},
    }


def _sort_value(org: Organization, prop: str) -> Callable[[Record], Any]:
    """The sort value of a template (dates; ``None`` for a template never / no longer executed)."""
    if prop == "lastExecutionDate":
        return lambda t: org.collection(RUNS)[t["id"]]["lastExecutionDate"]
    if prop == "nextExecutionDate":
        return lambda t: t["recurringTemplateSettings"]["nextExecutionDate"]
    return lambda t: parse_timestamp(t[prop])


@get(f"/v1/{TEMPLATES}/{{record_id:str}}", sync_to_thread=False)
def retrieve(request: Request[Any, Any, Any], record_id: FromPath[str]) -> Response[bytes]:
    template = organization(request).get(TEMPLATES, record_id)
    if template is None:
        raise not_found("Recurring template")
    return json_response(template)


@get(f"/v1/{TEMPLATES}", sync_to_thread=False)
def list_templates(request: Request[Any, Any, Any]) -> Response[bytes]:
    """A page of template projections; nulls sort last ascending (first descending), ties by creation."""
    org = organization(request)
    prop, direction = sort_param(request, SORT_PROPERTIES, DEFAULT_SORT)
    page, size = paging(request)
    value = _sort_value(org, prop)
    templates = _templates(org)
    found = sorted((t for t in templates if value(t) is not None), key=value)
    found += [t for t in templates if value(t) is None]
    if direction == "DESC":
        found.reverse()
    envelope = page_envelope(found, page, size, sort_spec(prop, direction))
    envelope["content"] = [_summary(template) for template in envelope["content"]]
    return json_response(envelope)


# --- control surface ----------------------------------------------------------------------------------


@post("/_sandbox/organizations/{organization_id:str}/recurring-templates")
async def create_template(request: Request[Any, Any, Any], organization_id: FromPath[str]) -> Response[bytes]:
    """The user sets up a recurring template in the app (an invoice request without dates, with a contact,
    plus ``recurringTemplateSettings``); fires ``recurring-template.created``; 201 with the record."""
    org = organization_by_id(request, organization_id)
    with sales.control_errors():
        body = await json_body(request)
        if body.get("recurringTemplateSettings") is None:
            raise missing("recurringTemplateSettings")
        spec = validate(body, _Template).recurringTemplateSettings
        draft = sales.prepare(org, TEMPLATE_KIND, body)
        record = sales.record_of(draft)
        record["recurringTemplateSettings"] = _settings(spec, str(uuid.uuid4()))
    template = org.create(TEMPLATES, record, event_prefix=EVENT_PREFIX)
    org.collection(RUNS)[template["id"]] = {
        "id": template["id"],
        "executions": 0,
        "lastExecutionDate": None,
        "invoiceIds": [],
    }
    return json_response(template, 201)


@post("/_sandbox/recurring-templates/run")
async def run_schedule(request: Request[Any, Any, Any]) -> Response[bytes]:
    """Run the nightly schedule now: every execution due up to ``until`` (``yyyy-MM-dd``; default: what
    lexoffice has run by now), for one organization (``organizationId``) or all."""
    body = await json_body(request) if (await request.body()).strip() else {}
    with sales.control_errors():
        spec = validate(body, _Run)
    state = sandbox_state(request)
    try:
        until = parse_date(spec.until) if spec.until else due_until(state.clock.now())
    except ValueError:
        raise ApiError(400, "until must be a date of the form yyyy-MM-dd") from None
    if spec.organizationId is None:
        orgs = list(state.organizations.values())
    else:
        orgs = [organization_by_id(request, spec.organizationId)]
    executions = [outcome for org in orgs for outcome in run_due(org, until)]
    return json_response({"until": until.isoformat(), "executions": executions})


ROUTES = [retrieve, list_templates, create_template, run_schedule]
