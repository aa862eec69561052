"""Safe YAML parsing with source positions (festengine.catalog._yaml)."""

from __future__ import annotations

import string
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from festengine.catalog._yaml import (
    MAX_ALIAS_EXPANSIONS,
    MAX_DEPTH,
    MAX_FILE_BYTES,
    Position,
    SourceMap,
    format_path,
    parse_yaml,
)
from festengine.errors import FestValidationError, Problem

REALISTIC = """\
fest:
  id: summer-fest
  name: Summer Fest
  time_zone: America/Los_Angeles
  starts_at: 2026-06-15T00:00:00-07:00
  ends_at: 2026-06-22
economy:
  coin_value: 0.0143
  platform_share: 0.5
  big: 1e3
fan_club:
  enabled: on
  pause: off
  answers: [yes, no, y, n, Yes, NO]
  real: [true, False, TRUE]
  nothing: [null, ~, Null, ]
  numbers: [010, 1_000, -7, +3]
  not_numbers: ["42", '0.5', 12:30, 0x1F, 0o17, .inf, 1.2.3]
missions:
  - id: watch
    target: 3
  - id: share
    target: 1
"""


def problems_of(text: str, file: str = "f.yaml") -> tuple[Problem, ...]:
    with pytest.raises(FestValidationError) as raised:
        parse_yaml(text, file=file)
    return raised.value.problems


def only_problem(text: str, file: str = "f.yaml") -> Problem:
    problems = problems_of(text, file)
    assert len(problems) == 1, problems
    return problems[0]


# --- values ----------------------------------------------------------------------------------


def test_realistic_snippet_values() -> None:
    """Plain values: exact Decimals, 1.1 booleans stay text, time stamps stay text, decimal ints."""
    data, _ = parse_yaml(REALISTIC, file="fest.yaml")
    assert isinstance(data, dict)
    assert data["fest"] == {
        "id": "summer-fest",
        "name": "Summer Fest",
        "time_zone": "America/Los_Angeles",
        "starts_at": "2026-06-15T00:00:00-07:00",
        "ends_at": "2026-06-22",
    }
    economy = data["economy"]
    assert economy == {"coin_value": Decimal("0.0143"), "platform_share": Decimal("0.5"), "big": Decimal("1e3")}
    assert str(economy["coin_value"]) == "0.0143"
    fan_club = data["fan_club"]
    assert fan_club["enabled"] == "on"
    assert fan_club["pause"] == "off"
    assert fan_club["answers"] == ["yes", "no", "y", "n", "Yes", "NO"]
    assert fan_club["real"] == [True, False, True]
    assert fan_club["nothing"] == [None, None, None]
    assert fan_club["numbers"] == [10, 1000, -7, 3]
    assert fan_club["not_numbers"] == ["42", "0.5", "12:30", "0x1F", "0o17", ".inf", "1.2.3"]
    assert data["missions"] == [{"id": "watch", "target": 3}, {"id": "share", "target": 1}]


def test_no_floats_anywhere() -> None:
    """Every number with a point or an exponent is a Decimal, never a float."""
    data, _ = parse_yaml("a: [0.1, .5, 1., -2.5e-3, 1_000.000_1]", file="f.yaml")
    assert data == {"a": [Decimal("0.1"), Decimal("0.5"), Decimal("1"), Decimal("-0.0025"), Decimal("1000.0001")]}
    assert all(type(v) is Decimal for v in data["a"])


def test_empty_document_is_none() -> None:
    """An empty file or one with only comments parses to None."""
    assert parse_yaml("", file="f.yaml")[0] is None
    assert parse_yaml("# nothing yet\n", file="f.yaml")[0] is None


def test_core_tags_convert() -> None:
    """The core tags !!str, !!int, !!float, !!bool, !!null, !!map and !!seq are honoured."""
    text = "a: !!str 12\nb: !!int '7'\nc: !!float '1.50'\nd: !!bool 'False'\ne: !!null ''\nf: !!seq [1]\ng: ! 12\n"
    data, _ = parse_yaml(text, file="f.yaml")
    assert data == {"a": "12", "b": 7, "c": Decimal("1.50"), "d": False, "e": None, "f": [1], "g": "12"}


def test_aliases_copy_values() -> None:
    """An alias gives a copy of the anchored value, not a shared object."""
    data, source_map = parse_yaml("a: &x {n: 1}\nb: *x\n", file="f.yaml")
    assert data == {"a": {"n": 1}, "b": {"n": 1}}
    assert data["a"] is not data["b"]
    assert source_map.locate(("b",)) == ("f.yaml", 2, 4)
    assert source_map.locate(("b", "n")) == ("f.yaml", 1, 11)
    assert source_map.locate_key(("b", "n")) == ("f.yaml", 1, 8)


def test_huge_integer_stays_text() -> None:
    """An integer too long for Python's safe conversion stays text instead of crashing."""
    digits = "9" * 5000
    data, _ = parse_yaml(f"a: {digits}\n", file="f.yaml")
    assert data == {"a": digits}


# --- source map ------------------------------------------------------------------------------


def test_source_map_positions() -> None:
    """Values and keys are located 1-based; a missing key points at its enclosing mapping."""
    _, source_map = parse_yaml(REALISTIC, file="fest.yaml")
    assert source_map.locate(("missions", 1, "target")) == ("fest.yaml", 23, 13)
    assert source_map.locate_key(("missions", 1, "target")) == ("fest.yaml", 23, 5)
    assert source_map.locate(("missions", 1, "nope", 3)) == ("fest.yaml", 22, 5)
    assert source_map.locate(("fest", "name")) == ("fest.yaml", 3, 9)
    assert source_map.locate_key(("fest", "name")) == ("fest.yaml", 3, 3)
    assert source_map.locate(("economy",)) == ("fest.yaml", 8, 3)
    assert source_map.locate_key(("missions", 1)) == source_map.locate(("missions", 1))
    assert source_map.locate(()) == ("fest.yaml", 1, 1)


def test_source_map_merge_shifts_list_items() -> None:
    """Merging maps shifts top-level list indexes and keeps each entry's own file; first entry wins."""
    _, first = parse_yaml("missions:\n  - id: a\n", file="a.yaml")
    _, second = parse_yaml("missions:\n  - id: b\n  - id: c\n", file="b.yaml")
    first.merge(second, offsets={"missions": 1})
    assert first.locate(("missions", 0, "id")) == ("a.yaml", 2, 9)
    assert first.locate(("missions", 2, "id")) == ("b.yaml", 3, 9)
    assert first.locate(("missions",)) == ("a.yaml", 2, 3)
    assert first.find_key(("missions", 1, "id")) == Position("b.yaml", 2, 5)


def test_empty_source_map_points_at_file_start() -> None:
    """A map with no entries locates everything at line 1 of its file."""
    assert SourceMap("x.yaml").locate(("a",)) == ("x.yaml", 1, 1)


def test_format_path() -> None:
    """Paths read like code: keys dotted, indexes in brackets, odd keys quoted."""
    assert format_path(("missions", 3, "target")) == "missions[3].target"
    assert format_path(()) == ""
    assert format_path((0, "gift-rose", "a b")) == "[0].gift-rose['a b']"


# --- problems --------------------------------------------------------------------------------


def test_syntax_error_has_mark() -> None:
    """A YAML syntax error becomes one problem at the parser's line and column, in a designer's words."""
    problem = only_problem("fest:\n  id: a: b\n")
    message = (
        "could not parse YAML: a value contains ': ', which YAML reads as the start of another key; "
        'put the whole value in quotes, e.g. title: "Week 1: Warm-up"'
    )
    assert problem == Problem("f.yaml", 2, 8, "", message)


def test_unsafe_tag_is_refused_and_nothing_runs(tmp_path: Path) -> None:
    """A python/object tag is a problem; nothing is executed."""
    marker = tmp_path / "ran"
    text = f'fest:\n  id: !!python/object/apply:os.system ["touch {marker}"]\n'
    problem = only_problem(text)
    message = "unsafe or unknown YAML tag '!!python/object/apply:os.system' is not allowed; write plain values"
    assert problem == Problem("f.yaml", 2, 7, "fest.id", message)
    assert not marker.exists()


def test_unknown_local_tag() -> None:
    """A local tag like !foo is refused too."""
    problem = only_problem("a: !foo x\n")
    assert (problem.line, problem.column, problem.path) == (1, 4, "a")
    assert problem.message == "unsafe or unknown YAML tag '!foo' is not allowed; write plain values"


def test_core_tag_with_bad_value() -> None:
    """A core tag whose value does not fit is a problem."""
    problem = only_problem("a: !!int abc\n")
    assert problem == Problem("f.yaml", 1, 4, "a", "'abc' is not a valid !!int; fix the value or remove the tag")


def test_core_collection_tag_on_wrong_shape() -> None:
    """!!map on a list is a problem."""
    problem = only_problem("a: !!map [1]\n")
    assert problem == Problem("f.yaml", 1, 4, "a", "tag '!!map' does not fit a list; remove the tag")


def test_duplicate_key_names_both_lines() -> None:
    """A duplicate key is reported at the second one, naming the first one's line."""
    text = "missions:\n  - id: a\n\n    target: 3\n    kind: count\n    target: 4\n"
    problem = only_problem(text)
    message = "duplicate key 'target' (first defined at line 4); remove one"
    assert problem == Problem("f.yaml", 6, 5, "missions[0].target", message)


def test_non_text_keys() -> None:
    """Keys that are numbers, booleans, empty or collections are problems."""
    text = "a:\n  3: x\n  true: y\n  null: z\n  ? [1]\n  : w\n"
    problems = problems_of(text)
    assert [(p.line, p.column, p.path, p.message) for p in problems] == [
        (2, 3, "a", "key '3' is read as a number, not text; put it in quotes"),
        (3, 3, "a", "key 'true' is read as true/false, not text; put it in quotes"),
        (4, 3, "a", "a key is empty or null; write a name before the ':'"),
        (5, 5, "a", "a mapping or a list cannot be a key; keys must be text"),
    ]


def test_merge_keys_are_refused() -> None:
    """The YAML 1.1 merge key '<<' is a problem."""
    problem = only_problem("base: &b {x: 1}\nother:\n  <<: *b\n")
    message = "merge keys ('<<') are not supported; write the keys out, or alias the whole value"
    assert problem == Problem("f.yaml", 3, 3, "other", message)


def test_all_problems_are_collected() -> None:
    """Bad tags and duplicate keys in different places are all reported, in file order."""
    text = "a: 1\nb: !!python/name:os.system x\na: 2\nc:\n  d: !!binary aGk=\n  d: 3\n"
    problems = problems_of(text)
    assert [(p.line, p.path) for p in problems] == [(2, "b"), (3, "a"), (5, "c.d"), (6, "c.d")]


def test_undefined_alias() -> None:
    """An alias with no anchor before it is a problem."""
    problem = only_problem("a: *nope\n")
    assert problem == Problem(
        "f.yaml", 1, 4, "", "alias '*nope' names no anchor defined before it; define '&nope' first"
    )


def test_self_referencing_anchor_is_refused() -> None:
    """An anchor is usable only after its node ends, so a node cannot contain itself."""
    problem = only_problem("a: &x [1, *x]\n")
    assert problem.message == "alias '*x' names no anchor defined before it; define '&x' first"


def test_billion_laughs_fails() -> None:
    """The classic billion-laughs document stops with a problem, not a hang."""
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in range(1, 9):
        name, previous = "abcdefghi"[level], "abcdefghi"[level - 1]
        lines.append(f"{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]")
    problem = only_problem("\n".join(lines) + "\n")
    assert problem.message.startswith("too many alias expansions (a 'billion laughs' file?)")
    assert str(MAX_ALIAS_EXPANSIONS) not in problem.message  # written with thousands separators
    assert f"{MAX_ALIAS_EXPANSIONS:,}" in problem.message


def test_oversize_text() -> None:
    """Text over the byte limit is refused before parsing."""
    problem = only_problem("a: " + "x" * MAX_FILE_BYTES)
    message = f"the file is {MAX_FILE_BYTES + 3:,} bytes, more than the limit of {MAX_FILE_BYTES:,}; split it into"
    assert problem.message == message + " several files"
    assert (problem.line, problem.column) == (None, None)


def test_size_limit_can_be_lowered() -> None:
    """The byte limit is a parameter, counted in UTF-8 bytes."""
    with pytest.raises(FestValidationError, match="the file is 7 bytes, more than the limit of 6"):
        parse_yaml("a: \u00e9\u00e9", file="f.yaml", max_bytes=6)


def test_too_deep() -> None:
    """Nesting deeper than the limit is a problem."""
    text = "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1)
    problem = only_problem(text)
    message = f"mappings and lists are nested more than {MAX_DEPTH} levels deep; flatten the document"
    assert problem == Problem("f.yaml", 1, MAX_DEPTH + 1, "", message)
    expected: list[object] = []
    for _ in range(MAX_DEPTH - 1):
        expected = [expected]
    assert parse_yaml("[" * MAX_DEPTH + "]" * MAX_DEPTH, file="f.yaml")[0] == expected


def test_too_deep_through_aliases() -> None:
    """Aliases cannot build a value deeper than the limit either."""
    half = MAX_DEPTH // 2 + 1
    text = "a: &a " + "[" * half + "]" * half + "\nb: " + "[" * half + "*a" + "]" * half + "\n"
    problem = only_problem(text)
    assert problem.message.startswith("mappings and lists are nested more than")


def test_second_document_is_refused() -> None:
    """A file holds one YAML document."""
    problem = only_problem("a: 1\n---\nb: 2\n")
    message = "a fest file holds one YAML document, but a second one starts here; split it into two files"
    assert problem == Problem("f.yaml", 2, 1, "", message)


def test_control_character() -> None:
    """A character YAML forbids is a problem at its line and column."""
    problem = only_problem("a: 1\nb: x\x00y\n")
    message = "could not parse YAML: character #x0000 is not allowed in YAML; remove it"
    assert problem == Problem("f.yaml", 2, 5, "", message)


# --- fuzzing ---------------------------------------------------------------------------------

SEED = """\
fest:
  id: "summer"
  starts_at: 2026-06-15T00:00:00-07:00
  share: 0.0143
missions: &m
  - {id: a, target: 3, tags: [x, 'y']}
  - id: b
    note: |
      two
      lines
copy: *m
"""

_ALPHABET = string.printable + "\u00e9\u2028\x00\x85\ufeff&*!|>%@`"


@st.composite
def mutated(draw: st.DrawFn) -> str:
    """The seed document with a few characters inserted, deleted or replaced."""
    text = SEED
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(text)))
        action = draw(st.sampled_from(["insert", "delete", "replace"]))
        char = draw(st.sampled_from(_ALPHABET))
        if action == "insert":
            text = text[:at] + char + text[at:]
        elif action == "delete":
            text = text[:at] + text[at + 1 :]
        else:
            text = text[:at] + char + text[at + 1 :]
    return text


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(alphabet=st.sampled_from(_ALPHABET), max_size=80), st.text(max_size=40), mutated()))
def test_fuzz_only_fest_validation_errors(text: str) -> None:
    """Whatever the text, parse_yaml returns plain values or raises FestValidationError."""
    problems = problems_or_none(text)
    assert problems is None or (problems and all(p.file == "fuzz.yaml" for p in problems))


def problems_or_none(text: str) -> tuple[Problem, ...] | None:
    """The problems parse_yaml raises for ``text``; any other exception propagates."""
    try:
        parse_yaml(text, file="fuzz.yaml")
    except FestValidationError as error:
        return error.problems
    return None
