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

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType
from typing import Final, Generic, TypeVar

from festengine.errors import IllegalTransitionError

__all__ = ["TRANSITIONS", "MissionState", "TransitionTable", "check_transition"]

_S = TypeVar("_S", bound=StrEnum)


class TransitionTable(Generic[_S]):
    """A state machine as data: the moves it allows, each with why it happens. :meth:`check` refuses
    every other move with :class:`~festengine.errors.IllegalTransitionError` (a bug, never silent)."""

    def __init__(self, moves: Mapping[tuple[_S, _S], str]) -> None:
        #: (from, to) -> why the move happens
        self.moves: Final[Mapping[tuple[_S, _S], str]] = MappingProxyType(dict(moves))

    def check(self, subject: str, source: _S, target: _S) -> _S:
        """Return ``target`` if the table allows ``source -> target``, else raise naming ``subject``."""
        if (source, target) not in self.moves:
            raise IllegalTransitionError(subject, source.value, target.value)
        return target


class MissionState(StrEnum):
    LOCKED = "locked"
    ACTIVE = "active"
    COMPLETED = "completed"
    CLAIMED = "claimed"
    EXPIRED = "expired"


_MISSIONS: Final = TransitionTable[MissionState](
    {
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
)
#: (from, to) -> why the move happens
TRANSITIONS: Final = _MISSIONS.moves
#: ``check_transition(mission_id, source, target)``: ``target`` if the table allows the move, else raise
check_transition: Final = _MISSIONS.check
