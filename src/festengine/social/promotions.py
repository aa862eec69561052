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
  ``stream_id`` (a purchase naming the stream counts too).
* An activation for an audience that is still running is extended instead (the later end wins,
  :class:`PromotionExtended`); nothing happens if it would not end later.
* A purchase naming a ``promotion_id`` is rejected unless the promotion exists, covers the
  product (``products`` or ``categories``; empty lists cover everything) and is active for the
  buyer at the purchase's time.

State is owned by the audience's key: everyone (the fest), a stream, or a viewer.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

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

__all__ = ["ActivePromotion", "Promotions"]

TIMER = "promotion"
EVERYONE, STREAM, VIEWER = "everyone", "stream_viewers", "viewer"

Interval = list[float]


@attrs.define(slots=True)
class _Activations:
    """One promotion's activations per audience: ``[start, end]`` intervals."""

    everyone: list[Interval] = attrs.field(factory=list)
    streams: dict[str, list[Interval]] = attrs.field(factory=dict)
    viewers: dict[str, list[Interval]] = attrs.field(factory=dict)

    def of(self, audience: str, audience_id: str | None) -> list[Interval]:
        if audience == EVERYONE:
            return self.everyone
        table = self.streams if audience == STREAM else self.viewers
        return table.setdefault(audience_id or "", [])


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


def _inside(intervals: list[Interval], ts: float) -> Interval | None:
    for interval in intervals:
        if interval[0] <= ts < interval[1]:
            return interval
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

    def __init__(self, fest: Fest, component: str) -> None:
        self._component = component
        self._promotions = fest.promotions
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
        self._track = any(p.audience == STREAM for p in fest.promotions.values())
        #: stream -> its viewers (a dict used as an ordered set: a third of a set's size, and nothing
        #: for the garbage collector to walk)
        self._viewers: dict[str, dict[str, None]] = {}
        self._activations: dict[str, _Activations] = {}

    @property
    def goal_triggered(self) -> bool:
        """Whether any promotion is triggered by a community goal."""
        return bool(self._by_goal)

    def schedule_windows(self, timers: Timers) -> None:
        """Set the start and end timers of the scheduled promotions (once, when the engine is built)."""
        for promotion in self._promotions.values():
            if promotion.trigger_kind == "schedule" and promotion.audience == EVERYONE:
                starts_at, ends_at = _window(promotion)
                timers.schedule(starts_at.timestamp(), self._component, [TIMER, "start", promotion.id])
                timers.schedule(ends_at.timestamp(), self._component, [TIMER, "stop", promotion.id])

    def handlers(self) -> list[tuple[str, Handler]]:
        """Stream viewers are remembered from every event with a stream, if any audience needs them."""
        if not self._track:
            return []
        return [(event_type, self._remember) for event_type, fields in EVENT_FIELDS.items() if "stream_id" in fields]

    def _remember(self, event: Event, ctx: StepContext) -> None:
        stream = event.stream_id
        if stream is None:
            return
        viewers = self._viewers.get(stream)
        user = event.user_id
        if viewers is None:
            self._viewers[share(stream)] = {share(user): None}
        elif user not in viewers:
            viewers[share(user)] = None  # one copy of each id, however many streams it is in

    # ------------------------------------------------------------------ activation

    def _activate(
        self, promotion: Promotion, audience: str, audience_id: str | None, start: float, end: float, source: str,
        ctx: StepContext,
    ) -> None:  # fmt: skip
        if end <= start:
            return
        activations = self._activations.get(promotion.id)
        if activations is None:
            activations = self._activations[promotion.id] = _Activations()
        intervals = activations.of(audience, audience_id)
        last = intervals[-1] if intervals else None
        if last is not None and last[0] <= start <= last[1]:
            if end <= last[1]:
                return
            last[1] = end
            ctx.emit(PromotionExtended(ctx.event_id, promotion.id, audience, audience_id, _when(end), source))
        else:
            intervals.append([start, end])
            ctx.emit(
                PromotionStarted(ctx.event_id, promotion.id, audience, audience_id, _when(start), _when(end), source)
            )
        ctx.schedule(end, self._component, [TIMER, "end", promotion.id, audience, audience_id, end])

    def _trigger(self, promotion: Promotion, user: str, stream: str | None, source: str, ctx: StepContext) -> None:
        """Activate a mission- or goal-triggered promotion for its audience, from now for its duration."""
        duration = promotion.duration.total_seconds() if promotion.duration is not None else 0.0
        if promotion.audience == EVERYONE:
            audience, audience_id = EVERYONE, None
        elif promotion.audience == STREAM and stream is not None:
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

    def on_timer(self, payload: list[Any], ctx: StepContext) -> None:
        """Scheduled starts and stops, and the ends of activations (unless extended since)."""
        what, promotion_id = payload[1], payload[2]
        promotion = self._promotions[promotion_id]
        if what == "start":
            starts_at, ends_at = _window(promotion)
            ctx.emit(PromotionStarted(ctx.event_id, promotion_id, EVERYONE, None, starts_at, ends_at, "schedule"))
        elif what == "stop":
            ctx.emit(PromotionEnded(ctx.event_id, promotion_id, EVERYONE, None, _window(promotion)[1]))
        else:
            audience, audience_id, end = payload[3], payload[4], payload[5]
            activations = self._activations.get(promotion_id)
            if activations is None:  # only a snapshot written by hand can say so
                return
            intervals = activations.of(audience, audience_id)
            if any(interval[1] == end for interval in intervals):
                ctx.emit(PromotionEnded(ctx.event_id, promotion_id, audience, audience_id, _when(end)))

    # ------------------------------------------------------------------ what applies

    def _applies(
        self, promotion: Promotion, user: str, ts: float, stream: str | None
    ) -> tuple[str, str | None, float, float] | None:
        """The activation that makes ``promotion`` apply to ``user`` at ``ts``, or ``None``."""
        if promotion.trigger_kind == "schedule" and promotion.audience == EVERYONE:
            starts_at, ends_at = _window(promotion)
            start, end = starts_at.timestamp(), ends_at.timestamp()
            return (EVERYONE, None, start, end) if start <= ts < end else None
        activations = self._activations.get(promotion.id)
        if activations is None:
            return None
        found = _inside(activations.everyone, ts)
        if found is not None:
            return EVERYONE, None, found[0], found[1]
        found = _inside(activations.viewers.get(user, []), ts)
        if found is not None:
            return VIEWER, user, found[0], found[1]
        for stream_id, intervals in activations.streams.items():
            found = _inside(intervals, ts)
            if found is not None and (stream_id == stream or user in self._viewers.get(stream_id, ())):
                return STREAM, stream_id, found[0], found[1]
        return None

    def active(
        self, user: str, at: datetime, product_id: str | None = None, category: str | None = None,
        stream_id: str | None = None,
    ) -> list[ActivePromotion]:  # fmt: skip
        """The promotions that apply to ``user`` at ``at`` (for a product or category, if given), in pack order."""
        ts = at.timestamp()
        result: list[ActivePromotion] = []
        for promotion in self._promotions.values():
            if (product_id is not None or category is not None) and not covers(promotion, product_id, category):
                continue
            found = self._applies(promotion, user, ts, stream_id)
            if found is None:
                continue
            audience, audience_id, start, end = found
            result.append(
                ActivePromotion(promotion.id, promotion.title, promotion.percent, promotion.amount, _when(start),
                                _when(end), audience, audience_id, tuple(sorted(promotion.products)),
                                tuple(sorted(promotion.categories)))
            )  # fmt: skip
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
        return None

    def _why_not(self, promotion: Promotion, user: str, at: datetime) -> str:
        when = at.isoformat().replace("+00:00", "Z")
        if promotion.trigger_kind == "schedule" and promotion.audience == EVERYONE:
            starts_at, ends_at = _window(promotion)
            return (
                f"promotion {promotion.id!r} runs from {starts_at.isoformat()} to {ends_at.isoformat()}, not at {when}"
            )
        return f"promotion {promotion.id!r} is not active for {user!r} at {when}"

    # ------------------------------------------------------------------ snapshots

    def dump(self) -> Any:
        """JSON-ready state; stream viewers sorted."""
        return {
            "viewers": {stream: sorted(users) for stream, users in self._viewers.items()},
            "activations": {
                promotion_id: [a.everyone, a.streams, a.viewers] for promotion_id, a in self._activations.items()
            },
        }

    def load(self, data: Any) -> None:
        """Restore what :meth:`dump` produced."""
        self._viewers = {stream: dict.fromkeys(users) for stream, users in data["viewers"].items()}
        self._activations = {
            promotion_id: _Activations(everyone, streams, viewers)
            for promotion_id, (everyone, streams, viewers) in data["activations"].items()
        }
