"""Leaderboards: the rankings a fest publishes, updated in O(1) per event and sorted only on query.

Each board of ``fest.leaderboards`` ranks viewers or creators ``by``:

* ``gift_coins``: coins of gifts (streaks counted once) sent by a viewer, or received by a creator;
* ``points``: a viewer's fest points (from :class:`~festengine.engine.outcomes.PointsAwarded`),
  or a creator's fest points (from the scoring rules, :class:`CreatorPointsEarned`);
* ``gmv``: the amount paid (``price * quantity - discount``) of purchases, by the buyer or by the
  purchase's ``creator_id``; a refund takes its amount off the board(s) the purchase counted in.

A board has one *partition* per scope (everyone; each creator; each stream: the event's
``creator_id`` / ``stream_id``) and, for ``period: daily``, per local fest day. Viewer points from
rewards belong to the creator and stream of the event that caused them, when it has them.

Ranking: highest score first; equal scores rank by who reached their score first (the partition
counts its updates, so this is the engine's event order). Entries at zero or below are not ranked.
"""

from __future__ import annotations

import heapq
from datetime import date
from typing import TYPE_CHECKING, cast

import attrs

from festengine._share import share
from festengine.catalog.model import Fest, Leaderboard
from festengine.engine.component import Handler, StepContext
from festengine.engine.outcomes import PointsAwarded
from festengine.events import Event
from festengine.social.outcomes import CreatorPointsEarned
from festengine.social.rules import DayClock, Number

if TYPE_CHECKING:
    from festengine.social.snapshot import LeaderboardsData

__all__ = ["LeaderboardEntry", "LeaderboardPosition", "Leaderboards", "Order", "Partition"]


class Partition:
    """One ranking of a board (the board key's state): entity -> score, entity -> the tick (update count)
    when that score was reached, both in the order entities first appeared, and the update count."""

    __slots__ = ("scores", "tick", "ticks")

    def __init__(self) -> None:
        self.scores: dict[str, Number] = {}
        self.ticks: dict[str, int] = {}
        self.tick = 0

    def add(self, entity: str, amount: Number) -> None:
        """Add ``amount`` to the entity's score."""
        self.tick = tick = self.tick + 1
        scores = self.scores
        score = scores.get(entity)
        if score is None:
            entity = share(entity)
            scores[entity] = amount
        else:
            scores[entity] = score + amount
        self.ticks[entity] = tick

    def ranked(self) -> list[tuple[str, Number]]:
        return sorted(self._positive(), key=self._order)

    def top(self, size: int) -> list[tuple[str, Number]]:
        return heapq.nsmallest(size, self._positive(), key=self._order)

    def _positive(self) -> list[tuple[str, Number]]:
        return [item for item in self.scores.items() if item[1] > 0]

    def _order(self, item: tuple[str, Number]) -> tuple[Number, int]:
        """Highest score first; equal scores by who reached theirs first."""
        return -item[1], self.ticks[item[0]]

    def to_row(self) -> list[object]:
        """The partition as a snapshot stores it: ``[tick, [[entity, score, tick], ...]]``."""
        ticks = self.ticks
        return [self.tick, [[entity, score, ticks[entity]] for entity, score in self.scores.items()]]


_FEST, _CREATOR, _STREAM = 0, 1, 2


class _Board:
    """One leaderboard and its partitions (``""`` for the fest scope, else the creator or stream id;
    ``@<local date>`` appended for daily boards)."""

    __slots__ = ("daily", "partitions", "ranks_viewers", "scope", "spec")

    def __init__(self, spec: Leaderboard) -> None:
        self.spec = spec
        self.scope = {"fest": _FEST, "creator": _CREATOR}.get(spec.scope, _STREAM)
        self.daily = spec.period == "daily"
        self.ranks_viewers = spec.ranks == "viewers"
        #: partition key -> its ranking
        self.partitions: dict[str, Partition] = {}


class Order:
    """A purchase on the GMV boards (the order key's state): who bought, where, when, and what of its
    amount is not refunded yet."""

    __slots__ = ("buyer", "creator", "left", "stream", "ts")

    def __init__(self, buyer: str, creator: str | None, stream: str | None, ts: float, left: Number) -> None:
        self.buyer = buyer
        self.creator = creator
        self.stream = stream
        self.ts = ts
        self.left = left

    def to_row(self) -> list[object]:
        """The order as a snapshot stores it: ``[buyer, creator, stream, ts, left]``."""
        return [self.buyer, self.creator, self.stream, self.ts, self.left]

    @classmethod
    def from_row(cls, row: list[object]) -> Order:
        """An order back from :meth:`to_row` (the row was checked on restore)."""
        buyer, creator, stream, ts, left = row
        return cls(
            cast(str, buyer),
            cast("str | None", creator),
            cast("str | None", stream),
            cast(float, ts),
            cast(Number, left),
        )


@attrs.frozen(slots=True)
class LeaderboardEntry:
    rank: int
    entity_id: str
    score: Number


@attrs.frozen(slots=True)
class LeaderboardPosition:
    """An entity's rank (1 = first) and the entries around it; ``ranked`` is how many are ranked."""

    board_id: str
    entity_id: str
    rank: int
    score: Number
    entries: tuple[LeaderboardEntry, ...]
    ranked: int


class Leaderboards:
    """Every leaderboard of the fest."""

    def __init__(self, fest: Fest, days: DayClock) -> None:
        self._days = days
        self._boards = {spec.id: _Board(spec) for spec in fest.leaderboards.values()}
        boards = list(self._boards.values())
        self._gifts = tuple(b for b in boards if b.spec.by == "gift_coins")
        self._gmv = tuple(b for b in boards if b.spec.by == "gmv")
        self._viewer_points = tuple(b for b in boards if b.spec.by == "points" and b.ranks_viewers)
        self._creator_points = tuple(b for b in boards if b.spec.by == "points" and not b.ranks_viewers)
        #: order id -> the purchase
        self._orders: dict[str, Order] = {}
        #: the fest day whose ``"@<local date>"`` suffix of daily partitions was last made, and that suffix
        self._suffix_day: int | None = None
        self._suffix = ""

    @property
    def ranks_viewer_points(self) -> bool:
        return bool(self._viewer_points)

    @property
    def ranks_creator_points(self) -> bool:
        return bool(self._creator_points)

    def handler(self, event_type: str) -> Handler | None:
        """What an event of ``event_type`` adds to the boards (gifts, purchases, refunds), or ``None``."""
        if event_type == "gift" and self._gifts:
            return self._on_gift
        if event_type == "purchase" and self._gmv:
            return self._on_purchase
        if event_type == "refund" and self._gmv:
            return self._on_refund
        return None

    # ------------------------------------------------------------------ updates

    def _update(
        self,
        boards: tuple[_Board, ...],
        viewer: str | None,
        creator: str | None,
        stream: str | None,
        ts: float,
        amount: Number,
    ) -> None:
        """Add ``amount`` to the viewer's or creator's score on each board, in its partition."""
        suffix: str | None = None
        for board in boards:
            entity = viewer if board.ranks_viewers else creator
            if entity is None:
                continue
            scope = board.scope
            key: str | None = "" if scope == _FEST else creator if scope == _CREATOR else stream
            if key is None:
                continue
            if board.daily:
                if suffix is None:
                    suffix = self._day_suffix(ts)
                key += suffix
            partition = board.partitions.get(key)
            if partition is None:
                partition = board.partitions[key] = Partition()
            partition.add(entity, amount)

    def _day_suffix(self, ts: float) -> str:
        """``"@<local date>"`` of the fest day ``ts`` falls in (made once per day)."""
        days = self._days
        day = days.day if days.start <= ts < days.end else days.day_of(ts)
        if day != self._suffix_day:
            self._suffix_day, self._suffix = day, "@" + days.label(day)
        return self._suffix

    def _on_gift(self, event: Event, ctx: StepContext) -> None:
        coins = event.coins
        if coins:
            self._update(self._gifts, event.user_id, event.creator_id, event.stream_id, ctx.ts, coins)

    def _on_purchase(self, event: Event, ctx: StepContext) -> None:
        amount = event.amount
        if not amount:
            return
        creator, stream = event.creator_id, event.stream_id
        self._orders[event.order_id or ""] = Order(event.user_id, creator, stream, ctx.ts, amount)
        self._update(self._gmv, event.user_id, creator, stream, ctx.ts, amount)

    def _on_refund(self, event: Event, ctx: StepContext) -> None:
        order_id = event.order_id or ""
        order = self._orders.get(order_id)
        if order is None or not event.amount:
            return
        taken = min(event.amount, order.left)
        if taken <= 0:
            return
        order.left -= taken
        self._update(self._gmv, order.buyer, order.creator, order.stream, order.ts, -taken)

    def on_viewer_points(self, outcome: PointsAwarded, ctx: StepContext) -> None:
        """Viewer fest points, in the scopes of the event that caused them."""
        event = ctx.event
        creator = event.creator_id if event is not None else None
        stream = event.stream_id if event is not None else None
        self._update(self._viewer_points, outcome.user_id, creator, stream, ctx.ts, outcome.points)

    def on_creator_points(self, outcome: CreatorPointsEarned, ctx: StepContext) -> None:
        """Creator fest points from the scoring rules."""
        stream = ctx.event.stream_id if ctx.event is not None else None
        self._update(self._creator_points, None, outcome.creator_id, stream, ctx.ts, outcome.points)

    # ------------------------------------------------------------------ queries

    def _board(self, board_id: str) -> _Board:
        board = self._boards.get(board_id)
        if board is None:
            raise ValueError(f"there is no leaderboard {board_id!r}; known: {', '.join(self._boards) or 'none'}")
        return board

    def _partition(self, board_id: str, scope_id: str | None, day: date | None) -> tuple[_Board, Partition | None]:
        board = self._board(board_id)
        spec = board.spec
        if spec.scope != "fest" and scope_id is None:
            raise ValueError(f"leaderboard {board_id!r} has one ranking per {spec.scope}: name the {spec.scope} id")
        if spec.period == "daily" and day is None:
            raise ValueError(f"leaderboard {board_id!r} is daily: name the fest day")
        key = "" if spec.scope == "fest" else scope_id or ""
        if day is not None and spec.period == "daily":
            key = f"{key}@{day.isoformat()}"
        return board, board.partitions.get(key)

    def board(self, board_id: str) -> Leaderboard:
        """The leaderboard's definition."""
        return self._board(board_id).spec

    def top(
        self, board_id: str, scope_id: str | None = None, day: date | None = None, limit: int | None = None
    ) -> list[LeaderboardEntry]:
        """The first ``limit`` entries (the board's ``size`` by default), best first."""
        board, partition = self._partition(board_id, scope_id, day)
        if partition is None:
            return []
        size = board.spec.size if limit is None else limit
        return [LeaderboardEntry(rank, entity, score) for rank, (entity, score) in enumerate(partition.top(size), 1)]

    def position(
        self, board_id: str, entity_id: str, scope_id: str | None = None, day: date | None = None, around: int = 2
    ) -> LeaderboardPosition | None:
        """An entity's rank and up to ``around`` entries either side, or ``None`` if it is not ranked."""
        _, partition = self._partition(board_id, scope_id, day)
        if partition is None:
            return None
        ranked = partition.ranked()
        index = next((i for i, (entity, _) in enumerate(ranked) if entity == entity_id), None)
        if index is None:
            return None
        low, high = max(0, index - around), min(len(ranked), index + around + 1)
        entries = tuple(LeaderboardEntry(i + 1, ranked[i][0], ranked[i][1]) for i in range(low, high))
        return LeaderboardPosition(board_id, entity_id, index + 1, ranked[index][1], entries, len(ranked))

    # ------------------------------------------------------------------ snapshots

    def dump(self) -> dict[str, object]:
        """JSON-ready state, partitions and entries in the order they appeared."""
        boards = {
            board_id: {key: partition.to_row() for key, partition in board.partitions.items()}
            for board_id, board in self._boards.items()
        }
        return {"boards": boards, "orders": {order_id: order.to_row() for order_id, order in self._orders.items()}}

    def load(self, data: LeaderboardsData) -> None:
        """Restore what :meth:`dump` produced."""
        for board_id, partitions in data["boards"].items():
            board = self._boards[board_id]
            board.partitions.clear()
            for key, (last, rows) in partitions.items():  # rows as JSON gives them: see the snapshot module
                partition = board.partitions[key] = Partition()
                partition.tick = cast(int, last)
                for entity, score, tick in cast("list[list[object]]", rows):
                    partition.scores[cast(str, entity)] = cast(Number, score)
                    partition.ticks[cast(str, entity)] = cast(int, tick)
        self._orders = {order_id: Order.from_row(row) for order_id, row in data["orders"].items()}
