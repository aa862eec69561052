"""The mission state machine, as data.

```
            unlock               complete              claim
  locked ──────────▶ active ──────────────▶ completed ─────────▶ claimed
                       │  ▲                     │                  │
         window closed │  └──────── repeat ─────┼──────────────────┘
                       ▼                        │ claim deadline passed
                    expired ◀───────────────────┘
```

``docs/engine.md`` draws the same table. :func:`check_transition` raises
:class:`~festengine.errors.IllegalTransitionError` for any move the table does not list: an illegal
transition is a bug, never something that silently happens.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final

from festengine.errors import IllegalTransitionError

__all__ = ["TRANSITIONS", "MissionState", "check_transition"]


class MissionState(StrEnum):
    LOCKED = "locked"
    ACTIVE = "active"
    COMPLETED = "completed"
    CLAIMED = "claimed"
    EXPIRED = "expired"


#: (from, to) -> why the move happens
TRANSITIONS: Final[dict[tuple[MissionState, MissionState], str]] = {
    (MissionState.LOCKED, MissionState.ACTIVE): "prerequisites met",
    (MissionState.ACTIVE, MissionState.COMPLETED): "target reached",
    (MissionState.COMPLETED, MissionState.CLAIMED): "rewards granted (automatically or by a claim)",
    (
        MissionState.ACTIVE,
        MissionState.EXPIRED,
    ): "a fixed window (the fest, a phase, explicit dates) closed before the target was reached",
    (MissionState.COMPLETED, MissionState.EXPIRED): "manual claim deadline passed",
    (MissionState.CLAIMED, MissionState.ACTIVE): "repeatable: goes round again in the same window",
}


def check_transition(mission_id: str, source: MissionState, target: MissionState) -> MissionState:
    """Return ``target`` if the table allows ``source -> target``, else raise."""
    if (source, target) not in TRANSITIONS:
        raise IllegalTransitionError(mission_id, source.value, target.value)
    return target
