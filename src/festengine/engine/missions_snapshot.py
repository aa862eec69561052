"""What the viewer missions' part of a snapshot must look like (see :mod:`festengine.engine.shapes`).

Beyond each field's type, a restore checks what the missions' code relies on: mission ids name
viewer missions of the fest, of the right window kind for the table they are in; a state is one of
:class:`~festengine.engine.transitions.MissionState`; and every viewer that a closing window will
look up (a fixed window's members, a completion waiting in an open table) exists.
"""

from __future__ import annotations

import reprlib
from typing import Any, Final

from festengine.catalog.model import Fest, Subject, WindowKind
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
#: state, progress, completions, distinct values, streak periods, periods met, claim deadline, closed
_FIELDS: Final = (
    _STATE,
    _PROGRESS,
    COUNT,
    optional(list_of(_VALUE)),
    optional(list_of(row(_PERIOD, _PROGRESS))),
    optional(list_of(_PERIOD)),
    optional(TS),
    BOOL,
)


def _viewer_missions(fest: Fest, *kinds: WindowKind) -> set[str]:
    return {
        m.id for m in fest.missions.values() if m.subject is Subject.VIEWER and (not kinds or m.window.kind in kinds)
    }


def mission_snapshot_shape(fest: Fest) -> Shape:
    """The shape of ``Missions.dump()`` for ``fest``."""
    viewer = member(_viewer_missions(fest), "a viewer mission of the fest")
    recurring = member(_viewer_missions(fest, WindowKind.DAILY, WindowKind.WEEKLY), "a daily or weekly mission")
    in_streams = member(_viewer_missions(fest, WindowKind.STREAM), "a per-stream mission")
    fixed = member(
        _viewer_missions(fest) - _viewer_missions(fest, WindowKind.DAILY, WindowKind.WEEKLY, WindowKind.STREAM),
        "a mission with a fixed window",
    )
    shape = record(
        viewers=dict_of(
            record(
                i=list_of(row(viewer, STR, *_FIELDS)),
                c=dict_of(COUNT, viewer),
                u=dict_of(optional(STR), viewer),
            )
        ),
        open=list_of(row(recurring, STR, list_of(row(STR, *_FIELDS)))),
        streams=list_of(row(STR, list_of(row(STR, in_streams, *_FIELDS)))),
        members=list_of(row(fixed, STR, list_of(STR))),
        closed=list_of(STR),
        ended=dict_of(TS),
    )

    def whole(value: Any) -> None:
        shape(value)
        _check_references(value)

    return whole


def _check_references(data: dict[str, Any]) -> None:
    """Every viewer a closing window looks up is there, with the instance it looks for."""
    viewers = data["viewers"]
    instances = {user: {(m, w) for m, w, *_ in raw["i"]} for user, raw in viewers.items()}
    for m, w, users in data["members"]:
        for user in users:
            if (m, w) not in instances.get(user, ()):
                raise Bad(f"viewer {user!r} is a member of window {w!r} of {m!r} without an instance there")
    waiting = [user for _m, _w, rows in data["open"] for user, state, *_ in rows if state == "completed"]
    waiting += [user for _w, rows in data["streams"] for user, _m, state, *_ in rows if state == "completed"]
    for user in waiting:
        if user not in viewers:
            raise Bad(f"viewer {user!r} has a completion in an open window but is not among the viewers")


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

    def shape(value: Any) -> None:
        kind = value[0] if type(value) is list and value else None
        if type(kind) is not str or kind not in shapes:
            raise Bad(f"expected a missions timer (window, deadline or stream), found {reprlib.repr(value)}")
        shapes[kind](value)

    return shape
