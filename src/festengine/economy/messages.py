"""Money between owner keys: the messages a viewer's key and the fest's key send each other.

A viewer's key holds the viewer's money (credit lots, orders, the daily conversion caps); the
fest's key holds the budgets, grants from them one at a time and never takes one below zero
(see ``docs/economy.md``, "Money across keys"). Money that leaves one key for the other passes
through the clearing account ``transit:credits``: the key that gives posts ``its account -x,
transit:credits +x`` and the key that receives posts ``transit:credits -x, its account +x``, so
each entry balances on its own and is posted by the key whose account moves; the clearing
account is back at zero once every message has arrived.

* :class:`GrantCredit` (viewer -> fest): a mission's credit reward or a gift conversion asks a
  budget for viewer credit (and, for a conversion, the creator's bonus);
* :class:`GrantAnswer` (fest -> viewer): the budget's answer, what it granted of the credit asked;
* :class:`ReturnCredit` (viewer -> fest): credit that lapsed (or was refunded after its expiry)
  goes back to its budget;
* :class:`PayDiscount` (viewer -> fest): a promotion's discount on an order, paid from its budget;
* :class:`AccrueCommission` (viewer -> fest): a purchase, with the buyer's last click, for the
  fest's key to attribute (it knows the streams) and to accrue commission on (it knows the
  creator's settled volume, which picks the tier);
* :class:`StartSettlement` (viewer -> fest): the order was delivered; its commission settles
  ``settlement_days`` later, on the fest's key;
* :class:`ReverseCommission` (viewer -> fest): a refund of the order; its commission is reversed
  in proportion (a clawback once settled);
* :class:`GrantBoost` (viewer -> fest): a mission rewarded a viewer with a commission boost on
  their own commission as a creator.

A message never refuses the event that caused it: an empty budget answers with a
:class:`~festengine.economy.outcomes.BudgetExhausted` outcome.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Final

from festengine.engine.keys import FEST_KEY, viewer_key
from festengine.engine.messages import Message

__all__ = [
    "ECONOMY_MESSAGES",
    "FEST",
    "TRANSIT",
    "AccrueCommission",
    "GrantAnswer",
    "GrantBoost",
    "GrantCredit",
    "PayDiscount",
    "ReturnCredit",
    "ReverseCommission",
    "StartSettlement",
    "viewer_key",
]

#: the key of the fest: where budgets are
FEST: Final = FEST_KEY
#: the clearing account of credit on its way between a viewer's key and a budget
TRANSIT: Final = "transit:credits"
_ZERO: Final = Decimal(0)


class GrantCredit(Message, frozen=True):
    """To the fest: ``user_id`` earned ``credit`` from ``budget_id`` by ``source`` (a mission or a
    conversion), and ``creator_id`` a ``bonus`` from the same budget (conversions only).

    ``capped``: the credit was counted towards a conversion's daily cap by the viewer's key, which
    takes back what the budget does not grant. The credit is drawn before the bonus.
    """

    user_id: str
    budget_id: str
    source: str
    credit: Decimal
    bonus: Decimal = _ZERO
    creator_id: str | None = None
    capped: bool = False


class GrantAnswer(Message, frozen=True):
    """To a viewer: the budget granted ``amount`` of the ``requested`` credit (``amount`` may be zero);
    the viewer's key keeps it as a lot dated at the grant (``at``)."""

    user_id: str
    budget_id: str
    source: str
    amount: Decimal
    requested: Decimal
    capped: bool = False


class ReturnCredit(Message, frozen=True):
    """To the fest: ``amount`` of ``user_id``'s credit from ``budget_id`` goes back to the budget
    (``why``: ``lapsed`` at its expiry, or ``refund`` of an order after the lot's expiry)."""

    user_id: str
    budget_id: str
    amount: Decimal
    why: str


class PayDiscount(Message, frozen=True):
    """To the fest: pay promotion ``promotion_id``'s discount of ``amount`` on ``order_id`` from its
    budget (``None``: from ``platform:promotions``)."""

    user_id: str
    order_id: str
    promotion_id: str
    budget_id: str | None
    amount: Decimal


class AccrueCommission(Message, frozen=True):
    """To the fest: ``user_id`` bought ``order_id`` for ``paid`` (the commission base); the purchase's
    fields the rules and attribution read; ``click_creator`` and ``click_event``: the buyer's last
    link click inside the attribution window, if any."""

    order_id: str
    user_id: str
    paid: Decimal
    product_id: str | None = None
    category: str | None = None
    seller_id: str | None = None
    channel: str | None = None
    stream_id: str | None = None
    creator_id: str | None = None
    click_creator: str | None = None
    click_event: str | None = None


class StartSettlement(Message, frozen=True):
    """To the fest: ``order_id`` was delivered (at ``at``); a pending commission settles after the
    settlement days."""

    order_id: str
    user_id: str


class ReverseCommission(Message, frozen=True):
    """To the fest: ``amount`` of ``order_id`` was refunded; ``cancelled``: nothing paid is left."""

    order_id: str
    user_id: str
    amount: Decimal
    cancelled: bool


class GrantBoost(Message, frozen=True):
    """To the fest: ``user_id`` won, by ``source``, an extra commission ``rate`` on their own commission
    as a creator for ``seconds`` from ``at``."""

    user_id: str
    rate: Decimal
    seconds: float
    source: str


#: every message the economy declares (for a driver that decodes them from their wire form)
ECONOMY_MESSAGES: Final = (
    GrantCredit,
    GrantAnswer,
    ReturnCredit,
    PayDiscount,
    AccrueCommission,
    StartSettlement,
    ReverseCommission,
    GrantBoost,
)
