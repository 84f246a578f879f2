"""Sales vouchers — invoices, credit notes, quotations, order confirmations, delivery notes, dunnings and
down payment invoices: create (draft, finalized or pursued), retrieve, render.

Every kind of sales voucher is one row of :data:`KINDS` (a :class:`~.sales_rules.DocumentKind`):
collection, event prefix, voucherType, statuses, required fields, the record layout (which keys, in
lexoffice's order) and its peculiarities (finalize, numbering, line item rules, routes). Routes,
validation, defaults and records are driven by that table; the input rules live in :mod:`.sales_rules`,
the document chain (``precedingSalesVoucherId``, closing invoices) in :mod:`.chain`.

A request is checked completely before anything is stored (:func:`prepare`): input shape and field rules,
amounts, then the pursue rule. :func:`commit` stores it. Vouchers the lexoffice user makes in the app —
down payment invoices, closing invoices, recurring invoices — use the same two steps from the control
surface and get their PDF at once when finalized (as lexoffice renders on finalization).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from functools import cached_property
from typing import Any

import msgspec
from litestar import Request, Response, get, post
from litestar.handlers import HTTPRouteHandler
from litestar.params import FromPath

from . import chain, payments, render, sales_rules
from .amounts import quantize2
from .catalog import DEFAULT_PAYMENT_TERM_DAYS
from .clock import berlin_date, format_timestamp, local_midnight, parse_timestamp
from .errors import ApiError, bad_request, not_found, validation_error
from .sales_rules import (
    ADDRESS_FIELDS,
    DISCOUNT_TERMS_TEMPLATE,
    NET_TERMS_TEMPLATE,
    ORGANIZATION_TERMS,
    SHIPPING_TYPES,
    TAX_TYPE_NOTES,
    DocumentKind,
    Texts,
)
from .state import Organization, Record
from .web import action_result, json_body, json_response, organization, organization_by_id, validate

# --- the table of kinds ---------------------------------------------------------------------------

_HEAD = (
    "id",
    "organizationId",
    "createdDate",
    "updatedDate",
    "version",
    "language",
    "archived",
    "voucherStatus",
    "voucherNumber",
    "voucherDate",
)
_PRICED = ("lineItems", "totalPrice", "taxAmounts", "taxConditions")
_TAIL = ("relatedVouchers", "title", "introduction", "remark", "files")
_DELIVERY_TAIL = ("relatedVouchers", "title", "introduction", "remark", "deliveryTerms", "files")
_INVOICE_REQUIRED = (
    "voucherDate",
    "address",
    "lineItems",
    "totalPrice",
    "taxConditions",
    "shippingConditions",
)
_THANKS_DE = "Vielen Dank für die gute Zusammenarbeit."
_THANKS_EN = "Thank you for the good cooperation."
_DELIVERY_TERMS_DE = "Lieferung an die angegebene Lieferadresse"
_DELIVERY_TERMS_EN = "Delivery to the given delivery address"

INVOICE_TEXTS = {
    "de": Texts(
        "Rechnung", "Unsere Lieferungen/Leistungen stellen wir Ihnen wie folgt in Rechnung.", _THANKS_DE
    ),
    "en": Texts("Invoice", "We hereby invoice you for the following deliveries/services.", _THANKS_EN),
}

KINDS: tuple[DocumentKind, ...] = (
    DocumentKind(
        collection="invoices",
        prefix="invoice",
        voucher_type="invoice",
        statuses=("draft", "open", "paid", "voided"),
        layout=(
            *_HEAD,
            "dueDate",
            "address",
            "xRechnung",
            *_PRICED,
            "paymentConditions",
            "shippingConditions",
            "closingInvoice",
            "claimedGrossAmount",
            "downPaymentDeductions",
            "recurringTemplateId",
            *_TAIL,
        ),
        required=_INVOICE_REQUIRED,
        texts=INVOICE_TEXTS,
        finalize=True,
    ),
    DocumentKind(
        collection="credit-notes",
        prefix="credit-note",
        voucher_type="creditnote",
        statuses=("draft", "open", "paidoff", "voided"),
        layout=(*_HEAD, "address", *_PRICED, *_TAIL),
        required=("voucherDate", "address", "lineItems", "totalPrice", "taxConditions"),
        texts={
            "de": Texts(
                "Rechnungskorrektur", "Folgende Lieferungen/Leistungen schreiben wir Ihnen gut.", _THANKS_DE
            ),
            "en": Texts("Credit note", "We credit you for the following deliveries/services.", _THANKS_EN),
        },
        finalize=True,
    ),
    DocumentKind(
        collection="quotations",
        prefix="quotation",
        voucher_type="quotation",
        statuses=("draft", "open", "accepted", "rejected"),
        layout=(*_HEAD, "expirationDate", "address", *_PRICED, "paymentConditions", *_TAIL),
        required=("voucherDate", "expirationDate", "address", "lineItems", "totalPrice", "taxConditions"),
        texts={
            "de": Texts(
                "Angebot",
                "Gerne bieten wir Ihnen an:",
                "Wir freuen uns auf Ihre Auftragserteilung und sichern eine einwandfreie Ausführung zu.",
            ),
            "en": Texts(
                "Quotation",
                "We are pleased to offer you the following:",
                "We look forward to your order and guarantee a flawless execution.",
            ),
        },
        finalize=True,
        item_options=True,
    ),
    DocumentKind(
        collection="order-confirmations",
        prefix="order-confirmation",
        voucher_type="orderconfirmation",
        statuses=("draft",),
        layout=(*_HEAD, "address", *_PRICED, "paymentConditions", "shippingConditions", *_DELIVERY_TAIL),
        required=_INVOICE_REQUIRED,
        texts={
            "de": Texts(
                "Auftragsbestätigung",
                "Vielen Dank für Ihren Auftrag. Wir bestätigen Ihnen folgende Positionen:",
                _THANKS_DE,
                _DELIVERY_TERMS_DE,
            ),
            "en": Texts(
                "Order confirmation",
                "Thank you for your order. We confirm the following items:",
                _THANKS_EN,
                _DELIVERY_TERMS_EN,
            ),
        },
        numbered_on_create=True,
        renders_drafts=True,
    ),
    DocumentKind(
        collection="delivery-notes",
        prefix="delivery-note",
        voucher_type="deliverynote",
        statuses=("draft",),
        layout=(*_HEAD, "address", "lineItems", "taxConditions", "shippingConditions", *_DELIVERY_TAIL),
        required=("voucherDate", "address", "lineItems", "taxConditions"),
        texts={
            "de": Texts(
                "Lieferschein", "Wir liefern Ihnen folgende Positionen:", _THANKS_DE, _DELIVERY_TERMS_DE
            ),
            "en": Texts("Delivery note", "We deliver the following items:", _THANKS_EN, _DELIVERY_TERMS_EN),
        },
        numbered_on_create=True,
        renders_drafts=True,
        item_requires=("quantity", "unitName"),
        address_from="shipping",
    ),
    DocumentKind(
        collection="dunnings",
        prefix="dunning",
        voucher_type="dunning",
        statuses=("draft",),
        layout=(*_HEAD, "address", *_PRICED, "shippingConditions", *_TAIL),
        required=("voucherDate", "address", "lineItems", "totalPrice", "taxConditions"),
        texts={
            "de": Texts(
                "Mahnung",
                "Wir bitten Sie, die nachfolgend aufgelisteten Lieferungen/Leistungen unverzüglich zu "
                "begleichen.",
                "Sollten Sie den offenen Betrag bereits beglichen haben, betrachten Sie dieses Schreiben als "
                "gegenstandslos.",
            ),
            "en": Texts(
                "Payment reminder",
                "Please settle the deliveries/services listed below immediately.",
                "If you have already paid the open amount, please disregard this letter.",
            ),
        },
        renders_drafts=True,
        bound=True,
    ),
    DocumentKind(
        collection="down-payment-invoices",
        prefix="down-payment-invoice",
        voucher_type="downpaymentinvoice",
        statuses=("draft", "open", "paid", "voided"),
        layout=(
            *_HEAD,
            "dueDate",
            "address",
            *_PRICED,
            "paymentConditions",
            "shippingConditions",
            "closingInvoiceId",
            *_TAIL,
        ),
        required=_INVOICE_REQUIRED,
        texts={
            "de": Texts(
                "Abschlagsrechnung",
                "Wie vereinbart, erlauben wir uns folgenden pauschalen Abschlag in Rechnung zu stellen.",
                _THANKS_DE,
            ),
            "en": Texts(
                "Down payment invoice", "As agreed, we invoice the following down payment.", _THANKS_EN
            ),
        },
        finalize=True,
        api_create=False,
        document=False,
        single_item=True,
        item_requires=("quantity", "unitPrice"),
    ),
)
KIND_BY_VOUCHER_TYPE = {kind.voucher_type: kind for kind in KINDS}
INVOICES = KIND_BY_VOUCHER_TYPE["invoice"]
DOWN_PAYMENT_INVOICES = KIND_BY_VOUCHER_TYPE["downpaymentinvoice"]
QUOTATION_DECISIONS = ("accepted", "rejected")  # what the customer answers to an open quotation

# --- a request being turned into a record ---------------------------------------------------------


@dataclass
class Draft:
    """A validated create request and everything derived from it."""

    org: Organization
    kind: DocumentKind
    data: dict[str, Any]
    contact: Record | None
    finalize: bool
    computed: Record  # lineItems, totalPrice, taxAmounts
    preceding: chain.Preceding | None = None
    deducted: list[Record] = field(default_factory=list)  # closing invoices: the down payment invoices
    template_id: str | None = None  # invoices made from a recurring template
    number: str | None = None
    id: str = field(default_factory=lambda: str(uuid.uuid4()))

    @property
    def language(self) -> str:
        return str(self.data.get("language", "de"))

    @property
    def status(self) -> str:
        if not self.finalize:
            return "draft"
        if self.preceding is not None and self.preceding.rule.settles:
            return next(s for s in self.kind.statuses if s in payments.PAID_STATUSES)
        return "open"

    @property
    def claimed(self) -> Decimal:
        """The gross amount still claimed: the total minus the deducted down payments."""
        total = Decimal(self.computed["totalPrice"]["totalGrossAmount"])
        paid = sum((Decimal(p["totalPrice"]["totalGrossAmount"]) for p in self.deducted), Decimal(0))
        return quantize2(total - paid)

    @cached_property
    def payment_conditions(self) -> Record:
        given = self.data.get("paymentConditions")
        if given is None:
            template = ORGANIZATION_TERMS["paymentTermLabelTemplate"]
            duration = ORGANIZATION_TERMS["paymentTermDuration"]
            discount = ORGANIZATION_TERMS.get("paymentDiscountConditions")
        else:
            duration = given.get("paymentTermDuration", DEFAULT_PAYMENT_TERM_DAYS)
            discount = given.get("paymentDiscountConditions")
            template = given.get("paymentTermLabel") or (
                DISCOUNT_TERMS_TEMPLATE if discount else NET_TERMS_TEMPLATE
            )
        conditions: Record = {
            "paymentTermLabel": _terms_label(template, duration, discount),
            "paymentTermLabelTemplate": template,
            "paymentTermDuration": duration,
        }
        if discount:
            conditions["paymentDiscountConditions"] = dict(discount)
        return conditions


def _terms_label(template: str, duration: int, discount: Mapping[str, Any] | None) -> str:
    values = {"{paymentRange}": str(duration)}
    if discount:
        percentage = str(discount["discountPercentage"]).replace(".", ",")
        values |= {"{discountRange}": str(discount["discountRange"]), "{discount}": f" {percentage} %"}
    for placeholder, value in values.items():
        template = template.replace(placeholder, value)
    return template


def prepare(
    org: Organization,
    kind: DocumentKind,
    raw: Mapping[str, Any],
    *,
    finalize: bool = False,
    preceding_id: str | None = None,
) -> Draft:
    """Validate a create request completely, pursue included (406 naming the field); stores nothing."""
    if finalize and not kind.finalize:
        raise validation_error("finalize", f"{kind.collection} cannot be finalized")
    data, contact = sales_rules.parse(org, kind, raw)
    draft = Draft(org, kind, data, contact, finalize, sales_rules.totals(kind, data))
    draft.preceding = chain.find(org, kind, preceding_id, KIND_BY_VOUCHER_TYPE)
    chain.check_bound(kind, draft.preceding, data)
    return draft


# --- building the record --------------------------------------------------------------------------

_OMIT = object()  # a builder's "no such key in this record"


def _due_date(draft: Draft) -> Any:
    """Finalized invoices: midnight (Berlin) of the voucher date plus the payment term."""
    if draft.status == "draft":
        return _OMIT
    issued = berlin_date(parse_timestamp(draft.data["voucherDate"]))
    days = draft.payment_conditions["paymentTermDuration"]
    return format_timestamp(local_midnight(issued + timedelta(days=days)))


def _contact_address(contact: Record, which: str) -> Record:
    """The contact's name and its ``which`` address (the billing address if it has none)."""
    company = contact.get("company")
    person = contact.get("person", {})
    name = (
        company["name"]
        if company
        else " ".join(filter(None, (person.get("firstName"), person.get("lastName"))))
    )
    addresses = contact.get("addresses", {})
    entry = (addresses.get(which) or addresses.get("billing") or [{}])[0]
    return {"name": name, **entry}


def _contact_person(contact: Record) -> str | None:
    people = (contact.get("company") or {}).get("contactPersons", [])
    primary = next((p for p in people if p.get("primary")), None)
    if primary is None:
        return None
    return " ".join(filter(None, (primary.get("firstName"), primary.get("lastName")))) or None


def _address(draft: Draft) -> Record:
    """The request's address; a contact's name and address fill what was not sent; a bound voucher
    (dunning) takes the recipient's name from its preceding voucher."""
    given = dict(draft.data["address"])
    if draft.kind.bound and draft.preceding is not None:
        given.pop("name", None)
        name = draft.preceding.record["address"].get("name")
        if name:
            given["name"] = name
    if draft.contact is None:
        return {key: given[key] for key in ADDRESS_FIELDS if key in given}
    merged = {**_contact_address(draft.contact, draft.kind.address_from), **given}
    address: Record = {"contactId": draft.contact["id"]}
    address |= {key: merged[key] for key in ADDRESS_FIELDS if key in merged and key != "contactId"}
    person = _contact_person(draft.contact)
    if person:
        address["contactPerson"] = person
    return address


def _xrechnung(draft: Draft) -> Record | None:
    given = draft.data.get("xRechnung")
    if given is not None:
        reference = given["buyerReference"]  # an empty string asks for a standard invoice
    else:
        reference = ((draft.contact or {}).get("xRechnung") or {}).get("buyerReference")
    return {"buyerReference": reference} if reference else None


def _tax_conditions(draft: Draft) -> Record:
    conditions = dict(draft.data["taxConditions"])
    note = TAX_TYPE_NOTES.get(conditions["taxType"])
    if note is not None:
        conditions.setdefault("taxTypeNote", note)
    return conditions


def _shipping_conditions(draft: Draft) -> Any:
    """The request's shipping conditions (only the dates their type uses); omitted: the preceding
    voucher's, if it has any."""
    given = draft.data.get("shippingConditions")
    if given is None:
        inherited = draft.preceding.record.get("shippingConditions") if draft.preceding else None
        return dict(inherited) if inherited else _OMIT
    needs_date, needs_end = SHIPPING_TYPES[given["shippingType"]]
    wanted = {"shippingDate": needs_date, "shippingEndDate": needs_end, "shippingType": True}
    return {key: given[key] for key, keep in wanted.items() if keep and key in given}


def _related(draft: Draft) -> list[Record]:
    related = [chain.reference(draft.preceding.kind, draft.preceding.record)] if draft.preceding else []
    return related + [chain.reference(DOWN_PAYMENT_INVOICES, p) for p in draft.deducted]


def _text(key: str, attribute: str | None = None) -> Callable[[Draft], str]:
    def build(draft: Draft) -> str:
        return str(draft.data.get(key) or getattr(draft.kind.texts[draft.language], attribute or key))

    return build


# record key -> value for a new record (createdDate, updatedDate and version are set by org.create)
_BUILDERS: dict[str, Callable[[Draft], Any]] = {
    "id": lambda d: d.id,
    "organizationId": lambda d: d.org.id,
    "createdDate": lambda d: None,
    "updatedDate": lambda d: None,
    "version": lambda d: 0,
    "language": lambda d: d.language,
    "archived": lambda d: False,
    "voucherStatus": lambda d: d.status,
    "voucherNumber": lambda d: d.number or _OMIT,
    "voucherDate": lambda d: d.data["voucherDate"],
    "expirationDate": lambda d: d.data["expirationDate"],
    "dueDate": _due_date,
    "address": _address,
    "xRechnung": _xrechnung,
    "lineItems": lambda d: d.computed["lineItems"],
    "totalPrice": lambda d: d.computed["totalPrice"],
    "taxAmounts": lambda d: d.computed["taxAmounts"],
    "taxConditions": _tax_conditions,
    "paymentConditions": lambda d: d.payment_conditions,
    "shippingConditions": _shipping_conditions,
    "closingInvoice": lambda d: bool(d.deducted),
    "claimedGrossAmount": lambda d: d.claimed,
    "downPaymentDeductions": lambda d: [chain.deduction(p) for p in d.deducted],
    "recurringTemplateId": lambda d: d.template_id,
    "closingInvoiceId": lambda d: None,
    "relatedVouchers": _related,
    "title": _text("title"),
    "introduction": _text("introduction"),
    "remark": _text("remark"),
    "deliveryTerms": _text("deliveryTerms", "delivery_terms"),
    "files": lambda d: {},
}


def record_of(draft: Draft) -> Record:
    """The record a draft becomes (not stored)."""
    values = ((key, _BUILDERS[key](draft)) for key in draft.kind.layout)
    return {key: value for key, value in values if value is not _OMIT}


def commit(draft: Draft, *, render: bool = False) -> Record:
    """Store a prepared voucher: number, record, effects on the chain; fires ``<prefix>.created``.
    ``render``: a finalized voucher gets its PDF at once (vouchers the app creates)."""
    org, kind = draft.org, draft.kind
    if draft.finalize or kind.numbered_on_create:
        draft.number = org.next_voucher_number(kind.collection)
    record = org.create(kind.collection, record_of(draft), event_prefix=kind.prefix)
    if draft.preceding is not None:
        chain.follow(org, kind, record, draft.preceding)
    if draft.deducted:
        chain.close(org, kind, record, DOWN_PAYMENT_INVOICES, draft.deducted)
    if render and record["voucherStatus"] != "draft":
        document_file(org, kind, record)
    return record


# --- documents ------------------------------------------------------------------------------------


def _printed(kind: DocumentKind, record: Record) -> Record:
    """What the PDF shows: kinds without amounts (delivery notes) show no prices either."""
    if kind.priced:
        return record
    items = [
        {key: value for key, value in item.items() if key != "unitPrice"} for item in record["lineItems"]
    ]
    return {**record, "lineItems": items}


def document_file(org: Organization, kind: DocumentKind, record: Record) -> str:
    """Render the voucher; an unchanged rendering keeps its file id (no version change: not an edit)."""
    if record["voucherStatus"] == "draft" and not kind.renders_drafts:
        raise validation_error("voucherStatus", "a document can only be rendered for a finalized voucher")
    pdf = render.render_sales_document(kind.prefix, _printed(kind, record), org.company_name)
    current = org.files.get(record["files"].get("documentFileId", ""))
    if current is None or current.content != pdf:
        filename = render.document_filename(kind.prefix, record)
        stored = org.store_file(pdf, "application/pdf", filename, voucher_id=record["id"])
        record["files"] = {"documentFileId": stored.id}
    return str(record["files"]["documentFileId"])


# --- routes ---------------------------------------------------------------------------------------


def _finalize_flag(request: Request[Any, Any, Any]) -> bool:
    value = request.query_params.get("finalize")
    if value is None or value.lower() == "false":
        return False
    if value.lower() == "true":
        return True
    raise bad_request("finalize must be true or false", "finalize")


def _stored(org: Organization, kind: DocumentKind, record_id: str) -> Record:
    record = org.get(kind.collection, record_id)
    if record is None:
        raise not_found(kind.noun)
    return record


def _routes(kind: DocumentKind) -> list[HTTPRouteHandler]:
    base = f"/v1/{kind.collection}"

    @post(base)
    async def create(request: Request[Any, Any, Any]) -> Response[bytes]:
        draft = prepare(
            organization(request),
            kind,
            await json_body(request),
            finalize=_finalize_flag(request),
            preceding_id=request.query_params.get("precedingSalesVoucherId"),
        )
        return action_result(request, kind.collection, commit(draft), 201)

    @get(f"{base}/{{record_id:str}}", sync_to_thread=False)
    def retrieve(request: Request[Any, Any, Any], record_id: FromPath[str]) -> Response[bytes]:
        return json_response(_stored(organization(request), kind, record_id))

    @get(f"{base}/{{record_id:str}}/document", sync_to_thread=False)
    def document(request: Request[Any, Any, Any], record_id: FromPath[str]) -> Response[bytes]:
        org = organization(request)
        return json_response({"documentFileId": document_file(org, kind, _stored(org, kind, record_id))})

    return [retrieve, *([create] if kind.api_create else []), *([document] if kind.document else [])]


# --- control surface: vouchers the user makes in the app -----------------------------------------

_CONTROL = "/_sandbox/organizations/{organization_id:str}"


def explain(error: ApiError) -> str:
    """An error in one line: its field details (``field: message; ...``), else its message."""
    reasons = (f"{d.field}: {d.message}" if d.field else d.message for d in error.details)
    return "; ".join(reasons) or error.message


@contextmanager
def control_errors() -> Iterator[None]:
    """Control routes answer ``{status, message}``: fold an error's field details into its message."""
    try:
        yield
    except ApiError as exc:
        if not exc.details:
            raise
        raise ApiError(exc.status, explain(exc)) from None


class _Closing(msgspec.Struct):
    downPaymentInvoiceIds: list[str]


class _Decision(msgspec.Struct, forbid_unknown_fields=True):
    voucherStatus: str


@post(f"{_CONTROL}/down-payment-invoices")
async def create_down_payment_invoice(
    request: Request[Any, Any, Any], organization_id: FromPath[str]
) -> Response[bytes]:
    """A down payment invoice (an invoice request with one line item; ``?finalize``,
    ``?precedingSalesVoucherId`` of a quotation or order confirmation); 201 with the record."""
    org = organization_by_id(request, organization_id)
    with control_errors():
        draft = prepare(
            org,
            DOWN_PAYMENT_INVOICES,
            await json_body(request),
            finalize=_finalize_flag(request),
            preceding_id=request.query_params.get("precedingSalesVoucherId"),
        )
    return json_response(commit(draft, render=True), 201)


@post(f"{_CONTROL}/closing-invoices")
async def create_closing_invoice(
    request: Request[Any, Any, Any], organization_id: FromPath[str]
) -> Response[bytes]:
    """A closing invoice: an invoice request plus ``downPaymentInvoiceIds`` (finalized down payment
    invoices of the same contact, deducted from the claimed amount); ``?finalize``; 201 with the record."""
    org = organization_by_id(request, organization_id)
    with control_errors():
        body = await json_body(request)
        ids = validate(body, _Closing).downPaymentInvoiceIds
        draft = prepare(org, INVOICES, body, finalize=_finalize_flag(request))
        contact_id = draft.contact["id"] if draft.contact else None
        draft.deducted = chain.down_payments(org, DOWN_PAYMENT_INVOICES, ids, contact_id)
        if draft.claimed < 0:
            raise validation_error("downPaymentInvoiceIds", "the down payments exceed the invoice's total")
    return json_response(commit(draft, render=True), 201)


@post(f"{_CONTROL}/quotations/{{voucher_id:str}}/status")
async def decide_quotation(
    request: Request[Any, Any, Any], organization_id: FromPath[str], voucher_id: FromPath[str]
) -> Response[bytes]:
    """The customer accepts or rejects an open quotation (``{"voucherStatus": "accepted"|"rejected"}``);
    fires ``quotation.status.changed``."""
    org = organization_by_id(request, organization_id)
    with control_errors():
        status = validate(await json_body(request), _Decision).voucherStatus
    if status not in QUOTATION_DECISIONS:
        raise ApiError(400, f"voucherStatus must be one of {', '.join(QUOTATION_DECISIONS)}")
    quotation = org.get("quotations", voucher_id)
    if quotation is None:
        raise ApiError(404, f"no quotation {voucher_id}")
    if quotation["voucherStatus"] != "open":
        raise ApiError(409, f"a {quotation['voucherStatus']} quotation cannot be {status}")
    quotation["voucherStatus"] = status
    org.touch(quotation, "quotation.status.changed")
    return json_response(quotation)


ROUTES = [
    *(handler for kind in KINDS for handler in _routes(kind)),
    create_down_payment_invoice,
    create_closing_invoice,
    decide_quotation,
]
