"""The key model the pipeline runs on: which owner key an event goes to, and each key's engine.

This is the one module of :mod:`festengine.beam` that knows how state is owned; everything else
handles keys as text and inputs as lines. Until the engine splits its state by owner, one key,
``fest:*``, owns everything: every event goes to it and its engine (an ordinary engine) sends no
messages.
"""

from __future__ import annotations

import json
from typing import Final, NoReturn, Protocol

from festengine.assembly import Engine
from festengine.catalog.model import Fest
from festengine.economy.journal import JournalSink
from festengine.engine.core import EngineCore, Step
from festengine.events import Event

__all__ = [
    "FEST_KEY",
    "Sent",
    "broadcast_kind",
    "broadcast_kinds",
    "decode",
    "encode",
    "event_order",
    "kind_of",
    "message_at",
    "message_order",
    "message_to",
    "new_engine",
    "owner_kinds",
    "owner_of_key",
    "receive",
    "restore_engine",
    "route",
    "step_messages",
]

FEST_KEY: Final = "fest:*"


class Sent(Protocol):
    """A message as the drivers handle it: the key it goes to and its id (unique, the same in every driver)."""

    @property
    def to(self) -> str: ...

    @property
    def id(self) -> str: ...


_FEST: Final = "fest"


def owner_kinds() -> tuple[str, ...]:
    """The owner kinds, each one stateful DoFn."""
    return (_FEST,)


def broadcast_kinds() -> tuple[str, ...]:
    """The owner kinds a message may go to every key of at once: none while one key owns everything."""
    return ()


def broadcast_kind(to: str) -> str | None:
    """The kind of every key a message goes to, if it goes to every key of a kind (else ``None``)."""
    del to
    return None


def kind_of(key: str) -> str:
    """The owner kind of a written key (``viewer:u1`` -> ``viewer``)."""
    return key.partition(":")[0]


def owner_of_key(key: str) -> str:
    """The owner kind a key's engine holds."""
    return kind_of(key)


def route(fest: Fest, event: Event) -> str:
    """The key an event goes to first (the owner that may refuse it)."""
    del fest, event
    return FEST_KEY


def new_engine(fest: Fest, owner: str, journal: JournalSink) -> EngineCore:
    """A new engine for one key of ``owner``, posting its journal entries to ``journal``."""
    del owner
    return Engine(fest, journal=journal)


def restore_engine(fest: Fest, owner: str, data: bytes, journal: JournalSink) -> EngineCore:
    """A key's engine back from its snapshot bytes (written by this package: not limited in size)."""
    del owner
    return Engine.restore(fest, data, max_bytes=None, journal=journal)


def event_order(event: Event) -> tuple[float, str, int, tuple[int, ...]]:
    """An event's place in its key's order: by time, then id, before the messages it caused."""
    return (event.occurred_at.timestamp(), event.event_id, -1, ())


def step_messages(step: Step) -> tuple[Sent, ...]:
    """The messages a step sent to other keys: none while one key owns everything."""
    del step
    return ()


def _no_messages(what: str) -> NoReturn:
    raise ValueError(f"{what}: no key sends messages while one key owns everything")


def message_order(text: str) -> tuple[float, str, int, tuple[int, ...]]:
    """A message's place in its key's order (by its cause's time, its cause, its hop path)."""
    data = json.loads(text)
    path = tuple(data["path"])
    return (float(data["at"]), str(data["cause"]), len(path), path)


def message_at(text: str) -> float:
    """The time a message takes effect (its cause's time)."""
    return float(json.loads(text)["at"])


def message_to(text: str) -> str:
    """The key a message goes to."""
    return str(json.loads(text)["to"])


def encode(message: Sent) -> str:
    """A message's wire JSON."""
    del message
    _no_messages("encode")


def decode(engine: EngineCore, text: str) -> Sent:
    """A message back from its wire JSON, as one of the types ``engine`` applies."""
    del engine, text
    _no_messages("decode")


def receive(engine: EngineCore, message: Sent) -> Step:
    """Apply a message that arrived at the key of ``engine``."""
    del engine, message
    _no_messages("receive")
