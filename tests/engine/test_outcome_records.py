"""Outcomes are plain frozen classes: built by keyword or position, read by name, compared by type and fields."""

from __future__ import annotations

import copy
import json
import pickle
import subprocess
import sys
import textwrap
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar
from unittest import mock

import msgspec
import pytest
from eager_outcomes import Cheered as EagerCheered
from hypothesis import given
from hypothesis import strategies as st
from outcome_samples import SAMPLES, field_annotations, sample_outcome

from festengine.economy.ledger import JournalEntry
from festengine.economy.money import Money
from festengine.economy.outcomes import LedgerEntryPosted
from festengine.engine.outcomes import Duplicate, MissionExpired, MissionProgressed, Outcome, outcome_to_dict
from festengine.outcomes import ALL_OUTCOMES

GOLDEN = Path(__file__).with_name("outcome_json.jsonl")


def progressed(**changes: Any) -> MissionProgressed:
    fields: dict[str, Any] = {
        "event_id": "e1", "subject": "u1", "mission_id": "m1", "window": "day:2026-12-01", "progress": 2, "target": 5,
    }  # fmt: skip
    fields.update(changes)
    return MissionProgressed(**fields)


def test_an_outcome_is_built_by_keyword_or_by_position_and_read_by_name() -> None:
    by_position = MissionProgressed("e1", "u1", "m1", "day:2026-12-01", 2, 5)
    by_keyword = progressed()
    mixed = MissionProgressed("e1", "u1", mission_id="m1", window="day:2026-12-01", progress=2, target=5)
    assert by_position == by_keyword == mixed
    assert (by_keyword.event_id, by_keyword.subject, by_keyword.progress, by_keyword.target) == ("e1", "u1", 2, 5)
    names = ("event_id", "subject", "mission_id", "window", "progress", "target")
    assert tuple(f.name for f in msgspec.structs.fields(MissionProgressed)) == names
    assert MissionProgressed.__struct_fields__ == MissionProgressed.__match_args__ == names
    assert MissionProgressed.kind == "mission_progressed"


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: MissionProgressed("e1", "u1"), "Missing required argument 'mission_id'"),
        (lambda: progressed(goal=3), "Unexpected keyword argument 'goal'"),
        (lambda: MissionProgressed("e1", event_id="e2"), "Argument 'event_id' given by name and position"),
        (lambda: Duplicate("e1", "e2"), "Extra positional arguments provided"),
        (Duplicate, "Missing required argument 'event_id'"),
    ],
)
def test_a_wrong_set_of_fields_is_a_type_error_that_names_the_problem(build: Any, message: str) -> None:
    with pytest.raises(TypeError, match=message):
        build()


def test_an_outcome_cannot_be_changed_or_given_new_attributes() -> None:
    outcome = progressed()
    with pytest.raises(AttributeError, match="immutable type: 'MissionProgressed'"):
        outcome.progress = 3  # type: ignore[misc]
    with pytest.raises(AttributeError, match="immutable type: 'MissionProgressed'"):
        outcome.note = "x"  # type: ignore[attr-defined]
    with pytest.raises(AttributeError, match="immutable type: 'MissionProgressed'"):
        del outcome.progress  # type: ignore[misc]
    assert not hasattr(outcome, "__dict__")
    assert outcome == progressed()


def test_an_outcome_is_not_a_sequence_of_its_fields() -> None:
    outcome = progressed()
    assert not isinstance(outcome, tuple)
    with pytest.raises(TypeError):
        len(outcome)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        iter(outcome)  # type: ignore[call-overload]
    with pytest.raises(TypeError):
        _ = outcome[0]  # type: ignore[index]
    with pytest.raises(TypeError):
        json.dumps(outcome)


def test_outcomes_are_equal_only_to_the_same_type_with_the_same_fields() -> None:
    expired = MissionExpired("e1", "u1", "m1", "day:2026-12-01", "active", 2)
    same_values = MissionProgressed("e1", "u1", "m1", "day:2026-12-01", "active", 2)  # type: ignore[arg-type]
    assert expired != same_values
    assert not expired == same_values  # noqa: SIM201 - the == operator itself is under test
    assert expired != ("e1", "u1", "m1", "day:2026-12-01", "active", 2)
    assert progressed() != progressed(progress=3)
    assert progressed() == progressed()
    assert hash(progressed()) == hash(progressed())
    assert len({progressed(), progressed(), expired, same_values}) == 3


def test_a_subclass_instance_never_equals_its_base_with_the_same_fields() -> None:
    class Boosted(MissionProgressed, frozen=True):
        kind: ClassVar[str] = "boosted"

    assert Boosted("e1", "u1", "m1", "day:2026-12-01", 2, 5) != progressed()
    assert progressed() != Boosted("e1", "u1", "m1", "day:2026-12-01", 2, 5)


def test_outcomes_compare_with_other_objects_as_those_decide() -> None:
    """A matcher such as mock.ANY still matches an outcome."""
    assert progressed() == mock.ANY
    assert [progressed(), Duplicate("e2")] == [mock.ANY, Duplicate("e2")]
    assert progressed() != "e1"
    assert not progressed() == 3  # noqa: SIM201 - the == operator itself is under test
    assert Duplicate("e1") != ("e1",)


def test_outcomes_have_no_order() -> None:
    with pytest.raises(TypeError):
        _ = progressed() < progressed(progress=3)  # type: ignore[operator]
    with pytest.raises(TypeError):
        _ = progressed() >= progressed(progress=3)  # type: ignore[operator]
    with pytest.raises(TypeError):
        _ = Duplicate("e1") < ("z",)  # type: ignore[operator]


def test_replace_makes_a_changed_copy() -> None:
    outcome = progressed()
    assert msgspec.structs.replace(outcome, progress=3) == progressed(progress=3)
    if hasattr(copy, "replace"):  # Python 3.13 and later
        assert copy.replace(outcome, target=9) == progressed(target=9)
    assert outcome == progressed()
    with pytest.raises(TypeError, match="'goal'"):
        msgspec.structs.replace(outcome, goal=1)


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
        assert hash(twin) == hash(outcome)
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


def test_outcome_json_of_every_kind_is_unchanged_byte_for_byte() -> None:
    """``outcome_to_dict`` written with ``json.dumps``, two outcomes of each kind, as the tuple records wrote it."""
    outcomes = [sample_outcome(cls, variant) for cls in ALL_OUTCOMES.values() for variant in (0, 1)]
    written = [json.dumps(outcome_to_dict(outcome)) for outcome in outcomes]
    assert written == GOLDEN.read_text(encoding="utf-8").splitlines()


def test_every_outcome_class_is_a_frozen_outcome_with_event_id_first() -> None:
    for kind, cls in ALL_OUTCOMES.items():
        assert cls.kind == kind
        assert issubclass(cls, Outcome)
        assert cls.__struct_config__.frozen
        assert cls.__struct_fields__[0] == "event_id"
        assert tuple(field_annotations(cls)) == cls.__struct_fields__
        assert not hasattr(sample_outcome(cls, 0), "__dict__")


def test_a_new_outcome_type_is_declared_with_annotations() -> None:
    class Cheered(Outcome, frozen=True):
        kind: ClassVar[str] = "cheered"

        user_id: str
        times: int

    cheered = Cheered("e1", user_id="u1", times=3)
    assert Cheered.__struct_fields__ == ("event_id", "user_id", "times")
    assert isinstance(cheered, Outcome)
    assert outcome_to_dict(cheered) == {"kind": "cheered", "event_id": "e1", "user_id": "u1", "times": 3}


def test_an_outcome_class_defined_in_a_function_has_the_plain_name_in_its_repr() -> None:
    class Local(Outcome, frozen=True):
        user_id: str

    assert repr(Local("e1", "u1")) == "Local(event_id='e1', user_id='u1')"


def test_a_subclass_of_an_outcome_adds_fields_after_its_base() -> None:
    class Boosted(MissionProgressed, frozen=True):
        kind: ClassVar[str] = "boosted"
        factor: int

    boosted = Boosted("e1", "u1", "m1", "w", 2, 5, factor=2)
    assert Boosted.__struct_fields__ == (*MissionProgressed.__struct_fields__, "factor")
    assert (boosted.target, boosted.factor) == (5, 2)
    assert boosted != MissionProgressed("e1", "u1", "m1", "w", 2, 5)


def test_evaluated_annotations_give_the_same_fields_as_postponed_ones() -> None:
    assert EagerCheered.__struct_fields__ == ("event_id", "user_id", "times")
    assert EagerCheered("e1", "u1", 2).times == 2


_NUMBERS = st.integers(-(10**12), 10**12) | st.decimals(places=3, allow_nan=False, allow_infinity=False)
_TEXT = st.text(max_size=8)


@given(
    kind=st.sampled_from(sorted(ALL_OUTCOMES)),
    variant=st.sampled_from((0, 1)),
    text=_TEXT,
    number=_NUMBERS,
    when=st.datetimes(timezones=st.just(UTC)),
)
def test_every_outcome_keeps_its_contract_for_any_field_values(
    kind: str, variant: int, text: str, number: int | Decimal, when: datetime
) -> None:
    """For generated values: JSON form with the kind then every field in order, pickle, hash, copies."""
    cls = ALL_OUTCOMES[kind]
    base = sample_outcome(cls, variant)
    changes: dict[str, object] = {}
    for field, annotation in field_annotations(cls).items():
        if annotation.startswith("str"):
            changes[field] = text
        elif annotation.startswith("int | Decimal"):
            changes[field] = number
        elif annotation.startswith("datetime"):
            changes[field] = when
    outcome = msgspec.structs.replace(base, **changes)
    data = outcome_to_dict(outcome)
    assert list(data) == ["kind", *cls.__struct_fields__]
    assert json.loads(json.dumps(data)) == data
    for field, value in changes.items():
        expected = str(value) if isinstance(value, Decimal) else value
        expected = value.isoformat().replace("+00:00", "Z") if isinstance(value, datetime) else expected
        assert data[field] == expected
    twin = pickle.loads(pickle.dumps(outcome))  # noqa: S301
    assert twin == outcome
    assert hash(twin) == hash(outcome)
    assert msgspec.structs.replace(outcome, **changes) == outcome
    assert (outcome == base) == (not changes or all(getattr(base, f) == v for f, v in changes.items()))


def test_the_samples_cover_every_field_type_an_outcome_declares() -> None:
    declared = {
        text.removesuffix(" | None") for cls in ALL_OUTCOMES.values() for text in field_annotations(cls).values()
    }
    assert declared <= set(SAMPLES)


_TYPED_USAGE = """
from decimal import Decimal
from festengine.engine.outcomes import MissionProgressed
from festengine.outcomes import {every}

done = MissionProgressed(event_id="e1", subject="u1", mission_id="m1", window="w", progress=2, target=5)
progress: int | Decimal = done.progress
subject: str = done.subject
swapped = MissionProgressed(event_id="e1", subject="u1", mission_id="m1", window="w", progress="2", target=5)
positional = MissionProgressed("e1", "u1", "m1", "w", 2, "5")
misnamed = MissionProgressed(event_id="e1", subject="u1", mission_id="m1", window="w", progress=2, goal=5)
wrong_read: int = done.window
{assignments}
"""


@pytest.mark.slow
def test_mypy_checks_every_field_of_an_outcome(tmp_path: Path) -> None:
    """mypy sees each field's type in construction (by keyword and position) and reading, and every
    outcome class's own fields as read-only (each declares ``frozen=True``)."""
    classes = sorted(ALL_OUTCOMES.values(), key=lambda cls: cls.__name__)
    names = [cls.__name__ for cls in classes]
    own = {cls.__name__: cls.__struct_fields__[-1] for cls in classes if len(cls.__struct_fields__) > 1}
    assignments = "\n".join(
        f"def set_{name}(o: {name}) -> None:\n    o.{field} = o.{field}" for name, field in own.items()
    )
    source = tmp_path / "usage.py"
    source.write_text(textwrap.dedent(_TYPED_USAGE).format(every=", ".join(names), assignments=assignments))
    args = [sys.executable, "-m", "mypy", "--strict", "--no-error-summary", "--cache-dir", str(tmp_path / "cache")]
    found = subprocess.run([*args, source.name], cwd=tmp_path, capture_output=True, text=True, check=False)  # noqa: S603
    errors = found.stdout.splitlines()
    expected_by_line = {
        9: 'Argument "progress" to "MissionProgressed" has incompatible type "str"; expected "int | Decimal"',
        10: 'Argument 6 to "MissionProgressed" has incompatible type "str"; expected "int | Decimal"',
        11: 'Unexpected keyword argument "goal" for "MissionProgressed"',
        12: 'Incompatible types in assignment (expression has type "str", variable has type "int")',
    }
    for line, message in expected_by_line.items():
        assert any(e.startswith(f"usage.py:{line}: error: {message}") for e in errors), (line, errors)
    for name, field in own.items():
        assert any(f'Property "{field}" defined in "{name}" is read-only' in e for e in errors), (name, errors)
    assert len(errors) == len(expected_by_line) + len(own), errors
