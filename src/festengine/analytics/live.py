"""The analytics a running fest keeps up to date: the dashboard and the creators' audiences, fed each
accepted step as it is applied, and stored as bytes alongside the engine's snapshots.

``LiveAnalytics(fest)`` folds ``observe(event, step)`` for every applied event, in order (a store does
it inside its write transaction). ``to_bytes()`` is canonical (equal projections give equal bytes:
sorted JSON, compressed) and ``from_bytes`` rebuilds the projection from them, so a restarted store
restores the bytes kept with its newest snapshot and folds the events logged after it, giving the
same figures as a projection that never stopped.

Memory grows with what a dashboard must tell apart, not with the number of events: one cell of
counters (and the set of its viewers, as small ints) per creator, stream and local hour with
activity; one presence entry per stream and minute watched; one entry per order (refunds find
their order's cell); one per gifter; and, for creator fit, each viewer's profile and the viewers and
buyers of each creator.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable
from typing import Any, Final

from festengine.analytics.audience import AudienceProjection, ViewerProfile, profile_of
from festengine.analytics.dashboard import DashboardProjection
from festengine.catalog.model import Fest
from festengine.engine.core import Step
from festengine.events import Event

__all__ = ["STATE_VERSION", "LiveAnalytics"]

#: The version of the stored form; a stored projection of another version is not read (it is rebuilt).
STATE_VERSION: Final = 1


class LiveAnalytics:
    """The dashboard projection and the audience projection of one fest, fed together."""

    def __init__(self, fest: Fest, *, profile: Callable[[Event], ViewerProfile | None] = profile_of) -> None:
        self.fest = fest
        self.dashboard = DashboardProjection(fest)
        self.audience = AudienceProjection(fest, profile=profile)

    def observe(self, event: Event, step: Step) -> None:
        """Fold one applied event and its step (unaccepted steps change nothing)."""
        if step.accepted:
            self.dashboard.fold(event, step)
            self.audience.fold(event, step)

    def upgrade(self, fest: Fest) -> None:
        """Fold the next steps by a changed pack's rules (call where the engine moves to it, also on replay)."""
        self.fest = fest
        self.dashboard.use_pack(fest)

    def to_bytes(self) -> bytes:
        """The canonical stored form: the version and both projections' state."""
        state: dict[str, Any] = {
            "version": STATE_VERSION,
            "dashboard": self.dashboard.export_state(),
            "audience": self.audience.export_state(),
        }
        text = json.dumps(state, sort_keys=True, separators=(",", ":"), allow_nan=False)
        return zlib.compress(text.encode(), 6)

    @classmethod
    def from_bytes(cls, fest: Fest, data: bytes) -> LiveAnalytics | None:
        """The projection stored in ``data``, folding on by ``fest`` (the pack in force at its position; the
        store checks that the file belongs to the fest); ``None`` if it is of another version, or damaged
        (the caller rebuilds it from the event log)."""
        try:
            state = json.loads(zlib.decompress(data))
            if state.get("version") != STATE_VERSION:
                return None
            live = cls(fest)
            live.dashboard.import_state(state["dashboard"])
            live.audience.import_state(state["audience"])
        except (ValueError, KeyError, TypeError, AttributeError, zlib.error):
            return None
        return live
