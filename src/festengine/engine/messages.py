"""Messages: how one owner key's step reaches another key's state.

A handler changes only the state of the key it runs for; an effect on another key (points for a
fest board, a reward for a community goal's contributor…) is *sent* as a message with
``ctx.send(SomeMessage(to=key, ...))``. The step fills in where the message comes from:

* ``cause``: the id of the event the step applies (``"timer:<due>:<digest>"`` for a timer's step);
* ``at``: the event time of that cause (POSIX seconds): the message takes effect at that time;
* ``path``: the hop path: a step's sends are numbered from 0, and a message sent while applying a
  message extends that message's path, so ``(cause, path)`` is unique and the same in every driver.

``message.id`` is ``"<cause>/<path joined by dots>"``. A key remembers the ids of the messages it
received and ignores a repeat: messages are never refused, never late. One key applies its inputs in
the order :func:`input_order` gives (events before the messages of the same cause), which is the order
the in-process engine's queue applies them in.

Concrete messages are declared by the mechanic that receives them; the core declares
:class:`Forwarded`: an event accepted by its primary owner, for the parts of an owner kind the
engine that accepted it does not hold. Each message has a JSON wire form (:func:`encode_message`,
:func:`decode_message`) so drivers can ship it between processes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, Final, TypeAlias, Union

import msgspec

from festengine.events import Event

if TYPE_CHECKING:
    from festengine.engine.component import StepContext

__all__ = [
    "TIMER_CAUSE",
    "Forwarded",
    "InputOrder",
    "Message",
    "MessageHandler",
    "decode_message",
    "encode_message",
    "input_order",
    "timer_cause",
]


class Message(msgspec.Struct, frozen=True, kw_only=True, tag=True):
    """The base of every message. Subclass it with ``frozen=True`` and the payload's fields.

    The sender gives ``to`` (the written key, e.g. ``"viewer:u1"``) and the payload; ``cause``,
    ``at`` and ``path`` are filled in by :meth:`StepContext.send <festengine.engine.component.StepContext.send>`.
    Fields hold immutable, JSON-ready values (str, int, bool, Decimal, tuples).
    """

    to: str
    cause: str = ""
    at: float = 0.0
    path: tuple[int, ...] = ()

    @property
    def id(self) -> str:
        """Unique and the same in every driver: the cause and the hop path."""
        return f"{self.cause}/{'.'.join(map(str, self.path))}"


class Forwarded(Message, frozen=True):
    """An event its primary owner accepted, for the parts of another owner kind (``event`` as it was
    counted: a gift streak's delta in ``coins``, not its running total)."""

    event: Event


MessageHandler: TypeAlias = Callable[[Any, "StepContext"], None]


#: how the cause of a timer's messages starts (then its due time and a digest)
TIMER_CAUSE: Final = "timer:"


def timer_cause(due_ts: float, component: str, payload: list[Any]) -> str:
    """A timer's cause: its due time and a digest of its component and payload (the same in every driver)."""
    text = json.dumps([component, payload], separators=(",", ":"), sort_keys=True, default=str)
    return f"{TIMER_CAUSE}{due_ts!r}:{hashlib.blake2b(text.encode(), digest_size=8).hexdigest()}"


#: an input's place in its key's order (see :func:`input_order`)
InputOrder: TypeAlias = tuple[float, int, str, int, tuple[int, ...]]


def input_order(at: float, cause: str, path: tuple[int, ...] | None) -> InputOrder:
    """Where an input goes in its key's order: by time; at the same time a timer's messages first (a
    timer due at an event's time fires before it), then by cause; an event (``path`` ``None``) comes
    before every message of its cause, and messages by hop count, then path (breadth first, as the
    in-process queue applies them)."""
    rank = 0 if cause.startswith(TIMER_CAUSE) else 1
    if path is None:
        return (at, rank, cause, -1, ())
    return (at, rank, cause, len(path), path)


def encode_message(message: Message) -> bytes:
    """A message's JSON wire form (tagged with its class name)."""
    return msgspec.json.encode(message)


def decode_message(data: bytes | str, kinds: Iterable[type[Message]]) -> Message:
    """A message back from its wire form, if it is one of ``kinds``; ``msgspec.ValidationError`` otherwise."""
    union = tuple(kinds)
    if not union:
        raise ValueError("decode_message needs at least one message type")
    target: Any = union[0] if len(union) == 1 else _union(union)
    decoded: Message = msgspec.json.decode(data, type=target)
    return decoded


def _union(kinds: tuple[type[Message], ...]) -> Any:
    return Union[kinds]  # noqa: UP007 (a union built at run time from classes)
