"""Reference data every sandbox organization shares: countries, posting categories, payment conditions.

Posting categories are the documented booking categories (lexoffice-api.txt 6989-7013) plus the
samples of the posting-categories and voucher endpoints; ``type`` says which voucher types may use them
(``income``: salesinvoice/salescreditnote, ``outgo``: purchaseinvoice/purchasecreditnote).
"""

from __future__ import annotations

from typing import Any

# (code, German name, English name, taxClassification); ES_CN / GR_69 are lexoffice's special tax regions
_COUNTRIES = [
    ("DE", "Deutschland", "Germany", "de"),
    ("AT", "Österreich", "Austria", "intraCommunity"),
    ("BE", "Belgien", "Belgium", "intraCommunity"),
    ("BG", "Bulgarien", "Bulgaria", "intraCommunity"),
    ("CY", "Zypern", "Cyprus", "intraCommunity"),
    ("CZ", "Tschechien", "Czechia", "intraCommunity"),
    ("DK", "Dänemark", "Denmark", "intraCommunity"),
    ("EE", "Estland", "Estonia", "intraCommunity"),
    ("ES", "Spanien", "Spain", "intraCommunity"),
    ("FI", "Finnland", "Finland", "intraCommunity"),
    ("FR", "Frankreich", "France", "intraCommunity"),
    ("GR", "Griechenland", "Greece", "intraCommunity"),
    ("HR", "Kroatien", "Croatia", "intraCommunity"),
    ("HU", "Ungarn", "Hungary", "intraCommunity"),
    ("IE", "Irland", "Ireland", "intraCommunity"),
    ("IT", "Italien", "Italy", "intraCommunity"),
    ("LT", "Litauen", "Lithuania", "intraCommunity"),
    ("LU", "Luxemburg", "Luxembourg", "intraCommunity"),
    ("LV", "Lettland", "Latvia", "intraCommunity"),
    ("MT", "Malta", "Malta", "intraCommunity"),
    ("NL", "Niederlande", "Netherlands", "intraCommunity"),
    ("PL", "Polen", "Poland", "intraCommunity"),
    ("PT", "Portugal", "Portugal", "intraCommunity"),
    ("RO", "Rumänien", "Romania", "intraCommunity"),
    ("SE", "Schweden", "Sweden", "intraCommunity"),
    ("SI", "Slowenien", "Slovenia", "intraCommunity"),
    ("SK", "Slowakei", "Slovakia", "intraCommunity"),
    ("AU", "Australien", "Australia", "thirdPartyCountry"),
    ("BR", "Brasilien", "Brazil", "thirdPartyCountry"),
    ("CA", "Kanada", "Canada", "thirdPartyCountry"),
    ("CH", "Schweiz", "Switzerland", "thirdPartyCountry"),
    ("CN", "China", "China", "thirdPartyCountry"),
    ("ES_CN", "Kanarische Inseln", "Canary Islands", "thirdPartyCountry"),
    ("GB", "Vereinigtes Königreich", "United Kingdom", "thirdPartyCountry"),
    ("GR_69", "Berg Athos", "Mount Athos", "thirdPartyCountry"),
    ("IN", "Indien", "India", "thirdPartyCountry"),
    ("IS", "Island", "Iceland", "thirdPartyCountry"),
    ("JP", "Japan", "Japan", "thirdPartyCountry"),
    ("LI", "Liechtenstein", "Liechtenstein", "thirdPartyCountry"),
    ("NO", "Norwegen", "Norway", "thirdPartyCountry"),
    ("TR", "Türkei", "Turkey", "thirdPartyCountry"),
    ("UA", "Ukraine", "Ukraine", "thirdPartyCountry"),
    ("US", "Vereinigte Staaten von Amerika", "United States", "thirdPartyCountry"),
    ("ZA", "Südafrika", "South Africa", "thirdPartyCountry"),
]

COUNTRIES: list[dict[str, str]] = [
    {"countryCode": code, "countryNameDE": de, "countryNameEN": en, "taxClassification": cls}
    for code, de, en, cls in _COUNTRIES
]
COUNTRY_CODES = frozenset(c["countryCode"] for c in COUNTRIES)
TAX_CLASSIFICATION = {c["countryCode"]: c["taxClassification"] for c in COUNTRIES}

# (id, name, type, contactRequired, splitAllowed, groupName)
_POSTING_CATEGORIES = [
    ("8f8664a8-fd86-11e1-a21f-0800200c9a66", "Warenverkäufe", "income", False, True, "Einnahmen"),
    ("8f8664a0-fd86-11e1-a21f-0800200c9a66", "Dienstleistung", "income", False, True, "Einnahmen"),
    ("8f8664a1-fd86-11e1-a21f-0800200c9a66", "Einnahmen", "income", False, True, "Einnahmen"),
    (
        "9075a4e3-66de-4795-a016-3889feca0d20",
        "Innergemeinschaftliche Lieferung",
        "income",
        True,
        False,
        "Einnahmen",
    ),
    ("380a20cb-d04c-426e-b49c-84c22adfa362", "Fremdleistungen §13b", "income", True, False, "Einnahmen"),
    (
        "93d24c20-ea84-424e-a731-5e1b78d1e6a9",
        "Ausfuhrlieferungen an Drittländer",
        "income",
        True,
        False,
        "Einnahmen",
    ),
    (
        "ef5b1a6e-f690-4004-9a19-91276348894f",
        "Dienstleistungen an Drittländer",
        "income",
        True,
        False,
        "Einnahmen",
    ),
    (
        "7a1efa0e-6283-4cbf-9583-8e88d3ba5960",
        "Einnahmen als Kleinunternehmer",
        "income",
        False,
        True,
        "Einnahmen",
    ),
    ("7c112b66-0565-479c-bc18-5845e080880a", "Fernverkauf", "income", True, False, "Einnahmen"),
    (
        "d73b880f-c24a-41ea-a862-18d90e1c3d82",
        "Elektronische Dienstleistungen",
        "income",
        True,
        False,
        "Einnahmen",
    ),
    (
        "4ebd965a-7126-416c-9d8c-a5c9366ee473",
        "Fernverkauf in EU-Land steuerpflichtig",
        "income",
        True,
        False,
        "Einnahmen",
    ),
    (
        "7ecea006-844c-4c98-a02d-aa3142640dd5",
        "Elektronische Dienstleistung in EU-Land steuerpflichtig",
        "income",
        True,
        False,
        "Einnahmen",
    ),
    ("4f01e761-d912-441f-ad1a-1c1d2d590a81", "Sonstige Einnahmen", "income", False, True, "Einnahmen"),
    ("cf03a2b0-f838-474f-ac5e-67adb9b830c7", "Reise MA", "outgo", False, True, "Reisen"),
    ("3620798f-ae06-4492-b775-1c87eb99247c", "Fahrtkosten MA", "outgo", False, True, "Reisen"),
    ("16d04a28-fd91-11e1-a21f-0800200c9a66", "Wareneingang", "outgo", False, True, "Ausgaben"),
]

POSTING_CATEGORIES: list[dict[str, Any]] = [
    {"id": i, "name": n, "type": t, "contactRequired": c, "splitAllowed": s, "groupName": g}
    for i, n, t, c, s, g in _POSTING_CATEGORIES
]
POSTING_CATEGORY_BY_ID = {c["id"]: c for c in POSTING_CATEGORIES}

PAYMENT_CONDITIONS: list[dict[str, Any]] = [
    {
        "id": "65be0654-60b6-11eb-b66d-5731dbc9bf6b",
        "paymentTermLabelTemplate": "Zahlbar in {paymentRange} Tagen, rein netto ohne Abzug",
        "paymentTermDuration": 14,
        "organizationDefault": False,
    },
    {
        "id": "3fcc62d1-0925-456d-890b-779b56e7289e",
        "paymentTermLabelTemplate": "10 Tage - 3 %, 30 Tage netto",
        "paymentTermDuration": 30,
        "paymentDiscountConditions": {"discountRange": 10, "discountPercentage": 3},
        "organizationDefault": True,
    },
]
DEFAULT_PAYMENT_TERM_DAYS = 30
