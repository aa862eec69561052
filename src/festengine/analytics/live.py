"""The analytics a running fest keeps up to date: the dashboard and the creators' audiences, fed each
accepted step as it is applied, and stored as bytes alongside the engine's snapshots.

``LiveAnalytics(fest)`` folds ``observe(event, step)`` for every applied event, in order (a store does
it inside its write transaction). Its state is a set of rows, one per key (a cell of a creator, stream
and hour; a viewer; an order…, see :mod:`festengine.analytics.rows`): ``rows()`` gives them all,
``rows(changed_only=True)`` those changed since ``forget_changes()``, so a store writes only what a
stretch of events changed; ``from_rows`` rebuilds the projection, so a restarted store restores the
rows kept with its newest snapshot and folds the events logged after it, giving the same figures as a
projection that never stopped. ``to_bytes()`` is the canonical whole form (equal projections give
equal bytes: the sorted rows, compressed), for comparing projections and carrying one elsewhere.

Memory grows with what a dashboard must tell apart, not with the number of events: one cell of
counters (and the set of its viewers, as small ints) per creator, stream and local hour with
activity; one presence entry per stream and minute watched; one entry per order (refunds find
their order's cell); one per gifter; and, for creator fit, each viewer's profile and the viewers and
buyers of each creator.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Final

import msgspec

from festengine.analytics.audience import AudienceProjection, ViewerProfile, profile_of
from festengine.analytics.dashboard import DashboardProjection
from festengine.analytics.rows import Row, load_key, load_value
from festengine.catalog.model import Fest
from festengine.engine.core import Step
from festengine.events import Event

__all__ = ["STATE_VERSION", "LiveAnalytics"]

#: The version of the stored form (the rows); a stored projection of another version is not read (it is rebuilt).
STATE_VERSION: Final = 2

_DASHBOARD: Final = "dashboard."
_AUDIENCE: Final = "audience."


class LiveAnalytics:
    """The dashboard projection and the audience projection of one fest, fed together."""

    def __init__(self, fest: Fest, *, profile: Callable[[Event], ViewerProfile | None] = profile_of) -> None:
        self.fest = fest
        self.dashboard = DashboardProjection(fest)
        self.audience = AudienceProjection(fest, profile=profile)

    def observe(self, event: Event, step: Step) -> None:
        """Fold one applied event and its step (unaccepted steps change nothing)."""
        if step.accepted:
            self.dashboard.fold(event, step)
            self.audience.fold(event, step)

    def fold(self, event: Event, step: Step) -> None:
        """Fold one event whose step the caller knows was accepted."""
        self.dashboard.fold(event, step)
        self.audience.fold(event, step)

    def knows_viewer(self, user_id: str) -> bool:
        """Whether an accepted event named this viewer (any event, not only those naming a creator)."""
        return self.audience.knows(user_id)

    def upgrade(self, fest: Fest) -> None:
        """Fold the next steps by a changed pack's rules (call where the engine moves to it, also on replay)."""
        self.fest = fest
        self.dashboard.use_pack(fest)

    # ------------------------------------------------------------------ the stored form: rows

    def rows(self, *, changed_only: bool = False) -> Iterator[Row]:
        """Every row of the state, or (``changed_only``) those changed since :meth:`forget_changes`,
        a removed key with the value ``None``; part names say which projection a row is of."""
        for part, key, value in self.dashboard.rows(changed_only=changed_only):
            yield _DASHBOARD + part, key, value
        for part, key, value in self.audience.rows(changed_only=changed_only):
            yield _AUDIENCE + part, key, value

    def row_count(self) -> int:
        """How many rows :meth:`rows` gives in full (what a store holds once it wrote them)."""
        return self.dashboard.row_count() + self.audience.row_count()

    def forget_changes(self) -> None:
        """The changed rows were written: count changes from here."""
        self.dashboard.forget_changes()
        self.audience.forget_changes()

    @classmethod
    def from_rows(cls, fest: Fest, rows: Iterable[tuple[str, bytes, bytes]]) -> LiveAnalytics | None:
        """The projection the rows hold, folding on by ``fest`` (the pack in force at their position); ``None``
        if a row cannot be read (the caller rebuilds the projection from the event log)."""
        dashboard: list[tuple[str, Any, Any]] = []
        audience: list[tuple[str, Any, Any]] = []
        try:
            for part, key, value in rows:
                row = (part.partition(".")[2], load_key(key), load_value(value))
                if part.startswith(_DASHBOARD):
                    dashboard.append(row)
                elif part.startswith(_AUDIENCE):
                    audience.append(row)
                else:
                    return None
            live = cls(fest)
            live.dashboard.load_rows(dashboard)
            live.audience.load_rows(audience)
        except (msgspec.MsgspecError, ValueError, KeyError, TypeError, AttributeError, IndexError):
            return None
        return live

    # ------------------------------------------------------------------ the canonical whole form

    def to_bytes(self) -> bytes:
        """The canonical whole form: the version and every row, sorted, compressed."""
        rows = sorted((part, key.decode(), value.decode()) for part, key, value in self.rows() if value is not None)
        text = json.dumps({"version": STATE_VERSION, "rows": rows}, separators=(",", ":"), ensure_ascii=False)
        return zlib.compress(text.encode(), 6)

    @classmethod
    def from_bytes(cls, fest: Fest, data: bytes) -> LiveAnalytics | None:
        """The projection ``to_bytes`` gave, folding on by ``fest``; ``None`` if the bytes are of another
        version, or damaged."""
        try:
            state = json.loads(zlib.decompress(data))
            if not isinstance(state, dict) or state.get("version") != STATE_VERSION:
                return None
            rows = [(str(part), str(key).encode(), str(value).encode()) for part, key, value in state["rows"]]
        except (ValueError, KeyError, TypeError, zlib.error):
            return None
        return cls.from_rows(fest, rows)
