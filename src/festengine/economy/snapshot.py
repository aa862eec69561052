"""What the economy's part of a snapshot must look like (see :mod:`festengine.engine.shapes`).

Beyond each field's type: the journal's entries are numbered 1, 2, 3… and each balances, in the
fest's currency (the only one the engine posts in); an order is filed under its own id; a status is
one of :class:`~festengine.economy.commission.OrderStatus`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from festengine.economy.commission import OrderStatus
from festengine.engine.shapes import (
    AMOUNT,
    DECIMAL_TEXT,
    ISO_TIME,
    STR,
    TS,
    Bad,
    Shape,
    dict_of,
    integer,
    list_of,
    member,
    optional,
    record,
    row,
)

__all__ = ["economy_snapshot_shape"]

_STATUSES = {OrderStatus.PENDING, OrderStatus.SETTLED, OrderStatus.INELIGIBLE, OrderStatus.CANCELLED}


def economy_snapshot_shape(currency: str) -> Shape:
    """The shape of ``Economy.dump()`` for a fest whose currency is ``currency``."""
    posting = row(STR, DECIMAL_TEXT, member({currency}, f"the fest's currency {currency}"))
    entry = row(integer(1), optional(STR), STR, STR, ISO_TIME, list_of(posting))
    order = row(
        STR, STR, STR, optional(STR), optional(STR), AMOUNT, AMOUNT, AMOUNT, AMOUNT,
        member(_STATUSES, "an order status"), optional(TS),
    )  # fmt: skip
    shape = record(
        ledger=list_of(entry),
        daily=list_of(row(STR, integer(-(2**31), 2**31), AMOUNT)),
        orders=list_of(order),
        volume=dict_of(AMOUNT),
        boosts=dict_of(list_of(row(TS, TS, AMOUNT, STR))),
        attribution=record(
            streams=dict_of(row(STR, optional(TS))),
            latest=dict_of(STR),
            clicks=dict_of(row(STR, TS, STR)),
        ),
    )

    def whole(value: Any) -> None:
        shape(value)
        _check_journal(value["ledger"])
        _check_orders(value["orders"])

    return whole


def _check_journal(entries: list[list[Any]]) -> None:
    for position, (entry_id, _event, rule_id, _memo, _at, postings) in enumerate(entries, start=1):
        if entry_id != position:
            raise Bad(f"journal entry {position} is numbered {entry_id}")
        if not postings or sum((Decimal(amount) for _account, amount, _currency in postings), Decimal(0)) != 0:
            raise Bad(f"journal entry {position} ({rule_id!r}) does not balance")


def _check_orders(orders: list[list[Any]]) -> None:
    seen: set[str] = set()
    for order in orders:
        if order[0] in seen:
            raise Bad(f"order {order[0]!r} appears twice")
        seen.add(order[0])
