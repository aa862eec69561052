"""One sample value for each field type an outcome declares, to build an outcome of every kind.

Used to pin ``outcome_to_dict``'s JSON for every kind (``outcome_json.jsonl``) and by the property
tests of the outcome contract.
"""

from __future__ import annotations

import typing
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from festengine.economy.ledger import JournalEntry
from festengine.economy.money import Money

_AT = datetime(2026, 12, 1, 20, 30, tzinfo=UTC)
_POSTINGS = (("viewer:u1:coins", Money(Decimal("-1.00"), "EUR")), ("pool:gifts", Money(Decimal("1.00"), "EUR")))

#: Two variants per field type: ``0`` fills every optional field, ``1`` leaves them out (``None``)
#: and uses the other member of a union (a ``Decimal`` for ``int | Decimal``, an offset time).
SAMPLES: dict[str, Callable[[str, int], object]] = {
    "str": lambda field, variant: f"{field}-{variant}",
    "int": lambda _field, variant: 7 + variant,
    "bool": lambda _field, variant: variant == 0,
    "Decimal": lambda _field, variant: Decimal("0.125") + variant,
    "int | Decimal": lambda _field, variant: 5 if variant == 0 else Decimal("2.50"),
    "datetime": lambda _field, variant: _AT if variant == 0 else _AT.astimezone(timezone(timedelta(hours=1))),
    "Money": lambda _field, variant: Money(Decimal("1.20") + variant, "EUR"),
    "tuple[str, ...]": lambda field, variant: (f"{field}-a", f"{field}-b")[: 2 - 2 * variant],
    "tuple[tuple[str, int | Decimal], ...]": lambda _field, variant: (("u1", 3), ("u2", Decimal("1.5")))[variant:],
    "JournalEntry": lambda _field, variant: JournalEntry(7 + variant, "e1", "gift", "a rose", _AT, _POSTINGS),
}


def sample_value(annotation: str, field: str, variant: int) -> object:
    """A value of the annotated type (the annotation's source text) for ``field``."""
    if annotation.endswith(" | None"):
        return None if variant == 1 else sample_value(annotation.removesuffix(" | None"), field, variant)
    return SAMPLES[annotation](field, variant)


def field_annotations(cls: type) -> dict[str, str]:
    """The source text of each field's annotation, base class first (``ClassVar`` left out)."""
    found: dict[str, str] = {}
    for klass in reversed(cls.__mro__):
        for field, annotation in vars(klass).get("__annotations__", {}).items():
            text = annotation if isinstance(annotation, str) else typing.get_type_hints(klass)[field].__name__
            if not text.startswith("ClassVar"):
                found[field] = text
    return found


def sample_outcome(cls: type[Any], variant: int) -> Any:
    """An outcome of ``cls`` built by keyword from sample values."""
    return cls(**{field: sample_value(text, field, variant) for field, text in field_annotations(cls).items()})
