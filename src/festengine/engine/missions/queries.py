"""What a viewer sees of their missions."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import attrs

from festengine.catalog.model import Fest, Mission, Subject
from festengine.engine.component import StepContext
from festengine.engine.missions.book import MissionBook
from festengine.engine.missions.prerequisites import Prerequisites
from festengine.engine.transitions import MissionState

__all__ = ["MissionStatus", "mission_status"]


@attrs.frozen(slots=True)
class MissionStatus:
    """What a viewer sees of one mission in one window."""

    mission_id: str
    title: str
    state: str
    window: str | None
    progress: int | Decimal
    target: int | Decimal
    completions: int
    #: when a completion waiting to be claimed lapses (an aware UTC datetime), else ``None``
    claim_deadline: datetime | None


def _not_started(book: MissionBook, prerequisites: Prerequisites, user: str, mission: Mission) -> MissionStatus:
    """The row of a mission the user has no instance of: locked until its prerequisites are met."""
    viewer = book.viewers.get(user)
    locked = mission.requires.any and not prerequisites.is_unlocked(viewer, mission.id)
    state = MissionState.LOCKED if locked and not prerequisites.met(user, viewer, mission) else MissionState.ACTIVE
    completions = 0 if viewer is None else viewer.completions_of(mission.id)
    return MissionStatus(mission.id, mission.title, state.value, None, 0, mission.target, completions, None)


def mission_status(fest: Fest, book: MissionBook, prerequisites: Prerequisites, user: str) -> list[MissionStatus]:
    """Every viewer mission for ``user``, in pack order: one row per window taken part in, or one
    row in state ``active`` (or ``locked``) with no progress for a mission not started. A mission's
    rows are those kept with the viewer in the order taken part in, then those of open days, weeks
    and streams in the order the windows opened."""
    rows: list[MissionStatus] = []
    for mission in fest.missions.values():
        if mission.subject is not Subject.VIEWER:
            continue
        found = book.found(user, mission.id)
        if not found:
            rows.append(_not_started(book, prerequisites, user, mission))
        for window, instance in found:
            deadline = StepContext.now_of(instance.deadline)
            rows.append(
                MissionStatus(
                    mission.id,
                    mission.title,
                    instance.state.value,
                    window,
                    instance.progress,
                    mission.target,
                    instance.completions,
                    deadline,
                )
            )
    return rows
