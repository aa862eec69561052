"""Prerequisites: a gated mission counts once the viewer has completed the missions it requires,
holds the badge tier it requires and has reached the fan-club level it requires.

Badges and fan-club levels belong to other parts of the engine: the missions read them through a
:class:`ViewerFacts` handed to them, and hear of changes through outcomes (a badge awarded, a
fan-club level reached) rather than by being called.
"""

from __future__ import annotations

from typing import Protocol

from festengine.catalog.model import Fest, Mission, Subject
from festengine.engine.component import StepContext
from festengine.engine.missions.book import MissionBook
from festengine.engine.missions.state import ViewerMissions
from festengine.engine.outcomes import BadgeAwarded, MissionUnlocked
from festengine.engine.transitions import MissionState, check_transition

__all__ = ["LevelReached", "Prerequisites", "ViewerFacts"]

_LOCKED = "\x00locked"  # a sentinel no event id can equal (ids are stripped, non-empty text)


class ViewerFacts(Protocol):
    """What the missions need to know of a viewer from elsewhere (profiles and fan clubs)."""

    def has_badge(self, user_id: str, badge: str, tier: str) -> bool:
        """Whether the user holds ``badge`` at ``tier`` or higher."""
        ...

    def fan_club_level(self, user_id: str) -> int:
        """The user's highest fan-club level over all clubs (0 when in none)."""
        ...


class LevelReached(Protocol):
    """The outcome saying a viewer's level in a fan club changed (the missions read these fields)."""

    @property
    def user_id(self) -> str: ...

    @property
    def new_level(self) -> int: ...


class Prerequisites:
    """Which gated missions are unlocked for which viewers, and unlocking them as facts change."""

    def __init__(self, fest: Fest, book: MissionBook, facts: ViewerFacts) -> None:
        self._book = book
        self._facts = facts
        viewer_missions = [m for m in fest.missions.values() if m.subject is Subject.VIEWER]
        #: mission id -> the viewer missions that require it
        self._dependents = {
            mission_id: tuple(fest.missions[d] for d in found if fest.missions[d].subject is Subject.VIEWER)
            for mission_id, found in fest.dependents.items()
        }
        self._badge_dependents: dict[str, tuple[Mission, ...]] = {}
        for mission in viewer_missions:
            if mission.requires.badge is not None:
                badge = mission.requires.badge.badge
                self._badge_dependents[badge] = (*self._badge_dependents.get(badge, ()), mission)
        self._level_dependents = tuple(m for m in viewer_missions if m.requires.fan_club_level is not None)

    def admit(self, user: str, mission: Mission, ctx: StepContext) -> bool:
        """Whether an event counts toward a gated mission: it is unlocked (now, if its prerequisites
        are met), and not by this very event (which happened while the mission was locked)."""
        viewer = self._book.viewers.get(user)
        unlocked_by = _LOCKED if viewer is None else viewer.unlocked_by(mission.id, _LOCKED)
        if unlocked_by is _LOCKED:
            if not self.met(user, viewer, mission):
                return False
            self._unlock(user, mission, ctx)
            return True
        return unlocked_by != ctx.event_id

    def met(self, user: str, viewer: ViewerMissions | None, mission: Mission, level: int = 0) -> bool:
        """Whether the user meets the mission's prerequisites (``level``: a fan-club level known
        to be reached, which the facts may not show yet)."""
        requires = mission.requires
        for required in requires.missions:
            if viewer is None or not viewer.has_completed(required):
                return False
        badge = requires.badge
        if badge is not None and not self._facts.has_badge(user, badge.badge, badge.tier):
            return False
        if requires.fan_club_level is not None:
            return max(level, self._facts.fan_club_level(user)) >= requires.fan_club_level
        return True

    def is_unlocked(self, viewer: ViewerMissions | None, mission_id: str) -> bool:
        return viewer is not None and viewer.unlocked_by(mission_id, _LOCKED) is not _LOCKED

    def _unlock(self, user: str, mission: Mission, ctx: StepContext) -> None:
        check_transition(mission.id, MissionState.LOCKED, MissionState.ACTIVE)
        self._book.viewer(user).unlock(mission.id, ctx.event_id)
        ctx.emit(MissionUnlocked(event_id=ctx.event_id, subject=user, mission_id=mission.id))

    def recheck_unlocks(self, user: str, missions: tuple[Mission, ...], ctx: StepContext, level: int = 0) -> None:
        """Unlock those of ``missions`` whose prerequisites the user now meets."""
        viewer = self._book.viewers.get(user)
        for mission in missions:
            if not self.is_unlocked(viewer, mission.id) and self.met(user, viewer, mission, level):
                self._unlock(user, mission, ctx)
                viewer = self._book.viewers.get(user)

    def completed_first(self, user: str, mission_id: str, ctx: StepContext) -> None:
        """The user completed ``mission_id`` for the first time: unlock what required it."""
        dependents = self._dependents.get(mission_id)
        if dependents:
            self.recheck_unlocks(user, dependents, ctx)

    def on_badge(self, outcome: BadgeAwarded, ctx: StepContext) -> None:
        dependents = self._badge_dependents.get(outcome.badge_id)
        if dependents:
            self.recheck_unlocks(outcome.user_id, dependents, ctx)

    def on_level(self, outcome: LevelReached, ctx: StepContext) -> None:
        if self._level_dependents:
            self.recheck_unlocks(outcome.user_id, self._level_dependents, ctx, outcome.new_level)
