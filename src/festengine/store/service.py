"""The service layer the HTTP app calls: writes and queries over one :class:`FestStore`, as plain JSON values.

It knows nothing of HTTP. Every call holds one lock, so writes are serialized (one writer) and a
query never sees an engine in the middle of a batch. Refusals are exceptions the app maps to status
codes: :class:`BadEventsError` (422: nothing was applied) and :class:`NotFoundError` (404).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Mapping
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any, Final

import attrs

from festengine.analytics.audience import AgeRange, FitQuery
from festengine.analytics.dashboard import Dashboard
from festengine.analytics.repurpose import best_streams
from festengine.catalog.model import Subject
from festengine.engine.outcomes import outcome_to_dict
from festengine.errors import EventParseError, FestEngineError
from festengine.events import Event, parse_event
from festengine.store.store import FestStore

__all__ = [
    "BadEventsError",
    "BadRequestError",
    "FestService",
    "NotFoundError",
    "parse_body",
    "parse_body_texts",
    "plain",
]

#: The most events one request may carry.
MAX_EVENTS: Final = 10_000


class NotFoundError(FestEngineError, LookupError):
    """A request named an id the fest or the store does not know; the message says which."""


class BadRequestError(FestEngineError, ValueError):
    """A request's parameters are not acceptable; ``.problems`` says why. Nothing was changed."""

    def __init__(self, problems: list[dict[str, Any]]) -> None:
        self.problems = problems
        super().__init__("; ".join("; ".join(p["reasons"]) for p in problems))


class BadEventsError(BadRequestError):
    """A request's events could not be parsed; ``.problems`` says which (by index) and why. Nothing was applied."""


def parse_body(body: bytes) -> list[Event]:
    """Events from a request body: one JSON object, a JSON array of them, or JSON Lines."""
    return parse_body_texts(body)[0]


def parse_body_texts(body: bytes) -> tuple[list[Event], list[bytes | None]]:
    """``parse_body``, and for each event the text it was parsed from (``None`` for an array's item,
    which was read as a mapping), which the store's log keeps instead of writing the event again."""
    text = body.strip()
    if not text:
        raise BadEventsError([{"index": 0, "reasons": ["the body is empty: send an event, an array or JSON Lines"]}])
    items: list[Any]
    if text.startswith(b"["):
        try:
            items = json.loads(text)
        except ValueError as error:
            raise BadEventsError([{"index": 0, "reasons": [f"the body is not a JSON array: {error}"]}]) from None
    else:
        items = _whole_object(text) or [line for line in text.splitlines() if line.strip()]
    if len(items) > MAX_EVENTS:
        raise BadEventsError([{"index": MAX_EVENTS, "reasons": [f"at most {MAX_EVENTS:,} events per request"]}])
    events: list[Event] = []
    texts: list[bytes | None] = []
    problems: list[dict[str, Any]] = []
    for index, item in enumerate(items):
        try:
            events.append(parse_event(item))
        except EventParseError as error:
            problems.append({"index": index, "reasons": list(error.reasons)})
        texts.append(item if isinstance(item, bytes) else None)
    if problems:
        raise BadEventsError(problems)
    return events, texts


def _whole_object(text: bytes) -> list[Any]:
    """``[object]`` if the body is one JSON object (possibly over several lines), else ``[]``."""
    if b"\n" not in text:
        return [text]
    try:
        value = json.loads(text)
    except ValueError:
        return []
    return [value] if isinstance(value, dict) else []


def plain(value: Any) -> Any:
    """A query result as JSON values: attrs records to objects, decimals to strings, times to ISO text."""
    if attrs.has(type(value)):
        return {field.name: plain(getattr(value, field.name)) for field in attrs.fields(type(value))}
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Mapping):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    return value


#: The largest share of the service's time that summarizing the dashboard may take (it holds the lock).
DASHBOARD_SHARE: Final = 0.2


@attrs.frozen(slots=True)
class _CachedDashboard:
    """The last dashboard answer: the position it is of, and when (service clock) it may be summarized again."""

    position: int
    dashboard: Dashboard
    data: dict[str, Any]
    next_at: float


class FestService:
    """Writes and queries of one store, serialized by one lock."""

    def __init__(self, store: FestStore, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.store = store
        self._lock = threading.Lock()
        #: measures how long a dashboard summary holds the lock (never read by the engine)
        self._clock = clock
        self._dashboard: _CachedDashboard | None = None

    @property
    def lock(self) -> threading.Lock:
        """The lock every write and query holds (an admin change of pack too)."""
        return self._lock

    def post_events(self, body: bytes) -> list[dict[str, Any]]:
        """Apply the body's events in one transaction; each event's id and outcomes, in order."""
        events, texts = parse_body_texts(body)
        with self._lock:
            steps = self.store.apply_batch(events, texts=texts)
        return [{"event_id": s.event_id, "outcomes": [outcome_to_dict(o) for o in s.outcomes]} for s in steps]

    def health(self) -> dict[str, Any]:
        with self._lock:
            engine = self.store.engine
            return {
                "status": "ok",
                "fest": self.store.fest.id,
                "events": self.store.position,
                "snapshot_position": self.store.snapshot_position,
                "clock": None if engine.clock is None else engine.clock.isoformat(),
            }

    def missions(self, user_id: str) -> list[Any]:
        with self._lock:
            self._viewer(user_id)
            return [plain(status) for status in self.store.engine.missions(user_id)]

    def badges(self, user_id: str) -> dict[str, str]:
        with self._lock:
            self._viewer(user_id)
            return self.store.engine.badges(user_id)

    def points(self, user_id: str) -> dict[str, Any]:
        with self._lock:
            self._viewer(user_id)
            return {"user_id": user_id, "points": self.store.engine.points(user_id)}

    def credits(self, user_id: str) -> dict[str, Any]:
        with self._lock:
            self._viewer(user_id)
            engine = self.store.engine
            balance = engine.balance(f"viewer:{user_id}:credits")
            lots = [
                {
                    "amount": str(lot.amount.amount),
                    "expires_at": None if lot.expires_at is None else lot.expires_at.isoformat().replace("+00:00", "Z"),
                    "budget_id": lot.budget_id,
                }
                for lot in engine.credits(user_id)
            ]
            return {"user_id": user_id, "amount": str(balance.amount), "currency": balance.currency, "lots": lots}

    def leaderboard(
        self, board_id: str, around: str | None, scope_id: str | None, day: date | None, limit: int | None
    ) -> Any:
        if limit is not None and limit < 1:
            raise BadRequestError([{"index": 0, "reasons": ["limit: must be at least 1"]}])
        with self._lock:
            if board_id not in self.store.fest.leaderboards:
                raise NotFoundError(f"no leaderboard {board_id!r} in fest {self.store.fest.id!r}")
            engine = self.store.engine
            try:
                if around is None:
                    return [plain(entry) for entry in engine.leaderboard(board_id, scope_id, day, limit)]
                position = engine.leaderboard_position(board_id, around, scope_id, day)
            except ValueError as error:  # the board's own refusal, e.g. a scoped board without its scope id
                raise BadRequestError([{"index": 0, "reasons": [str(error)]}]) from None
            if position is None:
                raise NotFoundError(f"{around!r} is not ranked on leaderboard {board_id!r}")
            return plain(position)

    def community_goal(self, goal_id: str, subject_id: str | None) -> Any:
        with self._lock:
            mission = self.store.fest.missions.get(goal_id)
            if mission is None or mission.subject is Subject.VIEWER:
                raise NotFoundError(f"no community goal {goal_id!r} in fest {self.store.fest.id!r}")
            if subject_id is None:
                goals = self.store.engine.community_goals()
                return [plain(s) for s in goals if s.mission_id == goal_id]
            status = self.store.engine.community_goal(goal_id, subject_id)
            if status is None:
                raise NotFoundError(f"community goal {goal_id!r} has not started for {subject_id!r}")
            return plain(status)

    def active_promotions(self, user_id: str, stream_id: str | None, at: datetime | None) -> list[Any]:
        with self._lock:
            if at is not None and at.tzinfo is None:
                raise BadRequestError([{"index": 0, "reasons": ["at: give a time zone, e.g. 2026-06-20T12:00:00Z"]}])
            engine = self.store.engine
            moment = at or engine.clock or self.store.fest.starts_at
            return [plain(p) for p in engine.active_promotions(user_id, moment, stream_id=stream_id)]

    # ------------------------------------------------------------------ the live dashboard and creator fit

    def dashboard(self) -> dict[str, Any]:
        """The fest's dashboard so far: fest, creators and streams, top gifters, spikes detected so far.

        Every poller shares one answer, ``events`` saying the position it is of. It is summarized again
        once events were logged since, but no sooner than its last summary's cost allows: summarizing
        holds the lock writes need, and may take at most :data:`DASHBOARD_SHARE` of the time.
        """
        with self._lock:
            return self._summary().data

    def _summary(self) -> _CachedDashboard:
        """The shared dashboard answer, summarized again if it is out of date and its cost allows (hold the lock)."""
        position = self.store.position
        cached = self._dashboard
        started = self._clock()
        if cached is None or (cached.position != position and started >= cached.next_at):
            dashboard = self.store.analytics.dashboard.current()
            data = {"events": position, **dashboard.to_dict()}
            finished = self._clock()
            pause = (finished - started) * (1.0 - DASHBOARD_SHARE) / DASHBOARD_SHARE
            cached = self._dashboard = _CachedDashboard(position, dashboard, data, finished + pause)
        return cached

    def dashboard_creator(self, creator_id: str) -> dict[str, Any]:
        """One creator's metrics in total, per day and per hour, with its spikes and its audience."""
        with self._lock:
            analytics = self.store.analytics
            scope = analytics.dashboard.creator(creator_id)
            if scope is None:
                raise NotFoundError(f"no accepted event names creator {creator_id!r} in this fest")
            spikes = [s.to_dict() for s in analytics.dashboard.spikes if s.scope_id == creator_id]
            audience = analytics.audience.composition(creator_id)
            return {"events": self.store.position, **scope.to_dict(), "spikes": spikes, "audience": audience}

    def dashboard_stream(self, stream_id: str) -> dict[str, Any]:
        """One stream's metrics in total and per hour."""
        with self._lock:
            scope = self.store.analytics.dashboard.stream(stream_id)
            if scope is None:
                raise NotFoundError(f"no accepted event names stream {stream_id!r} in this fest")
            return {"events": self.store.position, **scope.to_dict()}

    def best_streams(self, by: str, limit: int, min_views: int) -> dict[str, Any]:
        """The streams that did best by ``by`` (gpm, conversion, gifts_per_viewer), for repurposing."""
        try:
            with self._lock:
                summary = self._summary()
                ranked = best_streams(summary.dashboard, by=by, limit=limit, min_views=min_views)
        except ValueError as error:
            raise BadRequestError([{"index": 0, "reasons": [str(error)]}]) from None
        return {"events": summary.position, "by": by, "min_views": min_views, "streams": [s.to_dict() for s in ranked]}

    def creator_fit(self, region: str | None, age: str | None, category: str | None, min_sample: int) -> dict[str, Any]:
        """Creators ranked by how well their audience matches the target, with the figures behind each rank."""
        try:
            query = FitQuery(
                region=region, age=None if age is None else AgeRange.parse(age), category=category,
                min_sample=min_sample,
            )  # fmt: skip
        except ValueError as error:
            raise BadRequestError([{"index": 0, "reasons": [str(error)]}]) from None
        with self._lock:
            return self.store.analytics.audience.fit(query).to_dict()

    def creator_audience(self, creator_id: str) -> dict[str, Any]:
        """A creator's audience composition: regions, age bands, categories bought, repeat buyers."""
        with self._lock:
            composition = self.store.analytics.audience.composition(creator_id)
        if composition is None:
            raise NotFoundError(f"no accepted event names creator {creator_id!r} in this fest")
        return composition

    def _viewer(self, user_id: str) -> None:
        if not self.store.has_user(user_id):
            raise NotFoundError(f"no event from viewer {user_id!r} was accepted in this fest")
