"""Which key an event goes to, which shard holds a key, and the order a key applies its inputs in."""

from __future__ import annotations

import hashlib
from collections.abc import Collection

from festengine.assembly import Engine
from festengine.catalog.model import Fest
from festengine.economy.journal import JournalSink
from festengine.engine.keys import FEST_EVENTS, Owner, OwnerKey
from festengine.engine.messages import InputOrder, Message, input_order
from festengine.engine.outcomes import Outcome
from festengine.events import Event

__all__ = ["key_engine", "restore_key", "route", "shard_of", "sort_key"]

_FEST = OwnerKey(Owner.FEST, "*")


def route(fest: Fest, event: Event) -> OwnerKey:
    """The primary key of an event, the one that decides whether it is refused: the fest for a
    stream's start or end, else the event's viewer (a refund or delivery names its buyer)."""
    del fest  # every fest routes alike for now; finer owner kinds will read it
    if event.type in FEST_EVENTS:
        return _FEST
    return OwnerKey(Owner.VIEWER, event.user_id)


def shard_of(key: OwnerKey | str, shards: int) -> int:
    """The shard (``0 .. shards - 1``) holding a key: a stable hash of its id, the same in every process."""
    if shards < 1:
        raise ValueError(f"shards must be 1 or more, not {shards}")
    key_id = key.id if isinstance(key, OwnerKey) else OwnerKey.parse(key).id
    digest = hashlib.blake2b(key_id.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") % shards


def sort_key(item: Event | Message) -> InputOrder:
    """Where an input goes in its key's order: ``(time, event id or cause, hops, path)``, so that an
    event comes before the messages it caused, and a message before those it caused in turn."""
    if isinstance(item, Event):
        return input_order(item.occurred_at.timestamp(), item.event_id, None)
    return input_order(item.at, item.cause, item.path)


def key_engine(
    fest: Fest, owner: Owner, *, leave_out: Collection[type[Outcome]] = (), journal: JournalSink | None = None
) -> Engine:
    """A new engine holding the state of ``owner`` keys: fed one key's inputs, it is that key's state."""
    return Engine(fest, leave_out=leave_out, journal=journal, owners=(owner,))


def restore_key(
    fest: Fest,
    owner: Owner,
    data: bytes,
    *,
    leave_out: Collection[type[Outcome]] = (),
    journal: JournalSink | None = None,
) -> Engine:
    """A key's engine back from its bytes (its snapshot): raises ``SnapshotError`` for bad bytes."""
    return Engine.restore(fest, data, leave_out=leave_out, journal=journal, owners=(owner,))
