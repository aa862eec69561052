"""The codes of the outside world that packs and events name: currencies (ISO 4217) and regions (ISO 3166-1).

* Currencies come from ``iso4217``, which ships the list the ISO 4217 maintenance agency publishes
  (list one, with its date in the package version) and reads each currency's **minor unit** from it:
  2 for USD, 0 for JPY, 3 for KWD, none for funds and metals such as XAU. ``babel`` was not chosen: its
  precision is CLDR's number of digits people usually write, which departs from ISO 4217 for some
  currencies (HUF, IDR, COP and AFN have 2 minor units in ISO 4217, 0 in CLDR), and its list holds
  currencies withdrawn long ago (DEM). ``pycountry`` lists the codes but has no minor units.
* Regions come from ``pycountry``, which packages the ISO 3166-1 list of Debian's ``iso-codes``
  project (kept up to date with ISO's changes).

Each list is read once, on first use, and held in memory. Event parsing and pack checks both read this
module, so an event and a pack can never disagree about a code.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from types import MappingProxyType
from typing import Final

__all__ = ["REGION_PATTERN", "currencies", "is_currency", "is_region", "minor_unit", "regions"]

#: The form of a region code: two capital ASCII letters (``"DE"``, ``"KR"``).
REGION_PATTERN: Final = r"[A-Z]{2}"


@cache
def currencies() -> Mapping[str, int | None]:
    """Every current ISO 4217 currency code and its minor unit (``None`` for funds and metals, e.g. XAU)."""
    from iso4217 import Currency

    return MappingProxyType({str(currency.code): currency.exponent for currency in Currency})


def is_currency(code: str) -> bool:
    """Whether ``code`` is a current ISO 4217 currency code."""
    return code in currencies()


def minor_unit(code: str) -> int | None:
    """The decimals of a currency in ISO 4217 (``None`` if it has none or is unknown)."""
    return currencies().get(code)


@cache
def regions() -> frozenset[str]:
    """Every ISO 3166-1 alpha-2 code (officially assigned: ``"DE"``, ``"US"``, ``"KR"``…)."""
    import pycountry

    return frozenset(str(country.alpha_2) for country in pycountry.countries)


def is_region(code: str) -> bool:
    """Whether ``code`` is an ISO 3166-1 alpha-2 code."""
    return code in regions()
