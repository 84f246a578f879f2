"""Render sales vouchers to small, valid, deterministic PDFs (``GET /v1/<resource>/{id}/document``).

Only fpdf2's built-in Helvetica is used. Core fonts are latin-1, so every text is
normalised first: ``€`` becomes ``EUR``, typographic punctuation is mapped to ASCII,
accents outside latin-1 are stripped and anything else unprintable is replaced —
rendering never fails on user input. The PDF creation date is derived from the
voucher date, so the same document always yields the same bytes.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from fpdf import FPDF
from fpdf.enums import MethodReturnValue, XPos, YPos

__all__ = ["document_filename", "render_sales_document"]

_TITLES: dict[str, str] = {
    "invoice": "Rechnung",
    "creditnote": "Gutschrift",
    "quotation": "Angebot",
    "orderconfirmation": "Auftragsbestätigung",
    "deliverynote": "Lieferschein",
    "dunning": "Mahnung",
    "downpaymentinvoice": "Abschlagsrechnung",
}
_NUMBER_LABELS: dict[str, str] = {
    "invoice": "Rechnungsnr.",
    "creditnote": "Gutschriftsnr.",
    "quotation": "Angebotsnr.",
    "orderconfirmation": "Auftragsnr.",
    "deliverynote": "Lieferscheinnr.",
    "dunning": "Mahnungsnr.",
    "downpaymentinvoice": "Rechnungsnr.",
}
_FALLBACK_TITLE = "Dokument"
_FIXED_CREATION_DATE = datetime(2000, 1, 1, tzinfo=UTC)

_CHAR_MAP = str.maketrans(
    {
        "€": "EUR",
        "‚": ",",
        "„": '"',
        "“": '"',
        "”": '"',
        "‘": "'",
        "’": "'",
        "‹": "<",
        "›": ">",
        "–": "-",
        "—": "-",
        "‐": "-",
        "‑": "-",
        "−": "-",
        "…": "...",
        "•": "·",
        "™": "TM",
        "\t": " ",
        "\r": "",
    }
)
_ASCII_MAP = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"})
_GERMAN_SEPARATORS = str.maketrans(",.", ".,")
_UNSAFE_FILENAME_CHARS = re.compile(r"[^A-Za-z0-9.-]+")

# Page geometry (A4, mm).
_MARGIN = 20.0
_CONTENT_WIDTH = 210.0 - 2 * _MARGIN
_COL_WIDTHS = (10, 62, 18, 18, 14, 24, 24)
_LINE_HEIGHT = 5.0
_TABLE_LINE_HEIGHT = 4.5
_TABLE_PADDING = 1.0
_MAX_CELL_LINES = 30  # a table row must fit on one page


def _latin1(value: Any, *, multiline: bool = False, limit: int = 255) -> str:
    """Text printable with a core font: latin-1 only, no control characters, at most ``limit`` chars."""
    if value is None or isinstance(value, Mapping | list | tuple):
        return ""
    text = unicodedata.normalize("NFC", str(value).translate(_CHAR_MAP))
    out: list[str] = []
    for char in text:
        category = unicodedata.category(char)
        if char == "\n" or category in ("Zl", "Zp"):
            out.append("\n" if multiline else " ")
        elif category == "Zs":
            out.append(" ")
        elif category[0] == "C":  # control, format, surrogate, private, unassigned
            continue
        elif ord(char) < 256:
            out.append(char)
        else:
            folded = "".join(
                c
                for c in unicodedata.normalize("NFKD", char)
                if ord(c) < 256 and unicodedata.category(c)[0] not in "CM"
            )
            out.append(folded or "?")
    return "".join(out)[:limit].strip()


def _canonical_kind(kind: str) -> str:
    """``"credit-notes"``, ``"credit_note"``, ``"creditNote"`` → ``"creditnote"``."""
    key = re.sub(r"[^a-z]", "", str(kind).lower())
    if key not in _TITLES and key.endswith("s") and key[:-1] in _TITLES:
        key = key[:-1]
    return key


def _dict(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _mappings(value: Any) -> list[Mapping[str, Any]]:
    """The dict entries of a JSON list; empty for anything else."""
    return [entry for entry in value if isinstance(entry, Mapping)] if isinstance(value, list) else []


def _decimal(value: Any) -> Decimal | None:
    """A finite Decimal from an int/Decimal/float/numeric string, else None."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        if isinstance(value, float):
            number = Decimal(repr(value))
        elif isinstance(value, int | Decimal | str):
            number = Decimal(value.strip() if isinstance(value, str) else value)
        else:
            return None
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _format_number(value: Any, *, min_places: int = 2, max_places: int = 2) -> str:
    """German number format (``1.234,56``); empty string for non-numbers."""
    number = _decimal(value)
    if number is None:
        return ""
    try:
        quantized = number.quantize(Decimal(1).scaleb(-max_places), rounding=ROUND_HALF_UP)
    except InvalidOperation:  # beyond the context precision
        return _latin1(number, limit=40)
    text = f"{quantized:,.{max_places}f}"
    if max_places > min_places:
        integer, _, fraction = text.partition(".")
        fraction = fraction.rstrip("0").ljust(min_places, "0")
        text = f"{integer}.{fraction}" if fraction else integer
    return text.translate(_GERMAN_SEPARATORS)


def _format_money(value: Any, currency: str) -> str:
    amount = _format_number(value)
    return f"{amount} {currency}" if amount else ""


def _format_percent(value: Any) -> str:
    rate = _format_number(value, min_places=0, max_places=2)
    return f"{rate} %" if rate else ""


def _parse_date(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _format_date(value: Any) -> str:
    parsed = _parse_date(value)
    if parsed is None:
        return _latin1(value, limit=40)
    return f"{parsed.day:02d}.{parsed.month:02d}.{parsed.year:04d}"


def _creation_date(doc: Mapping[str, Any]) -> datetime:
    parsed = _parse_date(doc.get("voucherDate"))
    if parsed is None or not 1971 <= parsed.year <= 9998:  # stays representable in UTC
        return _FIXED_CREATION_DATE
    return parsed


def _voucher_number(doc: Mapping[str, Any]) -> str:
    number = doc.get("voucherNumber")
    return _latin1(number, limit=64) if isinstance(number, str | int) and not isinstance(number, bool) else ""


class _DocumentPDF(FPDF):
    """A4 portrait page with a company/page-number footer."""

    def __init__(self, footer_text: str) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self._footer_text = footer_text

    def footer(self) -> None:
        self.set_y(-15)
        self.set_font("Helvetica", size=8)
        self.set_text_color(110)
        self.cell(_CONTENT_WIDTH * 0.75, 5, self._footer_text)
        self.cell(0, 5, f"Seite {self.page_no()}/{{nb}}", align="R")
        self.set_text_color(0)


def _clip_lines(pdf: FPDF, width: float, text: str) -> str:
    """Wrap ``text`` like the current font would and keep at most ``_MAX_CELL_LINES`` lines."""
    lines = pdf.multi_cell(width, _TABLE_LINE_HEIGHT, text, dry_run=True, output=MethodReturnValue.LINES)
    if not isinstance(lines, list) or len(lines) <= _MAX_CELL_LINES:
        return text
    return "\n".join([*lines[: _MAX_CELL_LINES - 1], "..."])


def _line_item_row(pdf: FPDF, item: Mapping[str, Any], position: int | None, gross: bool) -> tuple[str, ...]:
    unit_price = _dict(item.get("unitPrice"))
    currency = _latin1(unit_price.get("currency") or "EUR", limit=8)
    name_parts = [_latin1(item.get("name"), limit=255)]
    description = _latin1(item.get("description"), multiline=True, limit=1000)
    if description:
        name_parts.append(description)
    discount = _decimal(item.get("discountPercentage"))
    if discount:
        name_parts.append(f"Rabatt {_format_percent(discount)}")
    price_key = "grossAmount" if gross else "netAmount"
    return (
        str(position) if position is not None else "",
        _clip_lines(pdf, _COL_WIDTHS[1] - 2 * _TABLE_PADDING, "\n".join(p for p in name_parts if p)),
        _format_number(item.get("quantity"), min_places=0, max_places=4),
        _latin1(item.get("unitName"), limit=40),
        _format_percent(unit_price.get("taxRatePercentage")),
        _format_money(unit_price.get(price_key), currency),
        _format_money(item.get("lineItemAmount"), currency),
    )


def _write_heading(pdf: FPDF, company: str, doc: Mapping[str, Any], key: str, title: str) -> None:
    pdf.set_font("Helvetica", "B", 14)
    pdf.multi_cell(0, 7, company or " ", align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(12)

    address = _dict(doc.get("address"))
    top = pdf.get_y()
    pdf.set_font("Helvetica", size=7)
    pdf.cell(85, 4, _latin1(company, limit=80), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("Helvetica", size=10)
    city_line = " ".join(p for p in (_latin1(address.get("zip")), _latin1(address.get("city"))) if p)
    country = _latin1(address.get("countryCode"), limit=8)
    street_lines = [_latin1(address.get(k)) for k in ("name", "supplement", "street")]
    foreign = "" if country in ("", "DE") else country
    lines = [line for line in (*street_lines, city_line, foreign) if line]
    pdf.multi_cell(85, _LINE_HEIGHT, "\n".join(lines) or " ", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    address_bottom = pdf.get_y()

    number = _voucher_number(doc)
    meta = [
        (_NUMBER_LABELS.get(key, "Belegnr."), number or "Entwurf"),
        ("Datum", _format_date(doc.get("voucherDate"))),
    ]
    pdf.set_y(top)
    for label, value in meta:
        pdf.set_x(_MARGIN + _CONTENT_WIDTH - 65)
        pdf.cell(30, _LINE_HEIGHT, label)
        pdf.cell(35, _LINE_HEIGHT, value, align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_y(max(address_bottom, pdf.get_y()) + 12)

    pdf.set_font("Helvetica", "B", 16)
    heading = f"{title} Nr. {number}" if number else f"{title} (Entwurf)"
    pdf.multi_cell(0, 8, heading, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(3)


def _write_paragraph(pdf: FPDF, value: Any) -> None:
    text = _latin1(value, multiline=True, limit=2000)
    if text:
        pdf.set_font("Helvetica", size=10)
        pdf.multi_cell(0, _LINE_HEIGHT, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(3)


def _write_line_items(pdf: FPDF, doc: Mapping[str, Any]) -> None:
    items = _mappings(doc.get("lineItems"))
    if not items:
        return
    gross = _dict(doc.get("taxConditions")).get("taxType") == "gross"
    pdf.set_font("Helvetica", size=9)
    with pdf.table(
        col_widths=_COL_WIDTHS,
        width=_CONTENT_WIDTH,
        text_align=("LEFT", "LEFT", "RIGHT", "LEFT", "RIGHT", "RIGHT", "RIGHT"),
        borders_layout="HORIZONTAL_LINES",
        line_height=_TABLE_LINE_HEIGHT,
        padding=_TABLE_PADDING,
    ) as table:
        table.row(("Pos.", "Bezeichnung", "Menge", "Einheit", "USt.", "Einzelpreis", "Betrag"))
        position = 0
        for item in items:
            is_text = item.get("type") == "text"
            if not is_text:
                position += 1
            table.row(_line_item_row(pdf, item, None if is_text else position, gross))
    pdf.ln(4)


def _write_totals(pdf: FPDF, doc: Mapping[str, Any]) -> None:
    total = _dict(doc.get("totalPrice"))
    if not total:
        return
    currency = _latin1(total.get("currency") or "EUR", limit=8)
    rows: list[tuple[str, str, bool]] = [
        ("Gesamtbetrag netto", _format_money(total.get("totalNetAmount"), currency), False)
    ]
    tax_amounts = _mappings(doc.get("taxAmounts"))
    if tax_amounts:
        for tax in tax_amounts:
            label = f"Umsatzsteuer {_format_percent(tax.get('taxRatePercentage'))}".strip()
            rows.append((label, _format_money(tax.get("taxAmount"), currency), False))
    else:
        rows.append(("Umsatzsteuer", _format_money(total.get("totalTaxAmount"), currency), False))
    rows.append(("Gesamtbetrag", _format_money(total.get("totalGrossAmount"), currency), True))
    for label, value, bold in rows:
        if not value:
            continue
        pdf.set_font("Helvetica", "B" if bold else "", 10)
        pdf.set_x(_MARGIN + _CONTENT_WIDTH - 90)
        pdf.cell(55, 6, label)
        pdf.cell(35, 6, value, align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(4)


def render_sales_document(
    kind: str, doc: dict[str, Any], company_name: str, *, compress: bool = True
) -> bytes:
    """Render a lexoffice sales voucher (camelCase JSON dict) as PDF bytes; never fails on bad data.

    ``kind`` is the resource kind (``"invoice"``, ``"credit-note"``, ``"quotations"`` …);
    ``compress=False`` leaves page streams readable (for tests).
    """
    data = _dict(doc)
    key = _canonical_kind(kind)
    title = _latin1(data.get("title"), limit=120) or _latin1(_TITLES.get(key, _FALLBACK_TITLE))
    company = _latin1(company_name, limit=120)

    pdf = _DocumentPDF(footer_text=company[:80])
    pdf.set_compression(compress)
    pdf.set_creation_date(_creation_date(data))
    pdf.set_creator("LedgerBridge lexoffice sandbox")
    pdf.set_title(f"{title} {_voucher_number(data)}".strip())
    if company:
        pdf.set_author(company)
    pdf.set_lang(_latin1(data.get("language"), limit=8) or "de")
    pdf.set_margins(_MARGIN, _MARGIN, _MARGIN)
    pdf.set_auto_page_break(True, margin=25)
    pdf.add_page()

    _write_heading(pdf, company, data, key, title)
    _write_paragraph(pdf, data.get("introduction"))
    _write_line_items(pdf, data)
    _write_totals(pdf, data)
    _write_paragraph(pdf, _dict(data.get("paymentConditions")).get("paymentTermLabel"))
    _write_paragraph(pdf, data.get("remark"))
    return bytes(pdf.output())


def _ascii_safe(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.translate(_ASCII_MAP)).encode("ascii", "ignore").decode()
    return _UNSAFE_FILENAME_CHARS.sub("-", folded).strip(".-")[:80]


def document_filename(kind: str, doc: dict[str, Any]) -> str:
    """Suggested download name, e.g. ``Rechnung_RE1234.pdf``; drafts: ``Rechnung_Entwurf.pdf``."""
    stem = _ascii_safe(_TITLES.get(_canonical_kind(kind), _FALLBACK_TITLE))
    number = _ascii_safe(_voucher_number(_dict(doc)))
    return f"{stem}_{number or 'Entwurf'}.pdf"
