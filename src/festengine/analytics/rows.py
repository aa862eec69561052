"""The row form of a projection's state: one row per key, so a store can write only what changed.

A projection keeps its state in a few maps (cells by creator, stream and hour; viewers by id; orders
by id…). Each map is a *part*; each entry is one row ``(part, key, value)`` with the key and the value
as compact JSON (UTF-8 bytes, written by msgspec's encoder, the fastest at hand). A projection
remembers which keys it changed since its rows were last written (``rows(changed_only=True)``), and a
row whose key is no longer in its map is written with the value ``None`` (the store deletes it).
``load_rows`` takes the rows back, decoded.

Keys are strings, integers or tuples of them (written as JSON arrays, read back as tuples); equal
states give equal rows whatever order they were folded in, because the rows are sorted wherever
order matters (``LiveAnalytics.to_bytes``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, Final

import msgspec

__all__ = ["Part", "Row", "dump_key", "load_key", "load_value", "part_rows"]

#: ``(part, key, value)``: the key and the value as JSON; value ``None``: the key was removed.
Row = tuple[str, bytes, bytes | None]

_MISSING: Final = object()
_dumps: Final = msgspec.json.Encoder().encode
#: JSON text to plain values (``msgspec.DecodeError`` if it is not JSON: a ``ValueError`` only in newer msgspec)
load_value: Final = msgspec.json.Decoder().decode


def dump_key(key: object) -> bytes:
    """A key (or a plain value) as JSON: a string, an integer, or a tuple of them (a JSON array)."""
    return _dumps(key)


def load_key(text: bytes) -> Any:
    """A key read back from :func:`dump_key` (arrays become tuples)."""
    key = load_value(text)
    return tuple(key) if isinstance(key, list) else key


class Part:
    """One map of a projection's state as rows: its name, its map, how a value is written, and the
    keys changed since the rows were last written."""

    __slots__ = ("changed", "data", "encode", "name")

    def __init__(self, name: str, data: Mapping[Any, Any], encode: Callable[[Any], Any], changed: set[Any]) -> None:
        self.name = name
        self.data = data
        self.encode = encode
        self.changed = changed


def part_rows(part: Part, keys: Iterable[Any]) -> Iterator[Row]:
    """The rows of ``keys`` in ``part`` (value ``None`` for a key no longer in the map)."""
    data, encode, name = part.data, part.encode, part.name
    for key in keys:
        value = data.get(key, _MISSING)
        yield name, _dumps(key), None if value is _MISSING else _dumps(encode(value))
