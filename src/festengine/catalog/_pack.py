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
also through symbolic links. Every problem, in every file, is reported together.
"""

from __future__ import annotations

import codecs
import os
from collections.abc import Iterator, Sequence

import attrs

from festengine.catalog._yaml import MAX_FILE_BYTES, Position, SourceMap, format_path, oversize_message, parse_yaml
from festengine.errors import FestValidationError, Problem

__all__ = ["YAML_SUFFIXES", "PackDocument", "PackPath", "read_pack"]

PackPath = str | os.PathLike[str]
"""A file or folder of a pack."""

YAML_SUFFIXES = (".yaml", ".yml")
"""The file name endings read from a pack folder."""

_INCLUDE = "include"


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
    """The YAML files directly in ``folder``, sorted by name."""
    names = sorted(n for n in os.listdir(folder) if n.endswith(YAML_SUFFIXES))
    return [os.path.join(folder, n) for n in names if os.path.isfile(os.path.join(folder, n))]


def _line_and_column(raw: bytes, offset: int) -> tuple[int, int]:
    line_start = raw.rfind(b"\n", 0, offset) + 1
    return raw.count(b"\n", 0, offset) + 1, offset - line_start + 1


class _ReadError(Exception):
    """A file could not be read as text; carries the problem."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def _read_text(name: str) -> str:
    """A file's UTF-8 text, refusing files over :data:`MAX_FILE_BYTES` before reading them whole."""
    try:
        with open(name, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            raw = handle.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        raise _ReadError(_problem(name, f"could not read the file: {error.strerror or error}")) from None
    if len(raw) > MAX_FILE_BYTES:
        raise _ReadError(_problem(name, oversize_message(max(size, len(raw)))))
    raw = raw.removeprefix(codecs.BOM_UTF8)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line, column = _line_and_column(raw, error.start)
        message = f"the file is not UTF-8 text (byte 0x{raw[error.start]:02x} cannot be read); save it as UTF-8"
        raise _ReadError(Problem(name, line, column, "", message)) from None


class _PackReader:
    """Reads files in pack order, following includes, collecting problems."""

    def __init__(self) -> None:
        self.files: list[_File] = []
        self.problems: list[Problem] = []
        self._seen: set[str] = set()

    def add_path(self, path: PackPath) -> _Root:
        """Read a file or a folder named by the caller; return its pack folder."""
        name = os.fspath(path)
        if os.path.isdir(name):
            root = _Root.of(name)
            self._add_folder(name, root, None)
            return root
        root = _Root.of(os.path.dirname(name) or os.curdir)
        if os.path.exists(name):
            self._add_file(name, root)
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
                self._add_file(name, root)
            else:
                message = f"{name!r} is a link that leaves the pack folder {root.name!r}; keep pack files inside it"
                self.problems.append(_problem(name, message))

    def _add_file(self, name: str, root: _Root) -> None:
        real = os.path.realpath(name)
        if real in self._seen:
            return
        self._seen.add(real)
        parsed = self._parse(name)
        if parsed is None:
            return
        data, source_map = parsed
        includes = data.pop(_INCLUDE, None)
        self.files.append(_File(name, data, source_map))
        for entry, path in _include_entries(includes, source_map, self.problems):
            self._include(entry, source_map.find(path), name, root)

    def _parse(self, name: str) -> tuple[dict[str, object], SourceMap] | None:
        """The file's top-level mapping and source map, or ``None`` after recording the problems."""
        try:
            data, source_map = parse_yaml(_read_text(name), file=name)
        except _ReadError as error:
            self.problems.append(error.problem)
            return None
        except FestValidationError as error:
            self.problems.extend(error.problems)
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
            self._add_file(target, root)
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
        problems.append(_problem(at.file, "include must be a list of file names", at, (_INCLUDE,)))
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
    roots = [reader.add_path(path) for path in _as_paths(paths)]
    if not roots:
        raise FestValidationError([Problem("", None, None, "", "no fest pack given; name a YAML file or a folder")])
    data, source_map = _merge(reader.files, reader.problems)
    if reader.problems:
        raise FestValidationError(reader.problems)
    return PackDocument(data, source_map, tuple(f.name for f in reader.files), roots[0].name)
