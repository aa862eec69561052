"""One owner key's step: its engine, restored from its bytes, applies the key's inputs in the key's order.

Every keyed driver in this package takes this step; it knows nothing of Beam, so the rounds driver
(:mod:`festengine.beam.rounds`) and the benchmark's worker processes use it as the pipeline does.

An *input* of a key is written as one line of text, so that any runner can buffer, ship and store it:
``E`` and the event's wire JSON, or ``M`` and a message's wire JSON. :func:`input_order` sorts a key's
inputs in the order the in-process engine applies them (events by ``(occurred_at, event_id)``, a
message after its cause's event, by hop path), with the text itself as the last tie-break, so that
the order never depends on how a runner delivered them.

:func:`run_key` restores the key's engine from its snapshot bytes (or builds it when the key is new),
applies the inputs and, at the fest's end, advances it to the end (windows close, claims lapse,
commissions settle). It returns the new bytes and what the key emitted, as JSON text: its outcomes
(numbered per key, so the order of a key's outcomes survives any runner), its journal entries, and
the messages its steps sent to other keys, each written as an input of the key it goes to.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime
from decimal import Decimal
from operator import itemgetter
from typing import Final

import attrs

from festengine.beam import owners
from festengine.catalog.model import Fest
from festengine.economy.ledger import JournalEntry
from festengine.engine.core import EngineCore, Step
from festengine.engine.outcomes import outcome_to_dict
from festengine.events import Event, dumps_event, parse_event

__all__ = [
    "END_CAUSE",
    "EVENT",
    "MESSAGE",
    "KeyRun",
    "event_input",
    "input_at",
    "input_order",
    "journal_record",
    "run_key",
]

#: an input line holding an event's wire JSON starts with this letter
EVENT: Final = "E"
#: an input line holding a message's wire JSON starts with this letter
MESSAGE: Final = "M"
#: the cause named by the outcomes of advancing a key to the fest's end
END_CAUSE: Final = "end"
_MODEL: Final = owners.KeyModel()

#: a key's order of its inputs, with the input's text as the last tie-break
InputOrder = tuple[float, int, str, int, tuple[int, ...], str]


def event_input(event: Event) -> str:
    """An event written as a key's input."""
    return EVENT + dumps_event(event)


def input_at(line: str) -> float:
    """The event time of an input (POSIX seconds): its event's ``occurred_at`` or its message's ``at``."""
    if line[0] == EVENT:
        return parse_event(line[1:]).occurred_at.timestamp()
    return owners.message_at(line[1:])


def input_order(line: str) -> InputOrder:
    """Where an input goes in its key's order (see the module's text)."""
    return _decoded(line)[0]


def _decoded(line: str) -> tuple[InputOrder, Event | None]:
    """An input's place in its key's order, and its event (``None`` for a message, decoded by its key's engine)."""
    if line[0] == EVENT:
        event = parse_event(line[1:])
        return (*owners.event_order(event), line), event
    return (*owners.message_order(line[1:]), line), None


@attrs.frozen(slots=True)
class KeyRun:
    """What one :func:`run_key` did: the key's new bytes and what it emitted, as JSON text."""

    #: the key's engine snapshot after the inputs
    state: bytes
    #: how many outcomes the key has emitted in all (the next outcome's ``seq``)
    emitted: int
    #: ``{"key", "seq", "cause", "outcome"}`` records, in the key's order
    outcomes: tuple[str, ...]
    #: ``{"key", "id", "event", "rule", "memo", "at", "postings"}`` records, in the key's order
    journal: tuple[str, ...]
    #: ``(key, input)`` pairs: the messages sent to other keys, each as an input of its key
    messages: tuple[tuple[str, str], ...]


class _Entries:
    """A journal sink that keeps the entries a run posted, to be emitted as records."""

    __slots__ = ("entries",)

    def __init__(self) -> None:
        self.entries: list[JournalEntry] = []

    def append(self, entry: JournalEntry) -> None:
        self.entries.append(entry)


class _Emitter:
    """Turns a key's steps into records: outcomes numbered from ``emitted``, messages as inputs."""

    __slots__ = ("emitted", "key", "messages", "outcomes")

    def __init__(self, key: str, emitted: int) -> None:
        self.key = key
        self.emitted = emitted
        self.outcomes: list[str] = []
        self.messages: list[tuple[str, str]] = []

    def step(self, cause: str, step: Step) -> None:
        for outcome in step.outcomes:
            record = {"key": self.key, "seq": self.emitted, "cause": cause, "outcome": outcome_to_dict(outcome)}
            self.outcomes.append(_json(record))
            self.emitted += 1
        for message in owners.step_messages(step):
            self.messages.append((message.to, MESSAGE + owners.encode(message)))


def run_key(
    fest: Fest,
    key: str,
    state: bytes | None,
    emitted: int,
    inputs: Iterable[str],
    *,
    end: bool = False,
    model: owners.KeyModel = _MODEL,
) -> KeyRun:
    """Apply ``inputs`` (in :func:`input_order`) to the key's engine restored from ``state`` (a new
    engine when ``None``); with ``end``, then advance it to the fest's end. ``emitted``: how many
    outcomes the key emitted before (from :attr:`KeyRun.emitted` of its previous run, else 0);
    ``model``: how state is owned (:class:`festengine.beam.owners.KeyModel`)."""
    journal = _Entries()
    owner = owners.owner_of_key(key)
    engine: EngineCore = (
        model.new_engine(fest, owner, journal) if state is None else model.restore_engine(fest, owner, state, journal)
    )
    emitter = _Emitter(key, emitted)
    for order, event in sorted(map(_decoded, inputs), key=itemgetter(0)):
        if event is not None:
            emitter.step(event.event_id, engine.apply(event))
        else:
            message = owners.decode(engine, order[-1][1:])
            emitter.step(message.id, owners.receive(engine, message))
    if end:
        emitter.step(END_CAUSE, engine.advance_to(fest.ends_at))
    records = tuple(journal_record(key, entry) for entry in journal.entries)
    return KeyRun(engine.snapshot(), emitter.emitted, tuple(emitter.outcomes), records, tuple(emitter.messages))


def journal_record(key: str, entry: JournalEntry) -> str:
    """A journal entry as one JSON record, with the key whose engine posted it (entry ids count per key)."""
    return _json(
        {
            "key": key,
            "id": entry.id,
            "event": entry.event_id,
            "rule": entry.rule_id,
            "memo": entry.memo,
            "at": entry.at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
            "postings": [[account, str(money.amount), money.currency] for account, money in entry.postings],
        }
    )


def _json(value: object) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=_plain)


def _plain(value: object) -> object:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")
