"""The codes of the outside world that packs and events name: regions (ISO 3166-1 alpha-2).

The list comes from ``pycountry``, which packages the ISO 3166-1 list of Debian's ``iso-codes`` project
(kept up to date with ISO's changes); it is read once, on first use, and held as a frozenset. Event parsing
and pack checks both read this module, so an event and a pack can never disagree about a code.
"""

from __future__ import annotations

from functools import cache
from typing import Final

__all__ = ["REGION_PATTERN", "is_region", "regions"]

#: The form of a region code: two capital ASCII letters (``"DE"``, ``"KR"``).
REGION_PATTERN: Final = r"[A-Z]{2}"


@cache
def regions() -> frozenset[str]:
    """Every ISO 3166-1 alpha-2 code (officially assigned: ``"DE"``, ``"US"``, ``"KR"``…)."""
    import pycountry

    return frozenset(str(country.alpha_2) for country in pycountry.countries)


def is_region(code: str) -> bool:
    """Whether ``code`` is an ISO 3166-1 alpha-2 code."""
    return code in regions()
