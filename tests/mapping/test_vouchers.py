"""Bookkeeping vouchers: lexoffice samples -> unified, unified create/update -> lexoffice, round trips."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import msgspec
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from connectors.lexoffice.mapping.common import local_midnight
from connectors.lexoffice.mapping.vouchers import (
    VOUCHER_TYPES,
    check_voucher_create,
    check_voucher_update,
    item_tax_amount,
    voucher_from_lexoffice,
    voucher_number_query,
    voucher_patch_to_lexoffice,
    voucher_put_dates,
    voucher_summary_from_voucherlist,
    voucher_summary_matches,
    voucher_to_lexoffice,
    voucher_totals,
    voucherlist_query,
)
from connectors.merge import apply_patch
from schemas.problem import FieldError
from schemas.vouchers import (
    Voucher,
    VoucherCreate,
    VoucherFilter,
    VoucherItem,
    VoucherItemCreate,
    VoucherSummary,
    VoucherTotals,
    VoucherUpdate,
)
from tests.support.samples import sample_exact

GOODS = "8f8664a8-fd86-11e1-a21f-0800200c9a66"  # Warenverkäufe
DESTINATION_SALES = "4ebd965a-7126-416c-9d8c-a5c9366ee473"  # Fernverkauf in EU-Land steuerpflichtig
CONTACT = "777c7793-9fbb-4ec7-9254-0619c199761e"
FILE_A = "8118c402-1c70-4da1-a9f1-a22f480cc623"
FILE_B = "0e6f9a0c-5d0b-4d7f-9a8e-2f1d3c4b5a69"
CEST = timezone(timedelta(hours=2))
CET = timezone(timedelta(hours=1))

_wire = msgspec.json.Encoder(decimal_format="number")
_exact = msgspec.json.Decoder(float_hook=Decimal)


def roundtrip_json(struct: msgspec.Struct) -> None:
    """A response struct survives JSON (amounts as exact strings) unchanged."""
    assert msgspec.json.decode(msgspec.json.encode(struct), type=type(struct)) == struct


def stored(body: dict[str, Any]) -> dict[str, Any]:
    """What lexoffice stores for a POSTed body and returns on GET: the body through JSON (Decimals as
    numbers), dates as Berlin local midnight, dueDate defaulting to voucherDate, plus read-only members."""
    record: dict[str, Any] = _exact.decode(_wire.encode(body))
    del record["version"]
    for member in ("voucherDate", "shippingDate", "dueDate"):
        if member in record:
            record[member] = local_midnight(date.fromisoformat(record[member]))
    record.setdefault("dueDate", record["voucherDate"])
    record.setdefault("files", [])
    return {
        "id": "66196c43-baf3-4335-bfee-d610367059db",
        "organizationId": "aa93e8a8-2aa3-470b-b914-caad8a255dd8",
        "voucherStatus": "open",
        **record,
        "createdDate": "2023-06-29T15:15:09.447+02:00",
        "updatedDate": "2023-06-29T15:15:09.447+02:00",
        "version": 1,
    }


def sample_068_create(**changes: Any) -> VoucherCreate:
    """The unified request of sample 068."""
    fields: dict[str, Any] = {
        "type": "sales_invoice",
        "number": "123-456",
        "issue_date": date(2023, 6, 28),
        "delivery_date": date(2023, 7, 2),
        "due_date": date(2023, 7, 5),
        "prices_include_tax": True,
        "collective_contact": True,
        "remark": "Bestellung von Max Mustermann.",
        "items": [
            VoucherItemCreate(
                amount=Decimal("119.00"),
                tax_amount=Decimal("19.00"),
                tax_rate=Decimal(19),
                ledger_account_id=GOODS,
            )
        ],
    }
    return VoucherCreate(**(fields | changes))


# --- lexoffice -> unified -----------------------------------------------------------------------


def test_collective_contact_sample_with_three_tax_rates() -> None:
    voucher = voucher_from_lexoffice(sample_exact("067_vouchers_resource_sample_collective_contact.json"))

    assert voucher == Voucher(
        id="a8691b5d-2393-4317-888d-bcd5d564f7d1",
        version=2,
        type="sales_invoice",
        status="open",
        number="2023-000321",
        issue_date=date(2023, 6, 30),
        delivery_date=date(2023, 7, 2),
        due_date=date(2023, 7, 7),
        currency="EUR",
        prices_include_tax=True,
        totals=VoucherTotals(gross=Decimal("326.00"), tax=Decimal("26.00")),
        items=[
            VoucherItem(
                amount=Decimal("119.00"),
                tax_amount=Decimal("19.00"),
                tax_rate=Decimal(19),
                ledger_account_id=GOODS,
            ),
            VoucherItem(
                amount=Decimal("107.00"),
                tax_amount=Decimal("7.00"),
                tax_rate=Decimal(7),
                ledger_account_id=GOODS,
            ),
            VoucherItem(
                amount=Decimal(100), tax_amount=Decimal(0), tax_rate=Decimal(0), ledger_account_id=GOODS
            ),
        ],
        contact_id=None,
        collective_contact=True,
        remark="Bestellung von Max Mustermann.",
        attachments=[],
        created_at=datetime(2023, 6, 30, 13, 28, 51, 12000, tzinfo=CEST),
        updated_at=datetime(2023, 6, 30, 13, 28, 51, 12000, tzinfo=CEST),
    )
    roundtrip_json(voucher)


def test_retrieve_sample_keeps_exact_amounts_and_raw_on_request() -> None:
    data = sample_exact("070_vouchers_retrieve_response.json")
    voucher = voucher_from_lexoffice(data, include_raw=True)

    assert (voucher.id, voucher.version, voucher.number) == (
        "66196c43-baf3-4335-bfee-d610367059db",
        1,
        "123-456",
    )
    assert (voucher.issue_date, voucher.delivery_date, voucher.due_date) == (
        date(2023, 6, 28),
        date(2023, 7, 2),
        date(2023, 7, 5),
    )
    assert voucher.totals == VoucherTotals(gross=Decimal(119), tax=Decimal("19.00"))
    assert str(voucher.items[0].tax_amount) == "19.00"
    assert all(isinstance(value, Decimal) for value in (voucher.items[0].amount, voucher.totals.gross))
    plain = voucher_from_lexoffice(data)
    assert voucher.raw is data
    assert plain.raw is None
    voucher = plain
    roundtrip_json(voucher)
    assert msgspec.json.decode(msgspec.json.encode(voucher))["totals"] == {"gross": "119", "tax": "19.00"}


def test_filter_by_number_sample_content() -> None:
    purchase, sale = (
        voucher_from_lexoffice(item)
        for item in sample_exact("071_vouchers_filter_by_vouchernumber_response.json")["content"]
    )

    assert (purchase.type, purchase.status, purchase.version) == ("purchase_invoice", None, 0)
    assert purchase.delivery_date is None
    assert purchase.issue_date == purchase.due_date == date(2023, 1, 31)
    assert purchase.totals == VoucherTotals(gross=Decimal(1000), tax=Decimal("159.66"))
    assert purchase.items == [
        VoucherItem(
            amount=Decimal(1000),
            tax_amount=Decimal("159.66"),
            tax_rate=Decimal(19),
            ledger_account_id="16d04a28-fd91-11e1-a21f-0800200c9a66",
        )
    ]
    assert (purchase.remark, purchase.collective_contact) == ("Test", True)
    assert purchase.created_at == datetime(2023, 1, 16, 7, 58, 21, 849000, tzinfo=CET)
    assert (sale.type, sale.number, sale.remark) == ("sales_invoice", "123-456-789", "Test-2")
    assert sale.totals == VoucherTotals(gross=Decimal(500), tax=Decimal("79.83"))
    assert sale.items[0].ledger_account_id == "4f01e761-d912-441f-ad1a-1c1d2d590a81"
    for voucher in (purchase, sale):
        roundtrip_json(voucher)


def test_statuses_map_to_snake_case_and_a_bare_record_does_not_crash() -> None:
    base = sample_exact("070_vouchers_retrieve_response.json")
    assert voucher_from_lexoffice(base | {"voucherStatus": "paidoff"}).status == "paid_off"
    assert voucher_from_lexoffice(base | {"voucherStatus": "sepadebit"}).status == "sepa_debit"
    assert voucher_from_lexoffice(base | {"taxType": "net", "contactId": CONTACT}).prices_include_tax is False

    bare = voucher_from_lexoffice({"id": "x", "version": 3, "voucherStatus": "unchecked"})
    assert bare == Voucher(id="x", version=3, status="unchecked")
    roundtrip_json(bare)


@given(
    kind=st.text(min_size=1).filter(lambda s: s not in VOUCHER_TYPES),
    status=st.text(min_size=1).filter(lambda s: s not in ("paidoff", "sepadebit")),
)
def test_unknown_types_and_statuses_survive(kind: str, status: str) -> None:
    data = sample_exact("070_vouchers_retrieve_response.json") | {"type": kind, "voucherStatus": status}
    voucher = voucher_from_lexoffice(data)
    assert (voucher.type, voucher.status) == (kind, status)


# --- voucher list -------------------------------------------------------------------------------


def test_voucherlist_sample_summaries() -> None:
    page = sample_exact("066_voucherlist_list_response.json")
    collective, invoice, overdue = (voucher_summary_from_voucherlist(item) for item in page["content"])

    assert collective == VoucherSummary(
        id="57b8d457-1fb6-4ae9-944a-9fe763da2aff",
        type="purchase_invoice",
        status="open",
        number="2010096",
        issue_date=date(2023, 6, 14),
        due_date=date(2023, 6, 21),
        contact_id=None,
        contact_name="Sammellieferant",
        total_amount=Decimal("80.04"),
        open_amount=Decimal("80.04"),
        currency="EUR",
        archived=False,
        created_at=datetime(2023, 3, 22, 12, 36, 22, tzinfo=CET),
        updated_at=datetime(2023, 3, 22, 12, 36, 22, tzinfo=CET),
    )
    assert (invoice.type, invoice.contact_id, invoice.contact_name) == (
        "invoice",
        CONTACT,
        "Musterfrau, Erika",
    )
    assert (invoice.total_amount, invoice.open_amount) == (Decimal("99.8"), Decimal("74.8"))
    assert (overdue.status, overdue.issue_date, overdue.due_date) == (
        "overdue",
        date(2023, 3, 2),
        date(2023, 10, 6),
    )
    for summary in (collective, invoice, overdue):
        roundtrip_json(summary)
    assert voucher_summary_from_voucherlist(page["content"][0], include_raw=True).raw == page["content"][0]


def test_voucherlist_types_and_statuses() -> None:
    entry = sample_exact("066_voucherlist_list_response.json")["content"][1]
    for upstream, unified in [
        ("creditnote", "credit_note"),
        ("downpaymentinvoice", "down_payment_invoice"),
        ("orderconfirmation", "sales_order"),
        ("quotation", "quote"),
        ("deliverynote", "delivery_note"),
        ("salescreditnote", "sales_credit_note"),
        ("purchasecreditnote", "purchase_credit_note"),
        ("somethingnew", "somethingnew"),
    ]:
        assert voucher_summary_from_voucherlist(entry | {"voucherType": upstream}).type == unified
    assert voucher_summary_from_voucherlist(entry | {"voucherStatus": "paidoff"}).status == "paid_off"
    assert voucher_summary_from_voucherlist(entry | {"openAmount": None}).open_amount is None


def test_voucherlist_query_defaults_to_the_four_voucher_types_and_any_status() -> None:
    assert voucherlist_query(VoucherFilter()) == {
        "voucherType": "salesinvoice,salescreditnote,purchaseinvoice,purchasecreditnote",
        "voucherStatus": "any",
    }


def test_voucherlist_query_maps_every_filter() -> None:
    filters = VoucherFilter(
        type=["sales_credit_note", "purchase_invoice"],
        status=["open", "paid_off", "sepa_debit", "overdue"],
        contact_id=CONTACT,
        number="johnson & partner <1>",
        issued_from=date(2024, 3, 1),
        issued_to=date(2024, 3, 31),
        updated_since=datetime(2024, 3, 30, 23, 30, tzinfo=UTC),  # 00:30 on 31 March in Berlin
    )
    assert voucherlist_query(filters) == {
        "voucherType": "salescreditnote,purchaseinvoice",
        "voucherStatus": "open,paidoff,sepadebit,overdue",
        "contactId": CONTACT,
        "voucherNumber": "johnson &amp; partner &lt;1&gt;",
        "voucherDateFrom": "2024-03-01",
        "voucherDateTo": "2024-03-31",
        "updatedDateFrom": "2024-03-31",
    }
    assert voucher_number_query("A&B") == {"voucherNumber": "A&amp;B"}


def test_updated_since_is_applied_to_the_instant_by_the_gateway() -> None:
    since = VoucherFilter(updated_since=datetime(2024, 3, 30, 23, 30, tzinfo=UTC))
    same_berlin_day_but_earlier = VoucherSummary(id="a", updated_at=datetime(2024, 3, 31, 0, 10, tzinfo=CET))
    later = VoucherSummary(id="b", updated_at=datetime(2024, 3, 31, 0, 30, tzinfo=CET))

    assert not voucher_summary_matches(same_berlin_day_but_earlier, since)
    assert voucher_summary_matches(later, since)
    assert not voucher_summary_matches(VoucherSummary(id="c"), since)
    assert voucher_summary_matches(VoucherSummary(id="c"), VoucherFilter())


def test_filter_refuses_naive_instants_and_unknown_statuses() -> None:
    with pytest.raises(msgspec.ValidationError, match="updated_since"):
        msgspec.json.decode(b'{"updated_since": "2024-03-31T10:00:00"}', type=VoucherFilter)
    with pytest.raises(msgspec.ValidationError, match="status"):
        msgspec.json.decode(b'{"status": ["paidoff"]}', type=VoucherFilter)


# --- tax arithmetic -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "rate", "tax"),
    [
        ("1000", 19, "159.66"),
        ("500", 19, "79.83"),
        ("119.00", 19, "19.00"),
        ("107.00", 7, "7.00"),
        ("100", 0, "0.00"),
    ],
)
def test_tax_in_gross_amounts_matches_the_samples(amount: str, rate: int, tax: str) -> None:
    computed = item_tax_amount(Decimal(amount), Decimal(rate), prices_include_tax=True)
    assert computed == Decimal(tax)
    assert str(computed) == tax


def test_tax_on_net_amounts_rounds_half_up() -> None:
    assert item_tax_amount(Decimal("100.00"), Decimal(19), prices_include_tax=False) == Decimal("19.00")
    assert item_tax_amount(Decimal("0.50"), Decimal(5), prices_include_tax=False) == Decimal("0.03")  # 0.025
    assert item_tax_amount(Decimal("10.50"), Decimal(19), prices_include_tax=False) == Decimal(
        "2.00"
    )  # 1.995


def test_totals_add_tax_only_to_net_amounts() -> None:
    items = [
        VoucherItemCreate(amount=Decimal("119.00"), tax_rate=Decimal(19), ledger_account_id=GOODS),
        VoucherItemCreate(amount=Decimal("107.00"), tax_rate=Decimal(7), ledger_account_id=GOODS),
        VoucherItemCreate(amount=Decimal(100), tax_rate=Decimal(0), ledger_account_id=GOODS),
    ]
    assert voucher_totals(items, prices_include_tax=True) == VoucherTotals(
        gross=Decimal(326), tax=Decimal(26)
    )
    assert voucher_totals(items, prices_include_tax=False) == VoucherTotals(
        gross=Decimal("356.10"), tax=Decimal("30.10")
    )


# --- unified -> lexoffice -----------------------------------------------------------------------


def test_create_reproduces_sample_068() -> None:
    expected = sample_exact("068_vouchers_create_request.json") | {"version": 0}
    body = voucher_to_lexoffice(sample_068_create())

    assert body == expected
    assert _wire.encode(body) == _wire.encode(expected)  # same members, order, digits and types
    assert check_voucher_create(sample_068_create()) == []


def test_create_computes_tax_amounts_and_totals_when_omitted() -> None:
    req = sample_068_create(
        items=[
            VoucherItemCreate(amount=Decimal(1000), tax_rate=Decimal(19), ledger_account_id=GOODS),
            VoucherItemCreate(amount=Decimal("107"), tax_rate=Decimal(7), ledger_account_id=GOODS),
        ]
    )
    body = voucher_to_lexoffice(req)

    assert [(item["amount"], item["taxAmount"]) for item in body["voucherItems"]] == [
        (Decimal("1000.00"), Decimal("159.66")),
        (Decimal("107.00"), Decimal("7.00")),
    ]
    assert (body["totalGrossAmount"], body["totalTaxAmount"]) == (Decimal("1107.00"), Decimal("166.66"))
    assert b'"totalGrossAmount":1107.00' in _wire.encode(body)


def test_create_with_a_contact_net_amounts_and_attachments() -> None:
    req = sample_068_create(
        collective_contact=False,
        contact_id=CONTACT,
        prices_include_tax=False,
        delivery_date=None,
        due_date=None,
        remark=None,
        attachments=[FILE_A],
        type="sales_credit_note",
        items=[VoucherItemCreate(amount=Decimal(100), tax_rate=Decimal(19), ledger_account_id=GOODS)],
    )
    assert voucher_to_lexoffice(req) == {
        "type": "salescreditnote",
        "voucherNumber": "123-456",
        "voucherDate": "2023-06-28",
        "totalGrossAmount": Decimal("119.00"),
        "totalTaxAmount": Decimal("19.00"),
        "taxType": "net",
        "useCollectiveContact": False,
        "contactId": CONTACT,
        "voucherItems": [
            {
                "amount": Decimal("100.00"),
                "taxAmount": Decimal("19.00"),
                "taxRatePercent": Decimal(19),
                "categoryId": GOODS,
            }
        ],
        "files": [FILE_A],
        "version": 0,
    }


def test_raw_is_merged_over_the_mapped_body() -> None:
    req = sample_068_create(raw={"remark": "from raw", "dueDate": "2023-07-31", "extra": {"flag": True}})
    body = voucher_to_lexoffice(req)

    assert (body["remark"], body["dueDate"], body["extra"]) == ("from raw", "2023-07-31", {"flag": True})
    voucher = voucher_from_lexoffice(stored(body))
    assert (voucher.remark, voucher.due_date) == ("from raw", date(2023, 7, 31))


WIRE_CREATE: dict[str, Any] = {
    "type": "sales_invoice",
    "number": "123-456",
    "issue_date": "2023-06-28",
    "prices_include_tax": True,
    "collective_contact": True,
    "items": [{"amount": "119.00", "tax_rate": 19, "ledger_account_id": GOODS}],
}


def test_create_request_from_the_wire() -> None:
    req = msgspec.json.decode(msgspec.json.encode(WIRE_CREATE), type=VoucherCreate)
    assert req.items[0].amount == Decimal("119.00")
    assert voucher_to_lexoffice(req)["voucherItems"][0]["taxAmount"] == Decimal("19.00")
    numbers = WIRE_CREATE | {"items": [{"amount": 119.00, "tax_rate": 19, "ledger_account_id": GOODS}]}
    assert msgspec.json.decode(msgspec.json.encode(numbers), type=VoucherCreate).items[0].amount == 119


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"type": "purchase_invoice"}, "type"),
        ({"items": []}, "items"),
        ({"unknown": 1}, "unknown"),
        ({"issue_date": "2023-06-28T00:00:00+02:00"}, "issue_date"),
        ({"contact_id": "not-a-uuid"}, "contact_id"),
        ({"currency": "USD"}, "currency"),
        ({"number": ""}, "number"),
        ({"items": [{"amount": 1, "tax_rate": 19, "ledger_account_id": "x"}]}, "ledger_account_id"),
    ],
)
def test_create_request_shape_is_enforced_by_the_schema(change: dict[str, Any], message: str) -> None:
    with pytest.raises(msgspec.ValidationError, match=message):
        msgspec.json.decode(msgspec.json.encode(WIRE_CREATE | change), type=VoucherCreate)


def _item(amount: str = "119.00", rate: str = "19", **changes: Any) -> VoucherItemCreate:
    return VoucherItemCreate(
        amount=Decimal(amount),
        tax_rate=Decimal(rate),
        ledger_account_id=changes.pop("account", GOODS),
        **changes,
    )


_AMOUNT_RULE = "must be a non-negative amount with two decimals"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"items": [_item("1.234")]}, "items[0].amount"),
        ({"items": [_item("-1")]}, "items[0].amount"),
        ({"items": [_item("NaN")]}, "items[0].amount"),
        ({"items": [_item(tax_amount=Decimal("19.001"))]}, "items[0].tax_amount"),
        ({"items": [_item(rate="20")]}, "items[0].tax_rate"),
        ({"items": [_item(rate="NaN")]}, "items[0].tax_rate"),
        ({"items": [_item(rate="28", account=DESTINATION_SALES)]}, "items[0].tax_rate"),
        ({"totals": VoucherTotals(gross=Decimal("119.01"), tax=Decimal(19))}, "totals.gross"),
        ({"totals": VoucherTotals(gross=Decimal(119), tax=Decimal(20))}, "totals.tax"),
        ({"collective_contact": False}, "contact_id"),
        ({"contact_id": CONTACT}, "contact_id"),
    ],
)
def test_create_checks(changes: dict[str, Any], field: str) -> None:
    assert [error.field for error in check_voucher_create(sample_068_create(**changes))] == [field]


def test_create_check_reasons() -> None:
    req = sample_068_create(items=[_item("1.234", rate="20")], collective_contact=False)
    assert check_voucher_create(req) == [
        FieldError("items[0].amount", _AMOUNT_RULE),
        FieldError(
            "items[0].tax_rate",
            "must be 0, 5, 7, 16 or 19 (any EU rate on a destination-principle distance-sales account)",
        ),
        FieldError("contact_id", "is required unless collective_contact is true"),
    ]
    assert check_voucher_create(
        sample_068_create(totals=VoucherTotals(gross=Decimal(1), tax=Decimal(19)))
    ) == [FieldError("totals.gross", "must equal the sum of the items (119.00)")]


def test_create_accepts_destination_country_rates_on_destination_accounts() -> None:
    req = sample_068_create(items=[_item("121.00", "21", account=DESTINATION_SALES)])
    assert check_voucher_create(req) == []
    assert (
        check_voucher_create(sample_068_create(totals=VoucherTotals(gross=Decimal(119), tax=Decimal(19))))
        == []
    )


# --- round trips --------------------------------------------------------------------------------

DST_DATES = (date(2024, 3, 31), date(2024, 10, 27))
amounts = st.decimals(min_value=0, max_value=Decimal("9999999.99"), places=2)
uuids = st.uuids().map(str)
texts = st.text(st.characters(codec="utf-8"), min_size=1, max_size=40)
days = st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31))
items = st.builds(
    VoucherItemCreate,
    amount=amounts,
    tax_rate=st.sampled_from([Decimal(rate) for rate in (0, 5, 7, 16, 19)]),
    ledger_account_id=uuids,
    tax_amount=st.none() | amounts,
)


@st.composite
def creates(draw: st.DrawFn) -> VoucherCreate:
    contact_id = draw(st.none() | uuids)
    gross = draw(st.booleans())
    voucher_items = draw(st.lists(items, min_size=1, max_size=4))
    return VoucherCreate(
        type=draw(st.sampled_from(["sales_invoice", "sales_credit_note"])),
        number=draw(texts),
        issue_date=draw(days),
        delivery_date=draw(st.none() | days),
        due_date=draw(st.none() | days),
        prices_include_tax=gross,
        items=voucher_items,
        totals=draw(st.sampled_from([None, voucher_totals(voucher_items, prices_include_tax=gross)])),
        contact_id=contact_id,
        collective_contact=contact_id is None,
        remark=draw(st.none() | texts),
        attachments=draw(st.none() | st.lists(uuids, max_size=3)),
    )


@given(creates())
@example(sample_068_create(issue_date=DST_DATES[0], delivery_date=DST_DATES[1], due_date=DST_DATES[1]))
@example(sample_068_create(issue_date=DST_DATES[1], delivery_date=DST_DATES[0], due_date=None))
def test_create_round_trip(req: VoucherCreate) -> None:
    assert check_voucher_create(req) == []
    voucher = voucher_from_lexoffice(stored(voucher_to_lexoffice(req)))

    assert voucher.type == req.type
    assert voucher.number == req.number
    assert (voucher.issue_date, voucher.delivery_date) == (req.issue_date, req.delivery_date)
    assert voucher.due_date == (req.due_date or req.issue_date)
    assert voucher.prices_include_tax is req.prices_include_tax
    assert voucher.totals == voucher_totals(req.items, prices_include_tax=req.prices_include_tax)
    assert voucher.items == [
        VoucherItem(
            amount=item.amount,
            tax_amount=item_tax_amount(item.amount, item.tax_rate, prices_include_tax=req.prices_include_tax)
            if item.tax_amount is None
            else item.tax_amount,
            tax_rate=item.tax_rate,
            ledger_account_id=item.ledger_account_id,
        )
        for item in req.items
    ]
    for item in voucher.items:
        assert isinstance(item.amount, Decimal)
        assert isinstance(item.tax_amount, Decimal)
    assert (voucher.contact_id, voucher.collective_contact) == (req.contact_id, req.collective_contact)
    assert voucher.remark == req.remark
    assert voucher.attachments == (req.attachments or [])
    roundtrip_json(voucher)


@pytest.mark.parametrize("day", DST_DATES)
def test_dst_change_days_keep_their_calendar_date(day: date) -> None:
    body = voucher_to_lexoffice(sample_068_create(issue_date=day))
    assert body["voucherDate"] == day.isoformat()
    record = stored(body)
    assert record["voucherDate"] == local_midnight(day)
    assert voucher_from_lexoffice(record).issue_date == day
    utc = datetime.fromisoformat(record["voucherDate"]).astimezone(UTC)
    assert utc.date() == day - timedelta(days=1)  # the UTC date would be wrong
    as_utc = record | {"voucherDate": utc.isoformat(timespec="milliseconds").replace("+00:00", "Z")}
    assert voucher_from_lexoffice(as_utc).issue_date == day


def test_plain_dates_from_upstream_are_taken_as_they_are() -> None:
    data = sample_exact("070_vouchers_retrieve_response.json") | {"voucherDate": "2024-03-31"}
    assert voucher_from_lexoffice(data).issue_date == date(2024, 3, 31)


def test_put_body_carries_plain_dates() -> None:
    data = sample_exact("067_vouchers_resource_sample_collective_contact.json")
    body = voucher_put_dates(data)
    assert (body["voucherDate"], body["shippingDate"], body["dueDate"]) == (
        "2023-06-30",
        "2023-07-02",
        "2023-07-07",
    )
    assert {k: v for k, v in body.items() if not k.endswith("Date")} == {
        k: v for k, v in data.items() if not k.endswith("Date")
    }
    assert "shippingDate" not in voucher_put_dates({"voucherDate": "2023-06-30"})


# --- updates ------------------------------------------------------------------------------------

_GROUP = {"voucherItems", "taxType", "totalGrossAmount", "totalTaxAmount"}
_CONTACT = {"contactId", "useCollectiveContact"}


@st.composite
def updates(draw: st.DrawFn) -> tuple[VoucherUpdate, set[str]]:
    """A valid update and the upstream members it may set."""
    fields: dict[str, Any] = draw(
        st.fixed_dictionaries(
            {},
            optional={
                "type": st.sampled_from(["sales_invoice", "sales_credit_note"]),
                "number": texts,
                "issue_date": days,
                "delivery_date": st.none() | days,
                "due_date": st.none() | days,
                "remark": st.none() | texts,
                "attachments": st.lists(uuids, max_size=3),
                "contact_id": uuids,
            },
        )
    )
    members = {
        {
            "type": "type",
            "number": "voucherNumber",
            "issue_date": "voucherDate",
            "delivery_date": "shippingDate",
            "due_date": "dueDate",
            "remark": "remark",
            "attachments": "files",
        }.get(name, "contactId")
        for name in fields
    }
    if "contact_id" not in fields and draw(st.booleans()):
        fields["collective_contact"] = True
    if {"contact_id", "collective_contact"} & fields.keys():
        members |= _CONTACT
    if draw(st.booleans()):
        fields |= {
            "items": draw(st.lists(items, min_size=1, max_size=3)),
            "prices_include_tax": draw(st.booleans()),
        }
        members |= _GROUP
    return VoucherUpdate(**fields), members


@given(updates())
def test_update_maps_only_the_members_it_mentions(case: tuple[VoucherUpdate, set[str]]) -> None:
    patch, members = case
    assert check_voucher_update(patch) == []
    body = voucher_patch_to_lexoffice(patch)

    assert set(body) == members
    assert ("files" in body) is (patch.attachments is not msgspec.UNSET)
    current = sample_exact("070_vouchers_retrieve_response.json") | {"files": [FILE_A, FILE_B]}
    merged = apply_patch(current, body)
    if patch.attachments is msgspec.UNSET:
        assert merged["files"] == [FILE_A, FILE_B]  # the receipts travel back untouched


def test_empty_update_maps_to_nothing() -> None:
    assert voucher_patch_to_lexoffice(VoucherUpdate()) == {}
    assert check_voucher_update(VoucherUpdate()) == []


def test_update_values() -> None:
    patch = VoucherUpdate(
        number="RE-1",
        issue_date=date(2024, 10, 27),
        delivery_date=None,
        due_date=None,
        remark=None,
        contact_id=CONTACT,
        items=[_item("100.00")],
        prices_include_tax=False,
    )
    assert voucher_patch_to_lexoffice(patch) == {
        "voucherNumber": "RE-1",
        "voucherDate": "2024-10-27",
        "shippingDate": None,  # JSON Merge Patch: null removes the member
        "dueDate": None,
        "totalGrossAmount": Decimal("119.00"),
        "totalTaxAmount": Decimal("19.00"),
        "taxType": "net",
        "voucherItems": [
            {
                "amount": Decimal("100.00"),
                "taxAmount": Decimal("19.00"),
                "taxRatePercent": Decimal(19),
                "categoryId": GOODS,
            }
        ],
        "useCollectiveContact": False,
        "contactId": CONTACT,
        "remark": None,
    }
    merged = apply_patch(
        sample_exact("070_vouchers_retrieve_response.json"), voucher_patch_to_lexoffice(patch)
    )
    assert "shippingDate" not in merged
    assert "remark" not in merged
    assert merged["files"] == []


def test_update_to_collective_contact_drops_the_contact() -> None:
    body = voucher_patch_to_lexoffice(VoucherUpdate(collective_contact=True))
    assert body == {"useCollectiveContact": True, "contactId": None}
    merged = apply_patch({"useCollectiveContact": False, "contactId": CONTACT, "files": [FILE_A]}, body)
    assert merged == {"useCollectiveContact": True, "files": [FILE_A]}


def test_update_attachments_replace_the_list() -> None:
    assert voucher_patch_to_lexoffice(VoucherUpdate(attachments=[])) == {"files": []}
    assert voucher_patch_to_lexoffice(VoucherUpdate(attachments=[FILE_B])) == {"files": [FILE_B]}
    with pytest.raises(msgspec.ValidationError):
        msgspec.json.decode(b'{"attachments": null}', type=VoucherUpdate)  # null would drop every receipt


def test_update_raw_is_merged_last() -> None:
    body = voucher_patch_to_lexoffice(VoucherUpdate(remark="a", raw={"remark": "b", "extra": 1}))
    assert body == {"remark": "b", "extra": 1}


@pytest.mark.parametrize(
    ("patch", "fields"),
    [
        (VoucherUpdate(items=[_item()]), ["prices_include_tax"]),
        (VoucherUpdate(prices_include_tax=True), ["items"]),
        (VoucherUpdate(totals=VoucherTotals(gross=Decimal(1), tax=Decimal(0))), ["totals"]),
        (VoucherUpdate(items=[_item("1.001")], prices_include_tax=True), ["items[0].amount"]),
        (
            VoucherUpdate(
                items=[_item()],
                prices_include_tax=False,
                totals=VoucherTotals(gross=Decimal(119), tax=Decimal(19)),
            ),
            ["totals.gross", "totals.tax"],  # net: 119.00 + 22.61 tax
        ),
        (VoucherUpdate(collective_contact=False), ["collective_contact"]),
        (VoucherUpdate(collective_contact=True, contact_id=CONTACT), ["contact_id"]),
    ],
)
def test_update_checks(patch: VoucherUpdate, fields: list[str]) -> None:
    assert [error.field for error in check_voucher_update(patch)] == fields


def test_update_with_matching_totals_uses_them() -> None:
    patch = VoucherUpdate(
        items=[_item()], prices_include_tax=True, totals=VoucherTotals(gross=Decimal(119), tax=Decimal(19))
    )
    assert check_voucher_update(patch) == []
    assert voucher_patch_to_lexoffice(patch)["totalGrossAmount"] == Decimal("119.00")
