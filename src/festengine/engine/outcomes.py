"""Outcomes: frozen records of what an event did, each naming its causes.

Every outcome has ``event_id``: the event that caused it (for outcomes of time passing, the event
or ``advance_to`` call that moved the clock; ``None`` for ``advance_to``). Outcomes that come from
a rule also name it (``mission_id``, ``rule_id``…), so "why did this viewer get this badge?" has
an answer.

Other layers (economy, social) define their outcomes in their own modules on the same base;
:mod:`festengine.outcomes` gathers them all.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, ClassVar

import attrs

__all__ = [
    "BadgeAwarded",
    "Duplicate",
    "MissionClaimed",
    "MissionCompleted",
    "MissionExpired",
    "MissionProgressed",
    "MissionUnlocked",
    "Outcome",
    "PointsAwarded",
    "Rejected",
    "outcome_to_dict",
]


@attrs.frozen(slots=True)
class Outcome:
    """The base of every outcome."""

    kind: ClassVar[str] = "outcome"

    event_id: str | None


@attrs.frozen(slots=True)
class Duplicate(Outcome):
    """The event id was seen before; nothing changed."""

    kind: ClassVar[str] = "duplicate"


@attrs.frozen(slots=True)
class Rejected(Outcome):
    """The event was refused and changed nothing. ``code`` is stable for machines, ``reason`` for people."""

    kind: ClassVar[str] = "rejected"

    code: str
    reason: str


@attrs.frozen(slots=True)
class MissionUnlocked(Outcome):
    """The mission's prerequisites are now met for this subject."""

    kind: ClassVar[str] = "mission_unlocked"

    subject: str
    mission_id: str


@attrs.frozen(slots=True)
class MissionProgressed(Outcome):
    kind: ClassVar[str] = "mission_progressed"

    subject: str
    mission_id: str
    window: str
    progress: int | Decimal
    target: int | Decimal


@attrs.frozen(slots=True)
class MissionCompleted(Outcome):
    """The target was reached; ``completion`` counts completions in this window (1 for the first)."""

    kind: ClassVar[str] = "mission_completed"

    subject: str
    mission_id: str
    window: str
    completion: int
    claim_deadline: datetime | None


@attrs.frozen(slots=True)
class MissionClaimed(Outcome):
    """The rewards of a completion were granted (automatically or by a claim event)."""

    kind: ClassVar[str] = "mission_claimed"

    subject: str
    mission_id: str
    window: str
    completion: int


@attrs.frozen(slots=True)
class MissionExpired(Outcome):
    """A window closed on an unfinished mission, or a manual claim's deadline passed."""

    kind: ClassVar[str] = "mission_expired"

    subject: str
    mission_id: str
    window: str
    previous_state: str
    progress: int | Decimal


@attrs.frozen(slots=True)
class BadgeAwarded(Outcome):
    """A badge tier was granted; ``source`` is the mission, journey or fan-club level that granted it."""

    kind: ClassVar[str] = "badge_awarded"

    user_id: str
    badge_id: str
    tier: str
    source: str


@attrs.frozen(slots=True)
class PointsAwarded(Outcome):
    kind: ClassVar[str] = "points_awarded"

    user_id: str
    points: int
    total: int
    source: str


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if attrs.has(type(value)):
        return {f.name: _plain(getattr(value, f.name)) for f in attrs.fields(type(value))}
    return value


def outcome_to_dict(outcome: Outcome) -> dict[str, Any]:
    """A JSON-ready form of an outcome, with its ``kind`` first."""
    data: dict[str, Any] = {"kind": outcome.kind}
    for field in attrs.fields(type(outcome)):
        data[field.name] = _plain(getattr(outcome, field.name))
    return data
