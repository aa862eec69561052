"""The viewer missions when the pack of a running fest changes (see :mod:`festengine.engine.upgrade`).

* **Added**: nothing to move; it counts the events from now on (its windows open as events come).
* **Removed**: every unfinished instance (active, or completed and waiting for a claim) ends with a
  ``MissionWithdrawn``; the mission's instances, completions, unlocks and timers are dropped.
* **Target**: progress is kept; the instances of open windows whose progress reaches the new target
  complete now (with their rewards); completed instances stay completed (a raised target takes
  nothing back).
* **Window** (explicit dates): refused once the window has ended, when a window that opened would
  move its start, or when the new end is not after now; else the timer closing it moves.

Community missions belong to the social layer (:mod:`festengine.social.upgrade`).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import cast

from festengine.catalog.diff import ChangeKind, PackDiff
from festengine.catalog.model import Fest, Mission, Subject
from festengine.engine.component import Component, StepContext, TimerPayload
from festengine.engine.missions.book import NAME, MissionBook
from festengine.engine.missions.component import Missions
from festengine.engine.missions.rules import RECURRING
from festengine.engine.missions.state import MissionInstance, WindowTable
from festengine.engine.outcomes import MissionWithdrawn
from festengine.engine.transitions import MissionState
from festengine.engine.upgrade import ComponentData, ComponentUpgrade, UpgradeTimers
from festengine.engine.windows import fixed_bounds

__all__ = ["MissionsUpgrade"]

ACTIVE, COMPLETED = MissionState.ACTIVE, MissionState.COMPLETED
#: the states of an instance that has not finished: a removed mission withdraws these
_UNFINISHED = frozenset({ACTIVE.value, COMPLETED.value})


def _viewer_missions(fest: Fest, ids: Iterator[str]) -> list[str]:
    return [m for m in ids if m in fest.missions and fest.missions[m].subject is Subject.VIEWER]


def _when(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat()


def _instances(
    book: MissionBook, fest: Fest, mission_id: str
) -> Iterator[tuple[str, str, MissionInstance, WindowTable | None]]:
    """The instances of a mission in windows still open: ``(user, window, instance, table)``."""
    mission = fest.missions[mission_id]
    if mission.window.kind in RECURRING:
        for window, table in list(book.tables.get(mission_id, {}).items()):
            for user, instance in list(table.instances.items()):
                yield user, window, instance, table
        return
    key = fixed_bounds(fest, mission.window)[0]
    if (mission_id, key) in book.closed_windows:
        return
    for user in list(book.members.get((mission_id, key), ())):
        yield user, key, book.viewers[user].instances[(mission_id, key)], None


class MissionsUpgrade(ComponentUpgrade):
    """The upgrade hook of the viewer missions."""

    def __init__(self, old: Fest, new: Fest) -> None:
        super().__init__(old, new)
        #: what ``migrate`` withdrew, for ``settle`` to say: (user, mission, window, state, progress)
        self._withdrawn: list[tuple[str, str, str, str, int | Decimal]] = []

    def refusals(self, diff: PackDiff, component: Component, now: float) -> list[str]:
        book = cast(Missions, component)._book
        found = []
        for change in diff.of("missions", ChangeKind.WINDOW):
            old_key, old_start, old_end = fixed_bounds(self.old, self.old.missions[change.item].window)
            _key, new_start, new_end = fixed_bounds(self.new, self.new.missions[change.item].window)
            where = f"missions {change.item}: window {change.before} → {change.after}"
            if now >= old_end or (change.item, old_key) in book.closed_windows:
                found.append(f"{where}: the window ended at {_when(old_end)}; a window that ended cannot move")
            elif now >= old_start and new_start != old_start:
                found.append(f"{where}: the window opened at {_when(old_start)}; only its end can move now")
            elif new_end <= now:
                found.append(f"{where}: the new end is not after the fest's time now ({_when(now)})")
        return found

    def effects(self, diff: PackDiff, component: Component, now: float) -> list[str]:
        book = cast(Missions, component)._book
        found = []
        for change in diff.of("missions", ChangeKind.TARGET):
            target = self.new.missions[change.item].target
            active = reached = done = 0
            for _user, _window, instance, _table in _instances(book, self.old, change.item):
                state, progress = instance.state, instance.progress
                active += state is ACTIVE and progress < target
                reached += state is ACTIVE and progress >= target
                done += state is not ACTIVE
            found.append(
                f"{change.item} target {change.before} → {change.after}: {active:,} viewers in progress keep "
                f"their progress; {done:,} completed stay completed; {reached:,} complete now"
            )
        for mission_id in _viewer_missions(self.old, (c.item for c in diff.of("missions", ChangeKind.REMOVED))):
            ended = sum(
                1
                for _user, _window, instance, _table in _instances(book, self.old, mission_id)
                if instance.state.value in _UNFINISHED
            )
            found.append(f"{mission_id} removed: {ended:,} unfinished instances end (mission_withdrawn)")
        for mission_id in _viewer_missions(self.new, (c.item for c in diff.of("missions", ChangeKind.ADDED))):
            found.append(f"{mission_id} added: counts events from {_when(now)}")
        return found

    def migrate(self, diff: PackDiff, data: ComponentData, timers: UpgradeTimers, now: float) -> None:
        removed = set(_viewer_missions(self.old, (c.item for c in diff.of("missions", ChangeKind.REMOVED))))
        if removed:
            self._drop(removed, data, timers)
        lateness = self.new.allowed_lateness.total_seconds()
        for change in diff.of("missions", ChangeKind.WINDOW):
            key, _start, end = fixed_bounds(self.new, self.new.missions[change.item].window)
            timers.move(NAME, ["window", change.item, key], end + lateness)

    def _drop(self, removed: set[str], data: ComponentData, timers: UpgradeTimers) -> None:
        withdrawn = self._withdrawn
        for user, viewer in data["viewers"].items():
            kept = []
            for row in viewer["i"]:
                if row[0] not in removed:
                    kept.append(row)
                elif row[2] in _UNFINISHED:
                    withdrawn.append((user, row[0], row[1], row[2], row[3]))
            viewer["i"] = kept
            viewer["c"] = {m: n for m, n in viewer["c"].items() if m not in removed}
            viewer["u"] = {m: e for m, e in viewer["u"].items() if m not in removed}
        for m, w, rows, _waiting in data["open"]:
            if m in removed:
                withdrawn += [
                    (user, m, w, state, progress) for user, state, progress, *_ in rows if state in _UNFINISHED
                ]
        data["open"] = [row for row in data["open"] if row[0] not in removed]
        data["members"] = [row for row in data["members"] if row[0] not in removed]
        data["closed_windows"] = [row for row in data["closed_windows"] if row[0] not in removed]

        def gone(payload: TimerPayload) -> bool:
            what = payload[0]
            return (what == "window" and payload[1] in removed) or (what == "deadline" and payload[2] in removed)

        timers.drop(NAME, gone)

    def settle(self, diff: PackDiff, component: Component, ctx: StepContext) -> None:
        for user, mission_id, window, state, progress in self._withdrawn:
            ctx.emit(
                MissionWithdrawn(
                    event_id=None,
                    subject=user,
                    mission_id=mission_id,
                    window=window,
                    previous_state=state,
                    progress=progress,
                )
            )
        missions = cast(Missions, component)
        for change in diff.of("missions", ChangeKind.TARGET):
            self._recheck(missions, self.new.missions[change.item], ctx)

    def _recheck(self, missions: Missions, mission: Mission, ctx: StepContext) -> None:
        """Complete now the open instances whose progress reaches the mission's (new) target."""
        book, claims = missions._book, missions._claims
        for user, window, instance, table in list(_instances(book, self.new, mission.id)):
            if instance.state is ACTIVE and instance.progress >= mission.target:
                claims.complete(user, mission, window, instance, table, ctx)
