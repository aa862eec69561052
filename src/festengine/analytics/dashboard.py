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

import operator
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any, Final

import attrs

from festengine.analytics.buckets import FestClock
from festengine.analytics.concurrency import Presence, add_deltas, add_view, peaks_by_bucket
from festengine.analytics.metrics import COUNTERS, Cell, Metrics
from festengine.analytics.rows import Part, Row, dump_key, part_rows
from festengine.analytics.spikes import SPIKE_METRICS, Spike, SpikeDetector, SpikeSettings
from festengine.catalog.model import Fest
from festengine.engine.core import Step
from festengine.engine.outcomes import Outcome
from festengine.events import Event

__all__ = ["Bucket", "Dashboard", "DashboardProjection", "Gifter", "ScopeMetrics"]

_ZERO: Final = Decimal(0)
_HOUR: Final = 3600
_FEST: Final = ""
_NEVER: Final = float("inf")


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
    """Folds steps into dashboard cells: (creator, stream, local hour) -> counters.

    Folding is plain counting: one cell per (creator, stream, hour) found in a dict and incremented in
    place, nothing built per outcome. The projection remembers the keys it changed since its rows
    were last written (:meth:`changed_rows`), so a store writes only those.
    """

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
        #: the open hour last touched and its creators (most events fall in the same hour as the one before)
        self._active_hour: int | None = None
        self._active: dict[str, list[float]] = {}
        #: per creator, its last active hours' spike counters, oldest first (the spikes' trailing baseline)
        self._trail: dict[str, deque[list[float]]] = {}
        self._watermark = float("-inf")
        #: when the earliest open hour can close (its end; ``_NEVER`` with no open hour)
        self._next_close: float = _NEVER
        self.spikes: list[Spike] = []
        self._parts = self._make_parts()

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
        kind = event.type
        if kind in _STREAM_KINDS:
            stream = event.stream_id
            if stream is not None and stream not in self._stream_creator:
                self._stream_creator[stream] = event.creator_id or _FEST
                self._changed_streams.add(stream)
            cell = self._cell(event.creator_id, stream, hour)
            if kind == "view":
                self._view(event, cell, ts)
            elif kind == "like":
                cell.likes += event.count or 1
            elif kind == "comment":
                cell.comments += 1
            elif kind == "share":
                cell.shares += 1
            elif kind == "follow":
                cell.follows += 1
            elif kind == "product_view":
                cell.product_views += 1
            elif kind == "link_click":
                cell.product_clicks += 1
                if event.creator_id:
                    self._activity(event.creator_id, hour)[1] += 1
            elif kind == "gift":
                self._gift(event, step, cell, hour)
            elif kind == "fan_club_join" and not self._joins_by_outcome:
                cell.fan_club_joins += 1
        elif kind == "purchase":
            self._purchase(event, step, hour)
        elif kind == "refund":
            self._refund(event, hour)
        for outcome in step.outcomes:
            if outcome.kind in _COUNTED_OUTCOMES:
                self._outcome(event, outcome, hour)
        mark = ts - self._lateness
        if mark > self._watermark:
            self._watermark = mark
            if mark >= self._next_close:
                self._close_until(mark)

    def observe_advance(self, step: Step, at: datetime) -> None:
        """Time passed without an event (``engine.advance_to(at)``): hours behind it can close."""
        mark = at.timestamp() - self._lateness
        if mark > self._watermark:
            self._watermark = mark
            if mark >= self._next_close:
                self._close_until(mark)

    def _outcome(self, event: Event, outcome: Outcome, hour: int) -> None:
        """A mission completion or a Fan Club join counts in the scope of the event that caused it."""
        if outcome.kind == "mission_completed":
            self._cell(event.creator_id, event.stream_id, hour).mission_completions += 1
        elif self._joins_by_outcome:  # fan_club_joined
            creator = str(getattr(outcome, "creator_id", event.creator_id) or "")
            stream = event.stream_id if event.creator_id == creator else None
            self._cell(creator, stream, hour).fan_club_joins += 1

    def _cell(self, creator: str | None, stream: str | None, hour: int) -> Cell:
        """The cell of a creator (or the fest), stream (or none) and hour, made when first needed; a
        creator's cell also marks the creator active in that hour (for spikes)."""
        key = (creator or _FEST, stream or "", hour)
        cell = self._cells.get(key)
        if cell is None:
            cell = self._cells[key] = Cell()
        self._changed_cells.add(key)
        if creator:
            self._activity(creator, hour)
        return cell

    def _activity(self, creator: str, hour: int) -> list[float]:
        """The creator's spike counters in an hour: [gift coins, product clicks, orders]."""
        if hour == self._active_hour:
            creators = self._active
        else:
            found = self._open.get(hour)
            if found is None:
                found = self._open[hour] = {}
                self._next_close = min(self._next_close, hour + _HOUR)
            creators = self._active = found
            self._active_hour = hour
            self._changed_open.add(hour)  # again after each write: forget_changes resets the active hour
        values = creators.get(creator)
        if values is None:
            values = creators[creator] = [0.0, 0.0, 0.0]
        return values

    # ------------------------------------------------------------------ what some events add

    def _view(self, event: Event, cell: Cell, ts: float) -> None:
        seconds = event.seconds or 0
        cell.views += 1
        cell.watch_seconds += seconds
        users, user_id = self._users, event.user_id
        user = users.get(user_id)
        if user is None:
            user = users[user_id] = len(users)
            self._changed_users.add(user_id)
        cell.viewers.add(user)
        stream = event.stream_id or ""
        presence = self._presence.get(stream)
        if presence is None:
            presence = self._presence[stream] = {}
        add_view(presence, ts, seconds, self._start)
        self._changed_presence.add(stream)

    def _gift(self, event: Event, step: Step, cell: Cell, hour: int) -> None:
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
        gifter = self._gifters.get(event.user_id)
        if gifter is None:
            gifter = self._gifters[event.user_id] = [0, 0, _ZERO]
        gifter[0] += added
        gifter[1] += coins
        gifter[2] += value
        self._changed_gifters.add(event.user_id)

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
        self._changed_streaks.add(key)
        return per_event * (repeat - before)

    def _purchase(self, event: Event, step: Step, hour: int) -> None:
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
        order_id = event.order_id or ""
        self._orders[order_id] = (creator or _FEST, stream or "")
        self._changed_orders.add(order_id)
        if creator:
            self._activity(creator, hour)[2] += 1

    def _refund(self, event: Event, hour: int) -> None:
        creator, stream = self._orders.get(event.order_id or "", (_FEST, ""))
        cell = self._cell(creator, stream, hour)
        cell.refunds += 1
        cell.refunded += event.amount or _ZERO

    # ------------------------------------------------------------------ spikes

    def _close_until(self, mark: float) -> None:
        """Close the hours that no accepted event can reach any more (ending at or before ``mark``, the
        latest event time less the allowed lateness)."""
        for hour in sorted(h for h in self._open if h + _HOUR <= mark):
            self._close(hour)
        self._next_close = min(self._open, default=_NEVER) + _HOUR

    def _close(self, hour: int) -> None:
        """Judge each creator active in the hour against its trailing hours, then add the hour to them."""
        self._changed_open.add(hour)
        if hour == self._active_hour:
            self._active_hour = None
        detector, trails, window = self._detector, self._trail, self._detector.settings.window
        for creator, values in self._open.pop(hour).items():
            trail = trails.get(creator)
            if trail is None:
                trail = trails[creator] = deque(maxlen=window)
            for index, metric in enumerate(SPIKE_METRICS):
                if values[index] >= detector.floors[metric]:
                    history = [counters[index] for counters in trail]
                    spike = detector.judge(creator, metric, hour, "", values[index], history)
                    if spike is not None:
                        self._changed_spikes.add(len(self.spikes))
                        self.spikes.append(attrs.evolve(spike, at=self._clock.hour_label(hour)))
            trail.append(values)
            self._changed_trails.add(creator)

    # ------------------------------------------------------------------ the result

    def finish(self) -> Dashboard:
        """Close every open hour and freeze the metrics (call once, after the last step)."""
        for hour in sorted(self._open):
            self._close(hour)
        self._next_close = _NEVER
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

    # ------------------------------------------------------------------ state as rows (for a store to keep)

    def _make_parts(self) -> tuple[Part, ...]:
        """The maps of the state, each a part of rows, with the sets of keys changed since the last write."""
        self._changed_cells: set[tuple[str, str, int]] = set()
        self._changed_streams: set[str] = set()
        self._changed_users: set[str] = set()
        self._changed_presence: set[str] = set()
        self._changed_streaks: set[tuple[str, str, str]] = set()
        self._changed_orders: set[str] = set()
        self._changed_gifters: set[str] = set()
        self._changed_open: set[int] = set()
        self._changed_trails: set[str] = set()
        self._changed_spikes: set[int] = set()
        return (
            Part("cell", self._cells, _cell_value, self._changed_cells),
            Part("stream", self._stream_creator, _same, self._changed_streams),
            Part("user", self._users, _same, self._changed_users),
            Part("presence", self._presence, _sorted_items, self._changed_presence),
            Part("streak", self._streaks, _same, self._changed_streaks),
            Part("order", self._orders, list, self._changed_orders),
            Part("gifter", self._gifters, _gifter_value, self._changed_gifters),
            Part("open", self._open, _sorted_items, self._changed_open),
            Part("trail", self._trail, list, self._changed_trails),
            Part("spike", _Indexed(self.spikes), Spike.to_dict, self._changed_spikes),
        )

    def rows(self, *, changed_only: bool = False) -> Iterator[Row]:
        """The state as rows (see :mod:`festengine.analytics.rows`): all of them, or only those changed
        since :meth:`forget_changes` (a removed key gives value ``None``). The watermark is always a row."""
        for part in self._parts:
            yield from part_rows(part, list(part.changed if changed_only else part.data))
        watermark = None if self._watermark == float("-inf") else self._watermark
        yield "clock", dump_key("watermark"), dump_key(watermark)

    def row_count(self) -> int:
        """How many rows :meth:`rows` gives in full."""
        return sum(len(part.data) for part in self._parts) + 1

    def forget_changes(self) -> None:
        """The rows were written: count changes from here."""
        for part in self._parts:
            part.changed.clear()
        self._active_hour = None

    def load_rows(self, rows: Iterable[tuple[str, Any, Any]]) -> None:
        """Fill this new projection from decoded rows ``(part, key, value)`` as :meth:`rows` wrote them
        (``KeyError``/``TypeError``/``ValueError`` if they are not such rows)."""
        spikes: dict[int, Spike] = {}
        for part, key, value in rows:
            if part == "cell":
                self._cells[(str(key[0]), str(key[1]), int(key[2]))] = _cell_of(value)
            elif part == "stream":
                self._stream_creator[str(key)] = str(value)
            elif part == "user":
                self._users[str(key)] = int(value)
            elif part == "presence":
                self._presence[str(key)] = {int(minute): int(change) for minute, change in value}
            elif part == "streak":
                self._streaks[(str(key[0]), str(key[1]), str(key[2]))] = int(value)
            elif part == "order":
                self._orders[str(key)] = (str(value[0]), str(value[1]))
            elif part == "gifter":
                self._gifters[str(key)] = [int(value[0]), int(value[1]), Decimal(value[2])]
            elif part == "open":
                self._open[int(key)] = {str(c): [float(x) for x in v] for c, v in value}
            elif part == "trail":
                window = self._detector.settings.window
                self._trail[str(key)] = deque(([float(x) for x in hour] for hour in value), maxlen=window)
            elif part == "spike":
                spikes[int(key)] = Spike(**value)
            elif part == "clock" and key == "watermark":
                self._watermark = float("-inf") if value is None else float(value)
            else:
                raise KeyError(f"unknown row {part}/{key}")
        self.spikes[:] = [spikes[index] for index in range(len(spikes))]
        self._next_close = min(self._open, default=_NEVER) + _HOUR
        if sorted(self._users.values()) != list(range(len(self._users))):
            raise ValueError("the viewers' numbers are not 0, 1, 2…")


#: A cell's counters in :data:`COUNTERS` order, and which of them are money (written as decimal text).
_COUNTER_VALUES: Final = operator.attrgetter(*COUNTERS)
_MONEY_COUNTERS: Final = tuple(i for i, value in enumerate(_COUNTER_VALUES(Cell())) if isinstance(value, Decimal))
#: The outcomes counted in the cells: mission completions and Fan Club joins.
_COUNTED_OUTCOMES: Final = frozenset(("mission_completed", "fan_club_joined"))
_STREAM_KINDS: Final = frozenset(
    ("view", "like", "comment", "share", "follow", "gift", "fan_club_join", "link_click", "product_view",
     "stream_started", "stream_ended")
)  # fmt: skip


def _same(value: object) -> object:
    return value


def _sorted_items(value: Mapping[Any, Any]) -> list[tuple[Any, Any]]:
    return sorted(value.items())


def _cell_value(cell: Cell) -> list[Any]:
    values: list[Any] = list(_COUNTER_VALUES(cell))
    for index in _MONEY_COUNTERS:
        values[index] = str(values[index])
    values.append(sorted(cell.viewers))
    return values


def _cell_of(value: list[Any]) -> Cell:
    cell = Cell()
    for name, count in zip(COUNTERS, value[: len(COUNTERS)], strict=True):
        setattr(cell, name, Decimal(count) if isinstance(getattr(cell, name), Decimal) else int(count))
    cell.viewers = {int(v) for v in value[len(COUNTERS)]}
    return cell


def _gifter_value(gifter: list[Any]) -> list[Any]:
    return [gifter[0], gifter[1], str(gifter[2])]


class _Indexed(Mapping[int, Any]):
    """A list seen as a map from index to item (the spikes, as rows keyed by their index)."""

    __slots__ = ("_items",)

    def __init__(self, items: list[Any]) -> None:
        self._items = items

    def __getitem__(self, index: int) -> Any:
        if not 0 <= index < len(self._items):
            raise KeyError(index)
        return self._items[index]

    def __iter__(self) -> Iterator[int]:
        return iter(range(len(self._items)))

    def __len__(self) -> int:
        return len(self._items)


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
