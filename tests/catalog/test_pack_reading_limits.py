"""Reading a pack cannot be stalled: only regular files, and limits on files, bytes, values and time.

Each limit of :mod:`festengine.catalog.pack_limits` is lowered for the test (the bundled pack is far
below the real ones), and the refusal names the file, the place where it applies, and the limit.
"""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from festengine.catalog import _pack, pack_limits
from festengine.catalog._pack import read_pack
from festengine.catalog._yaml import parse_yaml
from festengine.catalog.pack_limits import WorkBudget
from festengine.errors import FestValidationError, Problem

FEST = "fest:\n  id: summer\n  name: Summer Fest\n"

needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes need a POSIX system")


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(paths: object) -> tuple[Problem, ...]:
    with pytest.raises(FestValidationError) as raised:
        read_pack(paths)  # type: ignore[arg-type]
    return raised.value.problems


def only_problem(paths: object) -> Problem:
    problems = problems_of(paths)
    assert len(problems) == 1, problems
    return problems[0]


def in_thread(paths: object) -> tuple[Problem, ...]:
    """The problems of reading ``paths``, failing (not hanging) if reading takes over 10 seconds."""
    found: list[tuple[Problem, ...]] = []
    worker = threading.Thread(target=lambda: found.append(problems_of(paths)), daemon=True)
    worker.start()
    worker.join(timeout=10)
    assert not worker.is_alive(), "reading the pack blocked"
    assert found, "reading the pack raised something other than FestValidationError"
    return found[0]


# --- only regular files ----------------------------------------------------------------------


@needs_fifo
def test_include_of_a_fifo_is_refused_without_waiting(tmp_path: Path) -> None:
    """An include naming a named pipe is a problem at the include line; the pipe is never opened."""
    os.mkfifo(tmp_path / "pipe.yaml")
    main = write(tmp_path, "main.yaml", FEST + "include:\n  - pipe.yaml\n")
    (problem,) = in_thread(main)
    pipe = str(tmp_path / "pipe.yaml")
    message = (
        f"include {pipe!r} is a named pipe (FIFO), not a regular file; include only regular YAML files and folders"
    )
    assert problem == Problem(str(main), 5, 5, "include", message)


@needs_fifo
def test_fifo_in_a_pack_folder_is_refused_by_name(tmp_path: Path) -> None:
    """A named pipe with a YAML name in the pack folder is reported, not read and not skipped silently."""
    write(tmp_path, "a.yaml", FEST)
    os.mkfifo(tmp_path / "b.yaml")
    (problem,) = in_thread(tmp_path)
    pipe = str(tmp_path / "b.yaml")
    message = f"{pipe!r} is a named pipe (FIFO), not a regular file; a pack reads only regular YAML files"
    assert problem == Problem(pipe, None, None, "", message)


@needs_fifo
def test_fifo_named_directly_is_refused(tmp_path: Path) -> None:
    """A named pipe given as the pack itself is refused without opening it."""
    os.mkfifo(tmp_path / "pack.yaml")
    (problem,) = in_thread(tmp_path / "pack.yaml")
    assert "is a named pipe (FIFO), not a regular file" in problem.message


@needs_fifo
def test_fifo_swapped_in_after_the_check_does_not_block(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """If a regular file becomes a pipe between the check and the opening, the opening does not wait."""
    regular = write(tmp_path, "regular.yaml", FEST)
    os.mkfifo(tmp_path / "pipe.yaml")
    real_stat = os.stat
    regular_info = real_stat(regular)

    def stat_says_regular(path: object, *args: object, **kwargs: object) -> os.stat_result:
        if os.fspath(path).endswith("pipe.yaml"):  # type: ignore[call-overload]
            return regular_info
        return real_stat(path, *args, **kwargs)  # type: ignore[call-overload,no-any-return]

    monkeypatch.setattr(_pack.os, "stat", stat_says_regular)
    (problem,) = in_thread(tmp_path / "pipe.yaml")
    assert "is a named pipe (FIFO), not a regular file" in problem.message


@pytest.mark.skipif(not hasattr(socket, "AF_UNIX"), reason="unix sockets need a POSIX system")
def test_include_of_a_socket_is_refused(tmp_path: Path) -> None:
    """An include naming a socket is refused as not a regular file."""
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(tmp_path / "s.yaml"))
        main = write(tmp_path, "main.yaml", FEST + "include: s.yaml\n")
        (problem,) = in_thread(main)
    assert problem.file == str(main)
    assert (problem.line, problem.column) == (4, 10)
    assert "is a socket, not a regular file" in problem.message


def test_device_is_refused(tmp_path: Path) -> None:
    """A device is refused before it is opened (here /dev/zero, which would never end)."""
    if not os.path.exists("/dev/zero"):
        pytest.skip("no /dev/zero on this system")
    (problem,) = in_thread("/dev/zero")
    assert problem.message == "'/dev/zero' is a device, not a regular file; a pack reads only regular YAML files"


def test_folder_where_a_file_is_read_is_refused(tmp_path: Path) -> None:
    """A folder reached where a file is read (a race with the folder check) is refused by name."""
    (tmp_path / "dir.yaml").mkdir()
    with pytest.raises(_pack._NotRegular, match="a folder"):
        _pack._read_bytes(str(tmp_path / "dir.yaml"))


# --- limits of a whole pack -----------------------------------------------------------------


@pytest.fixture
def small_limits(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Limits small enough to pass with a few lines: 3 files, 400 bytes, 40 values."""
    monkeypatch.setattr(pack_limits, "MAX_PACK_FILES", 3)
    monkeypatch.setattr(pack_limits, "MAX_PACK_BYTES", 400)
    monkeypatch.setattr(pack_limits, "MAX_PACK_NODES", 40)
    return


def test_too_many_files(tmp_path: Path, small_limits: None) -> None:
    """The file past the files limit is named, and reading stops before it."""
    for name in ("a", "b", "c", "d", "e"):
        write(tmp_path, f"{name}.yaml", f"{name}: 1\n")
    (problem,) = problems_of(tmp_path)
    message = (
        f"the pack reads more than 3 files, the limit per pack; reading stopped at {str(tmp_path / 'd.yaml')!r}. "
        "Merge small files, or split the fest into several packs"
    )
    assert problem == Problem(str(tmp_path / "d.yaml"), None, None, "", message)


def test_too_many_files_through_includes_points_at_the_include(tmp_path: Path, small_limits: None) -> None:
    """When an include brings the pack past the files limit, the problem points at that include."""
    line = "include: [parts/p1.yaml, parts/p2.yaml, parts/p3.yaml]"
    main = write(tmp_path, "main.yaml", line + "\n")
    for name in ("p1", "p2", "p3"):
        write(tmp_path / "parts", f"{name}.yaml", "x: 1\n")
    (problem,) = problems_of(main)
    assert problem.message.startswith("the pack reads more than 3 files, the limit per pack; reading stopped at")
    assert (problem.file, problem.line, problem.column, problem.path) == (
        str(main),
        1,
        line.index("parts/p3") + 1,
        "include",
    )


def test_too_many_bytes(tmp_path: Path, small_limits: None) -> None:
    """The file that brings the pack past the bytes limit is named with the total and the limit."""
    write(tmp_path, "a.yaml", "a: '" + "x" * 250 + "'\n")
    write(tmp_path, "b.yaml", "b: '" + "x" * 250 + "'\n")
    write(tmp_path, "c.yaml", "c: 1\n")
    (problem,) = problems_of(tmp_path)
    message = (
        "with this file the pack's files add up to 512 bytes, more than the limit of 400 per pack; reading "
        "stopped here. Remove long comments and unused files, or split the fest into several packs"
    )
    assert problem == Problem(str(tmp_path / "b.yaml"), None, None, "", message)


def test_too_many_values_over_several_files(tmp_path: Path, small_limits: None) -> None:
    """The values limit is shared by all files: the value past it is named, and no later file is read."""
    write(tmp_path, "a.yaml", "a: [" + ", ".join("1" for _ in range(30)) + "]\n")
    write(tmp_path, "b.yaml", "b: [" + ", ".join("2" for _ in range(30)) + "]\n")
    write(tmp_path, "c.yaml", "c: [oops\n")  # a syntax error never reached
    (problem,) = problems_of(tmp_path)
    message = (
        "the pack holds more than 40 values (every key's value, list item and alias copy, over all its files), "
        "the limit per pack; reading stopped here. Remove repeated or generated data, or split the fest into "
        "several packs"
    )
    # a.yaml: the mapping, the key, the list and 30 items = 33 values; b.yaml: 3 + 4 = 40, then its 5th item
    assert problem == Problem(str(tmp_path / "b.yaml"), 1, 17, "", message)


def test_alias_copies_count_as_values(tmp_path: Path, small_limits: None) -> None:
    """Values copied through aliases count against the values limit, like values written out."""
    path = write(tmp_path, "a.yaml", "base: &b [1, 2, 3, 4, 5]\ncopies: [*b, *b, *b, *b, *b, *b, *b]\n")
    (problem,) = problems_of(path)
    assert problem.message.startswith("the pack holds more than 40 values")
    # 17 values written (7 of them aliases), then 6 per copy: the 4th copy's 5th item is the 41st value
    assert (problem.file, problem.path) == (str(path), "copies[3][4]")


def test_out_of_time_before_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Once the pack's time is up, the next file is not read; the problem names it and the limit."""
    monkeypatch.setattr(pack_limits, "MAX_PACK_SECONDS", 0.0)
    path = write(tmp_path, "a.yaml", FEST)
    message = (
        "reading the pack took more than 0 seconds of processor time, the limit per pack; reading stopped here. "
        "Make the files smaller and simpler (fewer values, shorter lists)"
    )
    assert only_problem(path) == Problem(str(path), None, None, "", message)


def test_out_of_time_while_parsing_stops_at_a_place() -> None:
    """The parser looks at the clock while it works, and stops at the value it had reached."""
    ticks = iter([0.0] + [100.0] * 10)
    budget = WorkBudget(seconds=5, clock=lambda: next(ticks))
    text = "a: [" + ", ".join("1" for _ in range(1000)) + "]\n"
    with pytest.raises(FestValidationError) as raised:
        parse_yaml(text, file="f.yaml", budget=budget)
    (problem,) = raised.value.problems
    assert problem.message.startswith("reading the pack took more than 5 seconds of processor time, the limit per pack")
    assert (problem.file, problem.line) == ("f.yaml", 1)
    assert problem.column is not None
    assert problem.column < len(text)


def test_parse_yaml_alone_has_a_budget_of_its_own(small_limits: None) -> None:
    """Without a pack, one file gets a whole pack's values limit."""
    text = "a: [" + ", ".join("1" for _ in range(50)) + "]\n"
    with pytest.raises(FestValidationError) as raised:
        parse_yaml(text, file="f.yaml")
    assert raised.value.problems[0].message.startswith("the pack holds more than 40 values")


def test_bundled_pack_is_far_below_every_limit() -> None:
    """The documented headroom: the bundled pack uses under a tenth of each limit."""
    pack = Path(__file__).parents[2] / "missions" / "community-fest"
    document = read_pack(pack)
    size = sum(os.path.getsize(name) for name in document.files)
    assert len(document.files) * 10 < pack_limits.MAX_PACK_FILES
    assert size * 10 < pack_limits.MAX_PACK_BYTES
    assert len(document.source_map) * 10 < pack_limits.MAX_PACK_NODES
