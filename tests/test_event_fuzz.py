"""Fuzzing the event boundary: whatever arrives, parse_event returns an Event or raises EventParseError.

Arbitrary JSON values, text and bytes; valid events with one field replaced by anything; huge numbers,
deep nesting, very long strings, invalid UTF-8, NaN and Infinity. Nothing else may escape (no
RecursionError, ValueError, InvalidOperation, UnicodeError…), and each input is decided in bounded
time: hypothesis's deadline is generous (a loaded machine must not fail it) but catches any input
that would make the parser work for seconds.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from festengine import Event, EventParseError, parse_event
from festengine._wire_model import MAX_TEXT
from test_events import FAST_JSON, fast_wire, parse_json_with, slow, wire

#: Generous: parsing one input takes microseconds to milliseconds; this only catches runaway work.
FUZZ = settings(max_examples=300, deadline=timedelta(seconds=5), suppress_health_check=[HealthCheck.too_slow])

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(10**300), max_value=10**300),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from(["", " ", "1e400", "NaN", "2026-12-01T20:00:00Z", "12.99", "\ud800", "x" * 5_000]),
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=4)),
    max_leaves=12,
)


def decided(parse: Any, data: Any) -> Event | None:
    """What ``parse`` makes of data: the Event, or None when it refuses it with EventParseError (and nothing else)."""
    try:
        event = parse(data)
    except EventParseError as error:
        problems = error.problems
    else:
        assert type(event) is Event
        return event
    assert problems
    assert all(problem.field and problem.code and problem.message for problem in problems)
    assert len(str(problems)) < 20_000  # at most MAX_KEYS problems, each quoting values shortened
    return None


def decided_everywhere(data: Any) -> None:
    """parse_event and the full parser decide alike (and every fast path on JSON text, for text)."""
    expected = decided(slow, data)
    assert repr(decided(parse_event, data)) == repr(expected)
    if isinstance(data, str | bytes):
        for fast_json in FAST_JSON:
            assert repr(decided(parse_json_with(fast_json), data)) == repr(expected)


@FUZZ
@given(json_values)
def test_any_json_value_is_an_event_or_an_event_parse_error(value: Any) -> None:
    """Any JSON value, as a Python value and as JSON text (NaN and Infinity written as the tokens)."""
    decided_everywhere(value)
    text = json.dumps(value)  # writes NaN, Infinity and lone surrogates as JSON has no right to
    decided_everywhere(text)
    decided_everywhere(text.encode(errors="surrogatepass"))


@FUZZ
@given(st.one_of(st.binary(max_size=200), st.text(max_size=200)))
def test_any_bytes_or_text_is_an_event_or_an_event_parse_error(data: bytes | str) -> None:
    """Random bytes (invalid UTF-8 included) and random text."""
    decided_everywhere(data)


@FUZZ
@given(
    fast_wire(),
    st.one_of(st.sampled_from(["event_id", "type", "occurred_at", "user_id", "price", "count", "colour"]), st.text()),
    json_values,
)
def test_a_valid_event_with_any_field_holding_anything_is_decided(data: dict[str, Any], name: str, value: Any) -> None:
    """Each field of a valid event (or a new key) holding any JSON value, as a mapping and as JSON text."""
    data = {**data, name: value}
    decided_everywhere(data)
    decided_everywhere(json.dumps(data))


@FUZZ
@given(fast_wire(), st.integers(min_value=0, max_value=2_000), st.binary(min_size=1, max_size=3))
def test_a_valid_event_with_bytes_spliced_in_is_decided(data: dict[str, Any], where: int, junk: bytes) -> None:
    """A valid line with a few random bytes inserted anywhere (a truncation, a stray quote, broken UTF-8)."""
    line = json.dumps(data, ensure_ascii=False).encode()
    where = where % (len(line) + 1)
    decided_everywhere(line[:where] + junk + line[where:])
    decided_everywhere(line[:where])


HOSTILE: list[tuple[str, str | bytes]] = [
    ("deep nesting", '{"count": ' + "[" * 200_000 + "]" * 200_000 + "}"),
    ("deep objects", '{"a": ' * 100_000 + "1" + "}" * 100_000),
    ("a huge number", json.dumps(wire("like"))[:-1] + ', "count": ' + "9" * 500_000 + "}"),
    ("a huge exponent", json.dumps(wire("like"))[:-1] + ', "count": 1e999999999}'),
    ("a long id", json.dumps(wire("like", user_id="u" * 900_000))),
    ("a long text of escapes", json.dumps(wire("comment", text="😀" * 80_000))),
    ("many keys", "{" + ",".join(f'"k{i}": {i}' for i in range(60_000)) + "}"),
    ("many repeated keys", "{" + ",".join('"user_id": "u"' for _ in range(60_000)) + "}"),
    ("NaN token", json.dumps(wire("like"))[:-1] + ', "count": NaN}'),
    ("-Infinity token", json.dumps(wire("purchase"))[:-1] + ', "tax": -Infinity}'),
    ("invalid UTF-8", json.dumps(wire("like")).encode().replace(b"u1", b"u\xc3\x28")),
    ("overlong UTF-8", json.dumps(wire("like")).encode().replace(b"u1", b"\xc0\xafu1")),
    ("a lone surrogate", json.dumps(wire("like", user_id="\ud800"))),
    ("just over the length limit", " " * MAX_TEXT + "{}"),
    ("NUL bytes", b"\x00" * 10_000),
]


@pytest.mark.parametrize("data", [d for _, d in HOSTILE], ids=[n for n, _ in HOSTILE])
def test_hostile_inputs_are_refused_cleanly(data: str | bytes) -> None:
    """Huge, deep, long, broken or non-finite inputs: an EventParseError naming the problem, nothing else."""
    for parse in (parse_event, slow, *(parse_json_with(f) for f in FAST_JSON)):
        with pytest.raises(EventParseError) as info:
            parse(data)
        assert len(str(info.value)) < 2_000  # messages quote values shortened, never whole
