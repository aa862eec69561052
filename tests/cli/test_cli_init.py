"""``festengine init``, ``festengine --version`` and ``festengine schema`` (the shipped file), run in-process."""

from __future__ import annotations

import importlib.metadata
import io
from pathlib import Path

import pytest

import festengine
from festengine.catalog.shipped import shipped_schema_text
from festengine.catalog.starter import SCHEMA_FILE, StarterPackError, write_starter_pack
from festengine.cli import main

STARTER_FILES = ["fest.schema.json", "fest.yaml", "missions.yaml"]


def cli(*args: str | Path) -> tuple[int, str]:
    """Run the command line in this process; (exit code, standard output)."""
    out = io.StringIO()
    code = main([str(arg) for arg in args], out=out)
    return code, out.getvalue()


def test_init_writes_a_starter_pack_that_validates_and_runs(tmp_path: Path) -> None:
    """init DIR writes the pack and the schema; the pack loads, and events complete its missions."""
    folder = tmp_path / "new" / "my-fest"
    code, output = cli("init", folder)
    assert code == 0
    assert sorted(p.name for p in folder.iterdir()) == STARTER_FILES
    assert output.splitlines() == [
        *(f"wrote {folder / name}" for name in ["fest.yaml", "missions.yaml", SCHEMA_FILE]),
        f"check it with: festengine validate {folder}",
    ]
    fest = festengine.load_fest(folder)
    assert sorted(fest.missions) == ["daily_check_in", "daily_likes", "fest_gifter"]
    engine = festengine.Engine(fest)
    stream = {"user_id": "u1", "creator_id": "c1", "stream_id": "s1"}
    events = [
        {"event_id": "e1", "type": "check_in", "occurred_at": "2027-06-15T09:00:00-04:00", "user_id": "u1"},
        {"event_id": "e2", "type": "like", "occurred_at": "2027-06-15T09:01:00-04:00", "count": 50, **stream},
        {"event_id": "e3", "type": "gift", "occurred_at": "2027-06-15T09:02:00-04:00", "gift_id": "panda",
         "count": 20, **stream},
    ]  # fmt: skip
    completed = [
        outcome.mission_id
        for event in events
        for outcome in engine.apply(festengine.parse_event(event)).outcomes
        if outcome.kind == "mission_completed"
    ]
    assert completed == ["daily_check_in", "daily_likes", "fest_gifter"]
    assert engine.points("u1") == 10 + 5 + 100


def test_init_files_carry_the_schema_modeline(tmp_path: Path) -> None:
    """Every YAML file written starts with the modeline for editors, pointing at the schema copy beside it."""
    write_starter_pack(tmp_path)
    for file in sorted(tmp_path.glob("*.yaml")):
        assert file.read_text(encoding="utf-8").splitlines()[0] == f"# yaml-language-server: $schema={SCHEMA_FILE}"
        assert file.read_text(encoding="utf-8").count("\n# ") >= 2, f"{file.name} has no comments"
    assert (tmp_path / SCHEMA_FILE).read_text(encoding="utf-8") == shipped_schema_text()


def test_init_refuses_a_non_empty_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """init into a folder holding anything exits 1, names the folder and --force, and writes nothing."""
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    code, output = cli("init", tmp_path)
    assert (code, output) == (1, "")
    assert capsys.readouterr().err == (
        f"festengine: {tmp_path} is not empty; choose an empty folder, or pass --force to overwrite\n"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_init_force_overwrites_only_its_own_files(tmp_path: Path) -> None:
    """init --force rewrites the starter files (undoing edits) and leaves the folder's other files alone."""
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    (tmp_path / "fest.yaml").write_text("edited", encoding="utf-8")
    code, _ = cli("init", "--force", tmp_path)
    assert code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*STARTER_FILES, "notes.txt"])
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "mine"
    assert festengine.load_fest(tmp_path).id == "my_fest"


def test_init_refuses_a_file(tmp_path: Path) -> None:
    """init naming an existing file is refused, with or without force, and the file is unchanged."""
    file = tmp_path / "pack"
    file.write_text("x", encoding="utf-8")
    with pytest.raises(StarterPackError, match="is a file; name a folder"):
        write_starter_pack(file, force=True)
    assert file.read_text(encoding="utf-8") == "x"


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    """--version prints the one version, which is also the installed distribution's version."""
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out == f"festengine {festengine.__version__}\n"
    assert importlib.metadata.version("festengine") == festengine.__version__


def test_schema_prints_the_shipped_file(tmp_path: Path) -> None:
    """schema prints the shipped schema file byte for byte; -o writes the same bytes."""
    assert cli("schema") == (0, shipped_schema_text())
    assert cli("schema", "-o", tmp_path / "s.json") == (0, "")
    assert (tmp_path / "s.json").read_text(encoding="utf-8") == shipped_schema_text()
