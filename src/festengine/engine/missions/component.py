"""The viewer missions as an engine component: the wiring of counting, closing, claims,
prerequisites, queries and snapshot, each in its own module. Missions whose subject is a community
(a creator's or a stream's) belong to the social layer.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from festengine.catalog.model import Fest, Mission
from festengine.engine.component import Check, Component, Handler, StepContext, Subscriber
from festengine.engine.keys import Owner
from festengine.engine.missions.book import NAME, MissionBook
from festengine.engine.missions.claims import Claims
from festengine.engine.missions.closing import Closing
from festengine.engine.missions.counting import Counting
from festengine.engine.missions.prerequisites import Prerequisites, ViewerFacts
from festengine.engine.missions.queries import MissionStatus, mission_status
from festengine.engine.missions.shapes import mission_snapshot_shape, mission_timer_shape
from festengine.engine.missions.snapshot import Data, dump_book, load_book
from festengine.engine.outcomes import BadgeAwarded, Outcome
from festengine.engine.shapes import Shape

__all__ = ["Missions"]


class Missions(Component):
    """Viewer missions: measures, windows, prerequisites, repeats, claims and rewards.

    ``facts`` tells the badges and fan-club levels prerequisites ask about; ``level_changed`` is the
    outcome type announcing a viewer's new fan-club level (its ``user_id`` and ``new_level`` are
    read), to which the missions subscribe to unlock missions gated by a level.
    """

    name: ClassVar[str] = NAME
    owner: ClassVar[Owner | None] = Owner.VIEWER

    def __init__(
        self,
        fest: Fest,
        *,
        facts: ViewerFacts,
        level_changed: type[Outcome] | None = None,
    ) -> None:
        super().__init__(fest)
        self._book = MissionBook(fest)
        self._prerequisites = Prerequisites(fest, self._book, facts)
        self._claims = Claims(fest, self._book, self._prerequisites)
        self._closing = Closing(fest, self._book, self._claims)
        self._counting = Counting(fest, self._book, self._prerequisites, self._claims, self._closing)
        self._level_changed = level_changed

    def checks(self) -> Mapping[str, Check]:
        return {"claim": self._claims.check_claim}

    def handlers(self) -> Mapping[str, Handler]:
        table: dict[str, Handler] = dict.fromkeys(self._book.rules, self._counting.count)
        table["claim"] = self._claims.claim
        return table

    def announcements(self) -> Mapping[str, Handler]:
        """A stream's end closes its windows for every viewer (later events are not part of it)."""
        return {"stream_ended": self._closing.stream_ended}

    def subscriptions(self) -> Mapping[type[Outcome], Subscriber]:
        found: dict[type[Outcome], Subscriber] = {BadgeAwarded: self._prerequisites.on_badge}
        if self._level_changed is not None:
            found[self._level_changed] = self._prerequisites.on_level
        return found

    def on_timer(self, payload: list[Any], ctx: StepContext) -> None:
        self._closing.on_timer(payload, ctx)

    def recheck_unlocks(self, user: str, missions: tuple[Mission, ...], ctx: StepContext) -> None:
        """Unlock those of ``missions`` whose prerequisites the user now meets."""
        self._prerequisites.recheck_unlocks(user, missions, ctx)

    def status(self, user: str) -> list[MissionStatus]:
        """Every viewer mission for ``user``, in pack order (see :func:`.queries.mission_status`)."""
        return mission_status(self.fest, self._book, self._prerequisites, user)

    def completions(self, user: str) -> dict[str, int]:
        """How many times the user completed each mission, over all windows."""
        viewer = self._book.viewers.get(user)
        return dict(viewer.completed or {}) if viewer else {}

    def viewers(self) -> list[str]:
        """The viewers with missions state kept for them."""
        return list(self._book.viewers)

    def dump(self) -> Data:
        return dump_book(self._book)

    def snapshot_shape(self) -> Shape:
        return mission_snapshot_shape(self.fest)

    def timer_shape(self) -> Shape:
        return mission_timer_shape(self.fest)

    def load(self, data: Data) -> None:
        load_book(self.fest, self._book, data)
