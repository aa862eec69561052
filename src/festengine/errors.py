"""Every exception festengine raises derives from :class:`FestEngineError`.

Business results (a rejected event, an exhausted budget) are *outcomes*, never exceptions;
exceptions are for misuse of the API, invalid fest packs and bugs.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs

__all__ = [
    "EngineFailedError",
    "EventParseError",
    "EventProblem",
    "FestEngineError",
    "FestValidationError",
    "IllegalTransitionError",
    "InvalidTimeError",
    "Problem",
    "SnapshotError",
    "StoreError",
    "UnbalancedEntryError",
    "UpgradeRefusedError",
]


class FestEngineError(Exception):
    """The root of every error festengine raises on purpose."""


@attrs.frozen(slots=True)
class Problem:
    """One thing wrong with a fest pack, located as precisely as the source allows.

    ``line`` and ``column`` are 1-based; they are ``None`` only when the problem has no
    place in a file (for example a pack folder without any YAML file).
    """

    file: str
    line: int | None
    column: int | None
    path: str
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}:{self.column or 1}"
        return f"{where}: {self.path or '<document>'}: {self.message}"

    def as_dict(self) -> dict[str, object]:
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "path": self.path,
            "message": self.message,
        }


class FestValidationError(FestEngineError, ValueError):
    """A fest pack could not be loaded; ``.problems`` lists every problem found, in file order."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(
            sorted(problems, key=lambda p: (p.file, p.line or 0, p.column or 0, p.path, p.message))
        )
        count = len(self.problems)
        head = f"{count} problem{'s' if count != 1 else ''} in the fest pack:"
        super().__init__("\n".join([head, *(str(p) for p in self.problems)]))


@attrs.frozen(slots=True)
class EventProblem:
    """One thing wrong with an event: the ``field`` it is about (``event`` for the whole line), a stable
    ``code`` for machines (``missing``, ``wrong_type``, ``invalid_json``…: docs/events.md lists them) and a
    ``message`` for people."""

    field: str
    code: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


class EventParseError(FestEngineError, ValueError):
    """An event could not be parsed; ``.problems`` lists every problem found, field by field.

    ``.reasons`` holds the same problems as text (``field: message``), ``.line`` the JSON Lines line
    number (or ``None``); ``str()`` lists them all.
    """

    def __init__(self, problems: Sequence[EventProblem], *, line: int | None = None) -> None:
        self.problems: tuple[EventProblem, ...] = tuple(problems)
        self.reasons: tuple[str, ...] = tuple(str(problem) for problem in self.problems)
        self.line = line
        prefix = f"line {line}: " if line is not None else ""
        super().__init__(prefix + "; ".join(self.reasons))


class SnapshotError(FestEngineError, ValueError):
    """A snapshot is corrupt, of an unknown version, or belongs to a different fest."""


class InvalidTimeError(FestEngineError, ValueError):
    """A time the engine cannot use: without a time zone, or outside the supported range
    (:data:`festengine.limits.EARLIEST_TIME` to :data:`festengine.limits.LATEST_TIME`)."""


class EngineFailedError(FestEngineError, RuntimeError):
    """An engine raised while applying an event (or ``advance_to``): always a bug.

    The engine may be half-way through the event, so it refuses every later call with this error
    (chained to the original exception) until it is replaced by ``Engine.restore`` from a snapshot
    taken before. ``event_id`` names the event it failed on (``None`` for ``advance_to``).
    """

    def __init__(self, event_id: str | None, error: BaseException) -> None:
        self.event_id = event_id
        self.error = error
        what = f"event {event_id!r}" if event_id is not None else "advance_to"
        super().__init__(
            f"the engine failed while applying {what} ({type(error).__name__}: {error}); it may be half-way "
            "through it, so it refuses every call: restore a snapshot taken before it (Engine.restore) and "
            "apply the events since again"
        )
        # chained here, not only by ``raise ... from error``: compiled code (the optional mypyc build)
        # raising it leaves ``__cause__`` unset
        self.__cause__ = error


class IllegalTransitionError(FestEngineError, RuntimeError):
    """A mission state transition that the transition table does not allow: always a bug."""

    def __init__(self, mission_id: str, source: str, target: str) -> None:
        self.mission_id = mission_id
        self.source = source
        self.target = target
        super().__init__(f"mission {mission_id!r}: illegal transition {source} -> {target}")


class UnbalancedEntryError(FestEngineError, RuntimeError):
    """A journal entry whose postings do not sum to zero per currency: always a bug."""


class StoreError(FestEngineError, RuntimeError):
    """A fest store cannot be opened or written: another writer holds it, it belongs to another fest,
    it is damaged or of an unknown version, or a write failed (the store then holds its last commit)."""


class UpgradeRefusedError(FestEngineError, ValueError):
    """A running fest cannot move to a changed pack: ``refusals`` names each change refused and why.

    Raised by ``Engine.upgrade`` (and ``FestStore.upgrade``) before anything changes: the engine
    and the store are left exactly as they were.
    """

    def __init__(self, refusals: Sequence[str]) -> None:
        self.refusals = tuple(refusals)
        super().__init__("the pack change is refused: " + "; ".join(self.refusals))
