"""The limits on reading a fest pack, so that no pack can stall ``festengine validate`` or exhaust memory.

A pack is read by someone who may not have written it (a pack uploaded to a service, a pull
request): every limit below is checked while reading, and a pack over one is refused with a
:class:`~festengine.errors.FestValidationError` whose problem names the file (and, where it
applies, the line and column) and the limit. Nothing is read, parsed or built past the limit.

The per-file limits bound one file's parse; the per-pack limits bound the whole pack, shared by
every file it reads (through folders and ``include:``). The bundled three-week pack is about
55 KB in 10 files with about 1,300 values, far below each of them.

The limits are read from this module each time a pack is read (never copied at import), so
they are documented here and in one place only.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Final

__all__ = [
    "MAX_ALIAS_EXPANSIONS",
    "MAX_DEPTH",
    "MAX_FILE_BYTES",
    "MAX_PACK_BYTES",
    "MAX_PACK_FILES",
    "MAX_PACK_NODES",
    "MAX_PACK_SECONDS",
    "WorkBudget",
]

MAX_FILE_BYTES: Final = 1_048_576
"""A file larger than this (in UTF-8 bytes) is refused before parsing (1 MiB)."""

MAX_DEPTH: Final = 64
"""The deepest nesting of mappings and lists allowed (a top-level mapping is level 1)."""

MAX_ALIAS_EXPANSIONS: Final = 10_000
"""How many values may be copied through aliases (``*name``) in one file."""

MAX_PACK_FILES: Final = 200
"""The most files one pack may read, counting every file of its folders and includes."""

MAX_PACK_BYTES: Final = 4 * 1_048_576
"""The most bytes all the files of one pack may hold together (4 MiB)."""

MAX_PACK_NODES: Final = 50_000
"""The most YAML values one pack may hold: every scalar, mapping and list, and every value an alias
copies, over all its files. Reading stops at the first value past it."""

MAX_PACK_SECONDS: Final = 10.0
"""The most processor time reading and parsing one pack's files may take, in seconds.

It is the reading thread's CPU time (:func:`time.thread_time`), not the wall clock, so a busy
machine or other threads do not make a pack fail. A safety net behind the other limits, which
already keep a pack's parse to a few seconds: the check is made between files and every few
hundred values while parsing. The later steps (the model, the cross-checks, compiling) are
bounded by :data:`MAX_PACK_NODES`."""

_CPU_CLOCK: Final[Callable[[], float]] = getattr(time, "thread_time", time.process_time)
"""The reading thread's CPU time where the platform has it, else the process's."""


class WorkBudget:
    """The work one pack may still do: values built and time, shared by all the files it reads.

    The defaults are this module's limits as they are when the budget is made. ``clock`` returns
    seconds; it is the thread's CPU time unless a test passes another.
    """

    __slots__ = ("_clock", "_deadline", "max_nodes", "nodes", "seconds")

    def __init__(
        self,
        *,
        max_nodes: int | None = None,
        seconds: float | None = None,
        clock: Callable[[], float] = _CPU_CLOCK,
    ) -> None:
        self.max_nodes: int = MAX_PACK_NODES if max_nodes is None else max_nodes
        self.seconds: float = MAX_PACK_SECONDS if seconds is None else seconds
        self.nodes = 0
        self._clock = clock
        self._deadline = clock() + self.seconds

    def spend_node(self) -> bool:
        """Count one more value; whether it is still within :attr:`max_nodes`."""
        self.nodes += 1
        return self.nodes <= self.max_nodes

    def out_of_time(self) -> bool:
        """Whether the time allowed has run out."""
        return self._clock() >= self._deadline

    def too_many_nodes_message(self) -> str:
        """The problem message when a pack holds more than :attr:`max_nodes` values."""
        return (
            f"the pack holds more than {self.max_nodes:,} values (every key's value, list item and alias "
            "copy, over all its files), the limit per pack; reading stopped here. Remove repeated or "
            "generated data, or split the fest into several packs"
        )

    def out_of_time_message(self) -> str:
        """The problem message when reading a pack takes longer than :attr:`seconds`."""
        return (
            f"reading the pack took more than {self.seconds:g} seconds of processor time, the limit per pack; reading "
            "stopped here. Make the files smaller and simpler (fewer values, shorter lists)"
        )
