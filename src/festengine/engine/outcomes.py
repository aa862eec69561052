"""Outcomes: immutable records of what an event did, each naming its causes.

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
import msgspec

__all__ = [
    "BadgeAwarded",
    "Duplicate",
    "MissionClaimed",
    "MissionCompleted",
    "MissionExpired",
    "MissionProgressed",
    "MissionUnlocked",
    "MissionWithdrawn",
    "Outcome",
    "PointsAwarded",
    "Rejected",
    "outcome_to_dict",
]


class Outcome(msgspec.Struct, frozen=True):
    """The base of every outcome: an immutable record, compared and hashed by type and fields.

    An outcome is a frozen :class:`msgspec.Struct`: built by calling its class with its fields by
    keyword (or by position, in declaration order: ``event_id`` first, then the class's own), read by
    field name, and never changed (setting or deleting a field raises ``AttributeError``). It equals
    only an outcome of the same type with equal fields, has no order, hashes, pickles and has a
    ``repr`` naming every field. ``msgspec.structs.replace(o, field=value)`` (or ``copy.replace`` on
    Python 3.13+) makes a changed copy, ``msgspec.structs.fields(cls)`` names the fields in order, and
    :func:`outcome_to_dict` gives a JSON-ready form.

    To declare an outcome type, subclass this one with ``frozen=True`` (so that mypy, too, treats its
    fields as read-only), give it a ``kind`` and annotate its fields. Fields hold immutable values.
    """

    kind: ClassVar[str] = "outcome"

    event_id: str | None


class Duplicate(Outcome, frozen=True):
    """The event id was seen before; nothing changed."""

    kind: ClassVar[str] = "duplicate"


class Rejected(Outcome, frozen=True):
    """The event was refused and changed nothing. ``code`` is stable for machines, ``reason`` for people."""

    kind: ClassVar[str] = "rejected"

    code: str
    reason: str


class MissionUnlocked(Outcome, frozen=True):
    """The mission's prerequisites are now met for this subject."""

    kind: ClassVar[str] = "mission_unlocked"

    subject: str
    mission_id: str


class MissionProgressed(Outcome, frozen=True):
    kind: ClassVar[str] = "mission_progressed"

    subject: str
    mission_id: str
    window: str
    progress: int | Decimal
    target: int | Decimal


class MissionCompleted(Outcome, frozen=True):
    """The target was reached; ``completion`` counts completions in this window (1 for the first)."""

    kind: ClassVar[str] = "mission_completed"

    subject: str
    mission_id: str
    window: str
    completion: int
    claim_deadline: datetime | None


class MissionClaimed(Outcome, frozen=True):
    """The rewards of a completion were granted (automatically or by a claim event)."""

    kind: ClassVar[str] = "mission_claimed"

    subject: str
    mission_id: str
    window: str
    completion: int


class MissionExpired(Outcome, frozen=True):
    """A window closed on an unfinished mission, or a manual claim's deadline passed."""

    kind: ClassVar[str] = "mission_expired"

    subject: str
    mission_id: str
    window: str
    previous_state: str
    progress: int | Decimal


class MissionWithdrawn(Outcome, frozen=True):
    """A pack change removed the mission: the viewer's unfinished instance (active, or completed and
    waiting for a claim) ends here, with the progress it had. ``event_id`` is ``None`` (no event caused it)."""

    kind: ClassVar[str] = "mission_withdrawn"

    subject: str
    mission_id: str
    window: str
    previous_state: str
    progress: int | Decimal


class BadgeAwarded(Outcome, frozen=True):
    """A badge tier was granted; ``source`` is the mission, journey or fan-club level that granted it."""

    kind: ClassVar[str] = "badge_awarded"

    user_id: str
    badge_id: str
    tier: str
    source: str


class PointsAwarded(Outcome, frozen=True):
    kind: ClassVar[str] = "points_awarded"

    user_id: str
    points: int
    total: int
    source: str


def _plain(value: object) -> object:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, Outcome):
        return {field: _plain(getattr(value, field)) for field in value.__struct_fields__}
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    cls = type(value)
    if attrs.has(cls):
        return {f.name: _plain(getattr(value, f.name)) for f in attrs.fields(cls)}
    return value


def outcome_to_dict(outcome: Outcome) -> dict[str, Any]:
    """A JSON-ready form of an outcome: its ``kind`` first, then its fields in declaration order."""
    return {"kind": outcome.kind, **{field: _plain(getattr(outcome, field)) for field in outcome.__struct_fields__}}
