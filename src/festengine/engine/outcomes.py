"""Outcomes: immutable records of what an event did, each naming its causes.

Every outcome has ``event_id``: the event that caused it (for outcomes of time passing, the event
or ``advance_to`` call that moved the clock; ``None`` for ``advance_to``). Outcomes that come from
a rule also name it (``mission_id``, ``rule_id``…), so "why did this viewer get this badge?" has
an answer.

Other layers (economy, social) define their outcomes in their own modules on the same base;
:mod:`festengine.outcomes` gathers them all.
"""

from __future__ import annotations

import inspect
from datetime import datetime
from decimal import Decimal
from operator import itemgetter
from typing import Any, ClassVar, Final, Self, dataclass_transform, get_origin

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


def _is_class_variable(annotation: object) -> bool:
    if isinstance(annotation, str):  # postponed (``from __future__ import annotations``): the source text
        head = annotation.split("[", 1)[0].strip()
        return head == "ClassVar" or head.endswith(".ClassVar")
    return annotation is ClassVar or get_origin(annotation) is ClassVar


#: Names a field cannot take: the tuple's own methods, and what every outcome class has.
_RESERVED: Final = frozenset(dir(tuple)) | {"kind", "_fields", "_replace"}
#: What class decorators that would turn an outcome into something else set on it.
_DECORATED: Final = frozenset({"__attrs_attrs__", "__dataclass_fields__"})


def _fields_of_bases(name: str, bases: tuple[type, ...]) -> tuple[str, ...]:
    found = {getattr(base, "_fields", ()) for base in bases if isinstance(base, _OutcomeType)}
    if len(found) > 1:
        raise TypeError(f"outcome class {name} has more than one outcome base; an outcome extends one")
    return found.pop() if found else ()


@dataclass_transform(frozen_default=True, eq_default=True)
class _OutcomeType(type):
    """Makes each outcome class an immutable record of the fields it annotates.

    The fields are the base's (``event_id``) and then the class's own annotations, in order; each
    becomes a read-only property over a tuple item, and the class gets ``__slots__ = ()`` (no
    ``__dict__``). ``ClassVar`` annotations (``kind``) are not fields. A field has no default, is
    declared once (not again in a subclass) and does not take the name of a tuple method.
    """

    def __new__(mcs, name: str, bases: tuple[type, ...], namespace: dict[str, Any], **kwargs: Any) -> _OutcomeType:
        if namespace.get("__slots__") or _DECORATED & namespace.keys():
            raise TypeError(_NO_DECORATORS.format(name=name))
        inherited = _fields_of_bases(name, bases)
        namespace["__slots__"] = ()
        cls = super().__new__(mcs, name, bases, namespace, **kwargs)
        # read from the class, not the namespace: from Python 3.14 the namespace of a class body
        # without ``from __future__ import annotations`` holds a function that makes them instead
        annotations = inspect.get_annotations(cls)
        own = tuple(field for field, annotation in annotations.items() if not _is_class_variable(annotation))
        for field in own:
            if field in namespace:
                raise TypeError(f"outcome field {name}.{field} cannot have a default: every field is given")
            if field in inherited:
                raise TypeError(f"outcome field {name}.{field} is already a field of its base")
            if field in _RESERVED:
                raise TypeError(f"outcome field {name}.{field} would hide the outcome's own {field!r}; rename it")
        for field in inherited:
            if field in namespace:
                raise TypeError(f"{name}.{field} would hide the field {field!r} of its base")
        fields = inherited + own
        type.__setattr__(cls, "_fields", fields)
        type.__setattr__(cls, "__match_args__", fields)
        for index, field in enumerate(fields):
            type.__setattr__(cls, field, property(itemgetter(index), doc=f"Field {index} of the outcome: {field}."))
        return cls

    def __setattr__(cls, name: str, value: Any) -> None:
        if name in _DECORATED:  # attrs or dataclasses decorating a class in place, after it was made
            raise TypeError(_NO_DECORATORS.format(name=cls.__name__))
        super().__setattr__(name, value)


_NO_DECORATORS: Final = (
    "outcome class {name} cannot be an attrs class or a dataclass; declare its fields as plain "
    "annotations on an Outcome subclass, without decorators"
)


class Outcome(tuple[Any, ...], metaclass=_OutcomeType):
    """The base of every outcome: an immutable record, compared and hashed by type and fields.

    Outcomes are the engine's most numerous objects (several per event), so they are records made
    at C speed, a tuple underneath, rather than attrs classes: building one costs about a third as
    much. They are built positionally or by keyword, are read by field name, cannot be changed,
    equal only outcomes of the same type with the same fields, have no order, and ``repr`` like
    attrs values. ``_fields`` names the fields in order, ``_replace(**changes)`` makes a changed
    copy, and :func:`outcome_to_dict` gives a JSON-ready form.
    """

    kind: ClassVar[str] = "outcome"
    _fields: ClassVar[tuple[str, ...]]

    event_id: str | None

    def __new__(cls, *args: Any, **kwargs: Any) -> Self:
        fields = cls._fields
        if kwargs:
            args = _merge(cls, fields, args, kwargs)
        elif len(args) != len(fields):
            raise TypeError(f"{cls.__name__} takes {_count(fields)}, got {len(args)}")
        return tuple.__new__(cls, args)

    def __getnewargs__(self) -> tuple[Any, ...]:
        return tuple(self)

    def _replace(self, **changes: Any) -> Self:
        """A copy with some fields changed (what ``attrs.evolve`` did for outcomes)."""
        return self.__class__(**{**dict(zip(self._fields, self, strict=True)), **changes})

    __replace__ = _replace  # copy.replace, from Python 3.13

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            return tuple.__eq__(self, other)
        # never equal to a tuple of the same values; anything else (mock.ANY…) may decide
        return False if isinstance(other, tuple) else NotImplemented

    def __ne__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            return tuple.__ne__(self, other)
        return True if isinstance(other, tuple) else NotImplemented

    def __hash__(self) -> int:
        return hash((self.__class__.__qualname__, tuple(self)))

    def __lt__(self, other: object) -> bool:
        if isinstance(other, tuple):  # otherwise tuple's own order would answer for outcomes
            raise TypeError(f"outcomes have no order: cannot compare {self.__class__.__name__} with {other!r}")
        return NotImplemented

    __le__ = __gt__ = __ge__ = __lt__

    def __setattr__(self, name: str, value: object) -> None:
        raise attrs.exceptions.FrozenInstanceError

    def __delattr__(self, name: str) -> None:
        raise attrs.exceptions.FrozenInstanceError

    def __repr__(self) -> str:
        pairs = ", ".join(f"{field}={value!r}" for field, value in zip(self._fields, self, strict=True))
        return f"{self.__class__.__qualname__.rsplit('>.', 1)[-1]}({pairs})"


#: Builds an outcome from the tuple of all its fields in order, skipping the Python-level check of
#: their number: ``new_outcome(MissionProgressed, (event_id, subject, …))``. About twice as fast as
#: calling the class; for the engine's hottest loops, where the fields are written out beside the type
#: (the tests compare every field of what those loops emit).
new_outcome: Final = tuple.__new__


def _count(fields: tuple[str, ...]) -> str:
    return f"{len(fields)} field{'' if len(fields) == 1 else 's'} ({', '.join(fields)})"


def _merge(cls: type, fields: tuple[str, ...], args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, ...]:
    """The positional fields of an outcome built with keywords (the slow path: tests and readers)."""
    unknown = sorted(set(kwargs) - set(fields))
    if unknown:
        raise TypeError(f"{cls.__name__} has no field {unknown[0]!r}; its fields are {', '.join(fields)}")
    if len(args) > len(fields):
        raise TypeError(f"{cls.__name__} takes {_count(fields)}, got {len(args)} by position")
    given = set(fields[: len(args)]) & set(kwargs)
    if given:
        raise TypeError(f"{cls.__name__} got field {sorted(given)[0]!r} twice")
    missing = [field for field in fields[len(args) :] if field not in kwargs]
    if missing:
        raise TypeError(f"{cls.__name__} is missing field {missing[0]!r}")
    return args + tuple(kwargs[field] for field in fields[len(args) :])


class Duplicate(Outcome):
    """The event id was seen before; nothing changed."""

    kind: ClassVar[str] = "duplicate"


class Rejected(Outcome):
    """The event was refused and changed nothing. ``code`` is stable for machines, ``reason`` for people."""

    kind: ClassVar[str] = "rejected"

    code: str
    reason: str


class MissionUnlocked(Outcome):
    """The mission's prerequisites are now met for this subject."""

    kind: ClassVar[str] = "mission_unlocked"

    subject: str
    mission_id: str


class MissionProgressed(Outcome):
    kind: ClassVar[str] = "mission_progressed"

    subject: str
    mission_id: str
    window: str
    progress: int | Decimal
    target: int | Decimal


class MissionCompleted(Outcome):
    """The target was reached; ``completion`` counts completions in this window (1 for the first)."""

    kind: ClassVar[str] = "mission_completed"

    subject: str
    mission_id: str
    window: str
    completion: int
    claim_deadline: datetime | None


class MissionClaimed(Outcome):
    """The rewards of a completion were granted (automatically or by a claim event)."""

    kind: ClassVar[str] = "mission_claimed"

    subject: str
    mission_id: str
    window: str
    completion: int


class MissionExpired(Outcome):
    """A window closed on an unfinished mission, or a manual claim's deadline passed."""

    kind: ClassVar[str] = "mission_expired"

    subject: str
    mission_id: str
    window: str
    previous_state: str
    progress: int | Decimal


class BadgeAwarded(Outcome):
    """A badge tier was granted; ``source`` is the mission, journey or fan-club level that granted it."""

    kind: ClassVar[str] = "badge_awarded"

    user_id: str
    badge_id: str
    tier: str
    source: str


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
    if isinstance(value, Outcome):
        return {field: _plain(item) for field, item in zip(value._fields, value, strict=True)}
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if attrs.has(type(value)):
        return {f.name: _plain(getattr(value, f.name)) for f in attrs.fields(type(value))}
    return value


def outcome_to_dict(outcome: Outcome) -> dict[str, Any]:
    """A JSON-ready form of an outcome, with its ``kind`` first."""
    data: dict[str, Any] = {"kind": outcome.kind}
    for field, value in zip(outcome._fields, outcome, strict=True):
        data[field] = _plain(value)
    return data
