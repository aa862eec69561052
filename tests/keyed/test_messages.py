"""The keyed core's mechanism: messages sent between keys, applied in order, once; engines holding
some owner kinds; what a step returns for the driver; message ids in snapshots."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

import pytest

from festengine.catalog.compile import compile_fest
from festengine.catalog.model import Fest
from festengine.catalog.spec import FestSpec
from festengine.engine.component import Component, Handler, MessageHandler, StepContext
from festengine.engine.core import EngineCore
from festengine.engine.keys import FEST_KEY, Owner, OwnerKey, owner_of, viewer_key
from festengine.engine.messages import (
    Forwarded,
    Message,
    decode_message,
    encode_message,
    input_order,
    timer_cause,
)
from festengine.engine.outcomes import Outcome
from festengine.engine.shapes import STR, Shape, list_of
from festengine.events import Event, parse_event

FEST: Fest = compile_fest(
    FestSpec.model_validate(
        {
            "fest": {
                "id": "keyed",
                "name": "Keyed",
                "timezone": "UTC",
                "starts_at": "2026-03-01T00:00:00Z",
                "ends_at": "2026-03-22T00:00:00Z",
                "allowed_lateness": "10m",
            },
            "economy": {
                "currency": "USD",
                "coin_value": {"app": "0.01"},
                "default_channel": "app",
                "split": {"creator": "0.50", "platform": "0.50"},
                "gifts": [{"id": "rose", "name": "Rose", "coins": 1}],
            },
            "missions": [],
        }
    )
)
START = FEST.starts_at


class AddLikes(Message, frozen=True):
    """Add ``amount`` likes of ``user_id`` to the fest's tally."""

    user_id: str
    amount: int


class Thanked(Message, frozen=True):
    total: int


class Counted(Outcome, frozen=True):
    kind: ClassVar[str] = "counted"
    key: str
    total: int


class Likes(Component):
    """A viewer part sending each like to the fest's tally, and a fest part that thanks every
    tenth like back; the fest part also counts ``comment`` events (forwarded in a viewer engine)."""

    name: ClassVar[str] = "likes"

    def __init__(self, fest: Fest) -> None:
        super().__init__(fest)
        self.tally = 0
        self.comments = 0
        self.thanks: dict[str, int] = {}

    def handlers(self) -> Mapping[str, Handler]:
        table: dict[str, Handler] = {}
        if self.holds(Owner.VIEWER):
            table["like"] = self._on_like
        if self.holds(Owner.FEST):
            table["comment"] = self._on_comment
        return table

    def message_handlers(self) -> Mapping[type[Message], MessageHandler]:
        table: dict[type[Message], MessageHandler] = {}
        if self.holds(Owner.FEST):
            table[AddLikes] = self._add
        if self.holds(Owner.VIEWER):
            table[Thanked] = self._thanked
        return table

    def _on_like(self, event: Event, ctx: StepContext) -> None:
        ctx.send(AddLikes(to=FEST_KEY, user_id=event.user_id, amount=1))
        ctx.schedule(ctx.ts + 60, self.name, [event.user_id])

    def _on_comment(self, event: Event, ctx: StepContext) -> None:
        self.comments += 1

    def _add(self, message: AddLikes, ctx: StepContext) -> None:
        self.tally += message.amount
        ctx.emit(Counted(ctx.event_id, FEST_KEY, self.tally))
        if self.tally % 10 == 0:
            ctx.send(Thanked(to=viewer_key(message.user_id), total=self.tally))

    def _thanked(self, message: Thanked, ctx: StepContext) -> None:
        user = OwnerKey.parse(message.to).id
        self.thanks[user] = self.thanks.get(user, 0) + 1
        ctx.emit(Counted(ctx.event_id, message.to, message.total))

    def on_timer(self, payload: list[Any], ctx: StepContext) -> None:
        ctx.send(AddLikes(to=FEST_KEY, user_id=str(payload[0]), amount=100))

    def dump(self) -> object:
        return [self.tally, self.comments, sorted(self.thanks.items())]

    def snapshot_shape(self) -> Shape:
        return lambda value: None

    def timer_shape(self) -> Shape:
        return list_of(STR)

    def load(self, data: Any) -> None:
        self.tally, self.comments, thanks = data
        self.thanks = dict(thanks)


def engine(*owners: Owner) -> EngineCore:
    return EngineCore(FEST, [Likes(FEST)], owners=owners or tuple(Owner))


def part(core: EngineCore) -> Likes:
    likes = core.component("likes")
    assert isinstance(likes, Likes)
    return likes


def event(event_id: str, kind: str, minutes: float, user: str = "u1", **fields: Any) -> Event:
    at = (START + timedelta(minutes=minutes)).astimezone(UTC).isoformat()
    if kind in ("like", "comment"):
        fields = {"creator_id": "c1", "stream_id": "s1", **fields}
    return parse_event({"event_id": event_id, "type": kind, "occurred_at": at, "user_id": user, **fields})


def likes(count: int) -> list[Event]:
    return [event(f"e{i:03}", "like", i * 0.1, user=f"u{i % 3}") for i in range(count)]


def counted(steps: list[Any]) -> list[tuple[str, int]]:
    return [(o.key, o.total) for step in steps for o in step.outcomes if isinstance(o, Counted)]


def test_keys_are_written_kind_colon_id() -> None:
    assert str(OwnerKey(Owner.VIEWER, "u1")) == viewer_key("u1") == "viewer:u1"
    assert OwnerKey.parse("fest:*") == OwnerKey(Owner.FEST, "*")
    assert OwnerKey.parse("viewer:a:b") == OwnerKey(Owner.VIEWER, "a:b")
    assert owner_of("viewer:u1") is Owner.VIEWER
    for bad in ("u1", "creator:c1", "viewer:", ""):
        with pytest.raises(ValueError, match="not an owner key"):
            OwnerKey.parse(bad)


def test_in_an_all_owner_engine_messages_are_applied_in_the_same_step() -> None:
    """A like's message to the fest is applied before ``apply`` returns; nothing leaves the engine."""
    core = engine()
    steps = [core.apply(e) for e in likes(10)]
    assert all(step.messages == () for step in steps)
    assert counted(steps) == [(FEST_KEY, n) for n in range(1, 11)] + [("viewer:u0", 10)]
    assert counted(steps[-1:]) == [(FEST_KEY, 10), ("viewer:u0", 10)]


def test_a_timers_messages_are_applied_right_after_it_fires() -> None:
    core = engine()
    core.apply(event("a", "like", 0))
    step = core.apply(event("b", "like", 5, user="u2"))  # the first like's timer is due: +100 first
    assert counted([step]) == [(FEST_KEY, 101), (FEST_KEY, 102)]


def test_a_partial_engine_returns_messages_for_the_driver_and_receive_applies_them() -> None:
    """Split the same events over a viewer engine and a fest engine: the same effects per key."""
    viewers, fest, whole = engine(Owner.VIEWER), engine(Owner.FEST), engine()
    whole_steps, split_steps = [], []
    for e in likes(25):
        whole_steps.append(whole.apply(e))
        step = viewers.apply(e)
        split_steps.append(step)
        pending = list(step.messages)
        while pending:
            message = pending.pop(0)
            target = fest if owner_of(message.to) is Owner.FEST else viewers
            answer = target.receive(message)
            split_steps.append(answer)
            pending.extend(answer.messages)
    assert sorted(counted(split_steps)) == sorted(counted(whole_steps))
    assert part(fest).tally == part(whole).tally == 25 + 15 * 100  # 25 likes, 15 timers due by the last


def test_messages_carry_cause_time_and_path() -> None:
    viewers = engine(Owner.VIEWER)
    step = viewers.apply(event("e1", "like", 1))
    (message,) = step.messages
    assert isinstance(message, AddLikes)
    assert (message.to, message.cause, message.path, message.id) == (FEST_KEY, "e1", (0,), "e1/0")
    assert message.at == (START + timedelta(minutes=1)).timestamp()
    fest = engine(Owner.FEST)
    for i in range(9):
        fest.receive(AddLikes(to=FEST_KEY, cause=f"x{i}", at=message.at, path=(0,), user_id="u1", amount=1))
    answer = fest.receive(message)
    (thanks,) = answer.messages
    assert (thanks.to, thanks.cause, thanks.path, thanks.id) == ("viewer:u1", "e1", (0, 0), "e1/0.0")


def test_a_repeated_message_changes_nothing() -> None:
    fest = engine(Owner.FEST)
    message = AddLikes(to=FEST_KEY, cause="e1", at=START.timestamp() + 60, path=(0,), user_id="u1", amount=1)
    first = fest.receive(message)
    before = fest.snapshot()
    again = fest.receive(message)
    assert counted([first]) == [(FEST_KEY, 1)]
    assert again.outcomes == ()
    assert again.messages == ()
    assert fest.snapshot() == before


def test_a_message_for_a_key_the_engine_does_not_hold_is_refused_and_changes_nothing() -> None:
    viewers = engine(Owner.VIEWER)
    message = AddLikes(to=FEST_KEY, cause="e1", at=START.timestamp() + 60, path=(0,), user_id="u1", amount=1)
    before = viewers.snapshot()
    with pytest.raises(ValueError, match=r"message 'e1/0' is for fest:\*, a key this engine does not hold"):
        viewers.receive(message)
    assert viewers.snapshot() == before
    assert not viewers.failed


def test_received_ids_survive_a_snapshot() -> None:
    fest = engine(Owner.FEST)
    message = AddLikes(to=FEST_KEY, cause="e1", at=START.timestamp() + 60, path=(0,), user_id="u1", amount=1)
    fest.receive(message)
    restored = engine(Owner.FEST)
    restored._load_snapshot(fest.snapshot(), None)
    assert restored.receive(message).outcomes == ()
    assert restored.snapshot() == fest.snapshot()


def test_an_event_of_a_kind_not_held_is_forwarded_once_accepted() -> None:
    viewers, fest = engine(Owner.VIEWER), engine(Owner.FEST)
    step = viewers.apply(event("c1", "comment", 1, text="hi"))
    (forwarded,) = step.messages
    assert isinstance(forwarded, Forwarded)
    assert forwarded.to == FEST_KEY
    assert forwarded.event.event_id == "c1"
    fest.receive(forwarded)
    assert part(fest).comments == 1
    refused = viewers.apply(event("c2", "comment", -100000, text="hi"))
    assert refused.rejected is not None
    assert refused.messages == ()


def test_messages_round_trip_through_their_wire_form() -> None:
    viewers = engine(Owner.VIEWER)
    step = viewers.apply(event("c1", "comment", 1, text="hi"))
    step2 = viewers.apply(event("l1", "like", 2))
    for message in (*step.messages, *step2.messages):
        data = encode_message(message)
        assert decode_message(data, viewers.message_types() | {AddLikes}) == message


def test_the_input_order_puts_an_event_before_its_messages() -> None:
    orders = [input_order(5.0, "e1", (1,)), input_order(5.0, "e1", (0, 0)), input_order(5.0, "e1", None)]
    assert sorted(orders) == [
        input_order(5.0, "e1", None),
        input_order(5.0, "e1", (1,)),
        input_order(5.0, "e1", (0, 0)),
    ]
    assert timer_cause(5.0, "likes", ["u1"]) == timer_cause(5.0, "likes", ["u1"]) != timer_cause(5.0, "likes", ["u2"])


def test_an_engine_needs_some_known_owner_kind() -> None:
    with pytest.raises(ValueError, match="owners"):
        EngineCore(FEST, [Likes(FEST)], owners=())
    with pytest.raises(TypeError, match="Message"):
        engine().receive("not a message")  # type: ignore[arg-type]


def test_the_clock_never_moves_back_on_receive() -> None:
    fest = engine(Owner.FEST)
    fest.advance_to(START + timedelta(hours=1))
    message = AddLikes(to=FEST_KEY, cause="e1", at=START.timestamp() + 60, path=(0,), user_id="u1", amount=1)
    fest.receive(message)
    assert fest.clock == START + timedelta(hours=1)
    assert isinstance(fest.clock, datetime)
