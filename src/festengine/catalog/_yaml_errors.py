"""YAML syntax errors in a designer's words: what is wrong, and the likely fix.

PyYAML's messages name the parser's state (``expected <block end>, but found '<block mapping
start>'``). :func:`explain_syntax_error` recognises the common mistakes behind them (a line
indented differently from its neighbours, a tab, a quote or bracket never closed, a missing
``:``, a value containing ``: `` or starting with a character YAML reserves) and says what to
write instead. Every message starts "could not parse YAML: "; one it does not recognise is kept
as PyYAML wrote it.

It also says which of the error's two places to point at: where the parser gave up (the
*problem*) or where the construct it was reading began (the *context*, e.g. the opening quote).
"""

from __future__ import annotations

import re
from typing import Final, Protocol

import attrs

__all__ = ["Mark", "SyntaxExplanation", "explain_syntax_error"]


class Mark(Protocol):
    """A yaml mark: 0-based line and column."""

    @property
    def line(self) -> int: ...

    @property
    def column(self) -> int: ...


@attrs.frozen(slots=True)
class SyntaxExplanation:
    """The message for a syntax error, and the mark it points at (``None``: no position known)."""

    message: str
    mark: Mark | None


_CANNOT_START: Final = re.compile(r"found character '(.+)' that cannot start any token")
_FLOW_END: Final = re.compile(r"expected ',' or '([\]}])', but got '(.+)'")
_BLOCK_END: Final = re.compile(r"expected <block end>, but found '(.+)'")
_ESCAPE: Final = re.compile(r"found unknown escape character '?(.+?)'?$")

_PREFIX: Final = "could not parse YAML: "
_INDENT_FIX: Final = "indent it with spaces exactly like the keys next to it (or further, under its parent key)"


def _where(mark: Mark | None) -> str:
    return f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else "earlier"


def _line_of(text: str, mark: Mark | None) -> str:
    if mark is None:
        return ""
    lines = text.splitlines()
    return lines[mark.line] if 0 <= mark.line < len(lines) else ""


def _unquoted_colon_before(line: str, column: int) -> bool:
    """Whether ``line`` has a ``: `` (a key's colon) before ``column``, outside quotes."""
    quote = ""
    for index, char in enumerate(line[:column]):
        if quote:
            quote = "" if char == quote else quote
        elif char in "\"'":
            quote = char
        elif char == ":" and index + 1 < len(line) and line[index + 1] in " \t":
            return True
    return False


def _mapping_value(text: str, problem_mark: Mark | None) -> str:
    line = _line_of(text, problem_mark)
    column = problem_mark.column if problem_mark is not None else 0
    if _unquoted_colon_before(line, column):
        return (
            "a value contains ': ', which YAML reads as the start of another key; put the whole value "
            'in quotes, e.g. title: "Week 1: Warm-up"'
        )
    return (
        "a key is not where YAML expects one: this line is indented more than the key above it, "
        "or the line above lacks the ':' after its key (write key: value, with a space after ':')"
    )


def _block_end(found: str, context: str) -> str:
    if found in {"<block sequence start>", "-"}:
        return (
            "this list item ('- ') is not lined up with what is above it; start every item of a list "
            "at the same column, and write a list under a key on the lines below the key"
        )
    if found in ("]", "}"):
        return f"a closing '{found}' with no opening '{'[' if found == ']' else '{'}' before it; remove it"
    if found == "?" or "collection" in context:
        return (
            "a key: value line is mixed into a list, or a list item's keys are not lined up; "
            "line up every key of one item under the first key after its '- '"
        )
    if found == "<scalar>":
        return (
            "more text follows a complete value (e.g. after a closing quote), or this line is indented "
            "differently from the lines above it; put the whole value in one pair of quotes, and " + _INDENT_FIX
        )
    return f"this line is indented differently from the lines above it, so it fits in no mapping; {_INDENT_FIX}"


def _flow_end(closer: str, got: str, context_mark: Mark | None) -> str:
    kind, opener = ("list", "[") if closer == "]" else ("mapping", "{")
    opened = f"the {kind} opened with '{opener}' at {_where(context_mark)}"
    if got == "<stream end>":
        return f"{opened} is never closed; add '{closer}' at its end"
    return f"{opened} is not closed before this point, or two of its items lack a ',' between them; add what is missing"


def _cannot_start(char: str) -> str:
    if char == "\\t":
        return (
            "a tab character: YAML allows only spaces to indent lines and to follow a ':'; replace the tab with spaces"
        )
    return f"a value cannot start with '{char}' (YAML reserves it); put the value in quotes, e.g. \"{char}…\""


def _by_context(problem: str, context: str, context_mark: Mark | None) -> SyntaxExplanation | None:
    """The explanations that point at where the construct began."""
    if "quoted scalar" in context and ("end of stream" in problem or "document separator" in problem):
        message = "a quote opened here is never closed; add the closing quote at the end of the value"
        return SyntaxExplanation(message, context_mark)
    if context == "while scanning a simple key" and "could not find expected ':'" in problem:
        message = "this line has no ':' after its key, or a value was continued on a line of its own; write key: value"
        return SyntaxExplanation(message, context_mark)
    if context in ("while scanning an alias", "while scanning an anchor"):
        sign = "*" if "alias" in context else "&"
        message = (
            f"a value starting with '{sign}' is read as an {'alias' if sign == '*' else 'anchor'} name; "
            f'put the value in quotes, e.g. "{sign}…"'
        )
        return SyntaxExplanation(message, context_mark)
    return None


def _by_problem(problem: str, context: str, context_mark: Mark | None, text: str, mark: Mark | None) -> str | None:
    """The explanations that point at where the parser gave up."""
    found = _CANNOT_START.fullmatch(problem)
    if found:
        return _cannot_start(found.group(1))
    flow = _FLOW_END.fullmatch(problem)
    if flow:
        return _flow_end(flow.group(1), flow.group(2), context_mark)
    block = _BLOCK_END.fullmatch(problem)
    if block:
        return _block_end(block.group(1), context)
    if problem == "mapping values are not allowed here":
        return _mapping_value(text, mark)
    if problem == "sequence entries are not allowed here":
        return "a list item ('- ') cannot follow a key on the same line; start the list on the next line, indented"
    escape = _ESCAPE.fullmatch(problem)
    if escape:
        return (
            f"'\\{escape.group(1)}' is not a valid escape inside double quotes; use single quotes for text "
            "with backslashes ('C:\\files'), or write the backslash twice"
        )
    if problem.startswith("found undefined tag handle"):
        return "a value starting with '!' is read as a YAML tag; put the value in quotes"
    if problem.startswith("expected the node content, but found ','"):
        return "an empty item between two commas; remove the extra ','"
    if problem.startswith("expected '<document start>'"):
        return "text after the end of the document ('...'); remove it, or remove the '...' line"
    return None


def explain_syntax_error(
    problem: str | None, context: str | None, problem_mark: Mark | None, context_mark: Mark | None, text: str
) -> SyntaxExplanation:
    """A designer's message for a YAML syntax error of ``text``, and the mark to point at."""
    reason, where = problem or "", context or ""
    explained = _by_context(reason, where, context_mark)
    if explained is not None:
        return SyntaxExplanation(_PREFIX + explained.message, explained.mark)
    message = _by_problem(reason, where, context_mark, text, problem_mark)
    return SyntaxExplanation(_PREFIX + (message or problem or context or "invalid YAML"), problem_mark or context_mark)
