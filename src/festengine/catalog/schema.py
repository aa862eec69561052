"""The JSON Schema of a fest pack, for editors (completion, hover docs) and other tools."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from pydantic import TypeAdapter

from festengine.catalog._values import format_duration
from festengine.catalog.spec import FestSpec

_ISO_DURATION = re.compile(r"^P(\d+D)?(T(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$")


def _durations_as_authored(node: Any) -> Any:
    """Show duration defaults the way designers write them ('10m'), not as ISO 8601 ('PT10M')."""
    if isinstance(node, dict):
        default = node.get("default")
        if isinstance(default, str) and _ISO_DURATION.match(default):
            node["default"] = format_duration(TypeAdapter(timedelta).validate_python(default))
        for value in node.values():
            _durations_as_authored(value)
    elif isinstance(node, list):
        for value in node:
            _durations_as_authored(value)
    return node


__all__ = ["SCHEMA_ID", "TITLE", "fest_json_schema"]

SCHEMA_ID = "https://festengine.dev/schema/fest.schema.json"
TITLE = "festengine fest pack"


def fest_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) that one merged fest pack document satisfies.

    A single file of a multi-file pack holds only some sections; editors still complete and check
    the keys it has, because no top-level section is required by the schema of one file. The
    ``required`` list of the whole pack is kept under ``x-festengine-required``.
    """
    schema = _durations_as_authored(FestSpec.model_json_schema(mode="validation"))
    required = schema.pop("required", [])
    properties = schema.setdefault("properties", {})
    properties["include"] = {
        "anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}],
        "description": (
            "other YAML files of the pack to read, relative to this file, inside the pack folder "
            "(a list, or a single file name)"
        ),
    }
    schema["x-festengine-required"] = required
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        **schema,
        "title": TITLE,  # after the model's own title ("FestSpec"), which it replaces
    }
