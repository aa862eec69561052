"""Promotions (dynamic pricing): when a discount applies, to whom, and to which products.

A promotion applies to a purchase when the purchase's time is inside one of its *activations*
(``[start, end)``) for an audience that includes the buyer, and its scope covers the product.

* ``schedule`` triggers: the flash window itself is the activation, for everyone (audience
  ``everyone``); :class:`PromotionStarted` and :class:`PromotionEnded` come from timers at its
  start and end. A scheduled promotion with another audience applies only to users who were
  granted it by a ``promotion`` reward, inside its window.
* ``mission`` triggers: each :class:`~festengine.engine.outcomes.MissionCompleted` of the mission
  activates it for ``duration`` from the completion, for everyone, for that viewer, or for the
  viewers of the stream of the event that completed it (the viewer alone if it had no stream).
* ``goal`` triggers: a community goal reaching ``level`` (or completing, without a level)
  activates it for everyone, for the viewers of the stream where it happened, or for the viewer
  whose event reached it.
* A ``promotion`` reward activates it for the rewarded user.
* The *viewers of a stream* are the users the engine has seen any event from with that
  ``stream_id`` (a purchase naming the stream counts too) until the stream closes (its
  ``stream_ended`` plus the allowed lateness). A promotion triggered for the viewers of a closed
  stream goes to the viewer alone, as for an event without a stream; the closed stream's viewers are
  forgotten once its last activation for them has ended and no late purchase can reach it.
* An activation for an audience that is still running is extended instead (the later end wins,
  :class:`PromotionExtended`); nothing happens if it would not end later.
* A purchase naming a ``promotion_id`` is rejected unless the promotion exists, covers the
  product (``products`` or ``categories``; empty lists cover everything) and is active for the
  buyer at the purchase's time.
* The engine computes the discount an active promotion gives a purchase (:meth:`Promotions.quote`):
  nothing below ``min_spend`` (of ``price * quantity``); else ``percent`` of ``price * quantity``
  (rounded by the fest's rule) or ``amount`` off each unit (at most ``price * quantity``); then cut
  to ``cap_per_order`` and to what is left of ``cap_per_viewer`` for the buyer: the buyer's own
  facts only, never what is left in the budget (held by another key). The purchase's ``discount``
  (none counts as zero) must equal it, else the purchase is rejected with ``discount_mismatch`` and
  changes nothing: the shop states what it charged, and the engine does not rewrite it. An accepted
  discount is paid through the :class:`PromotionFunds` port (the economy pays it from the budget as
  far as it goes, the rest from ``platform:promotions``).

State is owned by the audience's key: everyone (the fest), a stream, or a viewer; the discount each
viewer received from each promotion with a ``cap_per_viewer`` is kept on the viewer's key.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Final, Protocol, cast

import attrs

from festengine._share import share
from festengine._vocab import EVENT_FIELDS
from festengine.catalog.model import Fest, Promotion, Reward
from festengine.engine.component import Handler, Rejection, StepContext, Timers
from festengine.engine.outcomes import MissionCompleted
from festengine.events import Event
from festengine.social.outcomes import (
    CommunityGoalCompleted,
    CommunityLevelReached,
    PromotionEnded,
    PromotionExtended,
    PromotionStarted,
)

if TYPE_CHECKING:
    from festengine.social.snapshot import PromotionsData

__all__ = ["Activation", "ActivePromotion", "DiscountQuote", "PromotionFunds", "Promotions"]

_ZERO: Final = Decimal(0)
_HUNDRED: Final = Decimal(100)


class PromotionFunds(Protocol):
    """What promotions need from the money side (the composition root passes the economy)."""

    def round_amount(self, amount: Decimal) -> Decimal:
        """``amount`` rounded to the currency's smallest unit by the fest's rule."""
        ...

    def pay_discount(
        self, promotion_id: str, budget_id: str | None, user_id: str, order_id: str, amount: Decimal, ctx: StepContext
    ) -> None:
        """Pay a discount given on an order, from the promotion's budget."""
        ...


@attrs.frozen(slots=True)
class DiscountQuote:
    """The discount a promotion gives a purchase, and how it was reached (for people)."""

    amount: Decimal
    how: str


TIMER = "promotion"
EVERYONE, STREAM, VIEWER = "everyone", "stream_viewers", "viewer"


class Activation:
    """One activation of a promotion for an audience: ``[start, end)`` in POSIX seconds (an extension
    moves ``end``)."""

    __slots__ = ("end", "start")

    def __init__(self, start: float, end: float) -> None:
        self.start = start
        self.end = end

    def to_row(self) -> list[float]:
        """The activation as a snapshot stores it: ``[start, end]``."""
        return [self.start, self.end]


class _Activations:
    """One promotion's activations per audience (everyone, a stream's viewers, a viewer), in order."""

    __slots__ = ("everyone", "streams", "viewers")

    def __init__(self) -> None:
        self.everyone: list[Activation] = []
        self.streams: dict[str, list[Activation]] = {}
        self.viewers: dict[str, list[Activation]] = {}

    def of(self, audience: str, audience_id: str | None) -> list[Activation]:
        if audience == EVERYONE:
            return self.everyone
        table = self.streams if audience == STREAM else self.viewers
        return table.setdefault(audience_id or "", [])

    def to_row(self) -> list[object]:
        """The activations as a snapshot stores them: ``[everyone, streams, viewers]`` of ``[start, end]``."""

        def rows(found: list[Activation]) -> list[list[float]]:
            return [activation.to_row() for activation in found]

        streams = {key: rows(found) for key, found in self.streams.items()}
        return [rows(self.everyone), streams, {key: rows(found) for key, found in self.viewers.items()}]

    @classmethod
    def from_row(cls, row: list[object]) -> _Activations:
        """Activations back from :meth:`to_row` (the row was checked on restore; its intervals are the
        ``[start, end]`` lists JSON gives)."""
        everyone, streams, viewers = row
        activations = cls()
        activations.everyone = [Activation(start, end) for start, end in cast("list[list[float]]", everyone)]
        activations.streams = {
            key: [Activation(start, end) for start, end in rows]
            for key, rows in cast("dict[str, list[list[float]]]", streams).items()
        }
        activations.viewers = {
            key: [Activation(start, end) for start, end in rows]
            for key, rows in cast("dict[str, list[list[float]]]", viewers).items()
        }
        return activations


@attrs.frozen(slots=True)
class ActivePromotion:
    """A promotion that applies to a viewer at a time, and why (``audience``, ``audience_id``)."""

    promotion_id: str
    title: str
    percent: Decimal | None
    amount: Decimal | None
    starts_at: datetime
    ends_at: datetime
    audience: str
    audience_id: str | None
    products: tuple[str, ...]
    categories: tuple[str, ...]


def covers(promotion: Promotion, product_id: str | None, category: str | None) -> bool:
    """Whether the promotion's scope covers a product (empty lists cover everything)."""
    if not promotion.products and not promotion.categories:
        return True
    return product_id in promotion.products or category in promotion.categories


def _inside(activations: list[Activation], ts: float) -> Activation | None:
    for activation in activations:
        if activation.start <= ts < activation.end:
            return activation
    return None


def _when(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, UTC)


def _window(promotion: Promotion) -> tuple[datetime, datetime]:
    """A scheduled promotion's flash window."""
    if promotion.starts_at is None or promotion.ends_at is None:
        raise ValueError(f"promotion {promotion.id!r} has no schedule")
    return promotion.starts_at, promotion.ends_at


class Promotions:
    """The promotions of a fest and their activations."""

    def __init__(self, fest: Fest, component: str, funds: PromotionFunds) -> None:
        self._component = component
        self._funds = funds
        self._currency = fest.economy.currency
        self._promotions = fest.promotions
        #: viewer -> promotion -> the discount they received from it (promotions with a cap_per_viewer)
        self._given: dict[str, dict[str, Decimal]] = {}
        by_mission: dict[str, list[Promotion]] = {}
        by_goal: dict[tuple[str, int | None], list[Promotion]] = {}
        for promotion in fest.promotions.values():
            if promotion.trigger_kind == "mission":
                by_mission.setdefault(promotion.trigger_mission or "", []).append(promotion)
            elif promotion.trigger_kind == "goal":
                by_goal.setdefault((promotion.trigger_mission or "", promotion.trigger_level), []).append(promotion)
        self._by_mission = {key: tuple(found) for key, found in by_mission.items()}
        #: the missions whose completion triggers a promotion
        self.trigger_missions = frozenset(self._by_mission)
        self._by_goal = {key: tuple(found) for key, found in by_goal.items()}
        #: whether stream viewers are remembered: only an activation for a stream's viewers reads them,
        #: and only mission and goal triggers activate for a stream (a scheduled one applies to the
        #: viewers it is granted to)
        self._track = any(
            p.audience == STREAM and p.trigger_kind in ("mission", "goal") for p in fest.promotions.values()
        )
        #: stream -> its viewers (a dict used as an ordered set: a third of a set's size, and nothing
        #: for the garbage collector to walk)
        self._viewers: dict[str, dict[str, None]] = {}
        #: the streams that closed (``stream_ended`` plus lateness): their viewers are final, then forgotten
        self._closed: set[str] = set()
        self._lateness = fest.allowed_lateness.total_seconds()
        self._activations: dict[str, _Activations] = {}

    @property
    def goal_triggered(self) -> bool:
        """Whether any promotion is triggered by a community goal."""
        return bool(self._by_goal)

    def start(self, timers: Timers) -> None:
        """Set the start and end timers of the scheduled promotions (once, on a new engine)."""
        for promotion in self._promotions.values():
            if promotion.trigger_kind == "schedule" and promotion.audience == EVERYONE:
                starts_at, ends_at = _window(promotion)
                timers.schedule(starts_at.timestamp(), self._component, [TIMER, "start", promotion.id])
                timers.schedule(ends_at.timestamp(), self._component, [TIMER, "stop", promotion.id])

    def handler(self, event_type: str) -> Handler | None:
        """Purchases pay their promotion's discount; stream viewers are remembered from every event with
        a stream, if any audience needs them."""
        remembers = self._track and "stream_id" in EVENT_FIELDS.get(event_type, ())
        if event_type == "purchase" and self._promotions:
            return self._on_purchase if not remembers else self._remember_and_pay
        if event_type == "stream_ended" and remembers:
            return self._remember_and_close
        return self._remember if remembers else None

    def _remember_and_close(self, event: Event, ctx: StepContext) -> None:
        """A stream ended: it closes once late events can no longer reach it."""
        self._remember(event, ctx)
        stream = event.stream_id
        if stream is not None and stream not in self._closed:
            ctx.schedule(ctx.ts + self._lateness, self._component, [TIMER, "close", stream])

    def _remember_and_pay(self, event: Event, ctx: StepContext) -> None:
        self._remember(event, ctx)
        self._on_purchase(event, ctx)

    def _on_purchase(self, event: Event, ctx: StepContext) -> None:
        """A purchase that used a promotion: pay its discount from the budget (the check agreed on it)."""
        promotion = self._promotions.get(event.promotion_id or "")
        amount = event.discount or _ZERO
        if promotion is None or not amount:
            return
        user = event.user_id
        if promotion.cap_per_viewer is not None:
            given = self._given.setdefault(share(user), {})
            given[promotion.id] = given.get(promotion.id, _ZERO) + amount
        self._funds.pay_discount(promotion.id, promotion.budget, user, event.order_id or "", amount, ctx)

    def _remember(self, event: Event, ctx: StepContext) -> None:
        stream = event.stream_id
        if stream is None or stream in self._closed:
            return
        viewers = self._viewers.get(stream)
        user = event.user_id
        if viewers is None:
            self._viewers[share(stream)] = {share(user): None}
        elif user not in viewers:
            viewers[share(user)] = None  # one copy of each id, however many streams it is in

    # ------------------------------------------------------------------ activation

    def _activate(
        self,
        promotion: Promotion,
        audience: str,
        audience_id: str | None,
        start: float,
        end: float,
        source: str,
        ctx: StepContext,
    ) -> None:
        if end <= start:
            return
        activations = self._activations.get(promotion.id)
        if activations is None:
            activations = self._activations[promotion.id] = _Activations()
        found = activations.of(audience, audience_id)
        last = found[-1] if found else None
        started: float | None = start
        if last is not None and last.start <= start <= last.end:  # still running: extend it
            if end <= last.end:
                return
            last.end, started = end, None
        else:
            found.append(Activation(start, end))
        ctx.emit(_activated(ctx, promotion.id, audience, audience_id, started, end, source))
        ctx.schedule(end, self._component, [TIMER, "end", promotion.id, audience, audience_id, end])

    def _trigger(self, promotion: Promotion, user: str, stream: str | None, source: str, ctx: StepContext) -> None:
        """Activate a mission- or goal-triggered promotion for its audience, from now for its duration."""
        duration = promotion.duration.total_seconds() if promotion.duration is not None else 0.0
        if promotion.audience == EVERYONE:
            audience, audience_id = EVERYONE, None
        elif promotion.audience == STREAM and stream is not None and stream not in self._closed:
            audience, audience_id = STREAM, stream
        else:
            audience, audience_id = VIEWER, user
        self._activate(promotion, audience, audience_id, ctx.ts, ctx.ts + duration, source, ctx)

    def on_mission_completed(self, outcome: MissionCompleted, ctx: StepContext) -> None:
        """Mission triggers."""
        promotions = self._by_mission.get(outcome.mission_id)
        if promotions:
            stream = ctx.event.stream_id if ctx.event is not None else None
            for promotion in promotions:
                self._trigger(promotion, outcome.subject, stream, outcome.mission_id, ctx)

    def on_level_reached(self, outcome: CommunityLevelReached, ctx: StepContext) -> None:
        """Goal triggers with a level."""
        for promotion in self._by_goal.get((outcome.mission_id, outcome.level), ()):
            self._trigger(promotion, outcome.user_id, outcome.stream_id, outcome.mission_id, ctx)

    def on_goal_completed(self, outcome: CommunityGoalCompleted, ctx: StepContext) -> None:
        """Goal triggers without a level (the goal's target)."""
        for promotion in self._by_goal.get((outcome.mission_id, None), ()):
            self._trigger(promotion, outcome.user_id, outcome.stream_id, outcome.mission_id, ctx)

    def grant_reward(self, user: str, reward: Reward, source: str, ctx: StepContext) -> None:
        """A ``promotion`` reward: the promotion for this user, for its duration (or what is left of its window)."""
        promotion = self._promotions.get(reward.promotion or "")
        if promotion is None:
            return
        if promotion.duration is not None:
            start, end = ctx.ts, ctx.ts + promotion.duration.total_seconds()
        elif promotion.starts_at is not None and promotion.ends_at is not None:
            start, end = max(ctx.ts, promotion.starts_at.timestamp()), promotion.ends_at.timestamp()
        else:
            return
        self._activate(promotion, VIEWER, user, start, end, source, ctx)

    def on_timer(self, payload: list[object], ctx: StepContext) -> None:
        """Scheduled starts and stops, the ends of activations (unless extended since), and streams closing."""
        what = payload[1]
        if what == "close":
            self._close(str(payload[2]), ctx)
            return
        promotion_id = str(payload[2])
        promotion = self._promotions[promotion_id]
        if what == "start":
            starts_at, ends_at = _window(promotion)
            ctx.emit(
                PromotionStarted(
                    event_id=ctx.event_id,
                    promotion_id=promotion_id,
                    audience=EVERYONE,
                    audience_id=None,
                    starts_at=starts_at,
                    ends_at=ends_at,
                    source="schedule",
                )
            )
        elif what == "stop":
            ctx.emit(self._ended(ctx, promotion_id, EVERYONE, None, _window(promotion)[1]))
        else:
            audience, audience_id, end = str(payload[3]), payload[4], payload[5]
            audience_id = None if audience_id is None else str(audience_id)
            activations = self._activations.get(promotion_id)
            if activations is None or not isinstance(end, float | int):  # only a snapshot written by hand can say so
                return
            if any(activation.end == end for activation in activations.of(audience, audience_id)):
                ctx.emit(self._ended(ctx, promotion_id, audience, audience_id, _when(end)))

    def _close(self, stream: str, ctx: StepContext) -> None:
        """A stream closed: its viewers are final. They are forgotten, with its activations, once the
        last activation for them has ended and a late purchase can no longer fall inside it."""
        self._closed.add(stream)
        last = max(
            (found[-1].end for a in self._activations.values() if (found := a.streams.get(stream))), default=None
        )
        if last is not None and last + self._lateness > ctx.ts:
            ctx.schedule(last + self._lateness, self._component, [TIMER, "close", stream])
            return
        self.forget(stream)

    def forget(self, stream: str) -> None:
        """Forget a closed stream's viewers and activations (nothing reads them any more)."""
        self._viewers.pop(stream, None)
        for activations in self._activations.values():
            activations.streams.pop(stream, None)

    @staticmethod
    def _ended(
        ctx: StepContext, promotion_id: str, audience: str, audience_id: str | None, at: datetime
    ) -> PromotionEnded:
        return PromotionEnded(
            event_id=ctx.event_id, promotion_id=promotion_id, audience=audience, audience_id=audience_id, ended_at=at
        )

    # ------------------------------------------------------------------ what applies

    def _applies(self, promotion: Promotion, user: str, ts: float, stream: str | None) -> ActivePromotion | None:
        """What makes ``promotion`` apply to ``user`` at ``ts`` (its audience and activation), or ``None``."""
        if promotion.trigger_kind == "schedule" and promotion.audience == EVERYONE:
            starts_at, ends_at = _window(promotion)
            inside = starts_at.timestamp() <= ts < ends_at.timestamp()
            return (
                _active(promotion, EVERYONE, None, Activation(starts_at.timestamp(), ends_at.timestamp()))
                if inside
                else None
            )
        activations = self._activations.get(promotion.id)
        if activations is None:
            return None
        found = _inside(activations.everyone, ts)
        if found is not None:
            return _active(promotion, EVERYONE, None, found)
        found = _inside(activations.viewers.get(user, []), ts)
        if found is not None:
            return _active(promotion, VIEWER, user, found)
        for stream_id, activation in activations.streams.items():
            found = _inside(activation, ts)
            if found is not None and (stream_id == stream or user in self._viewers.get(stream_id, ())):
                return _active(promotion, STREAM, stream_id, found)
        return None

    def active(
        self,
        user: str,
        at: datetime,
        product_id: str | None = None,
        category: str | None = None,
        stream_id: str | None = None,
    ) -> list[ActivePromotion]:
        """The promotions that apply to ``user`` at ``at`` (for a product or category, if given), in pack order."""
        ts = at.timestamp()
        result: list[ActivePromotion] = []
        for promotion in self._promotions.values():
            if (product_id is not None or category is not None) and not covers(promotion, product_id, category):
                continue
            found = self._applies(promotion, user, ts, stream_id)
            if found is not None:
                result.append(found)
        return result

    def check_purchase(self, event: Event) -> Rejection | None:
        """Refuse a purchase that claims a promotion that does not apply to it."""
        promotion_id = event.promotion_id
        if promotion_id is None:
            return None
        promotion = self._promotions.get(promotion_id)
        if promotion is None:
            known = ", ".join(sorted(self._promotions)) or "none"
            return Rejection("unknown_promotion", f"there is no promotion {promotion_id!r} (known: {known})")
        if not covers(promotion, event.product_id, event.category):
            return Rejection(
                "promotion_not_applicable",
                f"promotion {promotion_id!r} does not cover product {event.product_id!r} (category {event.category!r})",
            )
        ts = event.occurred_at.timestamp()
        if self._applies(promotion, event.user_id, ts, event.stream_id) is None:
            return Rejection("promotion_not_active", self._why_not(promotion, event.user_id, event.occurred_at))
        quote = self.quote(
            promotion, event.user_id, (event.price or _ZERO) * (event.quantity or 1), event.quantity or 1
        )
        given = event.discount or _ZERO
        if given != quote.amount:
            currency = self._currency
            return Rejection(
                "discount_mismatch",
                f"purchase {event.order_id!r} says a discount of {given} {currency}, but promotion "
                f"{promotion_id!r} gives {quote.amount} {currency} ({quote.how})",
            )
        return None

    def quote(self, promotion: Promotion, user: str, gross: Decimal, quantity: int) -> DiscountQuote:
        """The discount ``promotion`` gives ``user`` on ``quantity`` units costing ``gross`` in all (the rules
        are in the module's docstring)."""
        currency = self._currency
        if promotion.min_spend is not None and gross < promotion.min_spend:
            nothing = self._funds.round_amount(_ZERO)
            return DiscountQuote(nothing, f"{gross} {currency} is below its minimum spend of {promotion.min_spend}")
        if promotion.percent is not None:
            amount = self._funds.round_amount(gross * promotion.percent / _HUNDRED)
            how = f"{promotion.percent}% of {gross}"
        else:
            amount = min(gross, (promotion.amount or _ZERO) * quantity)
            how = f"{promotion.amount} off each of {quantity}"
        limits = [(promotion.cap_per_order, "its cap per order")]
        if promotion.cap_per_viewer is not None:
            used = self._given.get(user, {}).get(promotion.id, _ZERO)
            limits.append((promotion.cap_per_viewer - used, f"what is left of its cap per viewer for {user!r}"))
        for limit, what in limits:
            if limit is not None and amount > limit:
                amount, how = max(limit, _ZERO), f"{how}, cut to {what}"
        return DiscountQuote(amount, how)

    def _why_not(self, promotion: Promotion, user: str, at: datetime) -> str:
        when = at.isoformat().replace("+00:00", "Z")
        if promotion.trigger_kind == "schedule" and promotion.audience == EVERYONE:
            starts_at, ends_at = _window(promotion)
            return (
                f"promotion {promotion.id!r} runs from {starts_at.isoformat()} to {ends_at.isoformat()}, not at {when}"
            )
        return f"promotion {promotion.id!r} is not active for {user!r} at {when}"

    # ------------------------------------------------------------------ snapshots

    def dump(self) -> dict[str, object]:
        """JSON-ready state; stream viewers sorted."""
        return {
            "viewers": {stream: sorted(users) for stream, users in self._viewers.items()},
            "closed": sorted(self._closed),
            "activations": {promotion_id: a.to_row() for promotion_id, a in self._activations.items()},
            "given": {user: dict(given) for user, given in self._given.items()},
        }

    def load(self, data: PromotionsData) -> None:
        """Restore what :meth:`dump` produced."""
        self._viewers = {stream: dict.fromkeys(users) for stream, users in data["viewers"].items()}
        self._closed = set(data["closed"])
        self._activations = {
            promotion_id: _Activations.from_row(row) for promotion_id, row in data["activations"].items()
        }
        self._given = {user: dict(given) for user, given in data["given"].items()}


def _active(promotion: Promotion, audience: str, audience_id: str | None, activation: Activation) -> ActivePromotion:
    """What a viewer sees of a promotion that applies, through ``activation`` for ``audience``."""
    return ActivePromotion(
        promotion_id=promotion.id,
        title=promotion.title,
        percent=promotion.percent,
        amount=promotion.amount,
        starts_at=_when(activation.start),
        ends_at=_when(activation.end),
        audience=audience,
        audience_id=audience_id,
        products=tuple(sorted(promotion.products)),
        categories=tuple(sorted(promotion.categories)),
    )


def _activated(
    ctx: StepContext,
    promotion_id: str,
    audience: str,
    audience_id: str | None,
    start: float | None,
    end: float,
    source: str,
) -> PromotionStarted | PromotionExtended:
    """A new activation (from ``start``) or the extension of a running one (``start`` is ``None``)."""
    if start is None:
        return PromotionExtended(
            event_id=ctx.event_id,
            promotion_id=promotion_id,
            audience=audience,
            audience_id=audience_id,
            ends_at=_when(end),
            source=source,
        )
    return PromotionStarted(
        event_id=ctx.event_id,
        promotion_id=promotion_id,
        audience=audience,
        audience_id=audience_id,
        starts_at=_when(start),
        ends_at=_when(end),
        source=source,
    )
