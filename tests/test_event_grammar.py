"""The wire format's one grammar for money, times and whole numbers, every problem named, repeated keys refused.

Each rule is checked on every way an event arrives: a mapping, a JSON str and JSON bytes, through
``parse_event`` (fast path first), the full parser alone, and each fast path on JSON text.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from festengine import EventParseError, parse_event
from festengine._wire_model import Wire
from festengine.errors import EventProblem
from festengine.limits import MAX_AMOUNT
from test_events import FAST_JSON, assert_parsers_agree, parse_json_with, slow, wire


def every_way(data: dict[str, Any]) -> list[Any]:
    """The event as a mapping, as a JSON str and as JSON bytes."""
    text = json.dumps(data)
    return [data, text, text.encode()]


def parsers() -> list[Any]:
    """parse_event, the full parser alone, and parse_event with each fast path on JSON text."""
    return [parse_event, slow, *(parse_json_with(fast_json) for fast_json in FAST_JSON)]


def refused(data: dict[str, Any]) -> list[EventProblem]:
    """The problems of an event that every parser refuses the same way, whichever way it comes."""
    found = []
    for item in every_way(data):
        for parse in parsers():
            if isinstance(item, dict) and parse is not parse_event and parse is not slow:
                continue  # the fast paths on JSON text take text only
            with pytest.raises(EventParseError) as info:
                parse(item)
            found.append(info.value.problems)
    assert all(problems == found[0] for problems in found), found
    return list(found[0])


def accepted(data: dict[str, Any]) -> Any:
    """The event every parser makes of data, whichever way it comes (all equal, to the repr)."""
    results = {repr(parse(item)) for item in every_way(data) for parse in (parse_event, slow)}
    results |= {repr(parse_json_with(f)(item)) for item in every_way(data)[1:] for f in FAST_JSON}
    assert len(results) == 1, results
    return parse_event(data)


# --------------------------------------------------------------------------- money

#: ASCII digits, optionally a point and 1 to 6 digits; below MAX_AMOUNT.
MONEY = re.compile(r"[0-9]+(?:\.[0-9]{1,6})?")

GOOD_MONEY = ["0", "3", "12.99", "12.990", "0.000001", "999999999999.999999", "007", "0" * 30 + "5.5"]
BAD_MONEY = [
    "10." + "0" * 30, "0E-1000", "1e2", "1_000", "+5", "-5", "-0", "\u0661\u0662", "\uff11", "5.", ".5", " 5", "5 ",
    "5\n", "1,5", "0x10", "NaN", "Infinity", "1000000000000", "1.1234567", "", "12.99 USD",
]  # fmt: skip


@pytest.mark.parametrize("text", GOOD_MONEY)
def test_money_in_the_grammar_is_read_exactly(text: str) -> None:
    """Money written as ASCII digits with at most 6 decimals below 10**12 is the Decimal of that text."""
    event = accepted(wire("purchase", price=text))
    assert event.price == Decimal(text)
    assert repr(event.price) == repr(Decimal(text))


@pytest.mark.parametrize("text", BAD_MONEY)
def test_money_outside_the_grammar_is_refused_by_every_parser(text: str) -> None:
    """Exponents, underscores, signs, non-ASCII digits, a bare point, blanks, 7+ decimals or 10**12 are refused."""
    (problem,) = refused(wire("purchase", price=text))
    assert problem.field == "price"
    assert problem.code in ("invalid", "out_of_range")


def test_whole_json_numbers_are_money_too_and_other_json_is_not() -> None:
    """A whole JSON number is read as money; a float, a boolean, a list or a negative number is refused."""
    assert accepted(wire("purchase", price=12)).price == Decimal(12)
    for value, code in [(12.5, "wrong_type"), (True, "wrong_type"), ([1], "wrong_type"), (-1, "out_of_range"),
                        (10**12, "out_of_range"), (10**40, "out_of_range")]:  # fmt: skip
        (problem,) = refused(wire("purchase", price=value))
        assert (problem.field, problem.code) == ("price", code)


def test_a_decimal_in_a_mapping_is_held_to_the_same_limits() -> None:
    """From Python, a Decimal is money if finite, not negative, of at most 6 decimals and below 10**12."""
    assert parse_event(wire("purchase", price=Decimal("12.99"))).price == Decimal("12.99")
    for value in (Decimal("NaN"), Decimal("sNaN"), Decimal("Infinity"), Decimal("-1"), Decimal("-0"),
                  Decimal("1.1234567"), MAX_AMOUNT):  # fmt: skip
        with pytest.raises(EventParseError, match=r"^price: "):
            parse_event(wire("purchase", price=value))


money_like = st.one_of(
    st.text(alphabet="0123456789.", max_size=24),
    st.text(alphabet="0123456789.+-eE_ ,\u0661\uff11\n", max_size=12),
    st.from_regex(r"[0-9]{1,14}(\.[0-9]{0,8})?", fullmatch=True),
)


@settings(max_examples=400, deadline=None)
@given(money_like)
@example("10." + "0" * 30)
@example("0E-1000")
def test_money_is_accepted_exactly_when_the_grammar_says(text: str) -> None:
    """Any string: accepted (with that Decimal) if and only if it matches the grammar and is below 10**12."""
    data = wire("purchase", price=text, discount="0")
    assert_parsers_agree(data)
    expected = MONEY.fullmatch(text) is not None and Decimal(text) < MAX_AMOUNT
    if not expected:
        with pytest.raises(EventParseError):
            parse_event(data)
    else:
        assert repr(parse_event(data).price) == repr(Decimal(text))


# --------------------------------------------------------------------------- times

#: RFC 3339 with seconds and an offset (or Z), as the docs give it.
STAMP = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?([Zz]|[+-][0-9]{2}:[0-5][0-9])"
)

GOOD_TIMES = {
    "2026-12-01T20:00:00Z": datetime(2026, 12, 1, 20, tzinfo=UTC),
    "2026-12-01t20:00:00z": datetime(2026, 12, 1, 20, tzinfo=UTC),
    "2026-12-01T12:00:00-08:00": datetime(2026, 12, 1, 20, tzinfo=UTC),
    "2026-12-01T20:00:00.5+00:00": datetime(2026, 12, 1, 20, 0, 0, 500_000, tzinfo=UTC),
    "2026-12-01T20:00:00.123456789Z": datetime(2026, 12, 1, 20, 0, 0, 123_456, tzinfo=UTC),  # to the microsecond
    "1970-01-01T00:00:00Z": datetime(1970, 1, 1, tzinfo=UTC),
    "1970-01-01T01:00:00+01:00": datetime(1970, 1, 1, tzinfo=UTC),
    "2099-12-31T23:59:59.999999Z": datetime(2099, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC),
}
BAD_TIMES = [
    "2026-06-16T03:00Z", "2026-06-16T03:00", "2026-06-16T03:00:00", "2026-06-16 03:00:00Z", "2026-06-16",
    "2026-06-16T03:00:00+0100", "2026-06-16T03:00:00+01", "2026-06-16T03:00:00.Z", "2026-06-16T03:00:00.1234567890Z",
    "1781578800", "2026-W25-2T03:00:00Z", "20260616T030000Z", "2026-06-16T24:00:00Z", "2026-06-16T23:59:60Z",
    "2026-02-30T10:00:00Z", "2026-06-16T03:00:00+24:00", "2026-06-16T03:00:00+01:60", "1969-12-31T23:59:59Z",
    "1970-01-01T00:59:59+01:00", "2100-01-01T00:00:00Z", "2099-12-31T23:00:00-01:00", "9999-12-31T23:59:59-01:00",
    "0001-01-01T00:00:00+01:00", "2026-06-1\u0666T03:00:00Z", "2026-06-16T03:00:00Z\n",
]  # fmt: skip


@pytest.mark.parametrize("stamp", list(GOOD_TIMES))
def test_times_in_the_grammar_are_read_in_utc(stamp: str) -> None:
    """RFC 3339 with seconds and a zone, within 1970 to 2099, is read as that instant in UTC."""
    for kind in ("like", "purchase"):
        event = accepted(wire(kind, occurred_at=stamp))
        assert event.occurred_at == GOOD_TIMES[stamp]
        assert event.occurred_at.tzinfo is UTC


@pytest.mark.parametrize("stamp", BAD_TIMES)
def test_times_outside_the_grammar_or_the_range_are_refused_by_every_parser(stamp: str) -> None:
    """No seconds, no zone, ISO 8601 variants, Unix seconds as text, impossible or out-of-range times: refused."""
    (problem,) = refused(wire("like", occurred_at=stamp))
    assert problem.field == "occurred_at"
    assert problem.code in ("invalid", "out_of_range")


def test_a_json_number_is_not_a_time() -> None:
    """A number (Unix seconds?) is refused with a reason saying to write the time as text."""
    for value in (1_781_578_800, 1_781_578_800.5, 0):
        (problem,) = refused(wire("like", occurred_at=value))
        assert (problem.code, problem.message) == (
            "wrong_type",
            'write the time as text, e.g. "2026-12-01T20:00:00Z", not as a number',
        )


def test_an_aware_datetime_in_a_mapping_is_held_to_the_same_range() -> None:
    """From Python, an aware datetime is a time (in UTC); a naive one or one outside the range is refused."""
    local = datetime(2026, 12, 1, 12, tzinfo=timezone(timedelta(hours=-8)))
    assert parse_event(wire("like", occurred_at=local)).occurred_at == datetime(2026, 12, 1, 20, tzinfo=UTC)
    naive = datetime(2026, 12, 1, 20)  # noqa: DTZ001 - the point of the test
    for value in (naive, datetime(2100, 1, 1, tzinfo=UTC), datetime(1, 1, 1, tzinfo=UTC)):
        with pytest.raises(EventParseError, match=r"^occurred_at: "):
            parse_event(wire("like", occurred_at=value))


stamp_like = st.one_of(
    st.from_regex(
        r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{0,10})?)?([Zz]|[+-][0-9]{2}:?[0-9]{2})?",
        fullmatch=True,
    ),
    st.text(alphabet="0123456789-:TZ+. ", min_size=10, max_size=30),
)


@settings(max_examples=400, deadline=None)
@given(stamp_like)
@example("2026-06-16T03:00Z")
@example("1781578800")
def test_times_are_accepted_exactly_when_the_grammar_and_the_range_say(stamp: str) -> None:
    """Any string: accepted if and only if it is RFC 3339 as the docs say, a real time, and in 1970-2099 UTC."""
    data = wire("like", occurred_at=stamp)
    assert_parsers_agree(data)
    try:
        moment = datetime.fromisoformat(stamp.upper()).astimezone(UTC) if STAMP.fullmatch(stamp) else None
    except (ValueError, OverflowError):
        moment = None
    expected = moment is not None and datetime(1970, 1, 1, tzinfo=UTC) <= moment < datetime(2100, 1, 1, tzinfo=UTC)
    if not expected:
        with pytest.raises(EventParseError):
            parse_event(data)
    else:
        assert parse_event(data).occurred_at == moment


# --------------------------------------------------------------------------- whole numbers

WHOLE = {"seconds": ("view", 0, 86_400), "count": ("like", 1, 1_000_000), "repeat_count": ("gift", 1, 1_000_000),
         "quantity": ("purchase", 1, 100_000)}  # fmt: skip


@pytest.mark.parametrize("name", list(WHOLE))
def test_whole_numbers_are_json_integers_within_their_bounds(name: str) -> None:
    """Counts, seconds, repeat counts, quantities: JSON integers from the lowest to the highest, nothing else."""
    kind, low, high = WHOLE[name]
    assert getattr(accepted(wire(kind, **{name: low})), name) == low
    assert getattr(accepted(wire(kind, **{name: high})), name) == high
    out, wrong = "out_of_range", "wrong_type"
    for value, code in [(low - 1, out), (high + 1, out), (2**64, out), (True, wrong), (False, wrong), ("60", wrong),
                        ("\u0661\u0662", wrong), (1.0, wrong), (1.5, wrong), ([1], wrong), ({}, wrong)]:  # fmt: skip
        (problem,) = refused(wire(kind, **{name: value}))
        assert (problem.field, problem.code) == (name, code), value


def test_a_string_for_a_whole_number_says_so() -> None:
    """``"seconds": "60"`` says a string was given where a whole number is needed, and how to write it."""
    (problem,) = refused(wire("view", seconds="60"))
    assert str(problem) == 'seconds: a whole number is needed, but a string ("60") was given; write 60 without quotes'
    (problem,) = refused(wire("view", seconds="\u0666\u0660"))  # Arabic-Indic digits: no hint to drop the quotes
    assert str(problem) == 'seconds: a whole number is needed, but a string ("\u0666\u0660") was given'


# --------------------------------------------------------------------------- every problem named


def test_an_event_with_several_problems_reports_all_of_them() -> None:
    """Each problem of an event is reported, one per field, each naming its field; str() lists them all."""
    data = wire("view", seconds="60", price="1e2", colour="red", event_id="", occurred_at="2026-06-16T03:00Z")
    data.pop("creator_id")
    problems = refused(data)
    assert [(p.field, p.code) for p in problems] == [
        ("event_id", "invalid"),
        ("occurred_at", "invalid"),
        ("seconds", "wrong_type"),
        ("price", "not_for_type"),  # not a field of a view: that is its problem, whatever its value
        ("colour", "unknown_field"),
        ("creator_id", "missing"),
    ]
    with pytest.raises(EventParseError) as info:
        parse_event(data, line=3)
    assert str(info.value) == "line 3: " + "; ".join(str(p) for p in problems)
    assert info.value.reasons == tuple(str(p) for p in problems)


def test_an_unknown_type_is_reported_with_the_other_problems() -> None:
    """A wrong type does not hide the problems of the values that do not depend on it."""
    problems = refused(wire("like", type="dance", user_id=7, count="many"))
    assert [(p.field, p.code) for p in problems] == [
        ("type", "unknown_type"),
        ("user_id", "wrong_type"),
        ("count", "wrong_type"),
    ]


def test_a_discount_is_checked_against_the_price_only_when_the_fields_are_valid() -> None:
    """Checks across fields come once every field is valid, so they never speak of a value already refused."""
    assert [p.code for p in refused(wire("purchase", quantity=2, discount="25.99"))] == ["inconsistent"]
    problems = refused(wire("purchase", quantity=0, discount="25.99"))
    assert [(p.field, p.code) for p in problems] == [("quantity", "out_of_range")]


# --------------------------------------------------------------------------- repeated keys


def _repeat(data: dict[str, Any], key: str, value: Any) -> str:
    """The JSON text of data with ``key`` written once more at the end, holding ``value``."""
    return json.dumps(data)[:-1] + f", {json.dumps(key)}: {json.dumps(value)}}}"


REPEATS: list[tuple[str, dict[str, Any], str, Any]] = [
    ("another value", wire("like"), "user_id", "u2"),
    ("the same value", wire("like"), "user_id", "u1"),
    ("the type", wire("like"), "type", "share"),
    ("an unknown key", wire("like", colour="red"), "colour", "blue"),
    ("with colons in the values", wire("comment", text="a: b: c", user_id="u:1"), "stream_id", "s2"),
    ("then a null", wire("gift", count=2), "count", None),
]


@pytest.mark.parametrize(("data", "key", "value"), [r[1:] for r in REPEATS], ids=[r[0] for r in REPEATS])
def test_a_key_written_twice_is_refused_by_every_parser(data: dict[str, Any], key: str, value: Any) -> None:
    """A repeated key is an error, named, from the fast path (msgspec's) and the full parser alike."""
    text = _repeat(data, key, value)
    for item in (text, text.encode(), text.replace('": ', '" :  ')):
        for parse in parsers():
            with pytest.raises(EventParseError) as info:
                parse(item)
            assert EventProblem(key, "duplicate_key", "is given more than once; write each key once") in (
                info.value.problems
            )


def test_escaped_colons_and_colons_in_values_do_not_hide_a_repeated_key() -> None:
    """The fast path's count of keys holds when values hold colons, literal or escaped (\\u003a)."""
    base = wire("comment", text="so: cute", user_id="u:1:2", creator_id="c\u003a1")
    assert accepted(base).text == "so: cute"
    escaped = json.dumps(base).replace('"c:1"', '"c\\u003a1"')
    assert "\\u003a" in escaped
    repeated = escaped[:-1] + ', "stream_id": "s1"}'
    for parse in parsers():
        for item in (escaped, escaped.encode()):
            assert parse(item) == parse_event(base)
        for item in (repeated, repeated.encode()):
            with pytest.raises(EventParseError, match="stream_id: is given more than once"):
                parse(item)


def test_the_full_parser_does_not_use_pydantics_json_reader(monkeypatch: pytest.MonkeyPatch) -> None:
    """JSON is decoded by the standard library in every path, so the installed pydantic version changes nothing."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("pydantic's JSON reader was used")

    monkeypatch.setattr(Wire, "model_validate_json", refuse)
    text = _repeat(wire("like"), "user_id", "u2")
    with pytest.raises(EventParseError, match="user_id: is given more than once"):
        slow(text)
    assert slow(json.dumps(wire("like", user_id=" u1 "))).user_id == "u1"


# --------------------------------------------------------------------------- viewer profiles


@pytest.mark.parametrize(
    ("value", "code", "message"),
    [
        ("2001-02-30", "invalid", '"2001-02-30" is not a day of the calendar'),
        ("2001-13-01", "invalid", '"2001-13-01" is not a day of the calendar'),
        ("15.07.2001", "invalid", 'must be a date written YYYY-MM-DD such as "2001-07-15", not "15.07.2001"'),
        ("2001-7-15", "invalid", "must be a date written YYYY-MM-DD"),
        ("2001-07-15T00:00:00Z", "invalid", "must be a date written YYYY-MM-DD"),
        ("1899-12-31", "out_of_range", 'must be from 1900-01-01 to 2099-12-31, not "1899-12-31"'),
        ("2100-01-01", "out_of_range", "must be from 1900-01-01 to 2099-12-31"),
        (20010715, "wrong_type", 'a date such as "2001-07-15" is needed, but a whole number (20010715) was given'),
    ],
)
def test_a_birth_date_is_a_real_day_written_yyyy_mm_dd(value: object, code: str, message: str) -> None:
    """``birth_date`` is ``YYYY-MM-DD``, a day that exists, from 1900-01-01 to 2099-12-31; anything else is
    refused by every parser, with the problem named."""
    (problem,) = refused(wire("viewer_profile", birth_date=value))
    assert (problem.field, problem.code) == ("birth_date", code)
    assert message in problem.message
    assert accepted(wire("viewer_profile", birth_date="2001-07-15")).birth_date == datetime(2001, 7, 15).date()  # noqa: DTZ001 - a day


@pytest.mark.parametrize(
    ("value", "code", "message"),
    [
        ("XX", "invalid", '"XX" is not an ISO 3166-1 alpha-2 code'),
        ("UK", "invalid", '"UK" is not an ISO 3166-1 alpha-2 code'),
        ("us", "invalid", 'must be two capital letters (ISO 3166-1 alpha-2) such as "DE", not "us"'),
        ("USA", "invalid", "must be two capital letters"),
        (49, "wrong_type", 'a region code such as "DE" is needed, but a whole number (49) was given'),
    ],
)
def test_a_region_is_an_iso_3166_alpha_2_code(value: object, code: str, message: str) -> None:
    """``region`` is an officially assigned ISO 3166-1 alpha-2 code; other codes are refused by every parser."""
    (problem,) = refused(wire("viewer_profile", region=value))
    assert (problem.field, problem.code) == ("region", code)
    assert message in problem.message
    assert accepted(wire("viewer_profile", region="GB")).region == "GB"


def test_age_verified_is_a_boolean_and_profile_fields_belong_to_profiles_only() -> None:
    """``age_verified`` is ``true`` or ``false``; the profile's fields are refused on other types."""
    (problem,) = refused(wire("viewer_profile", age_verified="yes"))
    assert (problem.field, problem.code) == ("age_verified", "wrong_type")
    (problem,) = refused(wire("like", region="DE"))
    assert (problem.field, problem.code) == ("region", "not_for_type")
    assert problem.message == "is not a field of a like event"
    assert accepted(wire("viewer_profile")).birth_date is None


def test_a_currency_is_a_current_iso_4217_code() -> None:
    """Three capital letters are not enough: the code must be in ISO 4217's list (``XYZ`` is refused)."""
    (problem,) = refused(wire("purchase", currency="XYZ"))
    assert (problem.field, problem.code, problem.message) == (
        "currency",
        "invalid",
        '"XYZ" is not an ISO 4217 currency code',
    )
    (problem,) = refused(wire("refund", currency="ABC"))
    assert problem.field == "currency"
    assert accepted(wire("purchase", currency="JPY")).currency == "JPY"
