"""Restoring an engine's state from a decoded snapshot, checking every field before it is used.

The engine's own part (clock, seen event ids, timers) is checked here; each component's part
against the shape the component declares (:meth:`~festengine.engine.component.Component.snapshot_shape`),
and each timer's payload against the shape of the component that set it. Only then do the
components' ``load()`` run. Anything that does not fit raises :class:`~festengine.errors.SnapshotError`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final, cast

from festengine.engine.shapes import (
    COUNT,
    STR,
    TS,
    Bad,
    Shape,
    check,
    integer,
    list_of,
    member,
    optional,
    record,
    row,
    unique,
)
from festengine.limits import EARLIEST_TIME, LATEST_TIME

if TYPE_CHECKING:
    from festengine.engine.core import EngineCore

__all__ = ["restore_state"]

_MINUTE: Final = integer(int(EARLIEST_TIME.timestamp() // 60), int(LATEST_TIME.timestamp() // 60))


def restore_state(engine: EngineCore, state: dict[str, Any]) -> None:
    """Put a freshly built engine in the state a decoded snapshot holds, or raise ``SnapshotError``."""
    components = engine.components
    check(_state_shape(engine), state, "snapshot")
    check(_timers_shape(engine, state["timer_seq"]), state["timers"], "snapshot.timers")
    engine._clock = state["clock"]
    for minute, ids in state["seen"]:
        engine._seen_buckets[minute] = list(ids)
        for event_id in ids:
            engine._seen[event_id] = minute
    engine._routing.timers = [(due, seq, name, payload) for due, seq, name, payload in state["timers"]]
    engine._routing.timer_seq = state["timer_seq"]
    engine._received = set(state["received"])
    for name, component in components.items():
        component.load(state["components"][name])


def _state_shape(engine: EngineCore) -> Shape:
    def seen(value: object) -> None:
        list_of(row(_MINUTE, list_of(STR)))(value)
        value = cast(list[list[Any]], value)  # rows read from JSON are lists (a compiled build checks casts)
        unique((event_id for _minute, ids in value for event_id in ids), "event id")
        unique((minute for minute, _ids in value), "minute")

    def received(value: object) -> None:
        list_of(STR)(value)
        unique(cast(list[str], value), "message id")

    return record(
        version=COUNT,
        fest=STR,
        clock=optional(TS),
        seen=seen,
        timers=list_of(row(TS, COUNT, member(engine.components, "a component's name"), _anything)),
        timer_seq=COUNT,
        received=received,
        components=record(**{name: c.snapshot_shape() for name, c in engine.components.items()}),
    )


def _timers_shape(engine: EngineCore, issued: int) -> Shape:
    """Each payload fits its component's timer shape; sequence numbers are unique and issued; a heap."""
    components = engine.components

    def shape(value: object) -> None:
        timers = cast(list[list[Any]], value)  # checked as rows of four by the state's shape (lists, from JSON)
        for index, (_due, _seq, name, payload) in enumerate(timers):
            try:
                components[name].timer_shape()(payload)
            except Bad as bad:
                bad.path.append(f"[{index}][3]")
                raise
        unique((seq for _due, seq, _name, _payload in timers), "timer number")
        if any(seq > issued for _due, seq, _name, _payload in timers):
            raise Bad(f"a timer's number is above timer_seq ({issued}), the last one issued")
        keys = [(due, seq) for due, seq, _name, _payload in timers]
        for index in range(1, len(keys)):
            if keys[(index - 1) // 2] > keys[index]:
                raise Bad(f"timer {index} is due before its parent in the queue (not a heap)")

    return shape


def _anything(value: object) -> None:
    """Checked afterwards, against the shape of the component the timer belongs to."""
