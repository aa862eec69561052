"""What the missions keep per viewer: mission instances and the viewer's mission facts.

A *mission instance* is one viewer's run at one mission in one window. Its class follows the
mission's measure: :class:`MissionInstance` for counts and sums, :class:`DistinctInstance` (the
values seen) and :class:`StreakInstance` (the periods met and those still short of the minimum).
Whether its window has closed is a fact of the window, kept by :mod:`.book`, not of each instance.

These records are mutable ``msgspec.Struct`` classes with ``gc=False``: typed fields like a slotted
class, but smaller and invisible to the cyclic garbage collector (they never take part in a reference
cycle), so millions of them cost the collector nothing. A viewer's instances are many and live long.
"""

from __future__ import annotations

from collections.abc import Hashable
from decimal import Decimal

import msgspec

from festengine.catalog.model import MeasureKind
from festengine.engine.transitions import MissionState

__all__ = [
    "DistinctInstance",
    "MissionInstance",
    "StreakInstance",
    "ViewerMissions",
    "WindowTable",
    "instance_class",
    "new_instance",
]

ACTIVE = MissionState.ACTIVE


class MissionInstance(msgspec.Struct, gc=False):
    """One viewer's run at a count or sum mission in one window."""

    state: MissionState = ACTIVE
    progress: int | Decimal = 0
    #: how many times it reached its target in this window
    completions: int = 0
    #: when the completion waiting to be claimed lapses (POSIX seconds), else ``None``
    deadline: float | None = None

    def restart(self) -> None:
        """Go round again in the same window (a repeatable mission, once claimed)."""
        self.state = ACTIVE
        self.progress = 0

    def holds_pending(self) -> bool:
        """Whether it keeps something although its progress never moved (a streak's short periods)."""
        return False


class DistinctInstance(MissionInstance, gc=False):
    """A run at a distinct measure: the progress is how many different values were seen."""

    #: the values seen, in the order first seen
    values: tuple[Hashable, ...] = ()

    def restart(self) -> None:
        super().restart()
        self.values = ()


class StreakInstance(MissionInstance, gc=False):
    """A run at a streak: the progress is the longest chain of periods met (gaps within grace)."""

    #: the periods that reached the minimum, in increasing order
    met: tuple[int, ...] = ()
    #: period -> amount so far, for periods not yet at the minimum (``None``: none)
    pending: dict[int, int] | None = None

    def restart(self) -> None:
        super().restart()
        self.met = ()
        self.pending = None

    def holds_pending(self) -> bool:
        return bool(self.pending)


def instance_class(kind: MeasureKind) -> type[MissionInstance]:
    """The class of the instances of a mission with a measure of ``kind``."""
    if kind is MeasureKind.DISTINCT:
        return DistinctInstance
    if kind is MeasureKind.STREAK:
        return StreakInstance
    return MissionInstance


def new_instance(kind: MeasureKind) -> MissionInstance:
    """A new, active instance of a mission with a measure of ``kind``."""
    return instance_class(kind)()


class ViewerMissions(msgspec.Struct, gc=False):
    """A viewer's missions: the instances kept with the viewer and what the viewer has done.

    Kept with the viewer are the instances of fixed windows (the fest, a phase, explicit dates) and
    the completions of closed days, weeks and streams still waiting for a claim; the instances of
    an open day, week or stream are in that window's :class:`WindowTable`. Empty maps are ``None``.
    """

    #: (mission id, window key) -> instance, in the order taken part in
    instances: dict[tuple[str, str], MissionInstance] = msgspec.field(default_factory=dict)
    #: mission id -> completions over all windows
    completed: dict[str, int] | None = None
    #: mission id -> the event that unlocked it (that event itself does not count toward it)
    unlocked: dict[str, str | None] | None = None

    def completions_of(self, mission_id: str) -> int:
        return 0 if self.completed is None else self.completed.get(mission_id, 0)

    def has_completed(self, mission_id: str) -> bool:
        return self.completed is not None and mission_id in self.completed

    def count_completion(self, mission_id: str) -> None:
        if self.completed is None:
            self.completed = {}
        self.completed[mission_id] = self.completed.get(mission_id, 0) + 1

    def unlocked_by(self, mission_id: str, default: str | None) -> str | None:
        return default if self.unlocked is None else self.unlocked.get(mission_id, default)

    def unlock(self, mission_id: str, event_id: str | None) -> None:
        if self.unlocked is None:
            self.unlocked = {}
        self.unlocked[mission_id] = event_id


class WindowTable(msgspec.Struct, gc=False):
    """The instances of one mission in one open day, week or stream, by user, in the order opened.

    When the window closes the table is dropped whole: only the completions still waiting for a
    claim, listed in ``waiting`` as they happen, move to their viewers.
    """

    instances: dict[str, MissionInstance] = msgspec.field(default_factory=dict)
    #: users whose instance completed waiting for a manual claim, in order (``None``: none)
    waiting: list[str] | None = None

    def await_claim(self, user: str) -> None:
        if self.waiting is None:
            self.waiting = [user]
        else:
            self.waiting.append(user)
