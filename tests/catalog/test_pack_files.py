"""Reading fest packs from files and folders (festengine.catalog._pack)."""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path

import pytest

from festengine.catalog import _pack
from festengine.catalog._pack import read_pack
from festengine.catalog._yaml import MAX_FILE_BYTES
from festengine.errors import FestValidationError, Problem

FEST = "fest:\n  id: summer\n  name: Summer Fest\n"
ECONOMY = "economy:\n  coin_value: 0.0143\n"


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


# --- reading and merging ---------------------------------------------------------------------


def test_single_file(tmp_path: Path) -> None:
    """A single file is a pack; its folder is the root."""
    path = write(tmp_path, "fest.yaml", FEST + ECONOMY)
    document = read_pack(path)
    assert document.data == {
        "fest": {"id": "summer", "name": "Summer Fest"},
        "economy": {"coin_value": Decimal("0.0143")},
    }
    assert document.files == (str(path),)
    assert document.root == str(tmp_path)
    assert document.source_map.locate(("economy", "coin_value")) == (str(path), 5, 15)


def test_folder_reads_yaml_files_sorted_not_recursive(tmp_path: Path) -> None:
    """A folder's *.yaml and *.yml files are read sorted by name; other files and sub-folders are not."""
    write(tmp_path, "b_missions.yml", "missions:\n  - id: b1\n  - id: b2\n")
    write(tmp_path, "a_fest.yaml", FEST + "missions:\n  - id: a1\n")
    write(tmp_path, "notes.txt", "not: yaml")
    write(tmp_path, "sub/deeper.yaml", "missions:\n  - id: deep\n")
    document = read_pack(tmp_path)
    assert [m["id"] for m in document.data["missions"]] == ["a1", "b1", "b2"]  # type: ignore[attr-defined]
    assert document.files == (str(tmp_path / "a_fest.yaml"), str(tmp_path / "b_missions.yml"))
    assert document.root == str(tmp_path)


def test_merged_list_items_keep_their_source(tmp_path: Path) -> None:
    """Concatenated list items map to their own file and line in the merged source map."""
    a = write(tmp_path, "a.yaml", FEST + "missions:\n  - id: a1\n    target: 1\n")
    b = write(tmp_path, "b.yaml", "\nmissions:\n  - id: b1\n  - id: b2\n    target: 5\n")
    document = read_pack(tmp_path)
    source_map = document.source_map
    assert source_map.locate(("missions", 0, "target")) == (str(a), 6, 13)
    assert source_map.locate(("missions", 1)) == (str(b), 3, 5)
    assert source_map.locate(("missions", 2, "target")) == (str(b), 5, 13)
    assert source_map.locate_key(("missions", 2, "target")) == (str(b), 5, 5)
    assert source_map.locate(("missions", 2, "missing")) == (str(b), 4, 5)


def test_several_paths_are_one_pack(tmp_path: Path) -> None:
    """Several paths merge as one pack, in the order given."""
    one = write(tmp_path, "one/fest.yaml", FEST + "badges:\n  - id: x\n")
    two = write(tmp_path, "two/more.yaml", "badges:\n  - id: y\n")
    document = read_pack([two.parent, str(one)])
    assert document.data["badges"] == [{"id": "y"}, {"id": "x"}]
    assert document.files == (str(two), str(one))
    assert document.root == str(two.parent)


def test_empty_file_is_empty_mapping(tmp_path: Path) -> None:
    """A file with only comments adds nothing."""
    write(tmp_path, "a.yaml", FEST)
    write(tmp_path, "b.yaml", "# badges: later\n")
    assert read_pack(tmp_path).data == {"fest": {"id": "summer", "name": "Summer Fest"}}


def test_mapping_defined_twice(tmp_path: Path) -> None:
    """A top-level mapping in two files is a problem naming both files and lines."""
    a = write(tmp_path, "a.yaml", FEST)
    b = write(tmp_path, "b.yaml", "missions: []\n\nfest:\n  id: other\n")
    problem = only_problem(tmp_path)
    message = f"top-level key 'fest' is defined in both {a} (line 1) and {b} (line 3); define it in one file only"
    assert problem == Problem(str(b), 3, 1, "fest", message)


def test_scalar_or_mixed_defined_twice(tmp_path: Path) -> None:
    """A scalar twice, or a list in one file and a mapping in another, is a problem too."""
    write(tmp_path, "a.yaml", "version: 1\nmissions: []\n")
    b = write(tmp_path, "b.yaml", "version: 2\nmissions: {id: x}\n")
    problems = problems_of(tmp_path)
    assert [(p.file, p.line, p.path) for p in problems] == [(str(b), 1, "version"), (str(b), 2, "missions")]


def test_top_level_must_be_mapping(tmp_path: Path) -> None:
    """A file whose top level is a list is a problem."""
    path = write(tmp_path, "a.yaml", "\n- id: x\n")
    problem = only_problem(path)
    message = "the top level of a fest file must be a mapping of keys (fest:, missions:, …), not a list"
    assert problem == Problem(str(path), 2, 1, "", message)


def test_problems_of_all_files_are_reported(tmp_path: Path) -> None:
    """YAML problems in several files are all reported together."""
    a = write(tmp_path, "a.yaml", "a: 1\na: 2\n")
    b = write(tmp_path, "b.yaml", "b: [\n")
    problems = problems_of(tmp_path)
    assert [(p.file, p.line) for p in problems] == [(str(a), 2), (str(b), 2)]


# --- includes --------------------------------------------------------------------------------


def test_include_inside_the_pack(tmp_path: Path) -> None:
    """Includes load after the including file, relative to it; the include key is removed."""
    main = write(tmp_path, "fest.yaml", FEST + "include:\n  - parts/missions.yaml\nmissions:\n  - id: m1\n")
    part = write(tmp_path, "parts/missions.yaml", "include: [../more/extra.yaml]\nmissions:\n  - id: m2\n")
    extra = write(tmp_path, "more/extra.yaml", "missions:\n  - id: m3\n")
    document = read_pack(main)
    assert "include" not in document.data
    assert [m["id"] for m in document.data["missions"]] == ["m1", "m2", "m3"]  # type: ignore[attr-defined]
    assert document.files == (str(main), str(part), str(extra))
    assert document.source_map.locate(("missions", 2, "id")) == (str(extra), 2, 9)


def test_include_as_a_single_file_name_is_a_list_of_one(tmp_path: Path) -> None:
    """``include: parts/x.yaml`` (text) reads exactly as ``include: [parts/x.yaml]``."""
    as_text = write(tmp_path, "text.yaml", FEST + "include: parts/missions.yaml\n")
    as_list = write(tmp_path, "list.yaml", FEST + "include: [parts/missions.yaml]\n")
    write(tmp_path, "parts/missions.yaml", "missions:\n  - id: m1\n")
    assert read_pack(as_text).data == read_pack(as_list).data
    assert read_pack(as_text).data["missions"] == [{"id": "m1"}]


def test_include_as_single_name_and_folder(tmp_path: Path) -> None:
    """An include may be a single name, and may name a folder (its YAML files, sorted)."""
    main = write(tmp_path, "fest.yaml", FEST + "include: parts\n")
    write(tmp_path, "parts/b.yaml", "badges: [{id: b}]\n")
    write(tmp_path, "parts/a.yaml", "badges: [{id: a}]\n")
    assert read_pack(main).data["badges"] == [{"id": "a"}, {"id": "b"}]


def test_include_escaping_the_pack(tmp_path: Path) -> None:
    """An include outside the pack folder is a problem at the include entry."""
    write(tmp_path, "secret.yaml", "secret: 1\n")
    main = write(tmp_path, "pack/fest.yaml", FEST + "include:\n  - ok.yaml\n  - ../secret.yaml\n")
    write(tmp_path, "pack/ok.yaml", "badges: []\n")
    problem = only_problem(main.parent)
    message = f"include '../secret.yaml' leaves the pack folder {str(main.parent)!r}; keep included files inside it"
    assert problem == Problem(str(main), 6, 5, "include", message)


def test_absolute_include(tmp_path: Path) -> None:
    """An absolute include path is a problem, even one pointing inside the pack."""
    inside = write(tmp_path, "other.yaml", "badges: []\n")
    main = write(tmp_path, "fest.yaml", f"include: ['{inside}']\n")
    problem = only_problem(main)
    message = f"include {str(inside)!r} leaves the pack folder (an absolute path); keep included files inside it"
    assert problem == Problem(str(main), 1, 11, "include", message)


def test_include_through_escaping_symlink(tmp_path: Path) -> None:
    """A symbolic link that leads out of the pack folder is a problem, for includes and folder files."""
    outside = write(tmp_path, "outside/secret.yaml", "secret: 1\n")
    pack = tmp_path / "pack"
    write(pack, "fest.yaml", FEST + "include: [link.yaml]\n")
    try:
        os.symlink(outside, pack / "link.yaml")
    except OSError:  # pragma: no cover - platforms without symlinks
        pytest.skip("symbolic links are not available")
    problems = problems_of(pack)
    link = str(pack / "link.yaml")
    assert [p.message for p in problems] == [
        f"include 'link.yaml' leaves the pack folder {str(pack)!r}; keep included files inside it",
        f"{link!r} is a link that leaves the pack folder {str(pack)!r}; keep pack files inside it",
    ]


def test_missing_include(tmp_path: Path) -> None:
    """A missing include is a problem at the line of its entry."""
    main = write(tmp_path, "fest.yaml", FEST + "include:\n  - gone.yaml\n")
    problem = only_problem(main)
    message = f"included file 'gone.yaml' does not exist (looked for {tmp_path / 'gone.yaml'})"
    assert problem == Problem(str(main), 5, 5, "include", message)


def test_include_cycle_and_repeats_read_once(tmp_path: Path) -> None:
    """Include cycles are harmless and a file included twice is read once."""
    a = write(tmp_path, "a.yaml", "include: [b.yaml, c.yaml]\nmissions: [{id: a}]\n")
    b = write(tmp_path, "b.yaml", "include: [a.yaml, c.yaml]\nmissions: [{id: b}]\n")
    c = write(tmp_path, "c.yaml", "include: [./b.yaml]\nmissions: [{id: c}]\n")
    document = read_pack(tmp_path)
    assert document.data["missions"] == [{"id": "a"}, {"id": "b"}, {"id": "c"}]
    assert document.files == (str(a), str(b), str(c))


def test_include_must_list_names(tmp_path: Path) -> None:
    """An include that is not a list of names is a problem."""
    main = write(tmp_path, "a.yaml", "include: {x: 1}\n")
    assert only_problem(main) == Problem(
        str(main), 1, 10, "include", "include must be a file or folder name, or a list of them"
    )
    other = write(tmp_path, "b.yaml", "include:\n  - 3\n")
    message = "include entries must be file names, not 3"
    assert only_problem(other) == Problem(str(other), 2, 5, "include[0]", message)


# --- files that cannot be read ---------------------------------------------------------------


def test_empty_folder(tmp_path: Path) -> None:
    """A folder without YAML files is a problem without a line."""
    write(tmp_path, "readme.txt", "hello")
    problem = only_problem(tmp_path)
    assert problem == Problem(str(tmp_path), None, None, "", "no YAML files (*.yaml or *.yml) in this folder")


def test_no_such_path(tmp_path: Path) -> None:
    """A path that does not exist is a problem."""
    missing = tmp_path / "nope.yaml"
    assert only_problem(missing) == Problem(str(missing), None, None, "", "no such file or folder")


def test_no_paths() -> None:
    """An empty list of paths is a problem."""
    problem = only_problem([])
    assert problem.message == "no fest pack given; name a YAML file or a folder"


def test_not_utf8(tmp_path: Path) -> None:
    """A file that is not UTF-8 is a problem at the bad byte."""
    path = tmp_path / "a.yaml"
    path.write_bytes(b"fest:\n  name: caf\xe9\n")
    problem = only_problem(path)
    message = "the file is not UTF-8 text (byte 0xe9 cannot be read); save it as UTF-8"
    assert problem == Problem(str(path), 2, 12, "", message)


def test_byte_order_mark_is_fine(tmp_path: Path) -> None:
    """A UTF-8 byte order mark is skipped."""
    path = tmp_path / "a.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + FEST.encode())
    assert read_pack(path).data == {"fest": {"id": "summer", "name": "Summer Fest"}}


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An OS error while reading is a problem, not an exception."""
    path = write(tmp_path, "a.yaml", FEST)

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(_pack.os, "open", refuse)
    assert only_problem(path) == Problem(str(path), None, None, "", "could not read the file: Permission denied")


def test_oversize_file(tmp_path: Path) -> None:
    """A file over the size limit is refused before it is parsed."""
    path = tmp_path / "big.yaml"
    path.write_bytes(b"a: " + b"[" * MAX_FILE_BYTES)
    problem = only_problem(path)
    size = MAX_FILE_BYTES + 3
    message = f"the file is {size:,} bytes, more than the limit of {MAX_FILE_BYTES:,}; split it into several files"
    assert problem == Problem(str(path), None, None, "", message)
