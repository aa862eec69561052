"""The missions' part of a snapshot: their state as JSON-ready data, and back.

An instance is written as its fields, ``[state, progress, completions, values, pending periods,
periods met, claim deadline]``, the measure's own fields ``null`` for other measures.
"""

from __future__ import annotations

from collections.abc import Hashable
from decimal import Decimal
from typing import Any

from festengine.catalog.model import Fest, WindowKind
from festengine.engine.missions.book import MissionBook
from festengine.engine.missions.state import (
    DistinctInstance,
    MissionInstance,
    StreakInstance,
    ViewerMissions,
    WindowTable,
    new_instance,
)
from festengine.engine.transitions import MissionState

__all__ = ["dump_book", "load_book"]

#: JSON-ready snapshot data (what :mod:`json` writes)
Data = dict[str, Any]


def _dumped(instance: MissionInstance) -> list[object]:
    values = list(instance.values) if isinstance(instance, DistinctInstance) else None
    pending = met = None
    if isinstance(instance, StreakInstance):
        pending = [[period, amount] for period, amount in (instance.pending or {}).items()]
        met = list(instance.met)
    return [instance.state.value, instance.progress, instance.completions, values, pending, met, instance.deadline]


def _loaded(
    fest: Fest,
    mission_id: str,
    state: str,
    progress: int | Decimal,
    completions: int,
    values: list[Hashable] | None,
    pending: list[tuple[int, int]] | None,
    met: list[int] | None,
    deadline: float | None,
) -> MissionInstance:
    """An instance from the fields :func:`_dumped` wrote."""
    instance = new_instance(fest.missions[mission_id].measure.kind)
    instance.state = MissionState(state)
    instance.progress = progress
    instance.completions = completions
    instance.deadline = deadline
    if isinstance(instance, DistinctInstance):
        instance.values = tuple(values or ())
    elif isinstance(instance, StreakInstance):
        instance.pending = dict(pending or ()) or None
        instance.met = tuple(met or ())
    return instance


def _dump_viewer(viewer: ViewerMissions) -> Data:
    return {
        "i": [[m, w, *_dumped(instance)] for (m, w), instance in viewer.instances.items()],
        "c": viewer.completed or {},
        "u": viewer.unlocked or {},
    }


def dump_book(book: MissionBook) -> Data:
    """The missions' state, in a deterministic order."""
    return {
        "viewers": {user: _dump_viewer(viewer) for user, viewer in book.viewers.items()},
        "open": [
            [m, w, [[user, *_dumped(instance)] for user, instance in table.instances.items()], table.waiting or []]
            for m, tables in book.tables.items()
            for w, table in tables.items()
        ],
        "members": [[m, w, list(users)] for (m, w), users in book.members.items()],
        "closed_windows": [list(key) for key in sorted(book.closed_windows)],
        "closed": sorted(book.closed_streams),
        "ended": book.stream_ends,
    }


def _load_viewer(fest: Fest, book: MissionBook, raw: Data) -> ViewerMissions:
    viewer = ViewerMissions()
    viewer.completed = dict(raw["c"]) or None
    viewer.unlocked = dict(raw["u"]) or None
    for m, w, *fields in raw["i"]:
        viewer.instances[book.fixed_keys.get((m, w), (m, w))] = _loaded(fest, m, *fields)
    return viewer


def load_book(fest: Fest, book: MissionBook, data: Data) -> None:
    """Restore what :func:`dump_book` wrote (already checked against the snapshot's shape)."""
    for tables in book.tables.values():
        tables.clear()  # emptied in place: the compiled rules hold these very dicts
    for m, w, rows, waiting in data["open"]:
        table = book.tables[m][w] = WindowTable()
        table.instances = {user: _loaded(fest, m, *fields) for user, *fields in rows}
        table.waiting = list(waiting) or None
    book.members = {(m, w): dict.fromkeys(users) for m, w, users in data["members"]}
    book.closed_windows = {(m, w) for m, w in data["closed_windows"]}
    book.closed_streams = set(data["closed"])
    stream_missions = {m.id for m in fest.missions.values() if m.window.kind is WindowKind.STREAM}
    book.streams_with_tables = {
        w.removeprefix("stream:") for m, w, _rows, _waiting in data["open"] if m in stream_missions
    }
    book.stream_ends = dict(data["ended"])
    book.stream_keys = {}
    book.viewers = {user: _load_viewer(fest, book, raw) for user, raw in data["viewers"].items()}
