"""Reading a scenario file safely: bytes, UTF-8 text, YAML, then the scenario model.

Every step reports what is wrong as a :class:`~festengine.errors.Problem` with file, line and
column, in words like the pack loader's (unknown keys get "did you mean …?"), and raises only
:class:`~festengine.testing.ScenarioError`.
"""

from __future__ import annotations

import codecs
import os
import stat
from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ValidationError

from festengine.catalog._suggest import suggest
from festengine.catalog._yaml import MAX_FILE_BYTES, SourceMap, format_path, oversize_message
from festengine.errors import Problem
from festengine.outcomes import ALL_OUTCOMES
from festengine.testing._errors import ScenarioError

__all__ = ["outcome_pattern_problems", "read_text", "validation_problems"]

_TOP_LEVEL = "the top level of a scenario file must be a mapping of keys (name:, pack:, events:, expect:)"


def _problem(file: str, message: str, line: int | None = None, column: int | None = None) -> ScenarioError:
    return ScenarioError([Problem(file, line, column, "", message)])


def read_text(name: str) -> str:
    """The UTF-8 text of a regular file of at most :data:`MAX_FILE_BYTES` bytes, or a :class:`ScenarioError`."""
    try:
        handle = os.open(name, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError as error:
        raise _problem(name, f"could not read the file: {error.strerror or error}") from None
    try:
        info = os.fstat(handle)
        if not stat.S_ISREG(info.st_mode):
            raise _problem(name, "not a regular file; a scenario is a YAML file")
        raw = os.read(handle, MAX_FILE_BYTES + 1)
    except OSError as error:
        raise _problem(name, f"could not read the file: {error.strerror or error}") from None
    finally:
        os.close(handle)
    if len(raw) > MAX_FILE_BYTES:
        raise _problem(name, oversize_message(max(info.st_size, len(raw))))
    raw = raw.removeprefix(codecs.BOM_UTF8)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        column = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        message = f"the file is not UTF-8 text (byte 0x{raw[error.start]:02x} cannot be read); save it as UTF-8"
        raise _problem(name, message, line, column) from None


def _shown(value: object) -> str:
    text = str(value) if isinstance(value, Decimal) else repr(value)
    return text if len(text) <= 60 else f"{text[:57]}..."


def _message(error: Mapping[str, Any], allowed: list[str]) -> str:
    kind, value, ctx = error["type"], error.get("input"), error.get("ctx") or {}
    loc = error["loc"]
    if kind == "extra_forbidden":
        key = str(loc[-1])
        return f"unknown key {key!r}{suggest(key, allowed)}; allowed keys here: {', '.join(allowed)}"
    if kind == "missing":
        return f"missing required key {loc[-1]!r}"
    if kind == "literal_error":
        options = [o.strip().strip("'") for o in str(ctx.get("expected", "")).replace(" or ", ",").split(",")]
        return f"{_shown(value)} is not allowed here{suggest(str(value), options)}; write one of: {', '.join(options)}"
    if kind == "string_type":
        return f"expected text, got {_shown(value)}"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return f"expected a whole number, got {_shown(value)}"
    if kind in ("decimal_type", "decimal_parsing", "finite_number"):
        return f"expected an amount like 0.50, got {_shown(value)}"
    if kind in ("datetime_type", "datetime_parsing", "datetime_from_date_parsing"):
        return f"{_shown(value)} is not a date and time; write it like 2026-06-17T12:00:00Z"
    if kind == "timezone_aware":
        return f"{_shown(value)} has no time zone; add one, e.g. …Z for UTC or …-07:00"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return f"expected a mapping of keys, got {type(value).__name__} {_shown(value)}"
    if kind == "list_type":
        return f"expected a list (items starting with '- '), got {type(value).__name__}"
    return str(error["msg"])


def validation_problems(
    error: ValidationError, source_map: SourceMap, models: Mapping[tuple[str, ...], type[BaseModel]]
) -> list[Problem]:
    """Each pydantic error as a problem at its place in the file.

    ``models`` maps a path of keys (``()`` for the top level, ``("expect",)``…) to the model
    found there, whose fields are the allowed keys named by "unknown key" messages.
    """
    problems = []
    for item in error.errors(include_url=False):
        path = tuple(item["loc"])
        model = models.get(tuple(str(p) for p in path[:-1]))
        allowed = list(model.model_fields) if model is not None else []
        if item["type"] == "extra_forbidden":
            file, line, column = source_map.locate_key(path)
        else:
            file, line, column = source_map.locate(path)
        if item["type"] == "model_type" and not path:
            problems.append(Problem(file, line, column, "", _TOP_LEVEL))
            continue
        problems.append(Problem(file, line, column, format_path(path), _message(item, allowed)))
    return problems


def top_level_problem(file: str) -> ScenarioError:
    """The error for a file whose top level is not a mapping (empty, a list or a single value)."""
    return _problem(file, _TOP_LEVEL, 1, 1)


_FIELDS = {kind: ("kind", *cls.__struct_fields__) for kind, cls in ALL_OUTCOMES.items()}
_ANY_FIELD = sorted({field for fields in _FIELDS.values() for field in fields})


def _pattern_problems(pattern: Mapping[str, object]) -> Iterator[tuple[tuple[str, ...], str]]:
    kind = pattern.get("kind")
    if "kind" in pattern and (not isinstance(kind, str) or kind not in _FIELDS):
        options = sorted(_FIELDS)
        yield ("kind",), f"{_shown(kind)} is not an outcome kind{suggest(str(kind), options)}"
        return
    fields = _FIELDS[kind] if isinstance(kind, str) else _ANY_FIELD
    for key in pattern:
        if key not in fields:
            owner = f"a {kind} outcome" if isinstance(kind, str) else "any outcome"
            yield (key,), f"{key!r} is not a field of {owner}{suggest(key, fields)}; its fields: {', '.join(fields)}"


def outcome_pattern_problems(expect: Mapping[str, object], source_map: SourceMap) -> list[Problem]:
    """Patterns under ``expect.outcomes`` and ``expect.absent`` that could never match any outcome.

    Such a pattern is a typing mistake, not an expectation: under ``absent`` it would always pass.
    """
    problems = []
    for section in ("outcomes", "absent"):
        patterns = expect.get(section)
        for index, pattern in enumerate(patterns if isinstance(patterns, list) else []):
            if not isinstance(pattern, dict):
                continue
            for where, message in _pattern_problems(pattern):
                path = ("expect", section, index, *where)
                locate = source_map.locate_key if where != ("kind",) else source_map.locate
                file, line, column = locate(path)
                problems.append(Problem(file, line, column, format_path(path), message))
    return problems
