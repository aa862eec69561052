"""Safe YAML parsing that keeps source positions: the first of the three loading steps.

:func:`parse_yaml` turns one file's text into plain Python values (``dict`` with text keys,
``list``, ``str``, ``int``, ``bool``, ``None`` and :class:`~decimal.Decimal`) and a
:class:`SourceMap` that says where each value came from.

It reads YAML's event stream from PyYAML's pure-Python parser and composes nodes itself,
instead of using ``yaml.SafeLoader``'s composer and constructor, for four reasons:

* no YAML 1.1 surprises: only ``true``/``false`` are booleans (``on``, ``no``, ``y`` stay text),
  numbers are decimal only, numbers with a point are exact ``Decimal`` values, and time stamps
  stay text (the pydantic model parses them with the fest's rules);
* every node keeps its line and column, for error messages that point at the culprit;
* bounds on size, nesting depth, alias expansion ("billion laughs"), the number of values and
  the time spent (:mod:`festengine.catalog.pack_limits`) are checked while composing, so a
  hostile file fails fast, and an anchor is usable only after its node ends, so no node can
  contain itself;
* every problem becomes a :class:`~festengine.errors.Problem`; all the problems the parser can
  continue past (bad tags, duplicate keys, keys that are not text…) are reported together, and
  syntax errors are said in a designer's words (:mod:`festengine.catalog._yaml_errors`).

No tag outside YAML's core schema is accepted, so no Python object is ever built from a file.
The pure-Python parser is used on purpose: its messages are the same everywhere.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Final, NoReturn, Protocol, TypeAlias

import attrs
import yaml
from yaml import events as ev

from festengine.catalog._yaml_errors import explain_syntax_error
from festengine.catalog.pack_limits import MAX_ALIAS_EXPANSIONS, MAX_DEPTH, MAX_FILE_BYTES, WorkBudget
from festengine.errors import FestValidationError, Problem

__all__ = [
    "MAX_ALIAS_EXPANSIONS",
    "MAX_DEPTH",
    "MAX_FILE_BYTES",
    "NodePath",
    "Position",
    "SourceMap",
    "WorkBudget",
    "format_path",
    "oversize_message",
    "parse_yaml",
]

NodePath: TypeAlias = tuple[str | int, ...]
"""Where a value sits in a document: mapping keys and list indexes, e.g. ``("missions", 3, "target")``."""

_YAML_TAG: Final = "tag:yaml.org,2002:"
_SIMPLE_KEY: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_INT: Final = re.compile(r"[-+]?[0-9]+(?:_[0-9]+)*")
_DECIMAL: Final = re.compile(
    r"[-+]?(?:[0-9]+(?:_[0-9]+)*(?:\.(?:[0-9]+(?:_[0-9]+)*)?)?|\.[0-9]+(?:_[0-9]+)*)(?:[eE][-+]?[0-9]+)?"
)


# --- source positions -------------------------------------------------------------------------


@attrs.frozen(slots=True)
class Position:
    """A place in a file; ``line`` and ``column`` are 1-based."""

    file: str
    line: int
    column: int

    def as_tuple(self) -> tuple[str, int, int]:
        """``(file, line, column)``."""
        return self.file, self.line, self.column


class SourceMap:
    """Where each value of a parsed document, and each mapping key, came from.

    Entries are keyed by :data:`NodePath`; each carries its own file name, so maps of several
    files merge into one (see :meth:`merge`). The first entry recorded for a path wins.
    """

    __slots__ = ("_file", "_keys", "_values")

    def __init__(self, file: str) -> None:
        self._file = file
        self._values: dict[NodePath, Position] = {}
        self._keys: dict[NodePath, Position] = {}

    @property
    def file(self) -> str:
        """The file named when nothing more precise is known."""
        return self._file

    def __len__(self) -> int:
        return len(self._values)

    def __contains__(self, path: object) -> bool:
        return path in self._values

    def record(self, path: NodePath, value: Position, key: Position | None = None) -> None:
        """Remember where the value at ``path`` (and, for a mapping entry, its key) starts."""
        self._values.setdefault(path, value)
        if key is not None:
            self._keys.setdefault(path, key)

    def value_position(self, path: Sequence[str | int]) -> Position | None:
        """The recorded position of the value at exactly ``path``, if any."""
        return self._values.get(tuple(path))

    def key_position(self, path: Sequence[str | int]) -> Position | None:
        """The recorded position of the key of the mapping entry at exactly ``path``, if any."""
        return self._keys.get(tuple(path))

    def find(self, path: Sequence[str | int]) -> Position:
        """The position of the value at the deepest recorded prefix of ``path``.

        A path that does not exist (a missing key) finds the mapping that should hold it.
        """
        path = tuple(path)
        for end in range(len(path), -1, -1):
            found = self._values.get(path[:end])
            if found is not None:
                return found
        return Position(self._file, 1, 1)

    def find_key(self, path: Sequence[str | int]) -> Position:
        """The position of the key at ``path`` if recorded, else :meth:`find`."""
        found = self._keys.get(tuple(path))
        return found if found is not None else self.find(path)

    def locate(self, path: Sequence[str | int]) -> tuple[str, int, int]:
        """``(file, line, column)`` of :meth:`find`: the deepest recorded prefix of ``path``."""
        return self.find(path).as_tuple()

    def locate_key(self, path: Sequence[str | int]) -> tuple[str, int, int]:
        """``(file, line, column)`` of the key at ``path`` if recorded, else :meth:`locate`."""
        return self.find_key(path).as_tuple()

    def entries(self) -> Iterator[tuple[NodePath, Position, Position | None]]:
        """Every recorded ``(path, value position, key position or None)``."""
        for path, value in self._values.items():
            yield path, value, self._keys.get(path)

    def merge(self, other: SourceMap, *, offsets: Mapping[str, int] | None = None) -> None:
        """Add ``other``'s entries; entries already here win.

        ``offsets`` shifts list indexes under top-level keys: with ``{"missions": 7}``,
        ``other``'s ``("missions", 0, …)`` is recorded as ``("missions", 7, …)``.
        """
        shift = offsets or {}
        for path, value, key in other.entries():
            self.record(_shifted(path, shift), value, key)


def _shifted(path: NodePath, offsets: Mapping[str, int]) -> NodePath:
    """``path`` with the list index under its top-level key moved by that key's offset."""
    if len(path) < 2 or not isinstance(path[0], str) or not isinstance(path[1], int):
        return path
    offset = offsets.get(path[0], 0)
    return (path[0], path[1] + offset, *path[2:]) if offset else path


def format_path(path: Sequence[str | int]) -> str:
    """A path for humans: ``("missions", 3, "target")`` → ``missions[3].target``."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        elif _SIMPLE_KEY.fullmatch(part):
            text += f".{part}" if text else part
        else:
            text += f"[{part!r}]"
    return text


# --- composing: events → nodes ---------------------------------------------------------------


@attrs.define(slots=True, eq=False)
class _Scalar:
    value: str
    tag: str | None
    plain: bool
    at: Position


@attrs.define(slots=True, eq=False)
class _Collection:
    is_map: bool
    tag: str | None
    at: Position
    anchor: str | None = None
    items: list[_Node] = attrs.Factory(list)


@attrs.define(slots=True, eq=False)
class _Alias:
    target: _Scalar | _Collection
    at: Position


_Node: TypeAlias = _Scalar | _Collection | _Alias


class _Mark(Protocol):
    """What we read of a yaml mark (the pure-Python and the libyaml ones alike); 0-based."""

    @property
    def line(self) -> int: ...

    @property
    def column(self) -> int: ...


_CLOCK_EVERY: Final = 256
"""How many parser events pass between two looks at the pack's time budget."""


class _Stop(Exception):
    """Parsing cannot usefully continue; the reason is already among the problems."""


class _EventReader(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser):
    """PyYAML's pure-Python reader, scanner and parser: text in, events out, nothing constructed."""

    def __init__(self, text: str) -> None:
        yaml.reader.Reader.__init__(self, text)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)


class _Report:
    """The problems found in one file."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []

    def add(self, at: Position | None, path: Sequence[str | int], message: str) -> None:
        line, column = (at.line, at.column) if at is not None else (None, None)
        self.problems.append(Problem(self.file, line, column, format_path(path), message))

    def at(self, mark: _Mark | None) -> Position:
        """A 1-based position from a 0-based yaml mark."""
        if mark is None:
            return Position(self.file, 1, 1)
        return Position(self.file, mark.line + 1, mark.column + 1)


class _Composer:
    """Builds a node tree from the event stream, iteratively, with depth and anchor rules."""

    def __init__(self, text: str, report: _Report, budget: WorkBudget) -> None:
        self._events: _EventReader | None = None
        self._text = text
        self._report = report
        self._budget = budget
        self._stack: list[_Collection] = []
        self._anchors: dict[str, _Scalar | _Collection] = {}
        self._root: _Node | None = None
        self._documents = 0

    def compose(self) -> _Node | None:
        """The single document's root node (``None`` for an empty file)."""
        count = 0
        while True:
            event = self._next_event()
            if isinstance(event, ev.StreamEndEvent):
                return self._root
            count += 1
            if count % _CLOCK_EVERY == 0 and self._budget.out_of_time():
                self._report.add(self._report.at(event.start_mark), (), self._budget.out_of_time_message())
                raise _Stop
            if isinstance(event, ev.NodeEvent) and not self._budget.spend_node():
                self._report.add(self._report.at(event.start_mark), (), self._budget.too_many_nodes_message())
                raise _Stop
            self._handle(event)

    def _next_event(self) -> ev.Event:
        try:
            if self._events is None:  # the reader checks the characters as it starts
                self._events = _EventReader(self._text)
            event: ev.Event = self._events.get_event()  # type: ignore[no-untyped-call]  # untyped in the stubs
        except yaml.MarkedYAMLError as error:
            self._syntax_problem(error)
        except yaml.reader.ReaderError as error:
            self._reader_problem(error)
        except yaml.YAMLError as error:
            self._report.add(None, (), f"could not parse YAML: {error}")
            raise _Stop from None
        return event

    def _syntax_problem(self, error: yaml.MarkedYAMLError) -> NoReturn:
        said = explain_syntax_error(error.problem, error.context, error.problem_mark, error.context_mark, self._text)
        self._report.add(self._report.at(said.mark) if said.mark else None, (), said.message)
        raise _Stop from None

    def _reader_problem(self, error: yaml.reader.ReaderError) -> NoReturn:
        where = error.position
        line = self._text.count("\n", 0, where) + 1
        column = where - (self._text.rfind("\n", 0, where) + 1) + 1
        code = error.character if isinstance(error.character, int) else 0
        message = f"could not parse YAML: character #x{code:04x} is not allowed in YAML; remove it"
        self._report.add(Position(self._report.file, line, column), (), message)
        raise _Stop from None

    def _handle(self, event: ev.Event) -> None:
        if isinstance(event, ev.DocumentStartEvent):
            self._start_document(event)
        elif isinstance(event, ev.ScalarEvent):
            self._scalar(event)
        elif isinstance(event, ev.AliasEvent):
            self._alias(event)
        elif isinstance(event, ev.CollectionStartEvent):
            self._start_collection(event)
        elif isinstance(event, ev.CollectionEndEvent):
            self._end_collection()

    def _start_document(self, event: ev.DocumentStartEvent) -> None:
        self._documents += 1
        if self._documents > 1:
            message = "a fest file holds one YAML document, but a second one starts here; split it into two files"
            self._report.add(self._report.at(event.start_mark), (), message)
            raise _Stop

    def _attach(self, node: _Node) -> None:
        if self._stack:
            self._stack[-1].items.append(node)
        else:
            self._root = node

    def _scalar(self, event: ev.ScalarEvent) -> None:
        plain = event.implicit[0] and event.tag is None
        node = _Scalar(event.value, event.tag, plain, self._report.at(event.start_mark))
        self._attach(node)
        if event.anchor is not None:
            self._anchors[event.anchor] = node

    def _alias(self, event: ev.AliasEvent) -> None:
        at = self._report.at(event.start_mark)
        target = self._anchors.get(event.anchor or "")
        if target is None:
            message = f"alias '*{event.anchor}' names no anchor defined before it; define '&{event.anchor}' first"
            self._report.add(at, (), message)
            self._attach(_Scalar("", None, True, at))
            return
        self._attach(_Alias(target, at))

    def _start_collection(self, event: ev.CollectionStartEvent) -> None:
        at = self._report.at(event.start_mark)
        if len(self._stack) >= MAX_DEPTH:
            self._report.add(at, (), _too_deep())
            raise _Stop
        is_map = isinstance(event, ev.MappingStartEvent)
        node = _Collection(is_map, event.tag, at, event.anchor)
        self._attach(node)
        self._stack.append(node)

    def _end_collection(self) -> None:
        node = self._stack.pop()
        if node.anchor is not None:
            self._anchors[node.anchor] = node


def _too_deep() -> str:
    return f"mappings and lists are nested more than {MAX_DEPTH} levels deep; flatten the document"


# --- constructing: nodes → plain values ------------------------------------------------------


def _to_int(text: str) -> int | None:
    if not _INT.fullmatch(text):
        return None
    try:
        return int(text.replace("_", ""))
    except ValueError:  # more digits than Python converts safely
        return None


def _to_decimal(text: str) -> Decimal | None:
    if not _DECIMAL.fullmatch(text):
        return None
    try:
        return Decimal(text.replace("_", ""))
    except (InvalidOperation, ValueError):
        return None


def _to_bool(text: str) -> bool | None:
    lowered = text.lower()
    return lowered == "true" if lowered in ("true", "false") else None


def _is_null(text: str) -> bool:
    return text in ("", "~") or text.lower() == "null"


def _plain(text: str) -> object:
    """A plain (unquoted, untagged) scalar: null, true/false, a decimal int, a Decimal, or text."""
    if _is_null(text):
        return None
    boolean = _to_bool(text)
    if boolean is not None:
        return boolean
    if _INT.fullmatch(text):
        number = _to_int(text)
        return number if number is not None else text
    decimal = _to_decimal(text)
    return decimal if decimal is not None else text


_NOT_VALID: Final = object()


def _tagged_null(text: str) -> object:
    return None if _is_null(text) else _NOT_VALID


def _tagged_number(text: str) -> object:
    number = _to_decimal(text)
    return number if number is not None else _NOT_VALID


def _or_invalid(convert: Callable[[str], object]) -> Callable[[str], object]:
    def converter(text: str) -> object:
        value = convert(text)
        return _NOT_VALID if value is None else value

    return converter


_SCALAR_TAGS: Final[dict[str, Callable[[str], object]]] = {
    _YAML_TAG + "str": str,
    _YAML_TAG + "int": _or_invalid(_to_int),
    _YAML_TAG + "float": _tagged_number,
    _YAML_TAG + "bool": _or_invalid(_to_bool),
    _YAML_TAG + "null": _tagged_null,
}


def _tag_name(tag: str) -> str:
    """A tag as written: ``tag:yaml.org,2002:int`` → ``!!int``."""
    return "!!" + tag.removeprefix(_YAML_TAG) if tag.startswith(_YAML_TAG) else tag


def _unknown_tag(tag: str) -> str:
    return f"unsafe or unknown YAML tag {_tag_name(tag)!r} is not allowed; write plain values"


def _key_kind(value: object) -> str:
    if isinstance(value, bool):
        return "true/false"
    return "a number"


class _Builder:
    """Turns nodes into plain values, recording positions and reporting problems."""

    def __init__(self, report: _Report, source_map: SourceMap, budget: WorkBudget) -> None:
        self._report = report
        self._map = source_map
        self._budget = budget
        self._expansions = 0

    def build(self, node: _Node) -> object:
        return self._value(node, (), 1, via_alias=False, key_at=None)

    def _value(self, use: _Node, path: NodePath, depth: int, *, via_alias: bool, key_at: Position | None) -> object:
        self._map.record(path, use.at, key_at)
        node = use.target if isinstance(use, _Alias) else use
        via_alias = via_alias or node is not use
        if via_alias:
            self._count_expansion(use.at, path)
        if isinstance(node, _Scalar):
            return self._scalar(node, path)
        if depth > MAX_DEPTH:
            self._report.add(node.at, path, _too_deep())
            raise _Stop
        self._check_collection_tag(node, path)
        if node.is_map:
            return self._mapping(node, path, depth, via_alias=via_alias)
        return [
            self._value(item, (*path, index), depth + 1, via_alias=via_alias, key_at=None)
            for index, item in enumerate(node.items)
        ]

    def _count_expansion(self, at: Position, path: NodePath) -> None:
        self._expansions += 1
        if self._expansions > MAX_ALIAS_EXPANSIONS:
            message = (
                f"too many alias expansions (a 'billion laughs' file?): aliases copy more than "
                f"{MAX_ALIAS_EXPANSIONS:,} values; write the values out or use fewer aliases"
            )
            self._report.add(at, path, message)
            raise _Stop
        if not self._budget.spend_node():  # a copied value costs what a written one does
            self._report.add(at, path, self._budget.too_many_nodes_message())
            raise _Stop

    def _scalar(self, node: _Scalar, path: NodePath) -> object:
        if node.tag is None or node.tag == "!":
            return _plain(node.value) if node.plain else node.value
        convert = _SCALAR_TAGS.get(node.tag)
        if convert is None:
            self._report.add(node.at, path, _unknown_tag(node.tag))
            return None
        value = convert(node.value)
        if value is _NOT_VALID:
            message = f"{node.value!r} is not a valid {_tag_name(node.tag)}; fix the value or remove the tag"
            self._report.add(node.at, path, message)
            return None
        return value

    def _check_collection_tag(self, node: _Collection, path: NodePath) -> None:
        expected = _YAML_TAG + ("map" if node.is_map else "seq")
        if node.tag is None or node.tag in ("!", expected):
            return
        if node.tag in (_YAML_TAG + "map", _YAML_TAG + "seq"):
            shape = "mapping" if node.is_map else "list"
            self._report.add(node.at, path, f"tag {_tag_name(node.tag)!r} does not fit a {shape}; remove the tag")
        else:
            self._report.add(node.at, path, _unknown_tag(node.tag))

    def _mapping(self, node: _Collection, path: NodePath, depth: int, *, via_alias: bool) -> dict[str, object]:
        result: dict[str, object] = {}
        first_at: dict[str, Position] = {}
        for key_node, value_node in zip(node.items[0::2], node.items[1::2], strict=True):
            key = self._key(key_node, path, via_alias=via_alias)
            if key is None:
                continue
            if key in first_at:
                message = f"duplicate key {key!r} (first defined at line {first_at[key].line}); remove one"
                self._report.add(key_node.at, (*path, key), message)
                continue
            first_at[key] = key_node.at
            result[key] = self._value(value_node, (*path, key), depth + 1, via_alias=via_alias, key_at=key_node.at)
        return result

    def _key(self, node: _Node, path: NodePath, *, via_alias: bool) -> str | None:
        """A mapping key as text, or ``None`` after reporting why it cannot be one."""
        target = node.target if isinstance(node, _Alias) else node
        if via_alias or target is not node:
            self._count_expansion(node.at, path)
        if isinstance(target, _Collection):
            self._report.add(node.at, path, "a mapping or a list cannot be a key; keys must be text")
            return None
        if target.plain and target.value == "<<":
            message = "merge keys ('<<') are not supported; write the keys out, or alias the whole value"
            self._report.add(node.at, path, message)
            return None
        value = self._scalar(target, path)
        if isinstance(value, str):
            return value
        if value is None and _is_null(target.value) and target.plain:
            self._report.add(node.at, path, "a key is empty or null; write a name before the ':'")
        elif value is not None:
            message = f"key {target.value!r} is read as {_key_kind(value)}, not text; put it in quotes"
            self._report.add(node.at, path, message)
        return None


# --- the entry point -------------------------------------------------------------------------


def oversize_message(size: int, limit: int = MAX_FILE_BYTES) -> str:
    """The problem message for a file of ``size`` bytes over the ``limit``."""
    return f"the file is {size:,} bytes, more than the limit of {limit:,}; split it into several files"


def _size_problem(text: str, file: str, max_bytes: int) -> Problem | None:
    size = len(text.encode("utf-8", errors="surrogatepass"))
    if size <= max_bytes:
        return None
    return Problem(file, None, None, "", oversize_message(size, max_bytes))


def parse_yaml(
    text: str, *, file: str, max_bytes: int = MAX_FILE_BYTES, budget: WorkBudget | None = None
) -> tuple[object, SourceMap]:
    """Parse one YAML document safely into plain values and their source positions.

    Returns ``(data, source_map)``; ``data`` is ``None`` for an empty document. Raises
    :class:`~festengine.errors.FestValidationError` listing every problem found. ``budget`` is
    the pack's, shared by its files; without one, the file gets a pack's budget of its own.
    """
    too_big = _size_problem(text, file, max_bytes)
    if too_big is not None:
        raise FestValidationError([too_big])
    report = _Report(file)
    source_map = SourceMap(file)
    data: object = None
    budget = budget if budget is not None else WorkBudget()
    try:
        root = _Composer(text, report, budget).compose()
        if root is not None:
            data = _Builder(report, source_map, budget).build(root)
    except _Stop:
        pass
    except RecursionError:  # a safety net: composing and building are bounded, so never expected
        report.add(None, (), _too_deep())
    if report.problems:
        raise FestValidationError(report.problems)
    return data, source_map
