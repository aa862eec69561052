"""The files festengine ships: bundled packs opened by name, and the JSON Schema as one shipped file."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest

import festengine
from festengine import FestValidationError
from festengine.catalog import shipped
from festengine.catalog.schema import fest_json_schema
from festengine.catalog.shipped import bundled_pack, bundled_packs, resolve_pack, shipped_schema_text
from festengine.catalog.starter import write_starter_pack

ROOT = Path(__file__).resolve().parents[2]
PACK = ROOT / "missions" / "community-fest"


def test_bundled_packs_are_the_folders_of_missions() -> None:
    """Every folder of the repository's missions/ is a bundled pack, by its folder name."""
    folders = sorted(p.name for p in (ROOT / "missions").iterdir() if p.is_dir() and not p.name.startswith((".", "_")))
    assert bundled_packs() == tuple(folders)
    assert "community-fest" in bundled_packs()


def test_load_fest_by_name_opens_the_bundled_pack() -> None:
    """load_fest("community-fest") compiles the same fest as the pack's folder, file for file."""
    by_name = festengine.load_fest("community-fest")
    by_path = festengine.load_fest(PACK)
    assert by_name.id == by_path.id == "community_fest_2026"
    assert sorted(by_name.missions) == sorted(by_path.missions)
    assert [Path(source).name for source in by_name.sources] == [Path(s).name for s in by_path.sources]
    for source in by_name.sources:
        assert Path(source).read_bytes() == (PACK / Path(source).name).read_bytes()


def test_unknown_name_lists_the_bundled_packs() -> None:
    """An unknown name is a FestValidationError that says did-you-mean and lists every bundled pack."""
    with pytest.raises(FestValidationError) as raised:
        festengine.load_fest("comunity-fest")
    (problem,) = raised.value.problems
    assert problem.file == "comunity-fest"
    assert problem.message == (
        "no such file or folder, and no bundled pack named 'comunity-fest' (did you mean 'community-fest'?); "
        f"bundled packs: {', '.join(bundled_packs())}"
    )


def test_unknown_names_in_a_list_are_reported_together() -> None:
    """Several paths with several unknown names: one error with a problem for each name."""
    with pytest.raises(FestValidationError) as raised:
        festengine.load_fest(["nope", "community-fest", "missing"])
    assert [problem.file for problem in raised.value.problems] == ["missing", "nope"]


def test_a_path_that_exists_wins_over_a_bundled_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A folder named like a bundled pack in the working directory is loaded, not the bundled pack."""
    write_starter_pack(tmp_path / "community-fest")
    monkeypatch.chdir(tmp_path)
    assert resolve_pack("community-fest") == "community-fest"
    assert festengine.load_fest("community-fest").id == "my_fest"


@pytest.mark.parametrize("path", ["./community-fest", "packs/community-fest", "community-fest.yaml", "x.yml"])
def test_a_missing_path_is_not_taken_for_a_name(path: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Text with a folder separator or a YAML suffix is a path: missing, it says so; no bundled lookup."""
    monkeypatch.chdir(tmp_path)
    assert resolve_pack(path) == path
    with pytest.raises(FestValidationError) as raised:
        festengine.load_fest(path)
    assert [problem.message for problem in raised.value.problems] == ["no such file or folder"]


def test_bundled_pack_folder() -> None:
    """bundled_pack(name) is a folder holding the pack's YAML files; an unknown name is refused."""
    folder = bundled_pack("community-fest")
    assert sorted(p.name for p in folder.glob("*.yaml")) == sorted(p.name for p in PACK.glob("*.yaml"))
    with pytest.raises(FestValidationError, match="bundled packs: community-fest"):
        bundled_pack("other")


def test_shipped_schema_is_generated_from_the_model() -> None:
    """The shipped schema file is exactly what `make schema` writes from the pack model (regenerate it, never edit)."""
    text = shipped_schema_text()
    assert json.loads(text) == fest_json_schema()
    assert text == json.dumps(fest_json_schema(), indent=2) + "\n"
    assert text == (ROOT / "docs" / "fest.schema.json").read_text(encoding="utf-8")


def test_bundled_pack_modelines_point_at_the_shipped_schema() -> None:
    """Each bundled YAML file starts with a modeline whose relative path reaches the shipped schema."""
    for name in bundled_packs():
        for file in sorted(bundled_pack(name).glob("*.yaml")):
            first = file.read_text(encoding="utf-8").splitlines()[0]
            prefix = "# yaml-language-server: $schema="
            assert first.startswith(prefix), file
            target = (file.parent / first.removeprefix(prefix)).resolve()
            assert target.read_text(encoding="utf-8") == shipped_schema_text(), file


def test_missing_shipped_files_are_a_festengine_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An installation without _data and outside a checkout says the files are missing and to reinstall."""
    package = tmp_path / "site-packages" / "festengine"
    package.mkdir(parents=True)
    monkeypatch.setattr(shipped, "resources", SimpleNamespace(files=lambda _name: package))
    with pytest.raises(shipped.ShippedFilesError, match=r"missing from .*festengine \(no _data folder\); reinstall"):
        festengine.load_fest("community-fest")
    with pytest.raises(festengine.FestEngineError, match="reinstall festengine"):
        shipped.shipped_schema_text()


def test_wheel_layout_is_read_from_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With a _data folder (as in the wheel), packs and schema are read from it, not from the checkout."""
    package = tmp_path / "festengine"
    (package / "_data" / "missions" / "tiny").mkdir(parents=True)
    (package / "_data" / "docs").mkdir()
    (package / "_data" / "docs" / "fest.schema.json").write_text("{}\n", encoding="utf-8")
    write_starter_pack(package / "_data" / "missions" / "tiny")
    monkeypatch.setattr(shipped, "resources", SimpleNamespace(files=lambda _name: package))
    assert shipped.bundled_packs() == ("tiny",)
    assert shipped.shipped_schema_text() == "{}\n"
    assert festengine.load_fest("tiny").id == "my_fest"
