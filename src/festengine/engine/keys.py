"""Owner keys: who owns a piece of the engine's state.

Every piece of mutable state belongs to one *owner key*: an owner kind and an id, written
``"viewer:u1"`` or ``"fest:*"``. Two kinds exist for now:

* :attr:`Owner.VIEWER`, keyed by ``user_id``: a viewer's missions, badges and points, eligibility
  profile, gift streaks, Fan Club memberships, journeys, credit wallet, orders, attribution clicks
  and promotion totals;
* :attr:`Owner.FEST`, one key (id ``"*"``): budgets, community goals, creator scoring, leaderboards,
  stream lifecycle and audience, commission tiers.

An engine holds the state of some owner kinds (all, by default). A key's inputs (events routed to
it, messages sent to it) change only that key's state; effects on other keys travel as messages
(:mod:`festengine.engine.messages`).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final

import attrs

__all__ = [
    "ALL_OWNERS",
    "ALL_VIEWERS",
    "FEST_EVENTS",
    "FEST_KEY",
    "Owner",
    "OwnerKey",
    "fest_key",
    "owner_of",
    "viewer_key",
]


class Owner(StrEnum):
    """A kind of owner: what its key's id names."""

    VIEWER = "viewer"
    FEST = "fest"


#: every owner kind, in the order an all-owner engine lists them
ALL_OWNERS: Final = frozenset(Owner)


@attrs.frozen(slots=True)
class OwnerKey:
    """One owner: its kind and id; ``str(key)`` is its written form (``"viewer:u1"``, ``"fest:*"``)."""

    owner: Owner
    id: str

    def __str__(self) -> str:
        return f"{self.owner.value}:{self.id}"

    @classmethod
    def parse(cls, text: str) -> OwnerKey:
        """The key written ``text`` (``kind:id``); ``ValueError`` if the kind is unknown or the id empty."""
        kind, sep, key_id = text.partition(":")
        if not sep or not key_id or kind not in _KINDS:
            raise ValueError(f"{text!r} is not an owner key (viewer:<user_id> or fest:*)")
        return cls(Owner(kind), key_id)


_KINDS: Final = frozenset(owner.value for owner in Owner)
#: the written key of the fest (its one owner of the fest kind)
FEST_KEY: Final = "fest:*"
#: every key of the viewer kind at once (a broadcast: each engine holding viewers applies it once, for
#: all the viewers it holds), e.g. a stream's end, which every viewer's stream windows need
ALL_VIEWERS: Final = "viewer:*"


#: the event types whose primary owner is the fest (a stream's lifecycle); every other event's is its viewer
FEST_EVENTS: Final = frozenset({"stream_started", "stream_ended"})


def viewer_key(user_id: str) -> str:
    """The written key of a viewer."""
    return f"viewer:{user_id}"


def fest_key() -> str:
    """The written key of the fest."""
    return FEST_KEY


def owner_of(key: str) -> Owner:
    """The owner kind of a written key (the part before the first colon)."""
    kind = key.partition(":")[0]
    if kind not in _KINDS:
        raise ValueError(f"{key!r} is not an owner key (viewer:<user_id> or fest:*)")
    return Owner(kind)
