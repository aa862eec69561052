"""Fuzzing pack loading: any mutation of the bundled pack loads, or is refused with FestValidationError.

The bundled pack (missions/community-fest) is read once into plain values. Each example copies
it, applies a few random mutations (delete a key or a list item, replace a value with one of
another type, a huge number or an odd string, duplicate a list item), writes each file back as
YAML (flow style, which is plain JSON plus exact decimals), may then truncate a file or insert
junk bytes in one, and loads the result with :func:`festengine.load_fest`. Nothing but
:class:`~festengine.errors.FestValidationError` may come out, within the processor time a pack may take.
"""

from __future__ import annotations

import json
import tempfile
import time
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from festengine import FestValidationError, load_fest
from festengine.catalog import pack_limits
from festengine.catalog._pack import read_pack

PACK = Path(__file__).resolve().parents[2] / "missions" / "community-fest"

Data = dict[str, Any]


@cache
def bundled_files() -> tuple[tuple[str, str], ...]:
    """``(file name, the file's top level as flow YAML)`` of the bundled pack, read once."""
    files = []
    for path in sorted(PACK.glob("*.yaml")):
        files.append((path.name, to_yaml(read_pack(path).data)))
    return tuple(files)


def to_yaml(value: object) -> str:
    """Plain values as flow-style YAML: JSON, with decimals written as exact unquoted numbers."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(str(k))}: {to_yaml(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(to_yaml(item) for item in value) + "]"
    if isinstance(value, Decimal):
        return str(value)
    return json.dumps(value)


ODD_TEXT = [
    "",
    " ",
    "rosee",
    "1e400",
    "-0",
    "NaN",
    "Infinity",
    "0001-01-01T00:00:00Z",
    "9999-12-31T23:59:59-14:00",
    "2026-06-15",
    "99999999999d",
    "25:61",
    "x" * 600,
    "\u0661\u0662",
    "🙂",
    "Zulu/Nowhere",
]

REPLACEMENTS = st.one_of(
    st.sampled_from(ODD_TEXT),
    st.text(max_size=12),
    st.integers(min_value=-(10**6), max_value=10**6),
    st.sampled_from([10**18, 10**30, -(10**30), 2**63, 10**400]),
    st.decimals(allow_nan=False, allow_infinity=False, min_value=-(10**12), max_value=10**12, places=3),
    st.sampled_from([Decimal("1e400"), Decimal("-1e-400"), Decimal("0.0000000001")]),
    st.booleans(),
    st.none(),
    st.just([]),
    st.just({}),
)


def places(value: object, path: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    """Every path below ``value`` (not the top level itself)."""
    found: list[tuple[str | int, ...]] = []
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else []
    for key, child in items:
        found.append((*path, key))
        found.extend(places(child, (*path, key)))
    return found


def mutate(data: Data, draw: st.DrawFn) -> None:
    """One random mutation of ``data``, in place."""
    paths = places(data)
    if not paths:
        return
    path = draw(st.sampled_from(paths))
    parent: Any = data
    for key in path[:-1]:
        parent = parent[key]
    last = path[-1]
    action = draw(st.sampled_from(["delete", "replace", "replace", "duplicate"]))
    if action == "delete":
        del parent[last]
    elif action == "replace":
        parent[last] = draw(REPLACEMENTS)
    elif isinstance(parent, list):
        parent.insert(int(last), json.loads(json.dumps(parent[last], default=str)))


@st.composite
def mutated_packs(draw: st.DrawFn) -> dict[str, bytes]:
    """The bundled pack's files (name -> bytes) after one to three mutations and maybe a damaged file."""
    files = {name: json.loads(text, parse_float=Decimal) for name, text in bundled_files()}
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        name = draw(st.sampled_from(sorted(files)))
        mutate(files[name], draw)
    written = {name: to_yaml(data).encode("utf-8") for name, data in files.items()}
    damage = draw(st.sampled_from(["none", "none", "truncate", "junk"]))
    if damage != "none":
        name = draw(st.sampled_from(sorted(written)))
        raw = written[name]
        at = draw(st.integers(min_value=0, max_value=len(raw)))
        if damage == "truncate":
            written[name] = raw[:at]
        else:
            written[name] = raw[:at] + draw(st.binary(min_size=1, max_size=8)) + raw[at:]
    return written


def test_the_flow_yaml_copy_of_the_bundled_pack_loads() -> None:
    """The fuzz starts from a valid pack: the flow-style copy of the bundled pack loads."""
    with tempfile.TemporaryDirectory() as folder:
        for name, text in bundled_files():
            (Path(folder) / name).write_text(text, encoding="utf-8")
        assert load_fest(folder).id == "community_fest_2026"


#: Processor seconds one example may take: the pack's own time limit, so a busy machine cannot fail it.
CPU_SECONDS = pack_limits.MAX_PACK_SECONDS


@settings(
    max_examples=25,
    deadline=None,  # bounded below in processor time, which a loaded machine does not inflate
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(mutated_packs())
def test_mutated_packs_load_or_are_refused_cleanly(files: dict[str, bytes]) -> None:
    """Any mutation of the bundled pack loads, or is refused with FestValidationError only, in bounded time."""
    refused: FestValidationError | None = None
    with tempfile.TemporaryDirectory() as folder:
        for name, raw in files.items():
            (Path(folder) / name).write_bytes(raw)
        started = time.thread_time()
        try:
            load_fest(folder)
        except FestValidationError as error:
            refused = error
        spent = time.thread_time() - started
    assert spent < CPU_SECONDS, f"loading took {spent:.1f} s of processor time"
    assert refused is None or refused.problems, "a refusal names at least one problem"
