"""YAML syntax errors said in a designer's words, with the likely fix, at the right line and column."""

from __future__ import annotations

from pathlib import Path

import pytest

from festengine import load_fest
from festengine.catalog._yaml import parse_yaml
from festengine.errors import FestValidationError, Problem

INDENT_FIX = "indent it with spaces exactly like the keys next to it (or further, under its parent key)"
NOT_A_KEY = (
    "a key is not where YAML expects one: this line is indented more than the key above it, "
    "or the line above lacks the ':' after its key (write key: value, with a space after ':')"
)

CASES = [
    pytest.param(
        "fest:\n  id: a\n name: b\n",
        (3, 2),
        f"this line is indented differently from the lines above it, so it fits in no mapping; {INDENT_FIX}",
        id="key indented less than its siblings",
    ),
    pytest.param("fest:\n  id: a\n    name: b\n", (3, 9), NOT_A_KEY, id="key indented more than its siblings"),
    pytest.param("fest:\n  id a\n  name: b\n", (3, 7), NOT_A_KEY, id="missing colon before another key"),
    pytest.param("fest:\n  id:a\n  name: b\n", (3, 7), NOT_A_KEY, id="no space after the colon"),
    pytest.param(
        "fest:\n  id: a\n  name b\n",
        (3, 3),
        "this line has no ':' after its key, or a value was continued on a line of its own; write key: value",
        id="missing colon on the last line",
    ),
    pytest.param(
        "missions:\n  - id: a\n   title: b\n",
        (3, 4),
        "a key: value line is mixed into a list, or a list item's keys are not lined up; "
        "line up every key of one item under the first key after its '- '",
        id="list item keys not lined up",
    ),
    pytest.param(
        "missions:\n  - id: a\n - id: b\n",
        (3, 2),
        "this list item ('- ') is not lined up with what is above it; start every item of a list at the "
        "same column, and write a list under a key on the lines below the key",
        id="list items not lined up",
    ),
    pytest.param(
        "fest:\n\tid: a\n",
        (2, 1),
        "a tab character: YAML allows only spaces to indent lines and to follow a ':'; replace the tab with spaces",
        id="tab",
    ),
    pytest.param(
        'fest:\n  name: "Summer\n  id: a\n',
        (2, 9),
        "a quote opened here is never closed; add the closing quote at the end of the value",
        id="unclosed double quote, at the opening quote",
    ),
    pytest.param(
        "fest:\n  name: 'Summer\n  id: a\n",
        (2, 9),
        "a quote opened here is never closed; add the closing quote at the end of the value",
        id="unclosed single quote",
    ),
    pytest.param(
        "tiers: [a, b\n",
        (2, 1),
        "the list opened with '[' at line 1, column 8 is never closed; add ']' at its end",
        id="unclosed bracket at the end",
    ),
    pytest.param(
        "tiers: [a, b\nnext: 1\n",
        (2, 5),
        "the list opened with '[' at line 1, column 8 is not closed before this point, or two of its items "
        "lack a ',' between them; add what is missing",
        id="unclosed bracket before more keys",
    ),
    pytest.param(
        "gift: {id: a name: b}\n",
        (1, 18),
        "the mapping opened with '{' at line 1, column 7 is not closed before this point, or two of its items "
        "lack a ',' between them; add what is missing",
        id="missing comma in braces",
    ),
    pytest.param(
        "tiers: [a, b]]\n",
        (1, 14),
        "a closing ']' with no opening '[' before it; remove it",
        id="extra closing bracket",
    ),
    pytest.param(
        "title: Week 1: Warm-up\n",
        (1, 14),
        "a value contains ': ', which YAML reads as the start of another key; put the whole value in quotes, "
        'e.g. title: "Week 1: Warm-up"',
        id="colon and space inside a value",
    ),
    pytest.param(
        "name: @home\n",
        (1, 7),
        "a value cannot start with '@' (YAML reserves it); put the value in quotes, e.g. \"@…\"",
        id="reserved first character",
    ),
    pytest.param(
        "text: *bold* move\n",
        (1, 7),
        "a value starting with '*' is read as an alias name; put the value in quotes, e.g. \"*…\"",
        id="value starting with a star",
    ),
    pytest.param(
        'path: "C:\\path"\n',
        (1, 11),
        "'\\p' is not a valid escape inside double quotes; use single quotes for text with backslashes "
        "('C:\\files'), or write the backslash twice",
        id="backslash in double quotes",
    ),
    pytest.param(
        'name: "a" b\n',
        (1, 11),
        "more text follows a complete value (e.g. after a closing quote), or this line is indented differently "
        f"from the lines above it; put the whole value in one pair of quotes, and {INDENT_FIX}",
        id="text after a closing quote",
    ),
    pytest.param(
        "tiers: - a\n",
        (1, 8),
        "a list item ('- ') cannot follow a key on the same line; start the list on the next line, indented",
        id="list item on the key's line",
    ),
    pytest.param("tiers: [a, , b]\n", (1, 12), "an empty item between two commas; remove the extra ','", id="empty"),
    pytest.param(
        "a: 1\n...\nb\n",
        (3, 1),
        "text after the end of the document ('...'); remove it, or remove the '...' line",
        id="text after the document end",
    ),
]


@pytest.mark.parametrize(("text", "at", "message"), CASES)
def test_syntax_error_in_designer_words(text: str, at: tuple[int, int], message: str) -> None:
    """Each common syntax mistake is one problem, at its line and column, saying what to write instead."""
    with pytest.raises(FestValidationError) as raised:
        parse_yaml(text, file="f.yaml")
    assert raised.value.problems == (Problem("f.yaml", *at, "", "could not parse YAML: " + message),)


def test_unrecognised_syntax_error_keeps_the_parser_words() -> None:
    """A syntax error without a translation still names its place and the parser's reason."""
    with pytest.raises(FestValidationError) as raised:
        parse_yaml("a: |x\n  t\n", file="f.yaml")
    message = "could not parse YAML: expected chomping or indentation indicators, but found 'x'"
    assert raised.value.problems == (Problem("f.yaml", 1, 5, "", message),)


def test_syntax_error_in_a_pack_names_the_file_line_and_column(tmp_path: Path) -> None:
    """Through load_fest, the message reads file:line:column: what is wrong; the fix."""
    path = tmp_path / "fest.yaml"
    path.write_text("fest:\n  id: a\n\tname: b\n", encoding="utf-8")
    with pytest.raises(FestValidationError) as raised:
        load_fest(path)
    assert str(raised.value.problems[0]).startswith(f"{path}:3:1: ")
    assert "a tab character" in str(raised.value)
