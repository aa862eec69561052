"""Windows opening and closing, on timers.

A fixed window (the fest, a phase, explicit dates) closes on a timer at its end plus the fest's
allowed lateness: each of its unfinished instances expires (a ``MissionExpired`` each, in the order
the viewers took part) and every instance stays with its viewer for the status query.

A day, a week or a stream closes by dropping its tables whole, without walking them: unfinished
instances go without an outcome (nothing can happen to them any more and nothing reads them);
only the completions waiting for a manual claim, listed as they happened, move to their viewers
until they are claimed or their deadline passes. A stream closes once its end plus the allowed
lateness has passed, or when the fest closes if it never ended.
"""

from __future__ import annotations

from typing import Any

from festengine.catalog.model import Fest, WindowKind
from festengine.engine.component import StepContext
from festengine.engine.missions.book import NAME, MissionBook
from festengine.engine.missions.claims import Claims
from festengine.engine.missions.rules import CountingRule, FixedWindow
from festengine.engine.missions.state import WindowTable
from festengine.engine.outcomes import MissionExpired
from festengine.engine.transitions import MissionState, check_transition
from festengine.events import Event

__all__ = ["Closing"]

ACTIVE, COMPLETED, EXPIRED = MissionState.ACTIVE, MissionState.COMPLETED, MissionState.EXPIRED


class Closing:
    """Opening windows (with the timers that close them), stream ends and closing."""

    def __init__(self, fest: Fest, book: MissionBook, claims: Claims) -> None:
        self._fest = fest
        self._book = book
        self._claims = claims
        #: missions whose instances live in a stream's tables
        self._stream_missions = tuple(
            mission_id for mission_id in book.tables if fest.missions[mission_id].window.kind is WindowKind.STREAM
        )

    def join(self, user: str, mission_id: str, fixed: FixedWindow, ctx: StepContext) -> None:
        """Note a new instance in a fixed window, where the timer closing the window will find it."""
        members = self._book.members.get(fixed.instance_key)
        if members is None:
            self._book.members[fixed.instance_key] = {user: None}
            ctx.schedule(fixed.closes, NAME, ["window", mission_id, fixed.key])
        else:
            members[user] = None

    def open_table(self, rule: CountingRule, window: str, closes: float | None, ctx: StepContext) -> WindowTable:
        """A new table for the mission's day, week (closing at ``closes``) or stream, with its timer."""
        table = rule.tables[window] = WindowTable()
        if closes is not None:
            ctx.schedule(closes, NAME, ["window", rule.mission_id, window])
            return table
        # closed when the stream's end arrives (plus lateness), else when the fest closes: one
        # timer per stream, set when the first of its missions' tables opens
        stream = window.removeprefix("stream:")
        if stream not in self._book.streams_with_tables:
            self._book.streams_with_tables.add(stream)
            ctx.schedule(self._book.fest_close, NAME, ["stream", stream])
        return table

    def stream_ended(self, event: Event, ctx: StepContext) -> None:
        """A stream ended: later events are not part of it; it closes after the allowed lateness."""
        stream = event.stream_id or ""
        book = self._book
        if stream not in book.closed_streams:
            book.stream_ends[stream] = min(book.stream_ends.get(stream, ctx.ts), ctx.ts)
        ctx.schedule(ctx.ts + book.lateness, NAME, ["stream", stream])

    def on_timer(self, payload: list[Any], ctx: StepContext) -> None:
        """A window's timer (``["window", mission id, window]``), a claim deadline's (``["deadline",
        user, mission id, window, completion]``) or a stream's (``["stream", stream id]``)."""
        what = payload[0]
        if what == "window":
            _what, mission_id, window = payload
            if mission_id in self._book.recurring:
                self._close_table(mission_id, window)
            else:
                self._close_fixed(mission_id, window, ctx)
        elif what == "deadline":
            _what, user, mission_id, window, completion = payload
            self._claims.deadline_passed(user, mission_id, window, completion, ctx)
        elif what == "stream":
            self._close_stream(payload[1])

    def _close_stream(self, stream: str) -> None:
        book = self._book
        book.closed_streams.add(stream)
        book.streams_with_tables.discard(stream)
        book.stream_ends.pop(stream, None)
        window = book.stream_keys.pop(stream, None) or "stream:" + stream
        for mission_id in self._stream_missions:
            self._close_table(mission_id, window)

    def _close_table(self, mission_id: str, window: str) -> None:
        """Drop a closed day's, week's or stream's table; its completions waiting for a claim move
        to their viewers."""
        table = self._book.tables[mission_id].pop(window, None)
        if table is None or table.waiting is None:
            return
        for user in table.waiting:
            instance = table.instances[user]
            if instance.state is COMPLETED:
                self._book.viewer(user).instances[(mission_id, window)] = instance

    def _close_fixed(self, mission_id: str, window: str, ctx: StepContext) -> None:
        """Close a fixed window for each of its members, in the order they took part: unfinished
        instances expire; every instance stays with its viewer."""
        book = self._book
        key = (mission_id, window)
        book.closed_windows.add(key)
        emit = ctx.emitter(MissionExpired)
        for user in book.members.pop(key, ()):
            instance = book.viewers[user].instances[key]
            if instance.state is ACTIVE:
                instance.state = check_transition(mission_id, ACTIVE, EXPIRED)
                if emit is None:  # nobody reads expiries: the state moved, nothing to build
                    continue
                expired = MissionExpired(
                    event_id=ctx.event_id,
                    subject=user,
                    mission_id=mission_id,
                    window=window,
                    previous_state=ACTIVE.value,
                    progress=instance.progress,
                )
                emit(expired)
