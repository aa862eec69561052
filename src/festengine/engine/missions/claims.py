"""Completions, rewards and claims: an instance reaching its target completes; its rewards are
granted at once, or when the viewer claims them (a manual claim, possibly within a deadline).
A repeatable mission, once claimed, goes round again in the same window while it is open.
"""

from __future__ import annotations

from festengine.catalog.model import Fest, Mission, Subject
from festengine.engine.component import Rejection, StepContext
from festengine.engine.missions.book import NAME, MissionBook
from festengine.engine.missions.prerequisites import Prerequisites
from festengine.engine.missions.state import MissionInstance, WindowTable
from festengine.engine.outcomes import MissionClaimed, MissionCompleted, MissionExpired
from festengine.engine.transitions import MissionState, check_transition
from festengine.events import Event

__all__ = ["Claims"]

ACTIVE, COMPLETED, CLAIMED, EXPIRED = (
    MissionState.ACTIVE,
    MissionState.COMPLETED,
    MissionState.CLAIMED,
    MissionState.EXPIRED,
)


class Claims:
    """Completing instances, granting their rewards, claims and claim deadlines."""

    def __init__(self, fest: Fest, book: MissionBook, prerequisites: Prerequisites) -> None:
        self._fest = fest
        self._book = book
        self._prerequisites = prerequisites

    def complete(
        self,
        user: str,
        mission: Mission,
        window: str,
        instance: MissionInstance,
        table: WindowTable | None,
        ctx: StepContext,
    ) -> None:
        """The instance reached its target (``table``: the open window's table holding it, if any)."""
        instance.state = check_transition(mission.id, instance.state, COMPLETED)
        instance.completions += 1
        self._set_deadline(user, mission, window, instance, ctx)
        completed = MissionCompleted(
            event_id=ctx.event_id,
            subject=user,
            mission_id=mission.id,
            window=window,
            completion=instance.completions,
            claim_deadline=ctx.now_of(instance.deadline),
        )
        ctx.emit(completed)
        viewer = self._book.viewer(user)
        first = not viewer.has_completed(mission.id)
        viewer.count_completion(mission.id)
        if not mission.claim.manual:
            self.grant(user, mission, window, instance, table, ctx)
        elif table is not None:
            table.await_claim(user)
        if first:
            self._prerequisites.completed_first(user, mission.id, ctx)

    def _set_deadline(
        self, user: str, mission: Mission, window: str, instance: MissionInstance, ctx: StepContext
    ) -> None:
        """A manual claim within a time: note its deadline, and the timer that lets it lapse."""
        claim = mission.claim
        if claim.manual and claim.within is not None:
            deadline = instance.deadline = ctx.ts + claim.within.total_seconds()
            payload: list[object] = ["deadline", user, mission.id, window, instance.completions]
            ctx.schedule(deadline + self._book.lateness, NAME, payload)

    def grant(
        self,
        user: str,
        mission: Mission,
        window: str,
        instance: MissionInstance,
        table: WindowTable | None,
        ctx: StepContext,
    ) -> None:
        """Grant the rewards of the instance's completion; go round again if the mission repeats
        and its window is still open."""
        instance.state = check_transition(mission.id, instance.state, CLAIMED)
        instance.deadline = None
        claimed = MissionClaimed(
            event_id=ctx.event_id, subject=user, mission_id=mission.id, window=window, completion=instance.completions
        )
        ctx.emit(claimed)
        for reward in mission.rewards:
            ctx.grant(user, reward, mission.id)
        closed = table is None and self._book.is_closed(mission.id, window)
        if instance.completions < mission.repeat and not closed:
            check_transition(mission.id, CLAIMED, ACTIVE)
            instance.restart()

    def claimable(self, user: str, mission_id: str, ts: float) -> tuple[str, float | None] | None:
        """The window and claim deadline of the oldest completion waiting to be claimed whose deadline
        has not passed at ``ts``, else of the oldest one waiting at all (so the check can say it is too
        late), else ``None``. Every completion of a mission has the same time to claim, so the oldest
        is the one with the earliest deadline; without deadlines, the first found."""
        best: tuple[str, float | None] | None = None
        late: tuple[str, float] | None = None
        for window, instance in self._book.found(user, mission_id):
            if instance.state is not COMPLETED:
                continue
            deadline = instance.deadline
            if deadline is None or ts <= deadline:
                if best is None or (deadline is not None and best[1] is not None and deadline < best[1]):
                    best = window, deadline
            elif late is None or deadline < late[1]:
                late = window, deadline
        return best or late

    def check_claim(self, event: Event) -> Rejection | None:
        """Refuse a claim of a mission that is unknown, automatic, or has nothing (in time) to claim."""
        mission = self._fest.missions.get(event.mission_id or "")
        if mission is None or mission.subject is not Subject.VIEWER:
            return Rejection("unknown_mission", f"there is no viewer mission {event.mission_id!r} to claim")
        if not mission.claim.manual:
            return Rejection("not_claimable", f"mission {mission.id!r} grants its rewards automatically")
        found = self.claimable(event.user_id, mission.id, event.occurred_at.timestamp())
        if found is None:
            return Rejection("nothing_to_claim", f"mission {mission.id!r} has no completion waiting to be claimed")
        deadline = found[1]
        if deadline is not None and event.occurred_at.timestamp() > deadline:
            return Rejection("claim_too_late", f"the claim deadline of mission {mission.id!r} has passed")
        return None

    def claim(self, event: Event, ctx: StepContext) -> None:
        """Grant the rewards of the completion a claim is for (checked by :meth:`check_claim`)."""
        user, mission_id = event.user_id, event.mission_id or ""
        found = self.claimable(user, mission_id, ctx.ts)
        if found is None:  # the check ran just before; time passing may have expired it
            return
        window, deadline = found
        located = self._book.locate(user, mission_id, window)
        if located is None or (deadline is not None and ctx.ts > deadline):
            return
        instance, table = located
        self.grant(user, self._fest.missions[mission_id], window, instance, table, ctx)
        self.forget_if_done(user, mission_id, window, table)

    def deadline_passed(self, user: str, mission_id: str, window: str, completion: int, ctx: StepContext) -> None:
        """A completion's claim deadline passed: if it is still waiting, it expires."""
        located = self._book.locate(user, mission_id, window)
        if located is None:
            return
        instance, table = located
        if instance.state is not COMPLETED or instance.completions != completion:
            return
        instance.state = check_transition(mission_id, COMPLETED, EXPIRED)
        instance.deadline = None
        expired = MissionExpired(
            event_id=ctx.event_id,
            subject=user,
            mission_id=mission_id,
            window=window,
            previous_state=COMPLETED.value,
            progress=instance.progress,
        )
        ctx.emit(expired)
        self.forget_if_done(user, mission_id, window, table)

    def forget_if_done(self, user: str, mission_id: str, window: str, table: WindowTable | None) -> None:
        """A closed day's, week's or stream's instance kept with its viewer is dropped once settled."""
        if table is not None or mission_id not in self._book.recurring:
            return
        viewer = self._book.viewers[user]
        if viewer.instances[(mission_id, window)].state is not COMPLETED:
            del viewer.instances[(mission_id, window)]
