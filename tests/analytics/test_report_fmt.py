"""The report's number and time formatting: what an operator reads."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from festengine.report import fmt
from festengine.report.blocks import cell, table

LA = ZoneInfo("America/Los_Angeles")


@pytest.mark.parametrize(
    ("value", "text"), [(91311.0, "91,311"), (91311, "91,311"), (0, "0"), (1234567, "1,234,567"), (2.6, "3")]
)
def test_counts_are_whole_numbers_with_thousands_separators(value: float, text: str) -> None:
    """A count never shows a decimal point: 91311.0 reads 91,311."""
    assert fmt.count(value) == text


@pytest.mark.parametrize(("value", "text"), [(12.0, "12"), (2.5, "2.5"), (1504.25, "1,504.2"), (0.04, "0")])
def test_measured_values_are_whole_when_whole_else_one_decimal(value: float, text: str) -> None:
    assert fmt.number(value) == text


def test_money_has_two_decimals_and_separators() -> None:
    assert fmt.money(Decimal("25000")) == "25,000.00"
    assert fmt.money(Decimal("1685.43")) == "1,685.43"


@pytest.mark.parametrize(
    ("ratio", "text"), [(0.2646, "26.5%"), (0.1401, "14.0%"), (0.0, "0.0%"), (1.0, "100.0%"), (0.0001, "under 0.1%")]
)
def test_ratios_are_percentages(ratio: float, text: str) -> None:
    """Click-through, conversion and budget use read as percentages, not 0.2646."""
    assert fmt.percent(ratio) == text


@pytest.mark.parametrize(("seconds", "text"), [(42.4, "42 s"), (624.3, "10 min 24 s"), (3725, "1 h 2 min 5 s")])
def test_durations_are_in_words(seconds: float, text: str) -> None:
    assert fmt.duration(seconds) == text


CLOCKS = [(0, 0, "midnight"), (12, 0, "noon"), (20, 0, "8 pm"), (9, 30, "9:30 am"), (12, 30, "12:30 pm"),
          (0, 15, "12:15 am")]  # fmt: skip


@pytest.mark.parametrize(("hour", "minute", "text"), CLOCKS)
def test_clock_times_are_said_as_people_say_them(hour: int, minute: int, text: str) -> None:
    assert fmt.clock_in_words(datetime(2026, 6, 20, hour, minute, tzinfo=LA)) == text


def test_an_hour_is_said_in_words_in_the_fests_time_zone() -> None:
    """The bucket starting 2026-06-21 03:00 UTC is Saturday 8 pm in Los Angeles (PDT)."""
    start = datetime(2026, 6, 20, 20, tzinfo=LA).timestamp()
    assert fmt.hour_in_words(start, LA) == "Saturday 20 June, 8 pm to 9 pm PDT"
    eleven = datetime(2026, 6, 20, 23, tzinfo=LA).timestamp()
    assert fmt.hour_in_words(eleven, LA) == "Saturday 20 June, 11 pm to midnight PDT"


def test_an_hour_across_the_end_of_daylight_saving_time_is_one_real_hour() -> None:
    """On 1 November 2026 the clocks go back at 2 am: the hour from 1 am PDT ends at 1 am PST, and says so."""
    start = datetime(2026, 11, 1, 8, tzinfo=ZoneInfo("UTC")).timestamp()  # 1 am PDT
    assert fmt.hour_in_words(start, LA) == "Sunday 1 November, 1 am PDT to 1 am PST"


@given(st.integers(min_value=0, max_value=10**12))
def test_a_whole_count_reads_back_as_itself(value: int) -> None:
    """Removing the separators gives the number back: nothing is rounded away or added."""
    assert int(fmt.count(float(value) if value < 2**53 else value).replace(",", "")) == value


def test_table_cells_are_formatted_by_type() -> None:
    """int -> count, Decimal -> money, float -> whole when whole, str as given, escaped."""
    assert [cell(v) for v in (91311, Decimal("5.5"), 504.0, 0.5, "<b>", True)] == [
        "91,311",
        "5.50",
        "504",
        "0.5",
        "<b>",
        "yes",
    ]
    html = table(("name", "count"), [("<b>", 1234)])
    assert '<td class="t">&lt;b&gt;</td><td>1,234</td>' in html  # names left-aligned, numbers right
    assert '<th class="t">name</th><th>count</th>' in html
