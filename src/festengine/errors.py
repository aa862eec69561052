"""Every exception festengine raises derives from :class:`FestEngineError`.

Business results (a rejected event, an exhausted budget) are *outcomes*, never exceptions;
exceptions are for misuse of the API, invalid fest packs and bugs.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs

__all__ = [
    "EventParseError",
    "FestEngineError",
    "FestValidationError",
    "IllegalTransitionError",
    "Problem",
    "SnapshotError",
    "StoreError",
    "UnbalancedEntryError",
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


class EventParseError(FestEngineError, ValueError):
    """An event could not be parsed; ``.reasons`` says why, field by field."""

    def __init__(self, reasons: Sequence[str], *, line: int | None = None) -> None:
        self.reasons = tuple(reasons)
        self.line = line
        prefix = f"line {line}: " if line is not None else ""
        super().__init__(prefix + "; ".join(self.reasons))


class SnapshotError(FestEngineError, ValueError):
    """A snapshot is corrupt, of an unknown version, or belongs to a different fest."""


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
