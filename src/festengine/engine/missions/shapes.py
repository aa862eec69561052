"""What the viewer missions' part of a snapshot must look like (see :mod:`festengine.engine.shapes`).

Beyond each field's type, a restore checks what the missions' code relies on: mission ids name
viewer missions of the fest, of the right window kind for the table they are in; a state is one of
:class:`~festengine.engine.transitions.MissionState`; an instance carries only its own measure's
fields (distinct values, streak periods); and every viewer or instance that a closing window or a
claim looks up (a fixed window's members, a completion waiting in an open table) exists.
"""

from __future__ import annotations

import reprlib
from typing import Final, cast

from festengine.catalog.model import Fest, MeasureKind, Subject, WindowKind
from festengine.engine.missions.snapshot import Data
from festengine.engine.shapes import (
    AMOUNT,
    BOOL,
    COUNT,
    STR,
    TS,
    Bad,
    Shape,
    any_of,
    dict_of,
    integer,
    list_of,
    member,
    optional,
    record,
    row,
)
from festengine.engine.transitions import MissionState

__all__ = ["mission_snapshot_shape", "mission_timer_shape"]

_STATE: Final = member({state.value for state in MissionState}, "a mission state")
_PROGRESS: Final = any_of(integer(-(2**53), 2**53), AMOUNT, what="a progress (a whole number or a decimal)")
_VALUE: Final = any_of(STR, integer(-(2**53), 2**53), AMOUNT, BOOL, what="a distinct value (text or a number)")
_PERIOD: Final = integer(-(2**31), 2**31)
#: state, progress, completions, distinct values, pending streak periods, periods met, claim deadline
_FIELDS: Final = (
    _STATE,
    _PROGRESS,
    COUNT,
    optional(list_of(_VALUE)),
    optional(list_of(row(_PERIOD, _PROGRESS))),
    optional(list_of(_PERIOD)),
    optional(TS),
)
_RECURRING: Final = (WindowKind.DAILY, WindowKind.WEEKLY, WindowKind.STREAM)


def _viewer_missions(fest: Fest, *kinds: WindowKind) -> set[str]:
    return {
        m.id for m in fest.missions.values() if m.subject is Subject.VIEWER and (not kinds or m.window.kind in kinds)
    }


def mission_snapshot_shape(fest: Fest) -> Shape:
    """The shape of the missions' ``dump()`` for ``fest``."""
    viewer = member(_viewer_missions(fest), "a viewer mission of the fest")
    recurring = member(_viewer_missions(fest, *_RECURRING), "a daily, weekly or per-stream mission")
    fixed = member(_viewer_missions(fest) - _viewer_missions(fest, *_RECURRING), "a mission with a fixed window")
    shape = record(
        viewers=dict_of(
            record(
                i=list_of(row(viewer, STR, *_FIELDS)),
                c=dict_of(COUNT, viewer),
                u=dict_of(optional(STR), viewer),
            )
        ),
        open=list_of(row(recurring, STR, list_of(row(STR, *_FIELDS)), list_of(STR))),
        members=list_of(row(fixed, STR, list_of(STR))),
        closed_windows=list_of(row(fixed, STR)),
        closed=list_of(STR),
        ended=dict_of(TS),
    )

    def whole(value: object) -> None:
        shape(value)
        data = cast(Data, value)  # of the shape just checked
        _check_measures(fest, data)
        _check_references(data)

    return whole


def _check_measure(fest: Fest, mission_id: str, fields: list[object]) -> None:
    """An instance carries only its own measure's fields."""
    kind = fest.missions[mission_id].measure.kind
    values, pending, met = fields[3:6]
    if values is not None and kind is not MeasureKind.DISTINCT:
        raise Bad(f"an instance of {mission_id!r} (a {kind.value} measure) has distinct values")
    if (pending is not None or met is not None) and kind is not MeasureKind.STREAK:
        raise Bad(f"an instance of {mission_id!r} (a {kind.value} measure) has streak periods")


def _check_measures(fest: Fest, data: Data) -> None:
    for raw in data["viewers"].values():
        for m, _w, *fields in raw["i"]:
            _check_measure(fest, m, fields)
    for m, _w, rows, _waiting in data["open"]:
        for _user, *fields in rows:
            _check_measure(fest, m, fields)


def _check_references(data: Data) -> None:
    """Every viewer a closing window looks up is there, with the instance it looks for."""
    viewers = data["viewers"]
    instances = {user: {(m, w) for m, w, *_ in raw["i"]} for user, raw in viewers.items()}
    for m, w, users in data["members"]:
        for user in users:
            if (m, w) not in instances.get(user, ()):
                raise Bad(f"viewer {user!r} is a member of window {w!r} of {m!r} without an instance there")
    for m, w, rows, waiting in data["open"]:
        in_table = {user for user, *_ in rows}
        for user in waiting:
            if user not in in_table:
                raise Bad(f"viewer {user!r} waits for a claim in window {w!r} of {m!r} without an instance there")


def mission_timer_shape(fest: Fest) -> Shape:
    """The payloads of the missions' timers: a window closing, a claim deadline, a stream closing."""
    viewer = member(_viewer_missions(fest), "a viewer mission of the fest")
    windowed = member(  # a stream's missions close with the stream, not with a window timer
        _viewer_missions(fest) - _viewer_missions(fest, WindowKind.STREAM), "a mission whose window closes on a timer"
    )
    shapes = {
        "window": row(STR, windowed, STR),
        "deadline": row(STR, STR, viewer, STR, COUNT),
        "stream": row(STR, STR),
    }

    def shape(value: object) -> None:
        kind = value[0] if type(value) is list and value else None
        if type(kind) is not str or kind not in shapes:
            raise Bad(f"expected a missions timer (window, deadline or stream), found {reprlib.repr(value)}")
        shapes[kind](value)

    return shape
