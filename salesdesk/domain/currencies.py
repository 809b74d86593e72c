"""Currencies: the active ISO 4217 codes, and those withdrawn that files still carry.

The list is ISO 4217's "list one" (currencies and funds), kept here rather than taken
from Babel or pycountry: it is two hundred words that change a few times a decade, and
a dependency would bring megabytes of locale data for them.  Left out: ``XTS`` (codes
for testing) and ``XXX`` (no currency), which no amount is in.

``WITHDRAWN`` names the code that replaced each of the codes an old export may still
hold, so a refusal can say what to write instead.  Review both when ISO publishes an
amendment (the last taken in: ZWG for Zimbabwe, 2024; XCG for Curaçao and Sint
Maarten, 2025; BGN withdrawn when Bulgaria took the euro, 2026).
"""

from __future__ import annotations

ACTIVE: frozenset[str] = frozenset("""
    AED AFN ALL AMD AOA ARS AUD AWG AZN BAM BBD BDT BHD BIF BMD BND BOB BOV BRL BSD BTN BWP BYN BZD
    CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP
    GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR
    KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN
    MXV MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD
    SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX
    USD USN UYI UYU UYW UZS VED VES VND VUV WST XAF XAG XAU XBA XBB XBC XBD XCD XCG XDR XOF XPD XPF
    XPT XSU XUA YER ZAR ZMW ZWG
""".split())

# withdrawn code -> the code that replaced it
WITHDRAWN: dict[str, str] = {
    "ANG": "XCG", "ATS": "EUR", "BEF": "EUR", "BGN": "EUR", "BYR": "BYN", "CUC": "CUP", "CYP": "EUR",
    "DEM": "EUR", "EEK": "EUR", "ESP": "EUR", "FIM": "EUR", "FRF": "EUR", "GRD": "EUR", "HRK": "EUR",
    "IEP": "EUR", "ITL": "EUR", "LTL": "EUR", "LUF": "EUR", "LVL": "EUR", "MRO": "MRU", "MTL": "EUR",
    "NLG": "EUR", "PTE": "EUR", "SIT": "EUR", "SKK": "EUR", "SLL": "SLE", "STD": "STN", "VEF": "VES",
    "ZMK": "ZMW", "ZWL": "ZWG",
}


def currency_code(word: str) -> str:
    """``" usd "`` -> ``"USD"``; ``ValueError`` in words for anything but an active code.

    Matched in ASCII only: ``"ßx".upper()`` is ``"SSX"`` and Greek capitals look like
    Latin ones, so a code is three ASCII letters before any case is changed.
    """
    code = word.strip()
    if len(code) == 3 and code.isascii() and code.isalpha():
        code = code.upper()
        if code in ACTIVE:
            return code
        if code in WITHDRAWN:
            raise ValueError(f"{code} is no longer a currency: it was replaced by {WITHDRAWN[code]}")
    shown = code if len(code) <= 40 else code[:40] + "…"
    raise ValueError(f"{shown!r} is not a currency code (ISO 4217, such as EUR or USD)")
