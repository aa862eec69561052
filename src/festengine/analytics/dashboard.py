"""The creator dashboard as a projection: events and their engine outcomes folded into metrics per
stream, creator and fest, in local hourly and daily buckets, with spike detection.

Feed it every step, in order: ``projection.observe(event, step)`` (and ``observe_advance(step, at)``
after ``engine.advance_to``). Only accepted steps count: a ``Duplicate`` or ``Rejected`` step
changed nothing in the engine and changes nothing here. Nothing here reads the clock, so a replay
of the same events gives the same numbers as the live run.

Where the numbers come from:

* views, watch time, unique viewers: ``view`` events; peak concurrent viewers: see
  :mod:`festengine.analytics.concurrency`;
* likes (taps: the events' ``count``), comments, shares, follows, product views, clicks: events;
* gifts: each gift counted once, on the delta of a streak as the engine does; coins from the
  pack's catalogue; value from the economy's ``gift_converted`` outcome (else coins x coin value);
* orders and GMV (the price actually paid): ``purchase`` events, credited to the creator and stream
  of the economy's ``order_recorded`` attribution when there is one; refunds go to the order's cell;
* Fan Club joins: ``fan_club_joined`` outcomes (every way of joining, the join gift included), or
  ``fan_club_join`` events when the fest has no Fan Club layer;
* mission completions: ``mission_completed`` outcomes, in the scope of the event that caused them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any, Final

import attrs

from festengine.analytics.buckets import FestClock
from festengine.analytics.concurrency import Presence, add_deltas, add_view, peaks_by_bucket
from festengine.analytics.metrics import COUNTERS, Cell, Metrics
from festengine.analytics.spikes import SPIKE_METRICS, Spike, SpikeDetector, SpikeSettings
from festengine.catalog.model import Fest
from festengine.engine.core import Step
from festengine.engine.outcomes import Outcome
from festengine.events import Event

__all__ = ["Bucket", "Dashboard", "DashboardProjection", "Gifter", "ScopeMetrics"]

_ZERO: Final = Decimal(0)
_HOUR: Final = 3600
_FEST: Final = ""


@attrs.frozen(slots=True)
class Bucket:
    """One time bucket: its key (hour start in POSIX seconds, or fest day), local label and metrics."""

    key: int
    label: str
    metrics: Metrics

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "label": self.label, **self.metrics.to_dict()}


@attrs.frozen(slots=True)
class ScopeMetrics:
    """A scope's metrics: in total, per local day and per local hour (hours only where there was activity)."""

    scope: str
    id: str
    total: Metrics
    daily: tuple[Bucket, ...] = ()
    hourly: tuple[Bucket, ...] = ()
    creator_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"scope": self.scope, "id": self.id}
        if self.creator_id is not None:
            data["creator_id"] = self.creator_id
        data["total"] = self.total.to_dict()
        if self.daily:
            data["daily"] = [b.to_dict() for b in self.daily]
        if self.hourly:
            data["hourly"] = [b.to_dict() for b in self.hourly]
        return data


@attrs.frozen(slots=True)
class Gifter:
    user_id: str
    gifts: int
    coins: int
    value: Decimal

    def to_dict(self) -> dict[str, Any]:
        return {"user_id": self.user_id, "gifts": self.gifts, "coins": self.coins, "value": str(self.value)}


@attrs.frozen(slots=True)
class Dashboard:
    """Everything the projection knows, frozen: fest, creators (by id), streams (by id), top gifters, spikes."""

    currency: str
    timezone: str
    fest: ScopeMetrics
    creators: tuple[ScopeMetrics, ...]
    streams: tuple[ScopeMetrics, ...]
    gifters: tuple[Gifter, ...]
    spikes: tuple[Spike, ...]
    spike_settings: SpikeSettings

    def creator(self, creator_id: str) -> ScopeMetrics:
        """One creator's metrics (``KeyError`` if the creator never appeared)."""
        for scope in self.creators:
            if scope.id == creator_id:
                return scope
        raise KeyError(creator_id)

    def to_dict(self) -> dict[str, Any]:
        return {
            "currency": self.currency,
            "timezone": self.timezone,
            "fest": self.fest.to_dict(),
            "creators": [c.to_dict() for c in self.creators],
            "streams": [s.to_dict() for s in self.streams],
            "top_gifters": [g.to_dict() for g in self.gifters],
            "spikes": [s.to_dict() for s in self.spikes],
            "spike_settings": self.spike_settings.to_dict(),
        }


def _find(step: Step, kind: str) -> Outcome | None:
    for outcome in step.outcomes:
        if outcome.kind == kind:
            return outcome
    return None


def _amount(value: object) -> Decimal:
    """A Decimal from a ``Money`` (its ``amount``) or a plain number."""
    amount = getattr(value, "amount", value)
    return amount if isinstance(amount, Decimal) else Decimal(str(amount or 0))


class DashboardProjection:
    """Folds steps into dashboard cells: (creator, stream, local hour) -> counters."""

    def __init__(self, fest: Fest, *, spikes: SpikeSettings | None = None, top_gifters: int = 20) -> None:
        self._clock = FestClock(fest.calendar)
        self._start = fest.starts_at.timestamp()
        self.use_pack(fest)
        self._top_gifters = top_gifters
        self._detector = SpikeDetector(spikes or SpikeSettings())
        self._cells: dict[tuple[str, str, int], Cell] = {}
        self._stream_creator: dict[str, str] = {}
        self._users: dict[str, int] = {}
        self._presence: dict[str, Presence] = {}
        self._streaks: dict[tuple[str, str, str], int] = {}
        self._orders: dict[str, tuple[str, str]] = {}
        self._gifters: dict[str, list[Any]] = {}
        self._open: dict[int, dict[str, list[float]]] = {}
        self._watermark = float("-inf")
        self.spikes: list[Spike] = []
        self._handlers: dict[str, Callable[[Event, Step, float, int], None]] = {
            "view": self._view, "like": self._like, "comment": self._comment, "share": self._share,
            "follow": self._follow, "gift": self._gift, "fan_club_join": self._fan_club_join,
            "link_click": self._click, "product_view": self._product_view, "purchase": self._purchase,
            "refund": self._refund, "stream_started": self._stream_event, "stream_ended": self._stream_event,
        }  # fmt: skip

    def use_pack(self, fest: Fest) -> None:
        """Fold the next steps by ``fest``'s rules (a running fest moved to a changed pack): gift coins and
        coin values, the allowed lateness, the Fan Club layer. What was folded stays as it was."""
        economy = fest.economy
        self.fest = fest
        self._lateness = fest.allowed_lateness.total_seconds()
        self._gifts = {g.id: (g.coins, g.streakable) for g in economy.gifts.values()}
        self._coin_value = economy.coin_value
        self._default_channel = economy.default_channel
        self._joins_by_outcome = fest.fan_club is not None

    # ------------------------------------------------------------------ folding

    def observe(self, event: Event, step: Step) -> None:
        """Fold one applied event and its step (ignored unless the step was accepted)."""
        if step.accepted:
            self.fold(event, step)

    def fold(self, event: Event, step: Step) -> None:
        """Fold one event whose step the caller knows was accepted."""
        ts = event.occurred_at.timestamp()
        hour = self._clock.hour_of(ts)
        handler = self._handlers.get(event.type)
        if handler is not None:
            handler(event, step, ts, hour)
        for outcome in step.outcomes:
            if outcome.kind == "mission_completed":
                self._cell(event.creator_id, event.stream_id, hour).mission_completions += 1
            elif outcome.kind == "fan_club_joined" and self._joins_by_outcome:
                creator = str(getattr(outcome, "creator_id", event.creator_id) or "")
                stream = event.stream_id if event.creator_id == creator else None
                self._cell(creator, stream, hour).fan_club_joins += 1
        self._advance(ts)

    def observe_advance(self, step: Step, at: datetime) -> None:
        """Time passed without an event (``engine.advance_to(at)``): hours behind it can close."""
        self._advance(at.timestamp())

    def _cell(self, creator: str | None, stream: str | None, hour: int) -> Cell:
        key = (creator or _FEST, stream or "", hour)
        cell = self._cells.get(key)
        if cell is None:
            cell = self._cells[key] = Cell()
        if creator:
            self._activity(creator, hour)
        return cell

    def _activity(self, creator: str, hour: int) -> list[float]:
        """The creator's spike counters in an hour: [gift coins, product clicks, orders]."""
        creators = self._open.get(hour)
        if creators is None:
            creators = self._open[hour] = {}
        values = creators.get(creator)
        if values is None:
            values = creators[creator] = [0.0, 0.0, 0.0]
        return values

    def _stream_cell(self, event: Event, hour: int) -> Cell:
        creator, stream = event.creator_id or _FEST, event.stream_id
        if stream is not None and stream not in self._stream_creator:
            self._stream_creator[stream] = creator
        return self._cell(creator, stream, hour)

    # ------------------------------------------------------------------ event handlers

    def _stream_event(self, event: Event, _step: Step, _ts: float, hour: int) -> None:
        self._stream_cell(event, hour)

    def _view(self, event: Event, _step: Step, ts: float, hour: int) -> None:
        cell = self._stream_cell(event, hour)
        seconds = event.seconds or 0
        cell.views += 1
        cell.watch_seconds += seconds
        user = self._users.setdefault(event.user_id, len(self._users))
        cell.viewers.add(user)
        presence = self._presence.setdefault(event.stream_id or "", {})
        add_view(presence, ts, seconds, self._start)

    def _like(self, event: Event, _step: Step, _ts: float, hour: int) -> None:
        self._stream_cell(event, hour).likes += event.count or 1

    def _comment(self, event: Event, _step: Step, _ts: float, hour: int) -> None:
        self._stream_cell(event, hour).comments += 1

    def _share(self, event: Event, _step: Step, _ts: float, hour: int) -> None:
        self._stream_cell(event, hour).shares += 1

    def _follow(self, event: Event, _step: Step, _ts: float, hour: int) -> None:
        self._stream_cell(event, hour).follows += 1

    def _fan_club_join(self, event: Event, _step: Step, _ts: float, hour: int) -> None:
        cell = self._stream_cell(event, hour)
        if not self._joins_by_outcome:
            cell.fan_club_joins += 1

    def _product_view(self, event: Event, _step: Step, _ts: float, hour: int) -> None:
        self._stream_cell(event, hour).product_views += 1

    def _click(self, event: Event, _step: Step, _ts: float, hour: int) -> None:
        self._stream_cell(event, hour).product_clicks += 1
        if event.creator_id:
            self._activity(event.creator_id, hour)[1] += 1

    def _gift(self, event: Event, step: Step, _ts: float, hour: int) -> None:
        cell = self._stream_cell(event, hour)
        coins_each, streakable = self._gifts.get(event.gift_id or "", (0, False))
        added = self._gift_delta(event, streakable)
        if added <= 0:
            return
        coins = added * coins_each
        converted = _find(step, "gift_converted")
        if converted is not None:
            value = _amount(getattr(converted, "value", _ZERO))
        else:
            value = coins * self._coin_value.get(event.channel or self._default_channel, _ZERO)
        cell.gifts += added
        cell.gift_coins += coins
        cell.gift_value += value
        if event.creator_id:
            self._activity(event.creator_id, hour)[0] += coins
        gifter = self._gifters.setdefault(event.user_id, [0, 0, _ZERO])
        gifter[0] += added
        gifter[1] += coins
        gifter[2] += value

    def _gift_delta(self, event: Event, streakable: bool) -> int:
        """Gifts this event adds: a streak counts on its delta (the engine's rule, docs/events.md)."""
        per_event, repeat = event.count or 1, event.repeat_count or 1
        if not streakable:
            return per_event * repeat
        key = (event.user_id, event.stream_id or "", event.gift_id or "")
        before = self._streaks.get(key, 0)
        if repeat < before:
            before = 0
        if event.repeat_end:
            self._streaks.pop(key, None)
        else:
            self._streaks[key] = repeat
        return per_event * (repeat - before)

    def _purchase(self, event: Event, step: Step, _ts: float, hour: int) -> None:
        creator, stream = event.creator_id, event.stream_id
        recorded = _find(step, "order_recorded")
        if recorded is not None and getattr(recorded, "creator_id", None):
            attributed = str(getattr(recorded, "creator_id", ""))
            if getattr(recorded, "attribution", None) == "in_stream":
                stream = str(getattr(recorded, "attribution_source", stream) or "") or stream
            elif attributed != creator:
                stream = None
            creator = attributed
        cell = self._cell(creator, stream, hour)
        cell.orders += 1
        cell.gmv += event.amount or _ZERO
        self._orders[event.order_id or ""] = (creator or _FEST, stream or "")
        if creator:
            self._activity(creator, hour)[2] += 1

    def _refund(self, event: Event, _step: Step, _ts: float, hour: int) -> None:
        creator, stream = self._orders.get(event.order_id or "", (_FEST, ""))
        cell = self._cell(creator, stream, hour)
        cell.refunds += 1
        cell.refunded += event.amount or _ZERO

    # ------------------------------------------------------------------ spikes

    def _advance(self, ts: float) -> None:
        """Close the hours that no accepted event can reach any more (behind the allowed lateness)."""
        mark = ts - self._lateness
        if mark <= self._watermark:
            return
        self._watermark = mark
        if self._open and min(self._open) + _HOUR <= mark:
            for hour in sorted(h for h in self._open if h + _HOUR <= mark):
                self._close(hour)

    def _close(self, hour: int) -> None:
        label = self._clock.hour_label(hour)
        for creator, values in self._open.pop(hour).items():
            for metric, value in zip(SPIKE_METRICS, values, strict=True):
                spike = self._detector.feed(creator, metric, hour, label, value)
                if spike is not None:
                    self.spikes.append(spike)

    # ------------------------------------------------------------------ the result

    def finish(self) -> Dashboard:
        """Close every open hour and freeze the metrics (call once, after the last step)."""
        for hour in sorted(self._open):
            self._close(hour)
        return _Summarizer(self).dashboard()

    def current(self) -> Dashboard:
        """The dashboard so far, for a live view: nothing is closed, so the spikes are those of the hours
        already behind the allowed lateness; the projection goes on folding afterwards."""
        return _Summarizer(self).dashboard()

    def creator(self, creator_id: str) -> ScopeMetrics | None:
        """One creator's metrics so far, in total, per day and per hour (``None``: the creator never appeared)."""
        return _Summarizer(self).one("creator", creator_id)

    def stream(self, stream_id: str) -> ScopeMetrics | None:
        """One stream's metrics so far, in total and per hour (``None``: the stream never appeared)."""
        return _Summarizer(self).one("stream", stream_id)

    # ------------------------------------------------------------------ state (for a store to keep)

    def export_state(self) -> dict[str, Any]:
        """Everything the projection folded so far, as plain JSON values in a canonical order (sorted),
        so equal projections export equal values; :meth:`import_state` rebuilds the projection."""
        users = sorted(self._users, key=self._users.__getitem__)
        return {
            "cells": [
                [*key, *(str(v) if isinstance(v, Decimal) else v for v in (getattr(c, n) for n in COUNTERS)),
                 sorted(c.viewers)]
                for key, c in sorted(self._cells.items())
            ],
            "stream_creator": dict(sorted(self._stream_creator.items())),
            "users": users,
            "presence": {s: sorted(p.items()) for s, p in sorted(self._presence.items())},
            "streaks": [[*key, repeat] for key, repeat in sorted(self._streaks.items())],
            "orders": {o: list(where) for o, where in sorted(self._orders.items())},
            "gifters": {u: [g[0], g[1], str(g[2])] for u, g in sorted(self._gifters.items())},
            "open": [[h, sorted(c.items())] for h, c in sorted(self._open.items())],
            "watermark": None if self._watermark == float("-inf") else self._watermark,
            "spikes": [s.to_dict() for s in self.spikes],
            "history": self._detector.export_state(),
        }  # fmt: skip

    def import_state(self, state: dict[str, Any]) -> None:
        """Replace what this (new) projection folded with an exported state (``KeyError``/``TypeError``/
        ``ValueError`` if it is not one)."""
        cells: dict[tuple[str, str, int], Cell] = {}
        width = len(COUNTERS)
        for row in state["cells"]:
            cell = Cell()
            for name, value in zip(COUNTERS, row[3 : 3 + width], strict=True):
                setattr(cell, name, Decimal(value) if isinstance(getattr(cell, name), Decimal) else int(value))
            cell.viewers = {int(v) for v in row[3 + width]}
            cells[(str(row[0]), str(row[1]), int(row[2]))] = cell
        self._cells = cells
        self._stream_creator = {str(s): str(c) for s, c in state["stream_creator"].items()}
        self._users = {str(u): i for i, u in enumerate(state["users"])}
        self._presence = {str(s): {int(m): int(d) for m, d in p} for s, p in state["presence"].items()}
        self._streaks = {(str(u), str(s), str(g)): int(r) for u, s, g, r in state["streaks"]}
        self._orders = {str(o): (str(w[0]), str(w[1])) for o, w in state["orders"].items()}
        self._gifters = {str(u): [int(g[0]), int(g[1]), Decimal(g[2])] for u, g in state["gifters"].items()}
        self._open = {int(h): {str(c): [float(x) for x in v] for c, v in cs} for h, cs in state["open"]}
        mark = state["watermark"]
        self._watermark = float("-inf") if mark is None else float(mark)
        self.spikes = [Spike(**spike) for spike in state["spikes"]]
        self._detector.import_state(state["history"])


class _Summarizer:
    """Aggregates a projection's cells into frozen metrics per scope and bucket."""

    def __init__(self, projection: DashboardProjection) -> None:
        self.p = projection
        self.clock = projection._clock
        self.quantum = projection.fest.economy.quantum

    def dashboard(self) -> Dashboard:
        p = self.p
        Cells = list[tuple[tuple[str, str, int], Cell]]
        by_creator: dict[str, Cells] = {}
        by_stream: dict[str, Cells] = {}
        for key, cell in p._cells.items():
            if key[0]:
                by_creator.setdefault(key[0], []).append((key, cell))
            if key[1]:
                by_stream.setdefault(key[1], []).append((key, cell))
        watched: dict[str, list[Presence]] = {}
        for stream, presence in p._presence.items():
            watched.setdefault(p._stream_creator.get(stream, _FEST), []).append(presence)
        fest = self._scope("fest", p.fest.id, list(p._cells.items()), p._presence.values(), hourly=True)
        creators = [
            self._scope("creator", creator, by_creator[creator], watched.get(creator, []), hourly=False)
            for creator in sorted(by_creator)
        ]
        streams = [self._stream(stream, by_stream[stream]) for stream in sorted(by_stream)]
        gifters = sorted(p._gifters.items(), key=lambda item: (-item[1][1], item[0]))[: p._top_gifters]
        return Dashboard(
            currency=p.fest.economy.currency,
            timezone=str(p.fest.timezone),
            fest=fest,
            creators=tuple(creators),
            streams=tuple(streams),
            gifters=tuple(Gifter(user, gifts, coins, value) for user, (gifts, coins, value) in gifters),
            spikes=tuple(p.spikes),
            spike_settings=p._detector.settings,
        )

    def one(self, scope: str, scope_id: str) -> ScopeMetrics | None:
        """One creator (``scope="creator"``) or stream with its hourly buckets; ``None`` if never seen."""
        p = self.p
        index = 0 if scope == "creator" else 1
        cells = [(key, cell) for key, cell in p._cells.items() if key[index] == scope_id]
        if not scope_id or not cells:
            return None
        if scope == "stream":
            presences = [p._presence[scope_id]] if scope_id in p._presence else []
            found = self._scope("stream", scope_id, cells, presences, hourly=True)
            return attrs.evolve(found, creator_id=p._stream_creator.get(scope_id, cells[0][0][0]))
        watched = [presence for stream, presence in p._presence.items() if p._stream_creator.get(stream) == scope_id]
        return self._scope("creator", scope_id, cells, watched, hourly=True)

    def _stream(self, stream: str, cells: list[tuple[tuple[str, str, int], Cell]]) -> ScopeMetrics:
        p = self.p
        presences = [p._presence[stream]] if stream in p._presence else []
        scope = self._scope("stream", stream, cells, presences, hourly=False, daily=False)
        return attrs.evolve(scope, creator_id=p._stream_creator.get(stream, cells[0][0][0]))

    def _scope(
        self,
        scope: str,
        scope_id: str,
        cells: list[tuple[tuple[str, str, int], Cell]],
        presences: Iterable[Presence],
        *,
        hourly: bool,
        daily: bool = True,
    ) -> ScopeMetrics:
        presence: Presence = {}
        for one in presences:
            add_deltas(presence, one)
        hour_peaks = peaks_by_bucket(presence, self.clock.hour_of)
        day_peaks: dict[int, int] = {}
        for hour, peak in hour_peaks.items():
            day = self.clock.day_of(hour)
            day_peaks[day] = max(day_peaks.get(day, 0), peak)
        by_hour: dict[int, Cell] = {}
        by_day: dict[int, Cell] = {}
        total = Cell()
        for (_creator, _stream, hour), cell in cells:
            total.add(cell)
            if hourly:
                by_hour.setdefault(hour, Cell()).add(cell)
            if daily:
                by_day.setdefault(self.clock.day_of(hour), Cell()).add(cell)
        peak = max(hour_peaks.values(), default=0)
        return ScopeMetrics(
            scope=scope,
            id=scope_id,
            total=Metrics.of(total, peak, self.quantum),
            daily=self._buckets(by_day, day_peaks, self.clock.day_label),
            hourly=self._buckets(by_hour, hour_peaks, self.clock.hour_label),
        )

    def _buckets(
        self, cells: dict[int, Cell], peaks: dict[int, int], label: Callable[[int], str]
    ) -> tuple[Bucket, ...]:
        return tuple(
            Bucket(key, label(key), Metrics.of(cells[key], peaks.get(key, 0), self.quantum)) for key in sorted(cells)
        )
