"""Outcomes are immutable records: built by position or keyword, read by name, compared by type and fields."""

from __future__ import annotations

import copy
import dataclasses
import pickle
import typing
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, ClassVar
from unittest import mock

import attrs
import pytest
from eager_outcomes import Cheered as EagerCheered

from festengine.economy.ledger import JournalEntry
from festengine.economy.money import Money
from festengine.economy.outcomes import LedgerEntryPosted
from festengine.engine.outcomes import (
    Duplicate,
    MissionExpired,
    MissionProgressed,
    Outcome,
    new_outcome,
    outcome_to_dict,
)
from festengine.outcomes import ALL_OUTCOMES


def progressed(**changes: Any) -> MissionProgressed:
    fields: dict[str, Any] = {
        "event_id": "e1", "subject": "u1", "mission_id": "m1", "window": "day:2026-12-01", "progress": 2, "target": 5,
    }  # fmt: skip
    fields.update(changes)
    return MissionProgressed(**fields)


def test_an_outcome_is_built_by_position_or_by_keyword_and_read_by_name() -> None:
    by_position = MissionProgressed("e1", "u1", "m1", "day:2026-12-01", 2, 5)
    by_keyword = progressed()
    mixed = MissionProgressed("e1", "u1", mission_id="m1", window="day:2026-12-01", progress=2, target=5)
    assert by_position == by_keyword == mixed
    assert (by_keyword.event_id, by_keyword.subject, by_keyword.progress, by_keyword.target) == ("e1", "u1", 2, 5)
    assert MissionProgressed._fields == ("event_id", "subject", "mission_id", "window", "progress", "target")
    assert MissionProgressed.kind == "mission_progressed"


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: MissionProgressed("e1", "u1"), "MissionProgressed takes 6 fields (event_id, subject, mission_id"),
        (lambda: progressed(goal=3), "MissionProgressed has no field 'goal'; its fields are event_id, subject"),
        (lambda: MissionProgressed("e1", event_id="e2"), "MissionProgressed got field 'event_id' twice"),
        (lambda: MissionProgressed("e1", subject="u1"), "MissionProgressed is missing field 'mission_id'"),
        (lambda: Duplicate("e1", "e2", event_id="e3"), "Duplicate takes 1 field (event_id), got 2 by position"),
        (Duplicate, "Duplicate takes 1 field (event_id), got 0"),
    ],
)
def test_a_wrong_set_of_fields_is_a_type_error_that_names_them(build: Any, message: str) -> None:
    with pytest.raises(TypeError) as error:
        build()
    assert str(error.value).startswith(message)


def test_an_outcome_cannot_be_changed_or_given_new_attributes() -> None:
    outcome = progressed()
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        outcome.progress = 3  # type: ignore[misc]
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        outcome.note = "x"  # type: ignore[attr-defined]
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        del outcome.progress  # type: ignore[misc]
    assert not hasattr(outcome, "__dict__")
    assert outcome == progressed()


def test_outcomes_are_equal_only_to_the_same_type_with_the_same_fields() -> None:
    expired = MissionExpired("e1", "u1", "m1", "day:2026-12-01", "active", 2)
    same_values = MissionProgressed("e1", "u1", "m1", "day:2026-12-01", "active", 2)
    assert expired != same_values
    assert not expired == same_values  # noqa: SIM201 - the == operator itself is under test
    assert expired != ("e1", "u1", "m1", "day:2026-12-01", "active", 2)
    assert progressed() != progressed(progress=3)
    assert progressed() == progressed()
    assert hash(progressed()) == hash(progressed())
    assert len({progressed(), progressed(), expired, same_values}) == 3


def test_outcomes_compare_with_other_objects_as_those_decide() -> None:
    """Not equal to a tuple of the same values, but a matcher such as mock.ANY still matches."""
    assert progressed() == mock.ANY
    assert [progressed(), Duplicate("e2")] == [mock.ANY, Duplicate("e2")]
    assert progressed() != "e1"
    assert not progressed() == 3  # noqa: SIM201 - the == operator itself is under test
    assert Duplicate("e1") != ("e1",)
    assert Duplicate("e1") != ("e1",)


def test_outcomes_have_no_order() -> None:
    with pytest.raises(TypeError):
        _ = progressed() < progressed(progress=3)  # type: ignore[operator]
    with pytest.raises(TypeError):
        _ = progressed() >= progressed(progress=3)  # type: ignore[operator]
    with pytest.raises(TypeError, match="outcomes have no order"):
        _ = Duplicate("e1") < ("z",)  # type: ignore[operator]
    with pytest.raises(TypeError, match="outcomes have no order"):
        _ = Duplicate("e1") > ("a",)
    with pytest.raises(TypeError):
        _ = Duplicate("e1") > 3  # type: ignore[operator]


def test_replace_makes_a_changed_copy() -> None:
    outcome = progressed()
    assert outcome._replace(progress=3) == progressed(progress=3)
    if hasattr(copy, "replace"):  # Python 3.13 and later
        assert copy.replace(outcome, target=9) == progressed(target=9)
    assert outcome == progressed()
    with pytest.raises(TypeError, match="MissionProgressed has no field 'goal'"):
        outcome._replace(goal=1)


def test_the_repr_names_the_type_and_every_field() -> None:
    assert repr(progressed(progress=Decimal("2.50"))) == (
        "MissionProgressed(event_id='e1', subject='u1', mission_id='m1', window='day:2026-12-01', "
        "progress=Decimal('2.50'), target=5)"
    )
    assert repr(Duplicate("e9")) == "Duplicate(event_id='e9')"


def test_outcomes_survive_pickle_and_copy() -> None:
    outcome = progressed(progress=Decimal("2.5"))
    for twin in (pickle.loads(pickle.dumps(outcome)), copy.copy(outcome), copy.deepcopy(outcome)):  # noqa: S301
        assert twin == outcome
        assert type(twin) is MissionProgressed


def test_outcomes_match_by_position_and_by_keyword() -> None:
    match progressed():
        case MissionProgressed(_, user, mission, progress=2):
            found = (user, mission)
        case _:
            found = None
    assert found == ("u1", "m1")


def test_outcome_to_dict_writes_nested_values_as_json_ready_data() -> None:
    postings = (("viewer:u1:coins", Money(Decimal("-1.00"), "EUR")), ("pool:gifts", Money(Decimal("1.00"), "EUR")))
    entry = JournalEntry(7, "e1", "gift", "a rose", datetime(2026, 12, 1, 20, tzinfo=UTC), postings)
    inner = progressed(progress=Decimal("2.5"))
    data = outcome_to_dict(LedgerEntryPosted("e1", entry))
    assert data == {
        "kind": "ledger_entry_posted",
        "event_id": "e1",
        "entry": {
            "id": 7, "event_id": "e1", "rule_id": "gift", "memo": "a rose", "at": "2026-12-01T20:00:00Z",
            "postings": [
                ["viewer:u1:coins", {"amount": "-1.00", "currency": "EUR"}],
                ["pool:gifts", {"amount": "1.00", "currency": "EUR"}],
            ],
        },
    }  # fmt: skip
    assert outcome_to_dict(inner)["progress"] == "2.5"


def test_every_outcome_class_is_a_record_of_its_annotations() -> None:
    for kind, cls in ALL_OUTCOMES.items():
        assert cls.kind == kind
        assert cls._fields[0] == "event_id"
        assert len(set(cls._fields)) == len(cls._fields)
        assert cls.__slots__ == ()


def test_a_new_outcome_type_is_declared_with_annotations() -> None:
    class Cheered(Outcome):
        kind: ClassVar[str] = "cheered"

        user_id: str
        times: int

    cheered = Cheered("e1", user_id="u1", times=3)
    assert cheered._fields == ("event_id", "user_id", "times")
    assert outcome_to_dict(cheered) == {"kind": "cheered", "event_id": "e1", "user_id": "u1", "times": 3}


def test_an_outcome_class_defined_in_a_function_has_the_plain_name_in_its_repr() -> None:
    class Local(Outcome):
        user_id: str

    assert repr(Local("e1", "u1")) == "Local(event_id='e1', user_id='u1')"


def test_a_subclass_of_an_outcome_adds_fields_after_its_base() -> None:
    class Boosted(MissionProgressed):
        kind: ClassVar[str] = "boosted"
        factor: int

    boosted = Boosted("e1", "u1", "m1", "w", 2, 5, factor=2)
    assert Boosted._fields == (*MissionProgressed._fields, "factor")
    assert (boosted.target, boosted.factor) == (5, 2)
    assert boosted != MissionProgressed("e1", "u1", "m1", "w", 2, 5)


def test_an_outcome_class_that_would_shadow_or_repeat_a_field_is_refused() -> None:
    with pytest.raises(TypeError, match=r"outcome field Again\.subject is already a field of its base"):

        class Again(MissionProgressed):
            subject: str  # type: ignore[misc]

    with pytest.raises(TypeError, match=r"outcome field Counts\.count would hide the outcome's own 'count'"):

        class Counts(Outcome):
            count: int  # type: ignore[assignment]

    with pytest.raises(TypeError, match=r"Hides\.subject would hide the field 'subject' of its base"):

        class Hides(MissionProgressed):
            def subject(self) -> str:  # type: ignore[override]
                return "x"

    with pytest.raises(TypeError, match="outcome class Two has more than one outcome base"):

        class Two(MissionProgressed, Duplicate):  # type: ignore[misc]
            pass


def test_a_field_annotated_through_a_module_alias_of_class_var_is_not_a_field() -> None:
    class Aliased(Outcome):
        kind: typing.ClassVar[str] = "aliased"
        user_id: str

    assert Aliased._fields == ("event_id", "user_id")


def test_an_attrs_decorated_or_defaulted_outcome_class_is_refused_clearly() -> None:
    with pytest.raises(TypeError, match="declare its fields as plain annotations on an Outcome subclass"):

        @attrs.frozen(slots=True)
        class Decorated(Outcome):
            user_id: str

    with pytest.raises(TypeError, match="cannot be an attrs class or a dataclass"):

        @attrs.frozen(slots=False)
        class InPlace(Outcome):
            user_id: str

    with pytest.raises(TypeError, match="cannot be an attrs class or a dataclass"):

        @dataclasses.dataclass(frozen=True)
        class Data(Outcome):
            user_id: str

    with pytest.raises(TypeError, match=r"outcome field Defaulted.times cannot have a default"):

        class Defaulted(Outcome):
            times: int = 1


def test_new_outcome_builds_the_same_record_as_calling_the_class() -> None:
    fields = ("e1", "u1", "m1", "day:2026-12-01", 2, 5)
    built = new_outcome(MissionProgressed, fields)
    assert type(built) is MissionProgressed
    assert built == MissionProgressed(*fields)
    assert built.target == 5


def test_evaluated_annotations_give_the_same_fields_as_postponed_ones() -> None:
    assert EagerCheered._fields == ("event_id", "user_id", "times")
    assert EagerCheered("e1", "u1", 2).times == 2
