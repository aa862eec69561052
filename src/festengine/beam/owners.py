"""The key model the pipeline runs on: which owner key an event goes to, and each key's engine.

This is the one module of :mod:`festengine.beam` that knows how state is owned; everything else
handles keys as text and inputs as lines. It is a thin layer over :mod:`festengine.keyed` and
:mod:`festengine.engine.messages`: an event goes to its primary key (:func:`route`), a key's engine
is an engine holding its owner kind (:func:`new_engine`, :func:`restore_engine`), and a message to
``viewer:*`` goes to every viewer key (:func:`broadcast_kind`).

:class:`KeyModel` says whether the pipeline splits the fest by owner key. When it does not, one
key, ``fest:*``, owns everything: every event goes to it, and its engine holds every owner kind and
so sends no messages. That is the default (:data:`SPLIT_BY_OWNER`) until every component of the
default engine is split by owner: promotions are not split yet, so each viewer key's engine runs the
promotions' schedule itself (a scheduled or goal-triggered promotion starts once per viewer key).
"""

from __future__ import annotations

import json
from typing import Final

import attrs

from festengine.assembly import Engine
from festengine.catalog.model import Fest
from festengine.economy.journal import JournalSink
from festengine.engine.core import EngineCore, Step
from festengine.engine.keys import ALL_VIEWERS, FEST_KEY, Owner
from festengine.engine.messages import InputOrder, Message, decode_message, encode_message, input_order
from festengine.events import Event
from festengine.keyed import key_engine, restore_key, sort_key
from festengine.keyed import route as primary_key

__all__ = [
    "FEST_KEY",
    "SPLIT_BY_OWNER",
    "KeyModel",
    "decode",
    "encode",
    "event_order",
    "kind_of",
    "message_at",
    "message_order",
    "message_to",
    "owner_of_key",
    "receive",
    "step_messages",
]

#: whether events go to their owner keys by default (else one key owns everything: see the module)
SPLIT_BY_OWNER: Final = False
#: the messages that go to every key of a kind, by the key they are addressed to
_BROADCASTS: Final = {ALL_VIEWERS: Owner.VIEWER.value}


@attrs.frozen
class KeyModel:
    """How a fest's state is owned: by owner key (``split``), or by one key, ``fest:*``, holding every
    owner kind. A value, so that the pipeline's transforms carry it to every worker."""

    split: bool = SPLIT_BY_OWNER

    def owner_kinds(self) -> tuple[str, ...]:
        """The owner kinds, each one stateful DoFn."""
        return tuple(owner.value for owner in Owner) if self.split else (Owner.FEST.value,)

    def broadcast_kinds(self) -> tuple[str, ...]:
        """The owner kinds a message may go to every key of at once (``viewer:*``)."""
        return tuple(_BROADCASTS.values()) if self.split else ()

    def broadcast_kind(self, to: str) -> str | None:
        """The kind of every key a message goes to, if it goes to every key of a kind (else ``None``)."""
        return _BROADCASTS.get(to) if self.split else None

    def round_inputs(self, by_key: dict[str, list[str]], messages: list[tuple[str, str]]) -> dict[str, list[str]]:
        """Each key's inputs for a round of a bounded run: its events (``by_key``) and the messages of the
        round before (``(to, line)``), a message to every key of a kind reaching each such key that has inputs."""
        inputs = {key: list(lines) for key, lines in by_key.items()}
        for to, line in messages:
            if self.broadcast_kind(to) is None:
                inputs.setdefault(to, []).append(line)
        for to, line in messages:
            kind = self.broadcast_kind(to)
            if kind is not None:
                for key in [key for key in inputs if kind_of(key) == kind]:
                    inputs[key].append(line)
        return inputs

    def route(self, fest: Fest, event: Event) -> str:
        """The key an event goes to first (the owner that may refuse it)."""
        return str(primary_key(fest, event)) if self.split else FEST_KEY

    def new_engine(self, fest: Fest, owner: Owner, journal: JournalSink) -> EngineCore:
        """A new engine for one key of ``owner``, posting its journal entries to ``journal``."""
        if not self.split:
            return Engine(fest, journal=journal)
        return key_engine(fest, owner, journal=journal)

    def restore_engine(self, fest: Fest, owner: Owner, data: bytes, journal: JournalSink) -> EngineCore:
        """A key's engine back from its snapshot bytes."""
        if not self.split:
            return Engine.restore(fest, data, journal=journal)
        return restore_key(fest, owner, data, journal=journal)


def kind_of(key: str) -> str:
    """The owner kind of a written key (``viewer:u1`` -> ``viewer``)."""
    return key.partition(":")[0]


def owner_of_key(key: str) -> Owner:
    """The owner kind a key's engine holds."""
    return Owner(kind_of(key))


def event_order(event: Event) -> InputOrder:
    """An event's place in its key's order: by time, then id, before the messages it caused."""
    return sort_key(event)


def step_messages(step: Step) -> tuple[Message, ...]:
    """The messages a step sent to keys its engine does not hold."""
    return step.messages


def message_order(text: str) -> InputOrder:
    """A message's place in its key's order (by its cause's time, its cause, its hop path)."""
    data = json.loads(text)
    return input_order(float(data["at"]), str(data["cause"]), tuple(data["path"]))


def message_at(text: str) -> float:
    """The time a message takes effect (its cause's time)."""
    return float(json.loads(text)["at"])


def message_to(text: str) -> str:
    """The key a message goes to."""
    return str(json.loads(text)["to"])


def encode(message: Message) -> str:
    """A message's wire JSON."""
    return encode_message(message).decode("utf-8")


def decode(engine: EngineCore, text: str) -> Message:
    """A message back from its wire JSON, as one of the types ``engine`` applies."""
    return decode_message(text, sorted(engine.message_types(), key=lambda kind: kind.__name__))


def receive(engine: EngineCore, message: Message) -> Step:
    """Apply a message that arrived at the key of ``engine``."""
    return engine.receive(message)
