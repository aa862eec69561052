"""The event wire format: parsing from JSON and mappings, the fast and slow parsers, errors, JSON Lines."""

from __future__ import annotations

import contextlib
import json
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from festengine import Event, EventParseError, _share, event_to_dict, events, parse_event, read_events
from festengine._share import share
from festengine.events import EVENT_TYPES, _fast_json, _fast_mapping, _parse_slow, dumps_event

AT = "2026-12-01T20:00:00Z"
WHEN = datetime(2026, 12, 1, 20, 0, tzinfo=UTC)

#: One minimal valid wire object per event type (the common four plus the type's required fields).
MINIMAL: dict[str, dict[str, Any]] = {
    "stream_started": {"creator_id": "c1", "stream_id": "s1"},
    "stream_ended": {"creator_id": "c1", "stream_id": "s1"},
    "view": {"creator_id": "c1", "stream_id": "s1", "seconds": 30},
    "like": {"creator_id": "c1", "stream_id": "s1"},
    "comment": {"creator_id": "c1", "stream_id": "s1", "text": "so cute"},
    "share": {"creator_id": "c1", "stream_id": "s1"},
    "follow": {"creator_id": "c1"},
    "gift": {"creator_id": "c1", "stream_id": "s1", "gift_id": "rose"},
    "fan_club_join": {"creator_id": "c1"},
    "link_click": {"creator_id": "c1", "product_id": "p1"},
    "product_view": {"product_id": "p1"},
    "purchase": {"order_id": "o1", "product_id": "p1", "price": "12.99", "currency": "USD"},
    "refund": {"order_id": "o1", "amount": "5.00"},
    "delivery": {"order_id": "o1"},
    "check_in": {},
    "claim": {"mission_id": "m1"},
    "viewer_profile": {},
}

#: The same with every optional field written.
FULL: dict[str, dict[str, Any]] = {
    **MINIMAL,
    "like": {"creator_id": "c1", "stream_id": "s1", "count": 15},
    "follow": {"creator_id": "c1", "stream_id": "s1"},
    "gift": {
        "creator_id": "c1", "stream_id": "s1", "gift_id": "rose", "count": 2, "repeat_count": 3,
        "repeat_end": False, "channel": "web",
    },
    "fan_club_join": {"creator_id": "c1", "stream_id": "s1"},
    "link_click": {"creator_id": "c1", "product_id": "p1", "stream_id": "s1"},
    "product_view": {"product_id": "p1", "creator_id": "c1", "stream_id": "s1"},
    "purchase": {
        "order_id": "o1", "product_id": "p1", "price": "12.99", "currency": "USD", "creator_id": "c1",
        "stream_id": "s1", "category": "beauty", "seller_id": "shop1", "channel": "app", "quantity": 3,
        "discount": "4.00", "tax": "2.10", "shipping": "3.50", "promotion_id": "promo1",
    },
    "refund": {"order_id": "o1", "amount": "5.00", "currency": "USD"},
    "check_in": {"creator_id": "c1", "stream_id": "s1"},
    "viewer_profile": {"birth_date": "2001-07-15", "age_verified": True, "region": "DE"},
}  # fmt: skip


def wire(kind: str, fields: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    """A wire object of ``kind`` with its minimal fields (or ``fields``) and ``extra`` on top."""
    data = {"event_id": "e1", "type": kind, "occurred_at": AT, "user_id": "u1"}
    data.update(MINIMAL[kind] if fields is None else fields)
    data.update(extra)
    return data


def test_examples_cover_every_event_type() -> None:
    """The examples below exercise every event type the wire format knows."""
    assert set(MINIMAL) == set(EVENT_TYPES)
    assert set(FULL) == set(EVENT_TYPES)


# --------------------------------------------------------------------------- every type parses


@pytest.mark.parametrize("kind", EVENT_TYPES)
@pytest.mark.parametrize("table", [MINIMAL, FULL], ids=["minimal", "full"])
def test_every_type_parses_from_a_mapping_and_from_json(kind: str, table: dict[str, dict[str, Any]]) -> None:
    """Each event type parses from a mapping, a JSON str and JSON bytes to the same Event."""
    data = wire(kind, table[kind])
    from_mapping = parse_event(data)
    assert from_mapping == parse_event(json.dumps(data))
    assert from_mapping == parse_event(json.dumps(data).encode())
    assert from_mapping.type == kind
    assert from_mapping.event_id == "e1"
    assert from_mapping.user_id == "u1"
    assert from_mapping.occurred_at == WHEN
    for name, value in table[kind].items():
        got = getattr(from_mapping, name)
        expected = value
        if name in {"price", "discount", "tax", "shipping", "amount"}:
            expected = Decimal(value)
        elif name == "birth_date":
            expected = date.fromisoformat(value)
        assert got == expected


def test_a_mapping_that_is_not_a_dict_parses_like_a_dict() -> None:
    """Any Mapping is accepted, not only dict."""
    from types import MappingProxyType

    data = wire("like")
    assert parse_event(MappingProxyType(data)) == parse_event(data)


def test_times_are_normalized_to_utc() -> None:
    """occurred_at with any offset becomes the same instant in UTC."""
    event = parse_event(wire("like", occurred_at="2026-12-01T12:00:00-08:00"))
    assert event.occurred_at == WHEN
    assert event.occurred_at.tzinfo is UTC
    purchase = parse_event(wire("purchase", occurred_at="2026-12-01T21:00:00+01:00"))
    assert purchase.occurred_at == WHEN
    assert purchase.occurred_at.tzinfo is UTC


def test_purchase_amount_is_price_times_quantity_minus_discount() -> None:
    """A purchase's derived amount is price * quantity - discount; tax and shipping are not part of it."""
    event = parse_event(wire("purchase", FULL["purchase"]))
    assert event.amount == Decimal("12.99") * 3 - Decimal("4.00") == Decimal("34.97")
    assert event.tax == Decimal("2.10")
    assert event.shipping == Decimal("3.50")


def test_purchase_quantity_defaults_to_one() -> None:
    """Without quantity a purchase is of one unit and its amount is the price."""
    event = parse_event(wire("purchase"))
    assert event.quantity == 1
    assert event.amount == Decimal("12.99")


def test_purchase_discount_equal_to_the_price_is_allowed() -> None:
    """A free purchase (discount == price * quantity) is valid, with amount 0."""
    event = parse_event(wire("purchase", quantity=2, discount="25.98"))
    assert event.amount == 0


def test_gift_and_like_defaults() -> None:
    """A gift without streak fields is one gift, sent once, ending its streak; a like counts 1."""
    gift = parse_event(wire("gift"))
    assert (gift.count, gift.repeat_count, gift.repeat_end) == (1, 1, True)
    assert gift.coins is None  # coins are derived by the engine, after streak deduplication
    like = parse_event(wire("like"))
    assert like.count == 1


def test_fields_of_other_types_are_none() -> None:
    """Fields that do not belong to the event's type are None on the Event."""
    event = parse_event(wire("view"))
    assert event.seconds == 30
    assert event.price is None
    assert event.gift_id is None
    assert event.amount is None


def test_identifiers_are_stripped_in_the_slow_path() -> None:
    """Ids with surrounding blanks are stripped (the fast path leaves such events to the full parser)."""
    data = wire("like", user_id="  u1 ")
    assert _fast_mapping(data) is None
    assert _fast_json(json.dumps(data)) is None
    assert parse_event(data).user_id == "u1"


# --------------------------------------------------------------------------- fast path == slow path

ids = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-_:.é中😀", min_size=1, max_size=24)


@st.composite
def stamps(draw: st.DrawFn, lower_z: bool = True) -> str:
    """RFC 3339 time stamps in the shapes producers write: Z, offsets, fractions (2000 to 2099, any offset)."""
    moment = datetime.fromtimestamp(draw(st.integers(min_value=946_684_800, max_value=4_102_358_399)), UTC)
    base = moment.strftime("%Y-%m-%d") + draw(st.sampled_from("Tt")) + moment.strftime("%H:%M:%S")
    digits = draw(st.integers(min_value=0, max_value=9))
    if digits:
        base += "." + "".join(draw(st.lists(st.sampled_from("0123456789"), min_size=digits, max_size=digits)))
    hours = draw(st.integers(min_value=0, max_value=23))
    minutes = draw(st.sampled_from([0, 15, 30, 45, 59]))
    zulu = ["Z", "z"] if lower_z else ["Z"]
    offset = draw(st.sampled_from([*zulu, f"+{hours:02}:{minutes:02}", f"-{hours:02}:{minutes:02}"]))
    return base + offset


@st.composite
def plain_money(draw: st.DrawFn) -> str:
    """Money as producers write it: a decimal string of up to 12 + 6 digits ("12.99", "3", "12.990", "0.000000")."""
    places = draw(st.integers(min_value=0, max_value=6))
    number = draw(st.integers(min_value=0, max_value=10 ** (12 + places) - 1))
    if not places:
        return str(number)
    return f"{number // 10**places}.{number % 10**places:0{places}d}"


#: How to draw a plain, valid value of each field besides the common four and the type.
PLAIN: dict[str, st.SearchStrategy[Any]] = {
    **dict.fromkeys(
        ["creator_id", "stream_id", "gift_id", "channel", "product_id", "order_id", "category", "seller_id",
         "mission_id", "promotion_id"],
        ids,
    ),
    "seconds": st.integers(min_value=0, max_value=86_400),
    "count": st.integers(min_value=1, max_value=1_000_000),
    "repeat_count": st.integers(min_value=1, max_value=1_000_000),
    "repeat_end": st.booleans(),
    "quantity": st.integers(min_value=1, max_value=100_000),
    "text": st.text(max_size=40),
    **dict.fromkeys(["price", "discount", "tax", "shipping", "amount", "credits"], plain_money()),
    "currency": st.sampled_from(["USD", "EUR", "JPY"]),
    "birth_date": st.dates(min_value=date(1900, 1, 1), max_value=date(2099, 12, 31)).map(date.isoformat),
    "age_verified": st.booleans(),
    "region": st.sampled_from(["US", "DE", "KR", "JP", "BR"]),
}  # fmt: skip


@st.composite
def fast_wire(draw: st.DrawFn) -> dict[str, Any]:
    """Valid wire objects of every type, with any of their optional fields, plain enough for the fast path."""
    from festengine.events import _FIELDS

    kind = draw(st.sampled_from(EVENT_TYPES))
    data: dict[str, Any] = {
        "event_id": draw(ids),
        "type": kind,
        "occurred_at": draw(stamps(lower_z=False)),
        "user_id": draw(ids),
    }
    required, optional = _FIELDS[kind]
    for name in required:
        data[name] = draw(PLAIN[name])
    for name in optional:
        if draw(st.booleans()):
            data[name] = draw(PLAIN[name])
    if kind == "purchase" and Decimal(data.get("discount", 0)) > Decimal(data["price"]) * data.get("quantity", 1):
        data["discount"] = data["price"]  # a discount within price * quantity
    if kind == "purchase" and "credits" in data:
        paid = Decimal(data["price"]) * data.get("quantity", 1) - Decimal(data.get("discount", 0))
        if Decimal(data["credits"]) > paid:
            data["credits"] = str(paid)  # credits within what the purchase costs
    if kind == "refund" and Decimal(data["amount"]) == 0:
        data["amount"] = "0.01"  # a refund of something
    return data


def outcome(parse: Any, data: Any) -> Any:
    """What a parser makes of data: the Event and its repr (so 12.990 differs from 12.99), or the reasons."""
    try:
        event = parse(data)
    except EventParseError as error:
        return error.reasons
    return event, repr(event)


def slow(data: Any) -> Event:
    return _parse_slow(data, line=None)


#: The fast paths on JSON text: msgspec's, decoding into the wire structs.
FAST_JSON = [_fast_json]


def parse_json_with(fast_json: Any) -> Any:
    """parse_event on JSON text with the given fast path."""
    return lambda text: fast_json(text) or slow(text)


def assert_parsers_agree(data: Any) -> None:
    """parse_event (fast path first) and the full parser agree on data, as a mapping, a JSON str and JSON bytes."""
    inputs = [data]
    if isinstance(data, dict):
        inputs.append(json.dumps(data))  # non-ASCII escaped, so a lone surrogate becomes "\ud800"
        text = json.dumps(data, ensure_ascii=False)
        inputs.append(text)
        with contextlib.suppress(UnicodeEncodeError):  # a raw lone surrogate is no UTF-8
            inputs.append(text.encode())
    for item in inputs:
        expected = outcome(slow, item)
        assert outcome(parse_event, item) == expected, item
        if not isinstance(item, dict):
            for fast_json in FAST_JSON:
                assert outcome(parse_json_with(fast_json), item) == expected, (fast_json, item)


@settings(max_examples=500, deadline=None)
@given(fast_wire())
def test_fast_and_slow_parsers_give_equal_events(data: dict[str, Any]) -> None:
    """For plain valid events of every type the fast path is taken and equals the pydantic parser."""
    fast = _fast_mapping(data)
    assert fast is not None
    assert fast == parse_event(data) == _parse_slow(data, line=None)
    assert repr(fast) == repr(_parse_slow(data, line=None))
    text = json.dumps(data)
    assert parse_event(text) == _parse_slow(text, line=None) == fast
    for fast_json in FAST_JSON:
        assert fast_json(text) == fast
        assert fast_json(json.dumps(data, ensure_ascii=False) + "\r\n") == fast
        assert fast_json(json.dumps(data, ensure_ascii=False).encode() + b"\n") == fast


odd_stamps = st.one_of(
    stamps(),
    st.sampled_from(
        [
            "2026-W10-1T10:00:00Z",  # ISO week date: fromisoformat reads it, pydantic does not
            "2026-03-02T10:00:00+01",
            "2026-03-02T10:00:00+01:00:30",
            "2026-03-02T10:00:00 +01:00",
            "2026-03-02T10:00:00.Z",
            "2026-03-02T10:00:00+12:60",
            "2026-03-02T10:00:00+24:00",
            "2026-03-02T10:00:00-23:59",
            "2026-03-02T10:00:00+99:00",
            "2026-03-02T10:00:00",
            "2026-03-02 10:00:00Z",
            "2026-03-02T24:00:00Z",
            "2026-03-02T23:59:60Z",
            "2026-02-30T10:00:00Z",
            "2026-13-02T10:00:00Z",
            "0000-03-02T10:00:00Z",
            "9999-12-31T23:59:59-01:00",
            "0001-01-01T00:00:00+01:00",
            "2026-03-02T10:00:00,5Z",
            "20260302T100000Z",
            "2026-03-02T100000.5Z",  # as long as the plain shape, but the basic format
            "2026-03-0\uff12T10:00:00Z",  # a full-width digit
            "2026-03-02T10:00Z",  # no seconds
            "2026-03-02T10:00+01:00",
            "2026-03-02T10:00:00+0100",  # an offset without its colon: ISO 8601, not RFC 3339
            "2026-03-02t10:00:00z",
            "1781578800",  # Unix seconds as a string
            "1970-01-01T00:00:00Z",  # the first supported instant
            "1969-12-31T23:59:59.999999Z",
            "1970-01-01T00:59:59+01:00",
            "2099-12-31T23:59:59.999999Z",  # the last
            "2100-01-01T00:00:00Z",
            "2099-12-31T23:00:00-01:00",
            "2026-03-02T10:00:00.1234567891Z",  # ten fraction digits
            "2026-03-02T10:00:00.123456789+05:30",
            "2026-03-02T10:00:00\n",
            "2026-03-02T10:00:00Z\n",
        ]
    ),
    st.text(alphabet="0123456789-:TZ+. Wz", min_size=15, max_size=32),
)


@settings(max_examples=300, deadline=None)
@given(fast_wire(), odd_stamps)
def test_fast_and_slow_parsers_agree_on_any_time_stamp(data: dict[str, Any], stamp: str) -> None:
    """Whatever the time stamp, parse_event accepts it exactly when the full parser does, with equal results."""
    assert_parsers_agree({**data, "occurred_at": stamp})


def test_fast_and_slow_parsers_agree_on_any_character_of_a_plain_time_stamp() -> None:
    """The plain shape "2026-12-01T20:00:00Z" with any one character changed: the parsers agree."""
    base = wire("like")
    for stamp in ("2026-12-01T20:00:00Z", "2026-12-01T12:00:00-08:00"):
        for position in range(len(stamp)):
            for char in "0123456789:-+TtZz .,W\x00é٣":
                assert_parsers_agree({**base, "occurred_at": stamp[:position] + char + stamp[position + 1 :]})


#: Values at and beyond every limit of the wire format, and of the wrong type.
ODD_VALUES: list[Any] = [
    None, True, False, -1, 0, 1, 2, 86_400, 86_401, 100_000, 100_001, 1_000_000, 1_000_001, 2**63, -(2**63),
    0.0, 1.0, 1.5, 12.99, [], [1], {}, {"a": 1},
    " u1", "u1 ", "u1\u00a0", "\u2003u1", "u1\x1f", "u1\n", "", "x" * 200, "x" * 201, "t" * 2_000, "t" * 2_001,
    "\ud800", "u\udfff1", "é", "😀", "12.99", "0", "00", "007", "0.000000", "1e2", "1E+2", ".5", "5.", "+1", "-1",
    "-0", "1_0", " 1", "12.9999999", "1.1000000", "999999999999.999999", "1000000000000", "9999999999999.99",
    "NaN", "Infinity", "USD", "usd", "US", "USDT", "\uff35SD", "2026-12-01T20:00:00Z", "like", "true",
    "10." + "0" * 30, "0E-1000", "1_000", "+5", "\u0661\u0662", "\uff11", "007", "00012.50", "0" * 40 + "1",
    "999999999999.9999999", "1e-7", "60", " 60", "60.0", "0x10", "1781578800", 1_781_578_800, 10**12, 10**12 - 1,
    -(10**12), 2**64, "12.99\n",
]  # fmt: skip


@pytest.mark.parametrize("kind", EVENT_TYPES)
def test_fast_and_slow_parsers_agree_on_odd_values_in_every_field(kind: str) -> None:
    """Each field of each type (and a foreign and an unknown one) holding each odd value: the parsers agree."""
    base = wire(kind, FULL[kind])
    for name in [*base, "seconds" if kind != "view" else "text", "colour"]:
        for value in ODD_VALUES:
            assert_parsers_agree({**base, name: value})


#: Strings at the edges of the grammar of money, numbers and times: signs, exponents, underscores, other
#: scripts' digits, blanks, too many decimals or digits, times without seconds or with odd offsets.
edge_strings = st.one_of(
    st.from_regex(r"[+-]?[0-9]{0,14}(\.[0-9]{0,8})?([eE][+-]?[0-9]{1,4})?", fullmatch=True),
    st.text(alphabet="0123456789.+-eE_ ,\u0661\u0662\uff11\u00a0", max_size=16),
    st.from_regex(
        r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}(:[0-9]{2})?(\.[0-9]{0,10})?([Zz]|[+-][0-9:]{2,6})?",
        fullmatch=True,
    ),
)


@settings(max_examples=1_000, deadline=None)
@given(
    fast_wire(),
    st.sampled_from([*PLAIN, "event_id", "occurred_at", "user_id", "type", "colour"]),
    st.one_of(st.sampled_from(ODD_VALUES), st.text(max_size=4), st.floats(), st.integers(), edge_strings),
)
def test_fast_and_slow_parsers_agree_on_any_value(data: dict[str, Any], name: str, value: Any) -> None:
    """Whatever one field holds (a null, a float, blanks, a lone surrogate, odd money…), the parsers agree."""
    assert_parsers_agree({**data, name: value})


@settings(max_examples=200, deadline=None)
@given(fast_wire(), st.sampled_from(sorted(PLAIN)))
def test_fast_and_slow_parsers_agree_without_any_one_field(data: dict[str, Any], name: str) -> None:
    """A missing required field, or an optional one left out: the parsers agree."""
    data.pop(name, None)
    assert_parsers_agree(data)


ODD_TEXTS: list[tuple[str, str | bytes]] = [
    ("lone surrogate escape", json.dumps(wire("like", user_id="u\ud800"))),
    ("lone low surrogate escape", json.dumps(wire("comment", text="\udc00!"))),
    ("surrogate pair escape", json.dumps(wire("comment", text="so cute 😀"))),
    ("raw lone surrogate", json.dumps(wire("like", user_id="u\ud800"), ensure_ascii=False)),
    ("UTF-8 BOM", b"\xef\xbb\xbf" + json.dumps(wire("like")).encode()),
    ("BOM in a str", "\ufeff" + json.dumps(wire("like"))),
    ("UTF-16", json.dumps(wire("like")).encode("utf-16")),
    ("UTF-16-LE", json.dumps(wire("like")).encode("utf-16-le")),
    ("Latin-1", json.dumps(wire("like", user_id="café"), ensure_ascii=False).encode("latin-1")),
    ("CESU-8 surrogate", json.dumps(wire("like", user_id="u")).replace('"u"', '"u\xed\xa0\x80"').encode("latin-1")),
    ("duplicate key", json.dumps(wire("like"))[:-1] + ', "user_id": "u2"}'),
    ("duplicate type", json.dumps(wire("like"))[:-1] + ', "type": "share"}'),
    ("trailing blanks", json.dumps(wire("like")) + " \t\r\n"),
    ("trailing form feed", json.dumps(wire("like")) + "\f"),
    ("trailing text", json.dumps(wire("like")) + " x"),
    ("two objects", json.dumps(wire("like")) * 2),
    ("leading blanks", " \n" + json.dumps(wire("like"))),
    ("NaN", json.dumps(wire("like"))[:-1] + ', "count": NaN}'),
    ("huge exponent", json.dumps(wire("like"))[:-1] + ', "count": 1e400}'),
    ("1.0 for an int", json.dumps(wire("like"))[:-1] + ', "count": 1.0}'),
    ("huge int", json.dumps(wire("like"))[:-1] + ', "count": ' + "9" * 5_000 + "}"),
    ("deep nesting", json.dumps(wire("like"))[:-1] + ', "count": ' + "[" * 100_000 + "]" * 100_000 + "}"),
    ("escaped id", json.dumps(wire("like")).replace('"u1"', '"\\u0075\\u0031"')),
    ("control character", json.dumps(wire("like")).replace('"u1"', '"u\x011"')),
    ("a list", "[" + json.dumps(wire("like")) + "]"),
    ("empty", ""),
    ("blank", " \n"),
]


@pytest.mark.parametrize("text", [t for _, t in ODD_TEXTS], ids=[n for n, _ in ODD_TEXTS])
def test_fast_and_slow_parsers_agree_on_odd_json(text: str | bytes) -> None:
    """Encodings, surrogates, duplicate keys, blanks, odd numbers: the fast path decides as the full parser."""
    texts = [text]
    if isinstance(text, str) and text.encode(errors="replace").decode() == text:  # as UTF-8 bytes too
        texts.append(text.encode())
    for item in texts:
        expected = outcome(slow, item)
        assert outcome(parse_event, item) == expected
        for fast_json in FAST_JSON:
            assert outcome(parse_json_with(fast_json), item) == expected, fast_json


#: Times of any year from 1 to 9999, most of them outside the supported range.
any_year_stamps = st.builds("{:04}-06-15T{:02}:00:00Z".format, st.integers(1, 9999), st.integers(0, 23))


@st.composite
def json_lines(draw: st.DrawFn) -> str | bytes:
    """JSON lines of events, valid and not: a plain valid event written with or without blanks, then perhaps
    a key written twice, a key left out, a value replaced by any JSON value, or a few characters changed."""
    data = draw(fast_wire())
    change = draw(st.sampled_from(["none", "repeat", "drop", "replace", "splice"]))
    if change == "drop":
        data.pop(draw(st.sampled_from(sorted(data))))
    elif change == "replace":
        scalar = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=8), edge_strings)
        data[draw(st.sampled_from([*sorted(data), "colour"]))] = draw(
            st.one_of(scalar, st.lists(scalar, max_size=2), any_year_stamps)
        )
    separators = draw(st.sampled_from([(",", ":"), (", ", ": "), (" ,", " : ")]))
    text = json.dumps(data, separators=separators, ensure_ascii=draw(st.booleans()))
    if change == "repeat":
        key = draw(st.sampled_from(sorted(data)))
        text = text[:-1] + f", {json.dumps(key)}: {json.dumps(draw(st.sampled_from([data[key], 'x', 1, None])))}}}"
    elif change == "splice":
        at = draw(st.integers(min_value=0, max_value=len(text)))
        text = text[:at] + draw(st.text(alphabet='{}[]":,\\ 0123456789.-eEzZtT\u00e9\x00', max_size=3)) + text[at + 2 :]
    return text.encode(errors="surrogatepass") if draw(st.booleans()) else text


@settings(max_examples=1_000, deadline=None)
@given(json_lines())
def test_the_msgspec_path_and_the_pydantic_path_agree_on_any_json_line(line: str | bytes) -> None:
    """On any line, valid or not, the msgspec structs accept only what the pydantic model accepts, as an
    equal Event (to the repr); and parse_event, which tries them first, decides exactly as the model alone."""
    expected = outcome(slow, line)
    fast = _fast_json(line)
    if fast is not None:
        assert expected == (fast, repr(fast)), line
    assert outcome(parse_event, line) == expected, line


def test_the_wire_structs_declare_the_fields_bounds_and_defaults_the_model_reads() -> None:
    """One declaration: the structs' fields are the pydantic model's, their whole-number bounds are the
    model's and the fest schema's (FIELD_RANGES), and their defaults are the documented ones."""
    import msgspec

    from festengine._vocab import FIELD_RANGES
    from festengine._wire_format import DEFAULTS, STRUCTS, WHOLE_LIMITS
    from festengine._wire_model import WIRE_FIELDS

    declared = {field.name for struct in STRUCTS.values() for field in msgspec.structs.fields(struct)}
    assert declared | {"type"} == WIRE_FIELDS
    for kind, name in FIELD_RANGES:
        assert FIELD_RANGES[kind, name] == WHOLE_LIMITS[name]
    for kind, struct in STRUCTS.items():
        for field in msgspec.structs.fields(struct):
            if field.name in WHOLE_LIMITS:
                low, high = WHOLE_LIMITS[field.name]
                assert_parsers_agree(wire(kind, FULL[kind], **{field.name: low}))
                for beyond in (low - 1, high + 1):
                    with pytest.raises(EventParseError, match=f"{field.name}: must be from"):
                        parse_event(json.dumps(wire(kind, FULL[kind], **{field.name: beyond})))
    assert {
        **{kind: {} for kind in EVENT_TYPES},
        "like": {"count": 1},
        "gift": {"count": 1, "repeat_count": 1, "repeat_end": True},
        "purchase": {"quantity": 1},
    } == DEFAULTS


def test_events_of_the_fast_path_are_events_like_any_other() -> None:
    """The fast path's events hash, compare, pickle and evolve as the full parser's do."""
    import pickle

    for kind in EVENT_TYPES:
        data = wire(kind, FULL[kind])
        fast, full = _fast_mapping(data), _parse_slow(data, line=None)
        assert type(fast) is Event
        assert fast == full
        assert hash(fast) == hash(full)
        assert attrs.asdict(fast) == attrs.asdict(full)
        assert pickle.loads(pickle.dumps(fast)) == full  # noqa: S301 - our own bytes
        assert attrs.evolve(fast, coins=3) == attrs.evolve(full, coins=3)
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            fast.user_id = "u2"  # type: ignore[misc]


def test_events_share_their_id_strings() -> None:
    """Ids that repeat (viewer, creator, stream…) are one shared string in every event that has them."""
    # Other tests in this worker may have filled either table to its bound (each then empties on its own).
    _share._SHARED.clear()
    events._IDS.clear()
    first = parse_event(json.dumps(wire("like", event_id="e1")))
    second = parse_event(json.dumps(wire("like", event_id="e2")).encode())
    third = parse_event(wire("gift", event_id="e3"))
    assert first.user_id is second.user_id is third.user_id
    assert first.stream_id is second.stream_id is third.stream_id
    assert first.user_id is share("u1".join(["", ""]))  # the copy the engine's components share


def test_shared_ids_are_bounded() -> None:
    """The shared table never holds more than its bound (``sys.intern`` would keep them all on 3.12)."""
    for number in range(_share._MAX + 10):
        share(f"bounded-{number}")
    assert len(_share._SHARED) <= _share._MAX
    _share._SHARED.clear()


# --------------------------------------------------------------------------- malformed events


def _reasons(data: Any) -> tuple[str, ...]:
    with pytest.raises(EventParseError) as info:
        parse_event(data)
    return info.value.reasons


MALFORMED: list[tuple[str, Any, str]] = [
    ("naive time", wire("like", occurred_at="2026-12-01T20:00:00"), "occurred_at: must carry a time zone"),
    ("naive time, slow type", wire("purchase", occurred_at="2026-12-01T20:00:00"), "occurred_at: must carry a time"),
    ("no seconds", wire("like", occurred_at="2026-06-16T03:00Z"), "occurred_at: must give the seconds, e.g. 2026-12"),
    ("not a time", wire("like", occurred_at="yesterday"), 'occurred_at: "yesterday" is not an RFC 3339 time with sec'),
    ("Unix seconds as text", wire("like", occurred_at="1781578800"), 'occurred_at: "1781578800" is not an RFC 3339'),
    ("Unix seconds", wire("like", occurred_at=1_781_578_800), 'occurred_at: write the time as text, e.g. "2026-12-'),
    ("time out of range", wire("like", occurred_at="9999-12-31T23:59:59-01:00"), "occurred_at: \"9999-12-31T23:59:59"
     "-01:00\" is outside the supported range, 1970-01-01T00:00:00Z (inclusive) to 2100-01-01T00:00:00Z (exclusive)"),
    ("time before 1970", wire("like", occurred_at="1969-12-31T23:59:59Z"), "occurred_at: \"1969-12-31T23:59:59Z\" is "),
    ("no such day", wire("like", occurred_at="2026-02-30T10:00:00Z"), "occurred_at: \"2026-02-30T10:00:00Z\" is not a"
     " valid date and time"),
    ("unknown type", wire("like", type="dance"), 'type: unknown event type "dance"; expected one of stream_started'),
    ("missing type", {k: v for k, v in wire("like").items() if k != "type"}, "type: required on every event"),
    ("missing event_id", {k: v for k, v in wire("like").items() if k != "event_id"}, "event_id: required on every e"),
    ("missing user_id", {k: v for k, v in wire("like").items() if k != "user_id"}, "user_id: required on every event"),
    ("missing occurred_at", {k: v for k, v in wire("like").items() if k != "occurred_at"}, "occurred_at: required o"),
    ("null user_id", wire("like", user_id=None), "user_id: required on every event"),
    ("missing type field", wire("view", {"creator_id": "c1", "stream_id": "s1"}), "seconds: required for a view event"),
    ("null type field", wire("view", seconds=None), "seconds: required for a view event"),
    ("missing claim mission", wire("claim", {}), "mission_id: required for a claim event"),
    ("empty id", wire("like", event_id=""), "event_id: must not be empty"),
    ("blank id", wire("like", event_id=" \t"), "event_id: must not be empty"),
    ("long id", wire("like", user_id="u" * 201), "user_id: must be at most 200 characters, not 201"),
    ("int for a string", wire("like", creator_id=5), "creator_id: an id is a string, but a whole number (5) was given"),
    ("string for an int", wire("view", seconds="five"), 'seconds: a whole number is needed, but a string ("five") was'),
    ("digits for an int", wire("view", seconds="60"), 'seconds: a whole number is needed, but a string ("60") was '
     "given; write 60 without quotes"),
    ("bool for an int", wire("like", count=True), "count: a whole number is needed, but a boolean (true) was given"),
    ("fraction for an int", wire("view", seconds=1.5), "seconds: a whole number is needed, but a number with a fracti"),
    ("list for an int", wire("view", seconds=[1]), "seconds: a whole number is needed, but a list was given"),
    ("word for a bool", wire("gift", repeat_end="maybe"), 'repeat_end: true or false is needed, but a string ("maybe"'),
    ("one for a bool", wire("gift", repeat_end=1), "repeat_end: true or false is needed, but a whole number (1) was"),
    ("negative seconds", wire("view", seconds=-1), "seconds: must be from 0 to 86,400, not -1"),
    ("zero count", wire("like", count=0), "count: must be from 1 to 1,000,000, not 0"),
    ("huge repeat count", wire("gift", repeat_count=2**70), "repeat_count: must be from 1 to 1,000,000, not a number "),
    ("float money", wire("purchase", price=12.99), 'price: write money as a decimal string such as "12.99", never a f'),
    ("float discount", wire("purchase", discount=1.5), 'discount: write money as a decimal string such as "12.99", ne'),
    ("float refund", wire("refund", amount=5.0), 'amount: write money as a decimal string such as "12.99", never a f'),
    ("bool money", wire("purchase", price=True), 'price: money is a decimal string such as "12.99", but a boolean (t'),
    ("not a number", wire("purchase", price="abc"), 'price: "abc" is not money as the wire format writes it: ASCII di'),
    ("exponent", wire("purchase", price="0E-1000"), 'price: "0E-1000" is not money as the wire format writes it'),
    ("underscore", wire("purchase", price="1_000"), 'price: "1_000" is not money as the wire format writes it'),
    ("plus sign", wire("purchase", price="+5"), 'price: "+5" is not money as the wire format writes it'),
    ("Arabic-Indic digits", wire("purchase", price="\u0661\u0662"), 'price: "\u0661\u0662" is not money as the wire'),
    ("point without decimals", wire("purchase", price="5."), 'price: "5." is not money as the wire format writes it'),
    ("30 decimals", wire("purchase", price="10." + "0" * 30), 'price: has more than 6 decimal places: "10.000000000'),
    ("negative price", wire("purchase", price="-1.00"), 'price: must not be negative, not "-1.00"'),
    ("negative discount", wire("purchase", discount="-1"), 'discount: must not be negative, not "-1"'),
    ("negative whole money", wire("refund", amount=-1), "amount: must not be negative, not -1"),
    ("money too large", wire("purchase", price="1000000000000"), 'price: must be less than 1,000,000,000,000, not "1'),
    ("discount beyond price", wire("purchase", quantity=2, discount="25.99"), "discount: is larger than price * qu"),
    ("too many decimals", wire("purchase", price="1.1234567"), 'price: has more than 6 decimal places: "1.1234567"'),
    ("lower-case currency", wire("purchase", currency="usd"), 'currency: must be three capital letters (ISO 4217) suc'),
    ("zero refund", wire("refund", amount="0"), "amount: a refund must be greater than 0"),
    ("unknown field", wire("like", colour="red"), "colour: is not a field of the wire format (see docs/events.md)"),
    ("another type's field", wire("like", seconds=3), "seconds: is not a field of a like event"),
    ("bad JSON", '{"event_id": "e1", "type": ', "event: Invalid JSON: Expecting value at line 1 column 28"),
    ("empty JSON", "", "event: Invalid JSON: Expecting value at line 1 column 1"),
    ("bad UTF-8", b'{"event_id": "\xff"}', "event: Invalid JSON: the text is not UTF-8 (byte 0xff at 14)"),
    ("NaN", '{"event_id": NaN}', "event: Invalid JSON: NaN is not a JSON number"),
    ("too long", " " * (1 << 20) + "{}", "event: the text is longer than 1,048,576 characters (1,048,578)"),
    ("too many keys", {**wire("like"), **{f"k{i}": i for i in range(61)}}, "event: has 67 keys; an event has at mo"),
    ("a long unknown key", wire("like", **{"k" * 500: 1}), "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk...: is not a f"),
    ("JSON array", '[{"event_id": "e1"}]', "event: an event is a JSON object, not a list"),
    ("JSON string", '"like"', 'event: an event is a JSON object, not a string ("like")'),
    ("JSON null", "null", "event: an event is a JSON object, not null"),
    ("not a mapping", 42, "event: an event is a JSON object or a mapping, not int"),
    ("a list of pairs", [("event_id", "e1")], "event: an event is a JSON object or a mapping, not list"),
]  # fmt: skip


@pytest.mark.parametrize(("data", "expected"), [(d, m) for _, d, m in MALFORMED], ids=[n for n, _, _ in MALFORMED])
def test_malformed_events_raise_a_clear_error(data: Any, expected: str) -> None:
    """Every kind of malformed event raises EventParseError whose reasons name the field and the problem."""
    reasons = _reasons(data)
    assert any(reason.startswith(expected) for reason in reasons), reasons
    if isinstance(data, dict):
        text_reasons = _reasons(json.dumps(data))
        assert text_reasons == reasons  # the same message whether it came as JSON or as a mapping


def test_parse_error_lists_every_reason_and_the_line() -> None:
    """One error carries every problem found, joined in str(), with the line number when given."""
    data = {"type": "like", "occurred_at": AT}
    with pytest.raises(EventParseError) as info:
        parse_event(data, line=7)
    error = info.value
    assert error.line == 7
    assert error.reasons == (
        "event_id: required on every event",
        "user_id: required on every event",
        "creator_id: required for a like event",
        "stream_id: required for a like event",
    )
    assert str(error) == "line 7: " + "; ".join(error.reasons)


def test_parse_error_is_a_value_error_and_a_festengine_error() -> None:
    """EventParseError can be caught as ValueError or as the library's root error."""
    from festengine import FestEngineError

    with pytest.raises(ValueError, match="unknown event type"):
        parse_event(wire("like", type="dance"))
    with pytest.raises(FestEngineError):
        parse_event("not json")


# --------------------------------------------------------------------------- JSON Lines


@pytest.fixture(params=FAST_JSON, ids=lambda fast_json: fast_json.__name__.rsplit("_", 1)[-1])
def fast_json(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Each fast path on JSON text in turn."""
    monkeypatch.setattr(events, "_fast_json", request.param)
    return request.param


@pytest.mark.usefixtures("fast_json")
def test_read_events_reports_bad_lines_with_their_numbers_and_goes_on(tmp_path: Path) -> None:
    """read_events yields the good events in order and keeps each bad line's number and reason."""
    lines = [
        json.dumps(wire("like", event_id="e1")),
        '{"event_id": "e2", "type": ',  # broken JSON
        "",  # blank lines are skipped, not errors
        json.dumps(wire("like", event_id="e3", occurred_at="2026-12-01T20:00:00")),  # naive time
        json.dumps(wire("purchase", event_id="e4")),
        "   ",
        json.dumps(wire("view", event_id="e5", seconds="x")),
        json.dumps(wire("gift", event_id="e6")),
    ]
    path = tmp_path / "events.jsonl"
    path.write_bytes(("\n".join(lines) + "\n").encode() + b'{"event_id": "\xff"}\n' + lines[0].encode())
    reader = read_events(path)
    events = list(reader)
    assert [e.event_id for e in events] == ["e1", "e4", "e6", "e1"]
    assert [error.line for error in reader.errors] == [2, 4, 7, 9]
    assert str(reader.errors[0]).startswith("line 2: event: Invalid JSON")
    assert str(reader.errors[1]) == (
        'line 4: occurred_at: must carry a time zone, e.g. 2026-12-01T20:00:00Z, not "2026-12-01T20:00:00"'
    )
    assert str(reader.errors[2]) == 'line 7: seconds: a whole number is needed, but a string ("x") was given'
    assert reader.malformed == 4
    assert reader.lines_read == 10


@pytest.mark.usefixtures("fast_json")
def test_read_events_accepts_str_paths_and_crlf(tmp_path: Path) -> None:
    """A path given as str works, and Windows line ends do not disturb parsing."""
    path = tmp_path / "events.jsonl"
    path.write_bytes(b"\r\n".join(json.dumps(wire(k, event_id=k)).encode() for k in ("like", "purchase")) + b"\r\n")
    reader = read_events(str(path))
    assert [e.type for e in reader] == ["like", "purchase"]
    assert reader.errors == []


@pytest.mark.usefixtures("fast_json")
def test_read_events_gives_the_events_of_the_full_parser(tmp_path: Path) -> None:
    """Every line of a JSON Lines file, of every type, read as the full parser reads that line."""
    lines = [json.dumps(wire(kind, table[kind], event_id=f"{kind}-{i}")) for i, table in enumerate((MINIMAL, FULL))
             for kind in EVENT_TYPES]  # fmt: skip
    path = tmp_path / "events.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    reader = read_events(path)
    assert [repr(event) for event in reader] == [repr(_parse_slow(line, line=None)) for line in lines]
    assert reader.errors == []


# --------------------------------------------------------------------------- event_to_dict


@pytest.mark.parametrize("kind", EVENT_TYPES)
def test_event_to_dict_round_trips(kind: str) -> None:
    """parse_event(event_to_dict(e)) == e for every type, and the dict is JSON-ready."""
    event = parse_event(wire(kind, FULL[kind], occurred_at="2026-12-01T12:00:00.250-08:00"))
    data = event_to_dict(event)
    assert parse_event(data) == event
    assert parse_event(json.dumps(data)) == event
    assert parse_event(dumps_event(event)) == event
    assert data["occurred_at"] == "2026-12-01T20:00:00.250000Z"
    assert "coins" not in data


def test_event_to_dict_leaves_out_derived_fields() -> None:
    """The wire form of a purchase has no amount (it is derived) and money as decimal strings."""
    data = event_to_dict(parse_event(wire("purchase", FULL["purchase"])))
    assert "amount" not in data
    assert data["price"] == "12.99"
    assert data["quantity"] == 3
    gift = parse_event(wire("gift"))
    assert "coins" not in event_to_dict(attrs.evolve(gift, coins=5))


@settings(max_examples=100, deadline=None)
@given(fast_wire())
def test_event_to_dict_round_trips_generated_events(data: dict[str, Any]) -> None:
    """Any valid event survives event_to_dict and back unchanged."""
    event = parse_event(data)
    assert parse_event(event_to_dict(event)) == event


# --------------------------------------------------------------------------- the documentation

DOC = Path(__file__).resolve().parents[1] / "docs" / "events.md"


def test_the_documented_fields_of_each_type_match_the_parser() -> None:
    """docs/events.md's table gives each type's required and optional fields exactly as the parser has them."""
    from festengine.events import _FIELDS

    rows = {}
    for line in DOC.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[0].startswith("`") and cells[0].strip("`") in EVENT_TYPES:

            def names(cell: str) -> tuple[str, ...]:
                return tuple(part.split("`")[1] for part in cell.split(",") if "`" in part)

            rows[cells[0].strip("`")] = (names(cells[1]), names(cells[2]))
    assert rows == {kind: (required, optional) for kind, (required, optional) in _FIELDS.items()}


def test_every_example_line_in_the_docs_parses() -> None:
    """Each JSON line shown in docs/events.md is a valid event (and the set covers every type)."""
    lines = [line for line in DOC.read_text(encoding="utf-8").splitlines() if line.startswith('{"event_id"')]
    kinds = {parse_event(line).type for line in lines}
    assert kinds == set(EVENT_TYPES)
