"""The missions' state, in one place the counting, closing, claims and queries share.

State is owned by the viewer key: a viewer's :class:`ViewerMissions` holds the instances of fixed
windows and the closed windows' completions waiting for a claim. The instances of an open day,
week or stream are kept per window instead (a :class:`WindowTable` per mission and window), so that
closing the window drops its table whole.
"""

from __future__ import annotations

from festengine.catalog.model import Fest, Subject
from festengine.engine.missions.rules import RECURRING, CountingRule, compile_rules
from festengine.engine.missions.state import MissionInstance, ViewerMissions, WindowTable
from festengine.events import Event

__all__ = ["NAME", "MissionBook"]

#: the component name the missions' timers come back to
NAME = "missions"


class MissionBook:
    """Every viewer's missions and the open windows' tables."""

    def __init__(self, fest: Fest) -> None:
        self.fest = fest
        self.lateness = fest.allowed_lateness.total_seconds()
        #: when the fest closes for good: a stream that never ended closes then
        self.fest_close = fest.ends_at.timestamp() + self.lateness
        self.viewers: dict[str, ViewerMissions] = {}
        #: mission id -> open window key -> table, for every mission whose window recurs
        self.tables: dict[str, dict[str, WindowTable]] = {
            m.id: {} for m in fest.missions.values() if m.subject is Subject.VIEWER and m.window.kind in RECURRING
        }
        self.rules: dict[str, tuple[CountingRule, ...]] = compile_rules(fest, self.tables)
        #: (mission id, fixed window key) -> that same tuple, shared by every instance in that window
        self.fixed_keys = {
            rule.fixed.instance_key: rule.fixed.instance_key
            for rules in self.rules.values()
            for rule in rules
            if rule.fixed is not None
        }
        #: missions whose windows recur: an instance kept with a viewer belongs to a closed window
        self.recurring = frozenset(self.tables)
        #: fixed window (mission id, window key) -> users with an instance there, in order
        self.members: dict[tuple[str, str], dict[str, None]] = {}
        #: fixed windows that have closed
        self.closed_windows: set[tuple[str, str]] = set()
        self.closed_streams: set[str] = set()
        #: open streams where a table of one of their missions opened (and set the stream's timer)
        self.streams_with_tables: set[str] = set()
        #: stream id -> when it ended, until its windows close: later events are not part of it
        self.stream_ends: dict[str, float] = {}
        #: stream id -> its window key (one shared string per open stream)
        self.stream_keys: dict[str, str] = {}

    def viewer(self, user: str) -> ViewerMissions:
        """The user's missions, made on first use."""
        viewer = self.viewers.get(user)
        if viewer is None:
            viewer = self.viewers[user] = ViewerMissions()
        return viewer

    def is_closed(self, mission_id: str, window: str) -> bool:
        """Whether the window of an instance kept with a viewer has closed."""
        return mission_id in self.recurring or (mission_id, window) in self.closed_windows

    def stream_window(self, event: Event, ts: float) -> str | None:
        """The window key of the event's stream, or ``None`` if it has no stream or happened after
        the stream ended or closed."""
        stream = event.stream_id
        if stream is None:
            return None
        ended = self.stream_ends.get(stream) if self.stream_ends else None
        if ended is not None and ts >= ended:
            return None
        key = self.stream_keys.get(stream)
        if key is None:
            if stream in self.closed_streams:
                return None
            key = self.stream_keys[stream] = "stream:" + stream
        return key

    def locate(self, user: str, mission_id: str, window: str) -> tuple[MissionInstance, WindowTable | None] | None:
        """The user's instance of a mission in a window and the open table holding it (``None``: it
        is kept with the viewer), if there is one."""
        tables = self.tables.get(mission_id)
        table = None if tables is None else tables.get(window)
        if table is not None:
            instance = table.instances.get(user)
            if instance is not None:
                return instance, table
        viewer = self.viewers.get(user)
        instance = None if viewer is None else viewer.instances.get((mission_id, window))
        return None if instance is None else (instance, None)

    def found(self, user: str, mission_id: str) -> list[tuple[str, MissionInstance]]:
        """The user's instances of a mission, ``(window, instance)``: those kept with the viewer in
        the order taken part in, then those in open windows, in the order the windows opened."""
        viewer = self.viewers.get(user)
        found = [] if viewer is None else [(w, i) for (m, w), i in viewer.instances.items() if m == mission_id]
        for window, table in self.tables.get(mission_id, {}).items():
            instance = table.instances.get(user)
            if instance is not None:
                found.append((window, instance))
        return found
