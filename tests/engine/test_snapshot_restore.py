"""Restoring a snapshot treats it as untrusted input: only ``SnapshotError`` escapes, in bounded memory,
and an engine that restores is one its code can run."""

from __future__ import annotations

import functools
import json
import tracemalloc
import zlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest
from fests import ev
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from festengine import Engine, SnapshotError, load_fest
from festengine.catalog.model import Fest
from festengine.engine.core import DEFAULT_MAX_BYTES, SNAPSHOT_MAGIC
from festengine.events import Event
from festengine.sim import workload_events

PACK = Path(__file__).resolve().parents[2] / "missions" / "community-fest"
#: the inflation limit the fuzz tests restore with: far above the genuine snapshots, far below harm
SMALL_LIMIT = 4 << 20


@attrs.frozen(slots=False)  # cached_property needs a __dict__ on every attrs version we support (22.2+)
class Source:
    """A fest, a feed of its events, where the genuine snapshot is taken, and when the fest is over."""

    name: str
    fest: Fest
    feed: tuple[Event, ...]
    cut: int
    over: datetime

    @functools.cached_property
    def genuine(self) -> bytes:
        """A snapshot taken part-way through the feed, with state in every component the fest uses."""
        engine = Engine(self.fest)
        for event in self.feed[: self.cut]:
            engine.apply(event)
        return engine.snapshot()


@functools.cache
def bundled() -> Source:
    """Three days of the bundled pack's workload: gifts, purchases, clubs, goals, streams."""
    fest = load_fest(PACK)
    feed = tuple(workload_events(fest, viewers=30, creators=3, events=700, seed=11, days=3, streams=True))
    return Source("bundled", fest, feed, 500, datetime(2026, 7, 7, tzinfo=UTC))


def _mission_feed() -> tuple[Event, ...]:
    """Every kind of viewer mission at work over four days: daily and weekly windows, distinct values,
    streaks, stream windows (ended or not), a flash window, a phase, manual claims, prerequisites."""
    events: list[Event] = []
    start = datetime(2026, 3, 7, 20, 0, tzinfo=UTC)
    for day in range(4):
        for n, user in enumerate(("u1", "u2", "u3")):
            at = start + timedelta(days=day, minutes=10 * n)
            visit: list[tuple[str, dict[str, Any]]] = [
                ("like", {"count": 2}), ("like", {"count": 3}), ("claim", {"mission_id": "claim_me"}),
                ("view", {"seconds": 300}), ("product_view", {"product_id": f"p{day + n}"}), ("check_in", {}),
                ("comment", {"text": "hi"}), ("gift", {"gift_id": "rose", "repeat_count": 3,
                                                      "repeat_end": day % 2 == 0}),
                ("share", {}), ("follow", {"creator_id": f"c{n}"}),
            ]  # fmt: skip
            for minute, (kind, extra) in enumerate(visit):
                where = {"creator_id": "c1", "stream_id": f"s{day}"} if kind in STREAMED else {}
                when = (at + timedelta(minutes=minute)).isoformat()
                events.append(ev(f"{day}-{user}-{len(events)}", kind, when, user, **{**where, **extra}))
        if day % 2 == 0:
            events.append(ev(f"end-{day}", "stream_ended", (start + timedelta(days=day, hours=2)).isoformat(), "c1",
                             creator_id="c1", stream_id=f"s{day}"))  # fmt: skip
    return tuple(events)


STREAMED = frozenset({"like", "view", "comment", "gift", "share"})


@functools.cache
def missions() -> Source:
    """The engine property tests' fest with every mission kind, and a feed exercising them."""
    from test_engine_properties import FEST  # the fest with every measure and window kind

    feed = _mission_feed()
    return Source("missions", FEST, feed, len(feed) * 2 // 3, datetime(2026, 4, 1, tzinfo=UTC))


def fest() -> Fest:
    return bundled().fest


def genuine() -> bytes:
    return bundled().genuine


def state_of(data: bytes) -> Any:
    return json.loads(zlib.decompress(data[len(SNAPSHOT_MAGIC) :]))


def packed(state: Any) -> bytes:
    """A state written back as a snapshot with the right header (and whatever fingerprint it holds)."""
    return SNAPSHOT_MAGIC + zlib.compress(json.dumps(state).encode())


def continue_run(source: Source, engine: Engine) -> None:
    """What a restored engine must survive: the rest of the feed, the fest's end, a snapshot and a
    restore of that snapshot (nothing may raise)."""
    for event in source.feed[source.cut :]:
        engine.apply(event)
    engine.advance_to(source.over)
    Engine.restore(source.fest, engine.snapshot(), max_bytes=SMALL_LIMIT)


SOURCES = st.sampled_from([bundled, missions])


@pytest.mark.parametrize("source", [bundled, missions], ids=["bundled", "missions"])
def test_the_genuine_snapshot_restores_and_continues_like_the_run(source: Callable[[], Source]) -> None:
    """The fuzz tests' starting points are sound: they restore, and continue as the uninterrupted run."""
    found = source()
    restored = Engine.restore(found.fest, found.genuine, max_bytes=SMALL_LIMIT)
    whole = Engine(found.fest)
    for event in found.feed:
        whole.apply(event)
    for event in found.feed[found.cut :]:
        restored.apply(event)
    assert restored.snapshot() == whole.snapshot()


# --------------------------------------------------------------------------- bounded inflation


def test_a_decompression_bomb_is_refused_at_the_limit_in_bounded_memory() -> None:
    """A snapshot inflating past ``max_bytes`` is refused once the limit is passed, not when memory
    runs out: restoring 64 MiB of zeros with a 1 MiB limit peaks at a few MiB."""
    bomb = SNAPSHOT_MAGIC + zlib.compress(b"0" * (64 << 20), 9)
    tracemalloc.start()
    try:
        with pytest.raises(SnapshotError, match=r"inflates to more than 1,048,576 bytes \(the limit\)"):
            Engine.restore(fest(), bomb, max_bytes=1 << 20)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8 << 20


def test_the_default_limit_is_one_gibibyte_and_none_lifts_it() -> None:
    """The default ``max_bytes`` is 1 GiB; a genuine snapshot over a smaller limit is refused, under
    ``None`` (no limit) it restores."""
    assert DEFAULT_MAX_BYTES == 1 << 30
    inflated = len(zlib.decompress(genuine()[len(SNAPSHOT_MAGIC) :]))
    with pytest.raises(SnapshotError, match="restore it with a larger max_bytes"):
        Engine.restore(fest(), genuine(), max_bytes=inflated - 1)
    assert Engine.restore(fest(), genuine(), max_bytes=inflated).snapshot() == genuine()
    assert Engine.restore(fest(), genuine(), max_bytes=None).snapshot() == genuine()


@pytest.mark.parametrize("limit", [0, -1, 1.5, "1G"])
def test_a_limit_that_is_not_a_positive_whole_number_is_a_value_error(limit: Any) -> None:
    """``max_bytes`` is the caller's choice, not data: a bad one is a ValueError saying what is allowed."""
    with pytest.raises(ValueError, match="max_bytes must be a positive whole number of bytes or None"):
        Engine.restore(fest(), genuine(), max_bytes=limit)


def test_trailing_bytes_after_the_compressed_body_are_refused() -> None:
    """Bytes after the end of the compressed body make the snapshot corrupt."""
    with pytest.raises(SnapshotError, match="bytes after its end"):
        Engine.restore(fest(), genuine() + b"junk")


def test_a_memory_error_while_restoring_is_a_snapshot_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """Running out of memory while decoding or loading surfaces as SnapshotError, not MemoryError."""
    import festengine.engine.snapshot as snapshot_module
    from festengine.engine.missions import Missions

    def exhausted(*args: Any, **kwargs: Any) -> Any:
        raise MemoryError

    monkeypatch.setattr(Missions, "load", exhausted)
    with pytest.raises(SnapshotError, match="too large to restore in the memory available"):
        Engine.restore(fest(), genuine())
    monkeypatch.setattr(snapshot_module.json, "loads", exhausted)
    with pytest.raises(SnapshotError, match="too large to read in the memory available"):
        Engine.restore(fest(), genuine())


# --------------------------------------------------------------------------- decoding


def _with(path: list[Any], value: Any) -> bytes:
    state = state_of(genuine())
    target = state
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return packed(state)


def _edited(edit: Callable[[dict[str, Any]], None]) -> bytes:
    """The genuine state changed by ``edit``."""
    state = state_of(genuine())
    edit(state)
    return packed(state)


def _swap_balances(state: dict[str, Any]) -> None:
    """Move 1.00 from one balance to another: the balances still sum to zero, but not to the journal's."""
    balances = state["components"]["economy"]["ledger"]["balances"]
    balances["rounding"] = str(Decimal(balances["rounding"]) + 1)
    balances["platform:revenue"] = str(Decimal(balances["platform:revenue"]) - 1)


def _with_text(path: list[Any], text: bytes) -> bytes:
    """The genuine state with the JSON text at ``path`` replaced by ``text`` as written."""
    data = _with(path, "__HERE__")
    body = zlib.decompress(data[len(SNAPSHOT_MAGIC) :]).replace(b'"__HERE__"', text)
    return _raw(body)


def _raw(body: bytes) -> bytes:
    return SNAPSHOT_MAGIC + zlib.compress(body)


BAD_STATES: list[tuple[str, Callable[[], bytes], str]] = [
    ("deeply nested list", lambda: _raw(b"[" * 200_000 + b"]" * 200_000), "nested too deeply"),
    ("deeply nested object", lambda: _raw(b'{"a":' * 200_000 + b"1" + b"}" * 200_000), "nested too deeply"),
    ("NaN clock", lambda: _raw(b'{"version":3,"clock":NaN}'), "holds NaN"),
    ("Infinity", lambda: _raw(b'{"version":3,"clock":-Infinity}'), "holds -Infinity"),
    ("decimal not a number", lambda: _with(["clock"], {"$d": "x"}), "'x' is not a decimal number"),
    ("decimal NaN", lambda: _with(["clock"], {"$d": "NaN"}), "'NaN' is not a decimal number"),
    ("decimal huge exponent", lambda: _with(["clock"], {"$d": "1E+999999"}), "is not a decimal number"),
    ("decimal not text", lambda: _with(["clock"], {"$d": 5}), "5 is not a decimal number"),
    ("clock overflowing a float", lambda: _with_text(["clock"], b"1e400"), "snapshot.clock: expected a time"),
    ("clock a string", lambda: _with(["clock"], "now"), "snapshot.clock: expected a time"),
    ("clock past the range", lambda: _with(["clock"], 253402300800.0), "snapshot.clock: expected a time"),
    ("clock a decimal", lambda: _with(["clock"], {"$d": "1782000000"}), "snapshot.clock: expected a time"),
    ("clock true", lambda: _with(["clock"], True), "snapshot.clock: expected a time"),
    ("huge integer", lambda: _raw(b'{"version":3,"clock":' + b"9" * 5000 + b"}"), "the snapshot is corrupt"),
    ("extra key", lambda: _with(["extra"], 1), "snapshot: expected an object with the keys"),
    ("seen twice", lambda: _with(["seen"], [[29683000, ["e1"]], [29683001, ["e1"]]]), "event id 'e1' appears twice"),
    ("seen minute a string", lambda: _with(["seen"], [["m", ["e1"]]]), r"snapshot.seen\[0\]\[0\]"),
    ("timer of no component", lambda: _with(["timers"], [[1782000000.0, 1, "nobody", []]]),
     r"snapshot.timers\[0\]\[2\]: expected a component's name"),
    ("timer payload unknown", lambda: _with(["timers"], [[1782000000.0, 1, "missions", ["boom"]]]),
     "expected a missions timer"),
    ("timer of an unknown mission", lambda: _with(["timers"], [[1782000000.0, 1, "missions", ["window", "x", "w"]]]),
     "expected a mission whose window closes on a timer"),
    ("timer due at NaN", lambda: _with(["timers"], [[float("nan"), 1, "missions", ["stream", "s"]]]), "holds NaN"),
    ("timer number above timer_seq", lambda: _with(["timers"], [[1782000000.0, 10**9, "missions", ["stream", "s"]]]),
     "above timer_seq"),
    ("timers not a heap", lambda: _with(["timers"], [[1782000009.0, 1, "missions", ["stream", "s"]],
                                                     [1782000000.0, 2, "missions", ["stream", "t"]]]), "not a heap"),
    ("points a float", lambda: _with(["components", "profiles", "points", "u1"], 1.5), "points"),
    ("badge tier out of range", lambda: _with(["components", "profiles", "badges", "u1"], {"fest_hero": 99}),
     "has no tier number 99"),
    ("order money NaN", lambda: _with(["components", "economy", "orders", 0, "paid"], {"$d": "NaN"}),
     "is not a decimal number"),
    ("ledger amount garbage", lambda: _with(["components", "economy", "ledger", "journal", 0, "postings", 0, 1],
                                            "12,5"), "expected a decimal number as text"),
    ("ledger unbalanced", lambda: _with(["components", "economy", "ledger", "journal", 0, "postings", 0, 1], "1"),
     "does not balance"),
    ("balance garbage", lambda: _with(["components", "economy", "ledger", "balances", "rounding"], "1,5"),
     "expected a decimal number as text"),
    ("balances not summing to zero", lambda: _with(["components", "economy", "ledger", "balances", "rounding"], "5"),
     "do not sum to zero"),
    ("balances not the journal's", lambda: _edited(_swap_balances), "not the sums of the journal"),
    ("journal numbered wrong", lambda: _with(["components", "economy", "ledger", "posted"], 99), "is numbered"),
    ("a foreign account", lambda: _with(["components", "economy", "ledger", "foreign"], {"rounding": "EUR"}),
     "fest's currency"),
    ("closed stream a number", lambda: _with(["components", "missions", "closed"], [1]), "expected a string"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("make", "message"), [(m, msg) for _, m, msg in BAD_STATES], ids=[name for name, _, _ in BAD_STATES]
)
def test_a_malformed_state_is_a_snapshot_error_naming_the_place(make: Callable[[], bytes], message: str) -> None:
    """Each malformed field (with the right header and fingerprint) raises SnapshotError saying where and
    what; nesting, NaN, huge numbers and bad decimals are refused while decoding."""
    with pytest.raises(SnapshotError, match=message):
        Engine.restore(fest(), make())


# --------------------------------------------------------------------------- fuzzing


FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _restore_or_refuse(source: Source, data: bytes) -> None:
    """The property: ``SnapshotError`` or an engine that runs on; nothing else."""
    try:
        engine = Engine.restore(source.fest, data, max_bytes=SMALL_LIMIT)
    except SnapshotError:
        return
    continue_run(source, engine)


@FUZZ
@given(st.data())
def test_damaged_bytes_only_ever_raise_snapshot_error(data: st.DataObject) -> None:
    """Bit flips, truncations and inserted bytes anywhere in a snapshot: only SnapshotError, and any
    snapshot that still restores runs on."""
    source = data.draw(SOURCES, label="source")()
    raw = bytearray(source.genuine)
    for _ in range(data.draw(st.integers(min_value=1, max_value=4), label="damages")):
        how = data.draw(st.sampled_from(["flip", "truncate", "insert", "delete"]))
        at = data.draw(st.integers(min_value=0, max_value=len(raw) - 1))
        if how == "flip":
            raw[at] ^= 1 << data.draw(st.integers(min_value=0, max_value=7))
        elif how == "truncate":
            del raw[at:]
        elif how == "insert":
            raw[at:at] = data.draw(st.binary(min_size=1, max_size=8))
        else:
            del raw[at : at + data.draw(st.integers(min_value=1, max_value=8))]
        if not raw:
            break
    _restore_or_refuse(source, bytes(raw))


def _places(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path into a JSON value (containers and leaves)."""
    found = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _places(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _places(item, (*path, index))
    return found


def _leaves(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [leaf for item in value.values() for leaf in _leaves(item)]
    if isinstance(value, list):
        return [leaf for item in value for leaf in _leaves(item)]
    return [value]


GARBAGE = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
    | st.builds(lambda t: {"$d": t}, st.sampled_from(["1", "-3.5", "0E-8", "1E+30", "9" * 22, "0.000001"])),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=8,
)


@FUZZ
@given(st.data())
def test_garbage_state_with_the_right_fingerprint_only_ever_raises_snapshot_error(data: st.DataObject) -> None:
    """Structurally valid JSON with the right header and fingerprint but garbage inside (a value
    replaced by random JSON, by another value of the snapshot or by one of the same type, a key or
    item dropped, an item repeated): only SnapshotError, and any state that restores runs on to the fest's end."""
    source = data.draw(SOURCES, label="source")()
    state = state_of(source.genuine)
    for _ in range(data.draw(st.integers(min_value=1, max_value=3), label="changes")):
        places = [p for p in _places(state) if p and p[0] not in ("version", "fest")]
        path = data.draw(st.sampled_from(places), label="path")
        parent = state
        for key in path[:-1]:
            parent = parent[key]
        how = data.draw(st.sampled_from(["garbage", "swap", "same kind", "same kind", "drop", "repeat"]), label="how")
        if how == "garbage":
            parent[path[-1]] = data.draw(GARBAGE, label="garbage")
        elif how == "swap":
            parent[path[-1]] = data.draw(st.sampled_from(_leaves(state)), label="other value")
        elif how == "same kind":  # another value of the same type: the checks cannot go by type alone
            kind = type(parent[path[-1]])
            alike = [leaf for leaf in _leaves(state) if type(leaf) is kind] or [parent[path[-1]]]
            parent[path[-1]] = data.draw(st.sampled_from(alike), label="value of the same kind")
        elif how == "drop":
            del parent[path[-1]]
        elif isinstance(parent, list):
            parent.insert(path[-1], parent[path[-1]])
    _restore_or_refuse(source, packed(state))
