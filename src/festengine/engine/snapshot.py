"""The snapshot format: a header, then zlib-compressed canonical JSON; and reading it back safely.

A snapshot is ``SNAPSHOT_MAGIC`` followed by the zlib-compressed JSON of the engine's state.
Decimals are written ``{"$d": "12.5"}``, sets as sorted lists, dicts in insertion order.

Reading treats the bytes as untrusted: inflating stops at ``max_bytes`` (a decompression bomb is
refused after ``max_bytes``, not when memory runs out), ``NaN``, ``Infinity`` and malformed decimals
are refused while decoding, nesting deeper than the interpreter's recursion limit is refused, and
every failure is a :class:`~festengine.errors.SnapshotError`. What the state *means* is checked by
the engine and its components against their shapes (:mod:`festengine.engine.shapes`).
"""

from __future__ import annotations

import json
import re
import zlib
from decimal import Decimal
from typing import Any, Final, NoReturn

from festengine.errors import SnapshotError

__all__ = ["DECIMAL_GRAMMAR", "DEFAULT_MAX_BYTES", "SNAPSHOT_MAGIC", "SNAPSHOT_VERSION", "encode", "read"]

SNAPSHOT_MAGIC: Final = b"FESTENGINE-SNAPSHOT\n"
SNAPSHOT_VERSION: Final = 6
#: The largest inflated snapshot ``Engine.restore`` reads unless told otherwise: 1 GiB.
DEFAULT_MAX_BYTES: Final = 1 << 30

#: how a decimal is written in a snapshot (what ``str(Decimal)`` gives for the amounts festengine keeps):
#: at most 22 digits before the point, so at most 10**22 unless an exponent says otherwise
DECIMAL_GRAMMAR: Final = re.compile(r"-?[0-9]{1,22}(?:\.[0-9]{1,40})?(?:E[+-]?[0-9]{1,2})?")


def encode(state: dict[str, object]) -> bytes:
    """The snapshot bytes of a state: deterministic for equal states."""
    body = json.dumps(state, separators=(",", ":"), ensure_ascii=False, default=_json_default)
    return SNAPSHOT_MAGIC + zlib.compress(body.encode(), 6)


def read(data: object, fingerprint: str, max_bytes: object) -> dict[str, Any]:
    """The state a snapshot holds, if it is a snapshot of this version for the fest ``fingerprint``.

    Raises :class:`SnapshotError` (and nothing else) when it is not. ``max_bytes`` itself must be a
    positive whole number or ``None`` (a ``ValueError`` otherwise: a mistake of the caller, not of the data).
    Both are typed ``object`` and checked here, so that a compiled build raises these errors too, not
    the ``TypeError`` of its own argument checks.
    """
    if max_bytes is not None and (type(max_bytes) is not int or max_bytes < 1):
        raise ValueError(f"max_bytes must be a positive whole number of bytes or None, not {max_bytes!r}")
    if not isinstance(data, bytes | bytearray | memoryview) or not bytes(data[: len(SNAPSHOT_MAGIC)]) == SNAPSHOT_MAGIC:
        raise SnapshotError("not a festengine snapshot (it does not start with the snapshot header)")
    try:
        body = _inflate(bytes(data[len(SNAPSHOT_MAGIC) :]), max_bytes)
        state = json.loads(body, object_hook=_json_hook, parse_constant=_no_constant)
    except SnapshotError:
        raise
    except RecursionError:
        raise SnapshotError("the snapshot is corrupt: its JSON is nested too deeply") from None
    except MemoryError:
        raise SnapshotError("the snapshot is too large to read in the memory available") from None
    except (zlib.error, ValueError) as error:
        raise SnapshotError(f"the snapshot is corrupt: {error}") from None
    if not isinstance(state, dict) or state.get("version") != SNAPSHOT_VERSION:
        version = state.get("version") if isinstance(state, dict) else None
        raise SnapshotError(f"snapshot version {version!r} is not supported (this festengine reads {SNAPSHOT_VERSION})")
    if state.get("fest") != fingerprint:
        raise SnapshotError(
            "this snapshot belongs to a different fest (its fingerprint "
            f"{str(state.get('fest'))[:12]}… is not {fingerprint[:12]}…); "
            "restore it with the pack it was taken with"
        )
    return state


def _inflate(compressed: bytes, max_bytes: int | None) -> bytes:
    """The inflated body, never more than ``max_bytes`` of it (``None``: no limit)."""
    inflater = zlib.decompressobj()
    if max_bytes is None:
        body = inflater.decompress(compressed)
    else:
        body = inflater.decompress(compressed, max_bytes + 1)
        if len(body) > max_bytes or inflater.unconsumed_tail:
            raise SnapshotError(
                f"the snapshot inflates to more than {max_bytes:,} bytes (the limit); "
                "if it is genuine, restore it with a larger max_bytes"
            )
    if not inflater.eof:
        raise SnapshotError("the snapshot is corrupt: it is truncated")
    if inflater.unused_data:
        raise SnapshotError("the snapshot is corrupt: it has bytes after its end")
    return body


def _json_default(value: object) -> object:
    if isinstance(value, Decimal):
        return {"$d": str(value)}
    if isinstance(value, set | frozenset):
        return sorted(value)
    raise TypeError(f"cannot snapshot {type(value).__name__}")


def _json_hook(obj: dict[str, object]) -> object:
    if len(obj) == 1 and "$d" in obj:
        text = obj["$d"]
        if type(text) is not str or not DECIMAL_GRAMMAR.fullmatch(text):
            raise SnapshotError(f"the snapshot is corrupt: {text!r} is not a decimal number")
        return Decimal(text)
    return obj


def _no_constant(name: str) -> NoReturn:
    raise SnapshotError(f"the snapshot is corrupt: it holds {name}, which is not a number festengine keeps")
