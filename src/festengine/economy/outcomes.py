"""What the economy says happened: money outcomes, each naming the event and the rule that caused it.

All derive from the engine's :class:`~festengine.engine.outcomes.Outcome` (``event_id`` first).
Amounts are :class:`~festengine.economy.money.Money`; rates are ``Decimal``. Outcomes that moved
money name the journal entry (``entry_id``), and :class:`LedgerEntryPosted` carries the entry.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import ClassVar

from festengine.economy.ledger import JournalEntry
from festengine.economy.money import Money
from festengine.engine.outcomes import Outcome

__all__ = [
    "BudgetExhausted",
    "CommissionAccrued",
    "CommissionBoostGranted",
    "CommissionReversed",
    "CommissionSettled",
    "CreditGranted",
    "CreditsExpired",
    "CreditsReturned",
    "CreditsSpent",
    "DailyCapReached",
    "DiscountPaid",
    "GiftConverted",
    "LedgerEntryPosted",
    "OrderDelivered",
    "OrderRecorded",
    "OrderRefunded",
]


class LedgerEntryPosted(Outcome, frozen=True):
    """A journal entry was posted; ``entry`` holds its postings, rule and memo."""

    kind: ClassVar[str] = "ledger_entry_posted"

    entry: JournalEntry


class GiftConverted(Outcome, frozen=True):
    """A gift's value was split: ``creator + platform + rounding == value`` exactly.

    ``viewer_credit`` and ``creator_bonus`` are what the valid conversion (``conversion_id``)
    granted from its budget, after the daily cap and the budget's limit.
    """

    kind: ClassVar[str] = "gift_converted"

    user_id: str
    creator_id: str
    gift_id: str
    coins: int
    channel: str
    value: Money
    creator: Money
    platform: Money
    rounding: Money
    viewer_credit: Money
    creator_bonus: Money
    conversion_id: str | None
    entry_id: int


class CreditGranted(Outcome, frozen=True):
    """Shopping credit went to a viewer from a budget; ``source`` is the mission or conversion;
    ``expires_at`` is when it lapses (``None``: never), from the budget's validity."""

    kind: ClassVar[str] = "credit_granted"

    user_id: str
    amount: Money
    budget_id: str
    source: str
    entry_id: int
    expires_at: datetime | None = None


class CreditsExpired(Outcome, frozen=True):
    """A viewer's unspent credit from ``budget_id`` lapsed at ``expired_at`` and moved to ``lapsed_to``
    (``budget:<id>`` or ``expired_credits``)."""

    kind: ClassVar[str] = "credits_expired"

    user_id: str
    amount: Money
    budget_id: str
    expired_at: datetime
    lapsed_to: str
    entry_id: int


class CreditsSpent(Outcome, frozen=True):
    """A purchase paid ``amount`` of its order with the viewer's credit (earliest expiry first)."""

    kind: ClassVar[str] = "credits_spent"

    user_id: str
    order_id: str
    amount: Money
    entry_id: int


class CreditsReturned(Outcome, frozen=True):
    """A refund gave back ``amount`` of the credit its order spent: ``to_wallet`` with the original
    expiry, ``lapsed`` (its expiry had passed) where lapsed credit of its budget goes."""

    kind: ClassVar[str] = "credits_returned"

    user_id: str
    order_id: str
    amount: Money
    to_wallet: Money
    lapsed: Money
    entry_id: int


class DiscountPaid(Outcome, frozen=True):
    """A promotion's discount on a purchase, paid from ``budget_id`` (``None``: straight from
    ``platform:promotions``) to ``promotion:<id>:discounts``."""

    kind: ClassVar[str] = "discount_paid"

    user_id: str
    order_id: str
    promotion_id: str
    amount: Money
    budget_id: str | None
    entry_id: int


class BudgetExhausted(Outcome, frozen=True):
    """A budget could not pay all of ``requested``: ``granted`` is what it paid (what was left if
    the budget allows partial grants, else nothing); ``source`` is the mission or conversion."""

    kind: ClassVar[str] = "budget_exhausted"

    budget_id: str
    user_id: str
    source: str
    requested: Money
    granted: Money
    available: Money


class DailyCapReached(Outcome, frozen=True):
    """A conversion's daily credit cap per viewer cut a credit from ``requested`` to ``allowed``."""

    kind: ClassVar[str] = "daily_cap_reached"

    user_id: str
    conversion_id: str
    day: int
    cap: Money
    requested: Money
    allowed: Money


class OrderRecorded(Outcome, frozen=True):
    """A purchase was recorded; ``creator_id`` and ``attribution`` (``in_stream`` or ``last_click``,
    with ``attribution_source``: the stream id or the click's event id) say who it is credited to.
    ``no_commission`` says why no commission accrued, when none did."""

    kind: ClassVar[str] = "order_recorded"

    order_id: str
    user_id: str
    amount: Money
    creator_id: str | None
    attribution: str | None
    attribution_source: str | None
    no_commission: str | None


class CommissionAccrued(Outcome, frozen=True):
    """Commission on an order is pending: ``amount = base * rate`` rounded by the fest's rule.

    ``rate = base_rate + bonus_rate + boost_rate`` (at most 1). ``rule_id`` is the first matching
    commission rule, ``tier_from`` the volume its tier starts at (``None`` for a flat rate),
    ``bonus_ids`` the bonus windows and ``boost_sources`` the missions whose boosts applied.
    """

    kind: ClassVar[str] = "commission_accrued"

    order_id: str
    creator_id: str
    rule_id: str
    base: Money
    rate: Decimal
    base_rate: Decimal
    bonus_rate: Decimal
    boost_rate: Decimal
    tier_from: Decimal | None
    bonus_ids: tuple[str, ...]
    boost_sources: tuple[str, ...]
    amount: Money
    entry_id: int


class OrderDelivered(Outcome, frozen=True):
    """An order was delivered; its commission settles at ``settles_at`` unless refunded in full."""

    kind: ClassVar[str] = "order_delivered"

    order_id: str
    settles_at: datetime | None


class CommissionSettled(Outcome, frozen=True):
    """Pending commission became settled, i.e. payable to the creator; ``volume`` is the creator's
    settled volume afterwards (what commission tiers are chosen by). ``entry_id`` is ``None`` only
    when partial refunds already took back all of the order's commission."""

    kind: ClassVar[str] = "commission_settled"

    order_id: str
    creator_id: str
    rule_id: str
    amount: Money
    volume: Money
    entry_id: int | None


class OrderRefunded(Outcome, frozen=True):
    """Part or all of an order was refunded; ``cancelled`` when nothing paid is left."""

    kind: ClassVar[str] = "order_refunded"

    order_id: str
    amount: Money
    refunded: Money
    remaining: Money
    cancelled: bool


class CommissionReversed(Outcome, frozen=True):
    """A refund took back commission in proportion. ``clawback`` when it was already settled; then
    ``balance`` (the creator's settled commission afterwards) may be negative: the creator owes it."""

    kind: ClassVar[str] = "commission_reversed"

    order_id: str
    creator_id: str
    rule_id: str
    amount: Money
    clawback: bool
    balance: Money
    entry_id: int


class CommissionBoostGranted(Outcome, frozen=True):
    """A mission reward raises the commission rate of ``user_id`` as a creator until ``until``."""

    kind: ClassVar[str] = "commission_boost_granted"

    user_id: str
    rate: Decimal
    until: datetime
    source: str
