"""Server-side amount engine for lexoffice sales documents (pure, no I/O).

`compute_sales_totals` fills the read-only amounts of a sales document the way lexoffice does
(inventory §2.11); all rounding is half-up, amounts to 2 dp, unit prices to 4 dp.

* Unit prices: ``netAmount`` is the relevant price for every tax type except ``gross``, where
  ``grossAmount`` is. The other one is derived: ``gross = round4(net × (1 + r/100))`` or
  ``net = round4(gross / (1 + r/100))`` (vat-free types: rate 0, so both are equal). A client-sent
  value of the derived field is overwritten. If only the non-relevant price is sent, the relevant
  one is derived from it the same way.
* ``lineItemAmount = round2(quantity × price × (1 − discountPercentage/100))`` with the relevant
  price, so it is net (non-gross types) or gross (``gross``). Text items carry no amounts.
* Line items are summed per tax rate r into ``A_r``. Quotations exclude ``optional: true`` items;
  ``subItems`` (alternatives) never count, but get their own amounts filled.
* Total discounts (order not documented — this is the sandbox's choice): on the sum
  ``S = Σ A_r`` first ``totalDiscountPercentage`` is applied, ``D_p = round2(S × p/100)``, then
  ``totalDiscountAbsolute`` ``D_a`` is subtracted from what is left (it must not exceed
  ``S − D_p``). The discounted sum ``T = S − D_p − D_a`` is spread over the rate groups in
  proportion to ``A_r`` (each rounded to 2 dp); the rounding remainder goes to the group with the
  largest ``|A_r|`` (tie: higher rate), so the groups add up to ``T`` to the cent. Line item
  amounts themselves stay undiscounted.
* Per group: net types ``net_r = A_r``, ``tax_r = round2(net_r × r/100)``; gross
  ``gross_r = A_r``, ``net_r = round2(gross_r / (1 + r/100))``, ``tax_r = gross_r − net_r``.
  Vat-free types are net with tax 0 (rate must be 0). Totals are the sums over the groups and
  ``totalGrossAmount = totalNetAmount + totalTaxAmount`` exactly.
* Delivery notes carry no amounts: only unit prices are completed (when computable).
* Sandbox-only sanity limits (not documented by lexoffice): ``taxRatePercentage`` in 0..<100 with at
  most 2 decimals, and every input number below 10^12 in magnitude.
* Input must be decoded with Decimal floats: ``msgspec.json.Decoder(float_hook=Decimal)`` (msgspec
  0.22's ``msgspec.json.decode`` has no ``float_hook``); encode Decimals as JSON numbers.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Any

__all__ = ["KINDS", "VAT_FREE_TAX_TYPES", "AmountError", "compute_sales_totals", "quantize2", "quantize4"]

KINDS = frozenset(
    {
        "invoice",
        "credit-note",
        "quotation",
        "order-confirmation",
        "delivery-note",
        "dunning",
        "down-payment-invoice",
        "recurring-template",
    }
)
VAT_FREE_TAX_TYPES = frozenset(
    {
        "vatfree",
        "intraCommunitySupply",
        "constructionService13b",
        "externalService13b",
        "thirdPartyCountryService",
        "thirdPartyCountryDelivery",
        "photovoltaicEquipment",
    }
)
_Q2 = Decimal("0.01")
_Q4 = Decimal("0.0001")
_HUNDRED = Decimal(100)
# Sandbox sanity bound for any single input number (keeps Decimal arithmetic well-defined).
_LIMIT = Decimal(10) ** 12
_TOTAL_KEYS = ("totalNetAmount", "totalGrossAmount", "totalTaxAmount")


class AmountError(ValueError):
    """An amount cannot be computed; ``field`` is a JSON path such as ``lineItems[0].quantity``."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def quantize2(x: Decimal | int | float | str) -> Decimal:
    """Round to 2 decimal places, half-up."""
    return _dec(x).quantize(_Q2, rounding=ROUND_HALF_UP)


def quantize4(x: Decimal | int | float | str) -> Decimal:
    """Round to 4 decimal places, half-up."""
    return _dec(x).quantize(_Q4, rounding=ROUND_HALF_UP)


def compute_sales_totals(doc: dict[str, Any], *, kind: str) -> dict[str, Any]:
    """Return a copy of ``doc`` with line item amounts, unit prices, totals and tax amounts computed.

    Client-sent read-only amounts are ignored and overwritten; ``doc`` is not mutated.
    Raises `AmountError` for uncomputable input and `ValueError` for an unknown ``kind``.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown sales document kind: {kind!r}")
    with localcontext() as ctx:
        ctx.prec = 60
        ctx.rounding = ROUND_HALF_UP
        return _compute(doc, kind)


# --- internals ---------------------------------------------------------------------------------


def _dec(x: Decimal | int | float | str) -> Decimal:
    return Decimal(str(x)) if isinstance(x, float) else Decimal(x)


def _decimals(d: Decimal) -> int:
    """Number of significant decimal places of a finite Decimal (trailing zeros ignored)."""
    if d == 0:
        return 0
    _, digits, exp = d.as_tuple()
    assert isinstance(exp, int)
    i = len(digits)
    while exp < 0 and digits[i - 1] == 0:
        i -= 1
        exp += 1
    return max(0, -exp)


def _num(value: Any, field: str, places: int) -> Decimal:
    """Validate a JSON number (int/Decimal) with at most ``places`` decimals and return it as Decimal."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise AmountError(field, "must be a number")
    d = _dec(value)
    if not d.is_finite() or abs(d) >= _LIMIT:
        raise AmountError(field, "is out of range")
    if _decimals(d) > places:
        raise AmountError(field, f"must not have more than {places} decimal places")
    return d


def _put(
    d: dict[str, Any], key: str, value: Any, *, after: tuple[str, ...] = (), before: str = ""
) -> dict[str, Any]:
    """Copy of ``d`` with ``key`` set; a new key goes after the first present ``after`` key
    (else before ``before``, else at the end), mirroring lexoffice's key order."""
    if key in d:
        return {**d, key: value}
    anchor = next((k for k in after if k in d), None)
    out: dict[str, Any] = {}
    for k, v in d.items():
        if anchor is None and k == before and key not in out:
            out[key] = value
        out[k] = v
        if k == anchor:
            out[key] = value
    out.setdefault(key, value)
    return out


def _tax_type(doc: dict[str, Any]) -> str:
    conditions = doc.get("taxConditions")
    tax_type = conditions.get("taxType") if isinstance(conditions, dict) else None
    if tax_type is None:
        raise AmountError("taxConditions.taxType", "is required")
    if tax_type not in ("net", "gross") and tax_type not in VAT_FREE_TAX_TYPES:
        raise AmountError("taxConditions.taxType", f"unsupported tax type {tax_type!r}")
    return str(tax_type)


def _unit_price(
    unit: dict[str, Any], path: str, tax_type: str, *, strict: bool
) -> tuple[dict[str, Any], Decimal | None, Any, Decimal | None]:
    """Complete a unit price; returns (new unit price, rate, rate as sent, relevant price)."""
    rate_raw = unit.get("taxRatePercentage")
    if rate_raw is None:
        if strict:
            raise AmountError(f"{path}.taxRatePercentage", "is required")
        return dict(unit), None, None, None
    rate = _num(rate_raw, f"{path}.taxRatePercentage", 2)
    if rate < 0 or rate >= _HUNDRED:
        raise AmountError(f"{path}.taxRatePercentage", "must be between 0 and 100")
    if tax_type in VAT_FREE_TAX_TYPES and rate != 0:
        raise AmountError(f"{path}.taxRatePercentage", f"must be 0 for tax type {tax_type}")
    factor = 1 + rate / _HUNDRED
    gross = tax_type == "gross"
    main_key, other_key = ("grossAmount", "netAmount") if gross else ("netAmount", "grossAmount")
    if unit.get(main_key) is not None:
        main = _num(unit[main_key], f"{path}.{main_key}", 4)
        other = quantize4(main / factor if gross else main * factor)
        key, value = other_key, other
    elif unit.get(other_key) is not None:
        other = _num(unit[other_key], f"{path}.{other_key}", 4)
        main = quantize4(other * factor if gross else other / factor)
        key, value = main_key, main
    else:
        if strict:
            raise AmountError(f"{path}.{main_key}", "is required")
        return dict(unit), rate, rate_raw, None
    if key == "netAmount":
        out = _put(unit, key, value, after=("currency",), before="grossAmount")
    else:
        out = _put(unit, key, value, after=("netAmount", "currency"))
    return out, rate, rate_raw, main


def _line_item(
    item: Any, path: str, tax_type: str, with_amounts: bool
) -> tuple[dict[str, Any], tuple[Decimal, Any, Decimal] | None]:
    """Complete one line item; returns it and (rate, rate as sent, lineItemAmount) if it has amounts."""
    if not isinstance(item, dict):
        raise AmountError(path, "must be an object")
    out = dict(item)
    if item.get("type") == "text":
        out.pop("lineItemAmount", None)
        return out, None
    unit = item.get("unitPrice")
    if unit is not None and not isinstance(unit, dict):
        raise AmountError(f"{path}.unitPrice", "must be an object")
    if not with_amounts:  # delivery notes: unit price and quantity are optional, no amounts
        out.pop("lineItemAmount", None)
        if item.get("quantity") is not None:
            _quantity(item["quantity"], f"{path}.quantity")
        if unit is not None:
            out["unitPrice"] = _unit_price(unit, f"{path}.unitPrice", tax_type, strict=False)[0]
        return out, None
    if unit is None:
        raise AmountError(f"{path}.unitPrice", "is required for non-text line items")
    new_unit, rate, rate_raw, price = _unit_price(unit, f"{path}.unitPrice", tax_type, strict=True)
    assert rate is not None
    assert price is not None
    if item.get("quantity") is None:
        raise AmountError(f"{path}.quantity", "is required for non-text line items")
    quantity = _quantity(item["quantity"], f"{path}.quantity")
    discount = Decimal(0)
    if item.get("discountPercentage") is not None:
        discount = _num(item["discountPercentage"], f"{path}.discountPercentage", 2)
        if not 0 <= discount <= _HUNDRED:
            raise AmountError(f"{path}.discountPercentage", "must be between 0 and 100")
    amount = quantize2(quantity * price * (1 - discount / _HUNDRED))
    out["unitPrice"] = new_unit
    out = _put(out, "lineItemAmount", amount, after=("discountPercentage", "unitPrice"))
    sub_items = item.get("subItems")
    if sub_items is not None:
        if not isinstance(sub_items, list):
            raise AmountError(f"{path}.subItems", "must be a list")
        out["subItems"] = [
            _line_item(sub, f"{path}.subItems[{j}]", tax_type, with_amounts)[0]
            for j, sub in enumerate(sub_items)
        ]
    return out, (rate, rate_raw, amount)


def _quantity(value: Any, field: str) -> Decimal:
    quantity = _num(value, field, 4)
    if quantity < 0:
        raise AmountError(field, "must not be negative")
    return quantity


def _discounted(groups: dict[Decimal, Decimal], total_price: dict[str, Any]) -> dict[Decimal, Decimal]:
    """Apply the total discounts (percentage first, then absolute) proportionally to the groups."""
    base = sum(groups.values(), Decimal(0))
    target = base
    pct_raw = total_price.get("totalDiscountPercentage")
    if pct_raw is not None:
        pct = _num(pct_raw, "totalPrice.totalDiscountPercentage", 2)
        if not 0 <= pct <= _HUNDRED:
            raise AmountError("totalPrice.totalDiscountPercentage", "must be between 0 and 100")
        target -= quantize2(base * pct / _HUNDRED)
    abs_raw = total_price.get("totalDiscountAbsolute")
    if abs_raw is not None:
        absolute = _num(abs_raw, "totalPrice.totalDiscountAbsolute", 2)
        if absolute < 0:
            raise AmountError("totalPrice.totalDiscountAbsolute", "must not be negative")
        if absolute > 0 and absolute > target:
            raise AmountError(
                "totalPrice.totalDiscountAbsolute", f"must not be greater than the total amount {target}"
            )
        target -= absolute
    if target == base:
        return dict(groups)
    out = {rate: quantize2(amount * target / base) for rate, amount in groups.items()}
    largest = max(groups, key=lambda rate: (abs(groups[rate]), rate))
    out[largest] += target - sum(out.values(), Decimal(0))
    return out


def _compute(doc: dict[str, Any], kind: str) -> dict[str, Any]:
    tax_type = _tax_type(doc)
    with_amounts = kind != "delivery-note"
    items = doc.get("lineItems")
    if not isinstance(items, list):
        raise AmountError("lineItems", "is required and must be a list")
    groups: dict[Decimal, Decimal] = {}
    rate_as_sent: dict[Decimal, Any] = {}
    new_items = []
    for i, item in enumerate(items):
        new_item, contribution = _line_item(item, f"lineItems[{i}]", tax_type, with_amounts)
        new_items.append(new_item)
        if contribution is None or (kind == "quotation" and item.get("optional") is True):
            continue
        rate, rate_raw, amount = contribution
        groups[rate] = groups.get(rate, Decimal(0)) + amount
        rate_as_sent.setdefault(rate, rate_raw)
    result = {**doc, "lineItems": new_items}
    if not with_amounts:
        result.pop("totalPrice", None)
        result.pop("taxAmounts", None)
        return result

    sent_total = doc.get("totalPrice")
    if sent_total is None:
        sent_total = {}
    if not isinstance(sent_total, dict):
        raise AmountError("totalPrice", "must be an object")
    discounted = _discounted(groups, sent_total)
    tax_amounts = []
    total_net = total_tax = Decimal(0)
    for rate in sorted(discounted):
        amount = discounted[rate]
        if tax_type == "gross":
            net = quantize2(amount / (1 + rate / _HUNDRED))
            tax = amount - net
        else:
            net = amount
            tax = quantize2(net * rate / _HUNDRED)
        total_net += net
        total_tax += tax
        tax_amounts.append(
            {
                "taxRatePercentage": rate_as_sent[rate],
                "taxAmount": quantize2(tax),
                "netAmount": quantize2(net),
            }
        )

    total_price: dict[str, Any] = {}
    if "currency" in sent_total:
        total_price["currency"] = sent_total["currency"]
    total_price.update(
        totalNetAmount=quantize2(total_net),
        totalGrossAmount=quantize2(total_net + total_tax),
        totalTaxAmount=quantize2(total_tax),
    )
    for key in ("totalDiscountAbsolute", "totalDiscountPercentage"):
        if key in sent_total:
            total_price[key] = sent_total[key]
    result = _put(result, "totalPrice", total_price, after=("lineItems",))
    return _put(result, "taxAmounts", tax_amounts, after=("totalPrice",))
