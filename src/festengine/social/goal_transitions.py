"""The community goal state machine, as data.

```
                 target reached, repeat left             first event after the cooldown
  active ──────────────────────────────────▶ cooldown ─────────────────────────────────▶ active
    │  │                                        │
    │  │ target reached in the last round       │ closed during the cooldown
    │  └─────────────────────────▶ completed ◀──┘
    │ closed with a round running
    ▼
  expired
```

A goal *closes* ``allowed_lateness`` after its deadline; closing is a flag beside the state (a
completed goal stays completed). ``docs/social.md`` draws the same table.
:func:`check_goal_transition` raises :class:`~festengine.errors.IllegalTransitionError` for any move
the table does not list: an illegal transition is a bug, never something that silently happens.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final

from festengine.engine.transitions import TransitionTable

__all__ = ["GOAL_TRANSITIONS", "GoalState", "check_goal_transition"]


class GoalState(StrEnum):
    ACTIVE = "active"
    COOLDOWN = "cooldown"
    COMPLETED = "completed"
    EXPIRED = "expired"


_GOALS: Final = TransitionTable[GoalState](
    {
        (GoalState.ACTIVE, GoalState.COOLDOWN): "target reached, and repeat allows another round",
        (GoalState.ACTIVE, GoalState.COMPLETED): "target reached in the last round repeat allows",
        (GoalState.COOLDOWN, GoalState.ACTIVE): "the first event after the cooldown starts a new round",
        (GoalState.COOLDOWN, GoalState.COMPLETED): "closed during a cooldown",
        (GoalState.ACTIVE, GoalState.EXPIRED): "closed with a round still running",
    }
)
#: (from, to) -> why the move happens
GOAL_TRANSITIONS: Final = _GOALS.moves
#: ``check_goal_transition(mission_id, source, target)``: ``target`` if the table allows it, else raise
check_goal_transition: Final = _GOALS.check
