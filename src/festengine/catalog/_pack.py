"""Reading a fest pack: one YAML file, a folder of them, or several, merged into one document.

:func:`read_pack` reads every file safely (:func:`~festengine.catalog._yaml.parse_yaml`),
follows top-level ``include:`` lists, and merges the files' top levels:

* a top-level key whose value is a list (``missions``, ``badges``, ``journeys``…) may appear in
  several files; the lists are concatenated in reading order, and the merged source map still
  points each item at its own file and line;
* any other top-level key (``fest``, ``economy``, a scalar…) must be defined in one file only.

Reading order: the paths in the order given; a folder's ``*.yaml`` and ``*.yml`` files (not its
sub-folders) sorted by name; a file's own content, then its includes in the order listed. A
file is read once, however often it is reached, so include cycles are harmless.

Included files must stay inside the pack folder (the folder given, or a single file's folder),
also through symbolic links. Only regular files are read: a named pipe, a device or a socket is
refused before it is opened (and checked again once open, without blocking), so no pack can make
reading wait. The limits of :mod:`festengine.catalog.pack_limits` bound the files, bytes, values
and time of a whole pack; reading stops at the first limit passed. Every other problem, in every
file, is reported together.
"""

from __future__ import annotations

import codecs
import os
import stat
from collections.abc import Iterator, Sequence
from typing import Final, NoReturn

import attrs

from festengine.catalog import pack_limits
from festengine.catalog._yaml import Position, SourceMap, format_path, oversize_message, parse_yaml
from festengine.catalog.pack_limits import MAX_FILE_BYTES, WorkBudget
from festengine.errors import FestValidationError, Problem

__all__ = ["YAML_SUFFIXES", "PackDocument", "PackPath", "read_pack"]

PackPath = str | os.PathLike[str]
"""A file or folder of a pack."""

YAML_SUFFIXES = (".yaml", ".yml")
"""The file name endings read from a pack folder."""

_INCLUDE = "include"

#: Never wait on a file (O_NONBLOCK: a pipe swapped in after the check) nor adopt a terminal.
_OPEN_FLAGS: Final = (
    os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
)
_CHUNK: Final = 65_536


@attrs.frozen(slots=True, eq=False)
class PackDocument:
    """A whole pack as one document: the merged top level, where each value came from, and the files read."""

    data: dict[str, object]
    source_map: SourceMap
    files: tuple[str, ...]
    root: str


@attrs.frozen(slots=True)
class _File:
    """One file read and parsed, with its top level as a mapping (``include`` removed)."""

    name: str
    data: dict[str, object]
    source_map: SourceMap


@attrs.frozen(slots=True)
class _Root:
    """The pack folder that a file and its includes must stay in."""

    name: str
    real: str

    @classmethod
    def of(cls, folder: str) -> _Root:
        return cls(folder, os.path.realpath(folder))

    def holds(self, path: str) -> bool:
        """Whether ``path``, after following links, lies inside this folder."""
        real = os.path.realpath(path)
        try:
            return os.path.commonpath([real, self.real]) == self.real
        except ValueError:  # different drives on Windows
            return False


def _problem(file: str, message: str, at: Position | None = None, path: tuple[str | int, ...] = ()) -> Problem:
    line, column = (at.line, at.column) if at is not None else (None, None)
    return Problem(at.file if at is not None else file, line, column, format_path(path), message)


def _yaml_files_in(folder: str) -> list[str]:
    """The YAML files directly in ``folder``, sorted by name: every name but sub-folders and broken links.

    A pipe, device or socket with a YAML name is kept, for reading to refuse it by name.
    """
    names = sorted(n for n in os.listdir(folder) if n.endswith(YAML_SUFFIXES))
    paths = (os.path.join(folder, n) for n in names)
    return [p for p in paths if os.path.exists(p) and not os.path.isdir(p)]


def _line_and_column(raw: bytes, offset: int) -> tuple[int, int]:
    line_start = raw.rfind(b"\n", 0, offset) + 1
    return raw.count(b"\n", 0, offset) + 1, offset - line_start + 1


class _ReadError(Exception):
    """A file could not be read as text; carries the problem."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


class _NotRegular(Exception):
    """The path is not a regular file; carries what it is, in words."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


def _kind_of(mode: int) -> str | None:
    """What a file that is not a regular file is, in words; ``None`` for a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "a special file"


def _read_bytes(name: str) -> tuple[bytes, int]:
    """At most :data:`MAX_FILE_BYTES` + 1 bytes of the regular file ``name``, and its size.

    Raises :class:`_NotRegular` before opening anything else, and again if the file was swapped
    for something else between the check and the opening (the opening never waits).
    """
    kind = _kind_of(os.stat(name).st_mode)
    if kind is not None:
        raise _NotRegular(kind)
    handle = os.open(name, _OPEN_FLAGS)
    try:
        info = os.fstat(handle)
        kind = _kind_of(info.st_mode)
        if kind is not None:
            raise _NotRegular(kind)
        chunks: list[bytes] = []
        left = MAX_FILE_BYTES + 1
        while left > 0:
            chunk = os.read(handle, min(left, _CHUNK))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks), info.st_size
    finally:
        os.close(handle)


def _decode(name: str, raw: bytes, size: int) -> str:
    """A file's UTF-8 text, refusing files over :data:`MAX_FILE_BYTES`."""
    if len(raw) > MAX_FILE_BYTES:
        raise _ReadError(_problem(name, oversize_message(max(size, len(raw)))))
    raw = raw.removeprefix(codecs.BOM_UTF8)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line, column = _line_and_column(raw, error.start)
        message = f"the file is not UTF-8 text (byte 0x{raw[error.start]:02x} cannot be read); save it as UTF-8"
        raise _ReadError(Problem(name, line, column, "", message)) from None


def _not_regular(name: str, kind: str, at: Position | None) -> Problem:
    if at is None:
        message = f"{name!r} is {kind}, not a regular file; a pack reads only regular YAML files"
        return _problem(name, message)
    message = f"include {name!r} is {kind}, not a regular file; include only regular YAML files and folders"
    return _problem(at.file, message, at, (_INCLUDE,))


class _Stop(Exception):
    """A pack limit is passed; the problem saying so is already recorded, and reading stops."""


class _PackReader:
    """Reads files in pack order, following includes, collecting problems, within the pack's limits."""

    def __init__(self) -> None:
        self.files: list[_File] = []
        self.problems: list[Problem] = []
        self._seen: set[str] = set()
        self._budget = WorkBudget()
        self._bytes = 0

    def add_path(self, path: PackPath) -> _Root:
        """Read a file or a folder named by the caller; return its pack folder."""
        name = os.fspath(path)
        if os.path.isdir(name):
            root = _Root.of(name)
            self._add_folder(name, root, None)
            return root
        root = _Root.of(os.path.dirname(name) or os.curdir)
        if os.path.exists(name):
            self._add_file(name, root, None)
        else:
            self.problems.append(_problem(name, "no such file or folder"))
        return root

    def _add_folder(self, folder: str, root: _Root, at: Position | None) -> None:
        try:
            names = _yaml_files_in(folder)
        except OSError as error:
            self.problems.append(_problem(folder, f"could not read the folder: {error.strerror or error}", at))
            return
        if not names:
            self.problems.append(_problem(folder, "no YAML files (*.yaml or *.yml) in this folder", at))
        for name in names:
            if root.holds(name):
                self._add_file(name, root, None)
            else:
                message = f"{name!r} is a link that leaves the pack folder {root.name!r}; keep pack files inside it"
                self.problems.append(_problem(name, message))

    def _add_file(self, name: str, root: _Root, at: Position | None) -> None:
        real = os.path.realpath(name)
        if real in self._seen:
            return
        self._seen.add(real)
        self._check_start(name, at)
        parsed = self._parse(name, at)
        if parsed is None:
            return
        data, source_map = parsed
        includes = data.pop(_INCLUDE, None)
        self.files.append(_File(name, data, source_map))
        for entry, path in _include_entries(includes, source_map, self.problems):
            self._include(entry, source_map.find(path), name, root)

    def _stop(self, name: str, message: str, at: Position | None) -> NoReturn:
        self.problems.append(_problem(name, message, at, (_INCLUDE,) if at is not None else ()))
        raise _Stop

    def _check_start(self, name: str, at: Position | None) -> None:
        """Stop before reading one file too many, or once the pack's time is up."""
        limit = pack_limits.MAX_PACK_FILES
        if len(self._seen) > limit:
            message = (
                f"the pack reads more than {limit:,} files, the limit per pack; reading stopped at {name!r}. "
                "Merge small files, or split the fest into several packs"
            )
            self._stop(at.file if at is not None else name, message, at)
        if self._budget.out_of_time():
            self._stop(name, self._budget.out_of_time_message(), None)

    def _count_bytes(self, name: str, size: int) -> None:
        self._bytes += size
        limit = pack_limits.MAX_PACK_BYTES
        if self._bytes > limit:
            message = (
                f"with this file the pack's files add up to {self._bytes:,} bytes, more than the limit of "
                f"{limit:,} per pack; reading stopped here. Remove long comments and unused files, or split "
                "the fest into several packs"
            )
            self._stop(name, message, None)

    def _read_text(self, name: str, at: Position | None) -> str:
        try:
            raw, size = _read_bytes(name)
        except _NotRegular as error:
            raise _ReadError(_not_regular(name, error.kind, at)) from None
        except OSError as error:
            raise _ReadError(_problem(name, f"could not read the file: {error.strerror or error}")) from None
        self._count_bytes(name, len(raw))
        return _decode(name, raw, size)

    def _parse(self, name: str, at: Position | None) -> tuple[dict[str, object], SourceMap] | None:
        """The file's top-level mapping and source map, or ``None`` after recording the problems."""
        try:
            data, source_map = parse_yaml(self._read_text(name, at), file=name, budget=self._budget)
        except _ReadError as error:
            self.problems.append(error.problem)
            return None
        except FestValidationError as error:
            self.problems.extend(error.problems)
            if self._budget.nodes > self._budget.max_nodes or self._budget.out_of_time():
                raise _Stop from None  # the parser said which limit; no other file can be read
            return None
        if data is None:  # an empty file, or one with only comments
            return {}, source_map
        if not isinstance(data, dict):
            kind = "a list" if isinstance(data, list) else f"the single value {data!r}"
            message = f"the top level of a fest file must be a mapping of keys (fest:, missions:, …), not {kind}"
            self.problems.append(_problem(name, message, source_map.find(())))
            return None
        return data, source_map

    def _include(self, entry: str, at: Position, including: str, root: _Root) -> None:
        if os.path.isabs(entry):
            message = f"include {entry!r} leaves the pack folder (an absolute path); keep included files inside it"
            self.problems.append(_problem(including, message, at, (_INCLUDE,)))
            return
        target = os.path.normpath(os.path.join(os.path.dirname(including), entry))
        if not root.holds(target):
            message = f"include {entry!r} leaves the pack folder {root.name!r}; keep included files inside it"
            self.problems.append(_problem(including, message, at, (_INCLUDE,)))
        elif os.path.isdir(target):
            self._add_folder(target, root, at)
        elif os.path.exists(target):
            self._add_file(target, root, at)
        else:
            message = f"included file {entry!r} does not exist (looked for {target})"
            self.problems.append(_problem(including, message, at, (_INCLUDE,)))


def _include_entries(
    includes: object, source_map: SourceMap, problems: list[Problem]
) -> Iterator[tuple[str, tuple[str | int, ...]]]:
    """The file names of an ``include`` value with their paths; reports entries that are not text."""
    if includes is None:
        return
    if isinstance(includes, str):
        yield includes, (_INCLUDE,)
        return
    if not isinstance(includes, list):
        at = source_map.find((_INCLUDE,))
        problems.append(_problem(at.file, "include must be a file or folder name, or a list of them", at, (_INCLUDE,)))
        return
    for index, entry in enumerate(includes):
        if isinstance(entry, str):
            yield entry, (_INCLUDE, index)
        else:
            at = source_map.find((_INCLUDE, index))
            message = f"include entries must be file names, not {entry!r}"
            problems.append(_problem(at.file, message, at, (_INCLUDE, index)))


def _merge(files: Sequence[_File], problems: list[Problem]) -> tuple[dict[str, object], SourceMap]:
    """One top level from many: lists concatenated, everything else defined once."""
    data: dict[str, object] = {}
    first_at: dict[str, Position] = {}
    source_map = SourceMap(files[0].name if files else "")
    for file in files:
        offsets: dict[str, int] = {}
        for key, value in file.data.items():
            here = file.source_map.find_key((key,))
            earlier = data.get(key)
            if key not in data:
                data[key] = list(value) if isinstance(value, list) else value
                first_at[key] = here
            elif isinstance(earlier, list) and isinstance(value, list):
                offsets[key] = len(earlier)
                earlier.extend(value)
            else:
                problems.append(_defined_twice(key, first_at[key], here))
        source_map.merge(file.source_map, offsets=offsets)
    return data, source_map


def _defined_twice(key: str, first: Position, here: Position) -> Problem:
    message = (
        f"top-level key {key!r} is defined in both {first.file} (line {first.line}) and "
        f"{here.file} (line {here.line}); define it in one file only"
    )
    return _problem(here.file, message, here, (key,))


def _as_paths(paths: PackPath | Sequence[PackPath]) -> list[PackPath]:
    if isinstance(paths, str | os.PathLike):
        return [paths]
    return list(paths)


def read_pack(paths: PackPath | Sequence[PackPath]) -> PackDocument:
    """Read a fest pack (a YAML file, a folder of them, or several) into one merged document.

    Raises :class:`~festengine.errors.FestValidationError` listing every problem in every file.
    """
    reader = _PackReader()
    try:
        roots = [reader.add_path(path) for path in _as_paths(paths)]
    except _Stop:
        raise FestValidationError(reader.problems) from None
    if not roots:
        raise FestValidationError([Problem("", None, None, "", "no fest pack given; name a YAML file or a folder")])
    data, source_map = _merge(reader.files, reader.problems)
    if reader.problems:
        raise FestValidationError(reader.problems)
    return PackDocument(data, source_map, tuple(f.name for f in reader.files), roots[0].name)
