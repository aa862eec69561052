"""``load_fest``: YAML pack → validated spec → cross-checks → compiled :class:`Fest`.

Three steps, each reporting every problem it finds with file, line, column and document path:

1. safe YAML parsing that keeps source positions (:mod:`festengine.catalog._yaml`, ``_pack``);
2. the pydantic authoring model (:class:`~festengine.catalog.spec.FestSpec`), whose errors are
   translated into designer language here (unknown keys get "did you mean …?");
3. cross-checks (:mod:`festengine.catalog._checks`), then compilation.

No third-party exception escapes: everything becomes a :class:`FestValidationError`.
"""

from __future__ import annotations

import os
import types
import typing
from collections.abc import Sequence
from decimal import Decimal
from typing import Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from festengine.catalog import spec as s
from festengine.catalog._checks import check_fest
from festengine.catalog._pack import PackDocument, read_pack
from festengine.catalog._suggest import suggest
from festengine.catalog._yaml import format_path
from festengine.catalog.compile import compile_fest
from festengine.catalog.model import Fest
from festengine.catalog.shipped import resolve_packs
from festengine.errors import FestValidationError, Problem

__all__ = ["load_fest", "load_spec"]

PathLike = str | os.PathLike[str]
Loc = tuple[str | int, ...]


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    """The pydantic models an annotation can hold (through Optional, list, dict, Annotated, unions)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    origin = get_origin(annotation)
    if origin is typing.Annotated:
        return _models_in(get_args(annotation)[0])
    if origin in (Union, types.UnionType, list, tuple, dict, typing.Union):
        found: list[type[BaseModel]] = []
        for arg in get_args(annotation):
            found.extend(m for m in _models_in(arg) if m not in found)
        return found
    return []


def _tag_of(model: type[BaseModel]) -> str | None:
    """The discriminator value of a union member: its ``kind`` literal, or its reward key."""
    kind = model.model_fields.get("kind")
    if kind is not None and get_origin(kind.annotation) is Literal:
        return str(get_args(kind.annotation)[0])
    for name in model.model_fields:
        if name in s._REWARD_KEYS:
            return name
    return None


def _resolve(loc: Loc, data: Any) -> tuple[Loc, list[type[BaseModel]]]:
    """The document path of a pydantic ``loc`` (union tags removed) and the models at its end."""
    path: list[str | int] = []
    models: list[type[BaseModel]] = [s.FestSpec]
    node = data
    for part in loc:
        in_data = (isinstance(node, dict) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        )
        tagged = [m for m in models if _tag_of(m) == part] if isinstance(part, str) and len(models) > 1 else []
        if tagged or (not in_data and isinstance(part, str)):
            # a union's tag (``sum``, or ``points`` for a reward that is also its key), not a document key
            models = tagged or models
            continue
        path.append(part)
        node = node[part] if in_data else None
        if isinstance(part, str):
            fields = [m.model_fields[part] for m in models if part in m.model_fields]
            if fields:
                models = [m for f in fields for m in _models_in(f.annotation)]
    return tuple(path), models


def _allowed(models: list[type[BaseModel]]) -> list[str]:
    names: list[str] = []
    for model in models:
        names.extend(n for n in model.model_fields if n not in names)
    return names


#: constrained text of the schema -> what it is and how to write it
_PATTERNS = {
    r"^[a-z0-9][a-z0-9_\-]*$": "an id; write lower-case letters, digits, '_' and '-', e.g. 'daily_check_in'",
    r"^[A-Z]{3}$": "a currency code; write three capital letters, e.g. 'USD'",
    r"^([01]\d|2[0-3]):[0-5]\d$": "a time of day; write HH:MM from 00:00 to 23:59, e.g. '20:00'",
}

#: pydantic's number bound errors -> (what to write, the bound's key in the error context)
_BOUNDS = {
    "greater_than": ("a number greater than {}", "gt"),
    "greater_than_equal": ("{} or more", "ge"),
    "less_than": ("a number less than {}", "lt"),
    "less_than_equal": ("{} or less", "le"),
}


def _message(error: Any, path: Loc, parent_models: list[type[BaseModel]]) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    value = error.get("input")
    shown = str(value) if isinstance(value, Decimal) else repr(value)  # 1.5, not Decimal('1.5')
    if kind == "extra_forbidden":
        key = str(path[-1])
        allowed = _allowed(parent_models)
        return f"unknown key {key!r}{suggest(key, allowed)}; allowed keys here: {', '.join(allowed)}"
    if kind == "missing":
        return f"missing required key {path[-1]!r}"
    if kind == "literal_error":
        expected = ctx.get("expected", "")
        options = [o.strip().strip("'") for o in expected.replace(" or ", ",").split(",") if o.strip()]
        return f"{shown} is not allowed here{suggest(str(value), options)}; write one of: {', '.join(options)}"
    if kind == "union_tag_invalid":
        options = [o.strip().strip("'") for o in str(ctx.get("expected_tags", "")).split(",")]
        tag = ctx.get("tag", value)
        return f"unknown kind {tag!r}{suggest(str(tag), options)}; write one of: {', '.join(options)}"
    if kind == "union_tag_not_found":
        key = str(ctx.get("discriminator", "kind")).strip("'")
        return f"missing key {key!r} that says which kind this is"
    if kind == "unknown_reward" and isinstance(value, dict):
        for key in value:
            hint = suggest(str(key), s._REWARD_KEYS)
            if hint:
                return f"unknown reward {key!r}{hint}; {error['msg']}"
    if kind == "string_pattern_mismatch" and ctx.get("pattern") in _PATTERNS:
        return f"{shown} is not {_PATTERNS[ctx['pattern']]}"
    if kind in _BOUNDS:
        relation, bound = _BOUNDS[kind]
        size = "too large" if kind.startswith("less") else ("negative" if str(value).startswith("-") else "too small")
        return f"{value} is {size}; write {relation.format(ctx.get(bound))}"
    if kind in ("decimal_parsing", "decimal_type", "int_parsing", "int_type", "float_parsing"):
        return f"expected a number, got {shown}"
    if kind in ("int_from_float", "decimal_whole_number"):
        return f"expected a whole number, got {shown}"
    if kind in ("datetime_parsing", "datetime_type", "datetime_from_date_parsing"):
        return f"{shown} is not a date and time; write it like 2026-06-15T00:00:00-07:00"
    if kind == "timezone_aware":
        return f"{shown} has no time zone; add one, e.g. 2026-06-15T00:00:00-07:00 or …Z for UTC"
    if kind in ("model_type", "dict_type"):
        return f"expected a mapping of keys, got {type(value).__name__} {shown}"
    if kind == "list_type":
        return f"expected a list (items starting with '- '), got {type(value).__name__}"
    message = str(error["msg"])
    return message.removeprefix("Value error, ").removeprefix("Assertion failed, ")


def _problems_from_validation(error: ValidationError, document: PackDocument) -> list[Problem]:
    problems = []
    for item in error.errors(include_url=False):
        loc = tuple(item["loc"])
        path, _ = _resolve(loc, document.data)
        _, parent_models = _resolve(loc[:-1], document.data)
        if item["type"] == "missing" and (not path or path[-1] != loc[-1]):
            path = (*path, loc[-1])  # the key is not in the document: name it after its mapping
        message = _message(item, path, parent_models)
        if item["type"] == "extra_forbidden":
            file, line, column = document.source_map.locate_key(path)
        else:
            file, line, column = document.source_map.locate(path)
        problems.append(Problem(file, line, column, format_path(path), message))
    return problems


def load_spec(paths: PathLike | Sequence[PathLike]) -> tuple[s.FestSpec, PackDocument]:
    """Read and check a pack without compiling it; raise :class:`FestValidationError` on any problem."""
    document = read_pack(resolve_packs(paths))
    try:
        spec = s.FestSpec.model_validate(document.data)
    except ValidationError as error:
        raise FestValidationError(_problems_from_validation(error, document)) from None
    findings = check_fest(spec)
    if findings:
        problems = []
        for path, message in findings:
            file, line, column = document.source_map.locate(path)
            problems.append(Problem(file, line, column, format_path(path), message))
        raise FestValidationError(problems)
    return spec, document


def load_fest(paths: PathLike | Sequence[PathLike]) -> Fest:
    """Load a fest pack (a YAML file, a folder of them, or several) and compile it.

    A name that is not an existing file or folder names a pack bundled with festengine:
    ``load_fest("community-fest")``. Raises :class:`~festengine.errors.FestValidationError`
    listing every problem found.
    """
    spec, document = load_spec(paths)
    try:
        return compile_fest(spec, sources=document.files)
    except (ArithmeticError, ValueError) as error:  # times beyond year 1..9999, numbers of thousands of digits
        file, line, column = document.source_map.locate(("fest",))
        message = (
            f"the pack cannot be compiled ({error}); keep the fest's times, durations and numbers "
            "within reasonable bounds (years 1 to 9999 in every time zone, no numbers of thousands of digits)"
        )
        raise FestValidationError([Problem(file, line, column, "fest", message)]) from None
