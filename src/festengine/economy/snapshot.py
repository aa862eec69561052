"""What the economy's part of a snapshot must look like (see :mod:`festengine.engine.shapes`).

Every piece of state is a record with named fields, filed under its owner's key: the ledger's
balances (and its journal, when the journal is kept in memory; ``null`` when the entries went to an
outside sink); on viewers' keys each viewer's credit wallet (for the daily caps), credit lots,
orders, the credits they spent and last link clicks; on the fest's key the commission of each
attributed order, each creator's commission state and the streams attribution remembers. An engine
holding one owner kind writes the other kind's parts empty.

Beyond each field's type: the balances sum to zero; the journal's entries are numbered one after
the other up to the number of entries posted, and each balances, in the fest's currency (the only
one the engine posts in); a journal that starts at entry 1 adds up to the balances; an order of one
buyer (its commission, the credits it spent) appears once; a status is one of
:class:`~festengine.economy.commission.OrderStatus`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Final

from festengine.economy.commission import OrderStatus
from festengine.economy.plain import Plain, as_int, as_list, as_mapping, as_str
from festengine.engine.shapes import (
    AMOUNT,
    BOOL,
    COUNT,
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

_STATUSES: Final = {OrderStatus.PENDING, OrderStatus.SETTLED, OrderStatus.INELIGIBLE, OrderStatus.CANCELLED}
_ZERO: Final = Decimal(0)
_DAY: Final = integer(-(2**31), 2**31)


def _ledger_shape(currency: str) -> Shape:
    posting = row(STR, DECIMAL_TEXT, member({currency}, f"the fest's currency {currency}"))
    entry = record(id=integer(1), event=optional(STR), rule=STR, memo=STR, at=ISO_TIME, postings=list_of(posting))
    return record(
        posted=COUNT,
        balances=dict_of(DECIMAL_TEXT),
        foreign=dict_of(member((), f"an account of the fest's currency {currency} (no other)")),
        journal=optional(list_of(entry)),
    )


def _order_shape() -> Shape:
    return record(
        order_id=STR,
        event_id=STR,
        user_id=STR,
        paid=AMOUNT,
        refunded=AMOUNT,
        delivered_at=optional(TS),
        cancelled=BOOL,
    )


def _commission_shape() -> Shape:
    return record(
        order_id=STR,
        user_id=STR,
        creator_id=STR,
        rule_id=optional(STR),
        paid=AMOUNT,
        refunded=AMOUNT,
        commission=AMOUNT,
        reversed=AMOUNT,
        status=member(_STATUSES, "an order status"),
    )


def economy_snapshot_shape(currency: str) -> Shape:
    """The shape of ``Economy.dump()`` for a fest whose currency is ``currency``."""
    boost = record(start=TS, until=TS, rate=AMOUNT, source=STR)
    lot = record(budget_id=STR, expires_at=optional(TS), amount=AMOUNT)
    shape = record(
        ledger=_ledger_shape(currency),
        wallets=dict_of(record(day=_DAY, received=AMOUNT, earlier=list_of(record(day=_DAY, received=AMOUNT)))),
        orders=list_of(_order_shape()),
        clicks=dict_of(record(creator_id=STR, at=TS, event_id=STR)),
        commissions=list_of(_commission_shape()),
        creators=dict_of(record(settled_volume=AMOUNT, boosts=list_of(boost))),
        streams=record(streams=dict_of(record(creator_id=STR, ended_at=optional(TS))), latest=dict_of(STR)),
        lots=dict_of(list_of(lot)),
        order_credits=list_of(record(order_id=STR, user_id=STR, credits=AMOUNT, returned=AMOUNT, spent=list_of(lot))),
    )

    def whole(value: object) -> None:
        shape(value)
        data = as_mapping(value)
        _check_ledger(as_mapping(data["ledger"]))
        for part in ("orders", "commissions", "order_credits"):
            _check_orders(as_list(data[part]))

    return whole


def _check_ledger(data: Plain) -> None:
    balances = {account: Decimal(as_str(amount)) for account, amount in as_mapping(data["balances"]).items()}
    if sum(balances.values(), _ZERO) != 0:
        raise Bad("the balances do not sum to zero")
    if data["journal"] is not None:
        _check_journal([as_mapping(entry) for entry in as_list(data["journal"])], as_int(data["posted"]), balances)


def _check_journal(entries: list[Plain], posted: int, balances: dict[str, Decimal]) -> None:
    """Entries numbered up to ``posted``, each balanced; a whole journal adds up to ``balances``."""
    first = posted - len(entries) + 1
    sums: dict[str, Decimal] = {}
    for position, entry in enumerate(entries, start=first):
        if entry["id"] != position:
            raise Bad(f"journal entry {position} is numbered {entry['id']} ({posted} entries posted)")
        total = _ZERO
        for posting in as_list(entry["postings"]):
            account, text, _currency = as_list(posting)
            amount = Decimal(as_str(text))
            sums[as_str(account)] = sums.get(as_str(account), _ZERO) + amount
            total += amount
        if not entry["postings"] or total != 0:
            raise Bad(f"journal entry {position} ({entry['rule']!r}) does not balance")
    if first == 1 and (sums.keys() != balances.keys() or any(sums[a] != balances[a] for a in sums)):
        raise Bad("the balances are not the sums of the journal's postings")


def _check_orders(orders: list[object]) -> None:
    """An order of one buyer appears once."""
    seen: set[tuple[str, str]] = set()
    for order in orders:
        fields = as_mapping(order)
        key = (as_str(fields["user_id"]), as_str(fields["order_id"]))
        if key in seen:
            raise Bad(f"order {key[1]!r} of {key[0]!r} appears twice")
        seen.add(key)
