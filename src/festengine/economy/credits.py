"""Shopping credit as lots: each grant's validity, spending oldest expiry first, lapses and refunds.

The rules (``docs/economy.md``, "Shopping credit"):

* Every credit a viewer receives (a mission's ``credit`` reward, a gift conversion) is drawn from a
  budget and becomes a *lot* in the viewer's wallet: its unspent amount, its budget and its expiry.
  The expiry comes from the budget: ``valid_until`` (one instant for all its credits), else the
  grant's time plus ``valid_for``, else none (the credit never lapses). Grants from the same budget
  with the same expiry add to one lot.
* A lot lapses at its expiry, in event time (a timer the engine fires when its clock gets there):
  the unspent part goes back to its budget (``lapsed_to: budget``: through ``transit:credits`` and a
  :class:`~festengine.economy.messages.ReturnCredit` to the fest's key, which holds the budgets) or to
  ``expired_credits`` (``lapsed_to: expired``) by one balanced entry, and :class:`CreditsExpired`
  says so.
* A purchase's ``credits`` are taken from the lots still valid at the purchase's time, the earliest
  expiry first (lots that never lapse last; lots with the same expiry in the order they were
  granted), by one entry from ``viewer:<u>:credits`` to ``platform:credits_redeemed`` (the platform
  pays the seller that part of the order). More than the valid lots hold is refused with
  ``insufficient_credits``, and nothing changes.
* A refund of part of an order gives back the same share of the credits spent on it, rounded by the
  fest's rule (the last refund gives back all the rest, so nothing is lost to rounding); the rest of
  the refund is money. The credits go back to the lots they came from, the latest expiry first, with
  their original expiry; a part whose expiry has passed by the refund's time goes where that lot's
  lapse would have sent it.
* Credit granted by a budget arrives from the fest's key as a
  :class:`~festengine.economy.messages.GrantAnswer`: one entry ``transit:credits -x``,
  ``viewer:<u>:credits +x`` and :class:`CreditGranted`.

State (viewer key): each viewer's lots and, for each order they paid partly with credits, what it
spent.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Final

import attrs

from festengine.catalog.model import Budget
from festengine.economy.books import Books
from festengine.economy.ledger import Posting
from festengine.economy.messages import FEST, TRANSIT, GrantAnswer, ReturnCredit
from festengine.economy.money import Money
from festengine.economy.outcomes import CreditGranted, CreditsExpired, CreditsReturned, CreditsSpent
from festengine.economy.plain import Plain, as_decimal, as_list, as_mapping, as_optional_float, as_str
from festengine.engine.component import Rejection, StepContext
from festengine.events import Event

__all__ = ["CREDITS_REDEEMED", "EXPIRED_CREDITS", "TIMER", "CreditBook", "CreditLot", "CreditLotView"]

_ZERO: Final = Decimal(0)
_NEVER: Final = float("inf")
#: the account of credits viewers spent on orders: what the platform pays sellers in their place
CREDITS_REDEEMED: Final = "platform:credits_redeemed"
#: the account of lapsed credits whose budget says ``lapsed_to: expired``
EXPIRED_CREDITS: Final = "expired_credits"
#: the first item of a lapse timer's payload: ``["lapse", user id, expiry]``
TIMER: Final = "lapse"


class CreditLot:
    """Unspent credit of one viewer from one budget with one expiry (POSIX seconds; ``None``: never)."""

    __slots__ = ("amount", "budget_id", "expires_at")

    def __init__(self, budget_id: str, expires_at: float | None, amount: Decimal) -> None:
        self.budget_id = budget_id
        self.expires_at = expires_at
        self.amount = amount

    @property
    def order_key(self) -> float:
        """Where the lot goes in the wallet: the earliest expiry first, never-lapsing lots last."""
        return _NEVER if self.expires_at is None else self.expires_at

    def valid_at(self, ts: float) -> bool:
        return self.expires_at is None or ts < self.expires_at

    def dump(self) -> dict[str, object]:
        return {"budget_id": self.budget_id, "expires_at": self.expires_at, "amount": self.amount}

    @classmethod
    def load(cls, data: Plain) -> CreditLot:
        return cls(as_str(data["budget_id"]), as_optional_float(data["expires_at"]), as_decimal(data["amount"]))


@attrs.frozen(slots=True)
class CreditLotView:
    """What :meth:`CreditBook.lots` shows of a lot: its unspent amount, expiry (``None``: never) and budget."""

    amount: Money
    expires_at: datetime | None
    budget_id: str


class OrderCredits:
    """The credits one order spent (its buyer's key): ``spent`` holds, per lot, what is not given back yet."""

    __slots__ = ("credits", "order_id", "returned", "spent", "user_id")

    def __init__(
        self, order_id: str, user_id: str, credits: Decimal, spent: list[CreditLot], returned: Decimal = _ZERO
    ) -> None:
        self.order_id = order_id
        self.user_id = user_id
        self.credits = credits
        self.spent = spent
        self.returned = returned

    def dump(self) -> dict[str, object]:
        return {
            "order_id": self.order_id,
            "user_id": self.user_id,
            "credits": self.credits,
            "returned": self.returned,
            "spent": [lot.dump() for lot in self.spent],
        }

    @classmethod
    def load(cls, data: Plain) -> OrderCredits:
        spent = [CreditLot.load(as_mapping(lot)) for lot in as_list(data["spent"])]
        credits, returned = as_decimal(data["credits"]), as_decimal(data["returned"])
        return cls(as_str(data["order_id"]), as_str(data["user_id"]), credits, spent, returned)


def _when(ts: float | None) -> datetime | None:
    return None if ts is None else datetime.fromtimestamp(ts, UTC)


class CreditBook:
    """Every viewer's credit lots and what orders spent of them, for one fest."""

    __slots__ = ("_books", "_budgets", "_orders", "_timer_owner", "_wallets")

    def __init__(self, books: Books, budgets: dict[str, Budget], timer_owner: str) -> None:
        self._books = books
        self._budgets = budgets
        self._timer_owner = timer_owner
        #: viewer -> their lots, in the order they are spent
        self._wallets: dict[str, list[CreditLot]] = {}
        #: (buyer, order id) -> the credits it spent (only orders that spent any)
        self._orders: dict[tuple[str, str], OrderCredits] = {}

    # ------------------------------------------------------------------ grants and lapses

    def expiry(self, budget_id: str, ts: float) -> datetime | None:
        """When a credit from ``budget_id`` granted at ``ts`` lapses (``None``: never)."""
        return _when(self._expires(budget_id, ts))

    def _expires(self, budget_id: str, ts: float) -> float | None:
        budget = self._budgets.get(budget_id)
        if budget is None:
            return None
        if budget.valid_until is not None:
            return budget.valid_until.timestamp()
        return None if budget.valid_for is None else ts + budget.valid_for.total_seconds()

    def on_answer(self, message: GrantAnswer, ctx: StepContext) -> None:
        """Credit a budget granted arrives: post it from ``transit:credits`` to the wallet and keep it as a lot."""
        if not message.amount:
            return
        books, user, budget_id = self._books, message.user_id, message.budget_id
        money = books.money(message.amount)
        postings: list[Posting] = [(TRANSIT, -money), (f"viewer:{user}:credits", money)]
        memo = f"credit from budget {budget_id} to {user} ({message.source})"
        entry = books.post(ctx, message.source, memo, postings, ctx.now)
        granted = CreditGranted(
            event_id=ctx.event_id,
            user_id=user,
            amount=money,
            budget_id=budget_id,
            source=message.source,
            entry_id=entry.id,
            expires_at=self.expiry(budget_id, ctx.ts),
        )
        ctx.emit(granted)
        self.received(user, budget_id, message.amount, ctx)

    def received(self, user_id: str, budget_id: str, amount: Decimal, ctx: StepContext) -> None:
        """Credit ``amount`` from ``budget_id`` was posted to the viewer: keep it as a lot (lapsed at once if
        its budget's ``valid_until`` has passed)."""
        expires_at = self._expires(budget_id, ctx.ts)
        if expires_at is not None and expires_at <= ctx.ts:
            self._lapse(user_id, CreditLot(budget_id, expires_at, amount), ctx)
        else:
            self._put(user_id, budget_id, expires_at, amount, ctx)

    def _put(self, user_id: str, budget_id: str, expires_at: float | None, amount: Decimal, ctx: StepContext) -> None:
        """Add to the viewer's lot of that budget and expiry, or start one (with its lapse timer)."""
        lots = self._wallets.setdefault(user_id, [])
        for lot in lots:
            if lot.budget_id == budget_id and lot.expires_at == expires_at:
                lot.amount = self._books.share(lot.amount + amount)
                return
        new = CreditLot(budget_id, expires_at, self._books.share(amount))
        at = len(lots)
        while at > 0 and lots[at - 1].order_key > new.order_key:
            at -= 1
        lots.insert(at, new)
        if expires_at is not None:
            ctx.schedule(expires_at, self._timer_owner, [TIMER, user_id, expires_at])

    def on_timer(self, user_id: str, due: float, ctx: StepContext) -> None:
        """Lapse the viewer's lots that expire by ``due``."""
        lots = self._wallets.get(user_id)
        if not lots:
            return
        lapsed = [lot for lot in lots if lot.expires_at is not None and lot.expires_at <= due]
        kept = [lot for lot in lots if lot not in lapsed]
        if kept:
            self._wallets[user_id] = kept
        else:
            del self._wallets[user_id]
        for lot in lapsed:
            self._lapse(user_id, lot, ctx)

    def _lapse_account(self, budget_id: str) -> str:
        budget = self._budgets.get(budget_id)
        return EXPIRED_CREDITS if budget is not None and budget.lapsed_to == "expired" else f"budget:{budget_id}"

    def _lapsed_posting(self, user_id: str, budget_id: str, amount: Decimal, why: str, ctx: StepContext) -> Posting:
        """Where lapsed credit is posted on the viewer's key: ``expired_credits``, or ``transit:credits``
        with a :class:`ReturnCredit` that takes it on to the budget on the fest's key."""
        money = self._books.money(amount)
        if self._lapse_account(budget_id) == EXPIRED_CREDITS:
            return (EXPIRED_CREDITS, money)
        ctx.send(ReturnCredit(to=FEST, user_id=user_id, budget_id=budget_id, amount=amount, why=why))
        return (TRANSIT, money)

    def _lapse(self, user_id: str, lot: CreditLot, ctx: StepContext) -> None:
        """Move a lapsed lot's unspent credit from the viewer to where its budget sends it."""
        books, account = self._books, self._lapse_account(lot.budget_id)
        money = books.money(lot.amount)
        postings: list[Posting] = [
            (f"viewer:{user_id}:credits", -money),
            self._lapsed_posting(user_id, lot.budget_id, lot.amount, "lapsed", ctx),
        ]
        at = _when(lot.expires_at)
        entry = books.post(ctx, lot.budget_id, f"credit of {user_id} from {lot.budget_id} lapsed", postings, at)
        ctx.emit(
            CreditsExpired(
                event_id=ctx.event_id,
                user_id=user_id,
                amount=money,
                budget_id=lot.budget_id,
                expired_at=at or ctx.now,
                lapsed_to=account,
                entry_id=entry.id,
            )
        )

    # ------------------------------------------------------------------ spending

    def available(self, user_id: str, ts: float) -> Decimal:
        """What the viewer's lots valid at ``ts`` hold."""
        return sum((lot.amount for lot in self._wallets.get(user_id, ()) if lot.valid_at(ts)), _ZERO)

    def check_purchase(self, event: Event) -> Rejection | None:
        """Refuse a purchase that spends more credit than the viewer's lots valid at its time hold."""
        wanted = event.credits
        if not wanted:
            return None
        held = self.available(event.user_id, event.occurred_at.timestamp())
        if wanted <= held:
            return None
        held = self._books.round(held)  # shown on the currency's grid ("0.00", not "0")
        currency = self._books.currency
        return Rejection(
            "insufficient_credits",
            f"purchase {event.order_id!r} spends {wanted} {currency} of credit, but {event.user_id!r} holds "
            f"{held} {currency} valid at {event.occurred_at.isoformat()}",
        )

    def on_purchase(self, event: Event, ctx: StepContext) -> None:
        """Take the purchase's credits from the valid lots, earliest expiry first, and post it."""
        wanted, user = event.credits, event.user_id
        if not wanted:
            return
        lots, spent, left = self._wallets[user], [], wanted
        for lot in lots:
            if not left:
                break
            if lot.valid_at(ctx.ts) and lot.amount:
                taken = min(lot.amount, left)
                lot.amount, left = lot.amount - taken, left - taken
                spent.append(CreditLot(lot.budget_id, lot.expires_at, taken))
        kept = [lot for lot in lots if lot.amount]
        if kept:
            self._wallets[user] = kept
        else:
            del self._wallets[user]
        order_id = event.order_id or ""
        self._orders[user, order_id] = OrderCredits(order_id, user, wanted, spent)
        money = self._books.money(wanted)
        postings: list[Posting] = [(f"viewer:{user}:credits", -money), (CREDITS_REDEEMED, money)]
        entry = self._books.post(ctx, "credits", f"credits spent on order {order_id}", postings)
        ctx.emit(CreditsSpent(event_id=ctx.event_id, user_id=user, order_id=order_id, amount=money, entry_id=entry.id))

    # ------------------------------------------------------------------ refunds

    def on_refund(
        self, user_id: str, order_id: str, amount: Decimal, paid: Decimal, cancelled: bool, ctx: StepContext
    ) -> None:
        """Give back the refund's share of the order's credits (all the rest when the order is cancelled)."""
        order = self._orders.get((user_id, order_id))
        if order is None:
            return
        outstanding = order.credits - order.returned
        back = outstanding if cancelled else min(outstanding, self._books.round(order.credits * amount / paid))
        if not back:
            return
        order.returned += back
        postings: list[Posting] = [(CREDITS_REDEEMED, self._books.money(-back))]
        live, lapsed = self._give_back(order, back, ctx, postings)
        entry = self._books.post(ctx, "credits", f"credits given back for refunded order {order_id}", postings)
        money = self._books.money
        ctx.emit(
            CreditsReturned(
                event_id=ctx.event_id,
                user_id=order.user_id,
                order_id=order_id,
                amount=money(back),
                to_wallet=money(live),
                lapsed=money(lapsed),
                entry_id=entry.id,
            )
        )

    def _give_back(
        self, order: OrderCredits, back: Decimal, ctx: StepContext, postings: list[Posting]
    ) -> tuple[Decimal, Decimal]:
        """Return ``back`` to the lots the order spent, the latest expiry first; add the postings.

        Returns what went to the wallet and what went where lapsed credit goes.
        """
        live = lapsed = _ZERO
        left, books, user = back, self._books, order.user_id
        for lot in reversed(order.spent):
            if not left:
                break
            part = min(lot.amount, left)
            if not part:
                continue
            lot.amount, left = lot.amount - part, left - part
            if lot.valid_at(ctx.ts):
                live += part
                self._put(user, lot.budget_id, lot.expires_at, part, ctx)
            else:
                lapsed += part
                postings.append(self._lapsed_posting(user, lot.budget_id, part, "refund", ctx))
        if live:
            postings.append((f"viewer:{user}:credits", books.money(live)))
        return live, lapsed

    # ------------------------------------------------------------------ queries and snapshots

    def lots(self, user_id: str) -> list[CreditLotView]:
        """The viewer's unspent lots, in the order they would be spent."""
        money = self._books.money
        return [
            CreditLotView(amount=money(lot.amount), expires_at=_when(lot.expires_at), budget_id=lot.budget_id)
            for lot in self._wallets.get(user_id, ())
        ]

    def dump(self) -> dict[str, object]:
        return {
            "lots": {user: [lot.dump() for lot in lots] for user, lots in self._wallets.items()},
            "order_credits": [order.dump() for order in self._orders.values()],
        }

    def load(self, data: Plain) -> None:
        wallets = as_mapping(data["lots"]).items()
        self._wallets = {user: [CreditLot.load(as_mapping(lot)) for lot in as_list(lots)] for user, lots in wallets}
        orders = (OrderCredits.load(as_mapping(order)) for order in as_list(data["order_credits"]))
        self._orders = {(order.user_id, order.order_id): order for order in orders}
