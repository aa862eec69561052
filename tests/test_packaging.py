"""What users install: the wheel carries the bundled packs and the schema, and works on its own.

The wheel is built with hatchling's API into a temporary folder (about a second), then unpacked
and imported in a fresh interpreter ahead of the development checkout.
"""

from __future__ import annotations

import email
import os
import subprocess
import sys
import textwrap
import tomllib
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hatchling.builders.wheel import WheelBuilder
from packaging.requirements import Requirement

import festengine

ROOT = Path(__file__).resolve().parent.parent
DATA = "festengine/_data/"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Iterator[zipfile.ZipFile]:
    folder = tmp_path_factory.mktemp("wheel")
    (path,) = WheelBuilder(str(ROOT)).build(directory=str(folder), versions=["standard"])
    with zipfile.ZipFile(path) as archive:
        yield archive


def _shipped_in_checkout() -> dict[str, Path]:
    """Wheel name -> checkout file, for every file the wheel must carry under festengine/_data/."""
    files = {DATA + "docs/fest.schema.json": ROOT / "docs" / "fest.schema.json"}
    for path in sorted((ROOT / "missions").rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            files[DATA + path.relative_to(ROOT).as_posix()] = path
    return files


def test_wheel_carries_the_checkout_files_unchanged(wheel: zipfile.ZipFile) -> None:
    """The wheel's bundled packs and schema are the checkout's files, byte for byte, and nothing else."""
    expected = _shipped_in_checkout()
    assert sorted(name for name in wheel.namelist() if name.startswith(DATA)) == sorted(expected)
    for name, path in expected.items():
        assert wheel.read(name) == path.read_bytes(), f"{name} differs from {path}"


def test_wheel_carries_the_package_and_its_data(wheel: zipfile.ZipFile) -> None:
    """Every module, py.typed, the starter pack and the top-level pytest plugin module are in the wheel."""
    src = ROOT / "src"
    names = set(wheel.namelist())
    for path in (src / "festengine").rglob("*"):
        if path.is_file() and "__pycache__" not in path.parts:
            assert path.relative_to(src).as_posix() in names
    assert "festengine/py.typed" in names
    assert "festengine/catalog/starter_pack/fest.yaml" in names
    assert "_festengine_pytestplugin.py" in names


def test_wheel_metadata(wheel: zipfile.ZipFile) -> None:
    """The metadata has the one version, the declared dependencies, the testing extra and the URLs."""
    (name,) = [n for n in wheel.namelist() if n.endswith(".dist-info/METADATA")]
    metadata = email.message_from_bytes(wheel.read(name))
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert metadata["Version"] == festengine.__version__
    requires = {str(Requirement(r)).lower() for r in metadata.get_all("Requires-Dist", [])}
    for requirement in project["dependencies"]:
        assert str(Requirement(requirement)).lower() in requires
    for requirement in project["optional-dependencies"]["testing"]:
        assert str(Requirement(f'{requirement}; extra == "testing"')).lower() in requires
    assert "testing" in metadata.get_all("Provides-Extra", [])
    assert len(metadata.get_all("Project-URL", [])) == len(project["urls"])


def test_installed_wheel_loads_the_bundled_pack_by_name(wheel: zipfile.ZipFile, tmp_path: Path) -> None:
    """Unpacked alone (no checkout beside it), the wheel opens community-fest by name, prints the schema, inits."""
    site = tmp_path / "site"
    wheel.extractall(site)
    script = textwrap.dedent(f"""
        import io, festengine
        from festengine.cli import main
        assert festengine.__file__.startswith({str(site)!r}), festengine.__file__
        fest = festengine.load_fest("community-fest")
        out = io.StringIO()
        assert main(["schema"], out=out) == 0
        assert main(["init", {str(tmp_path / "pack")!r}], out=io.StringIO()) == 0
        print(fest.id, len(out.getvalue()), festengine.load_fest({str(tmp_path / "pack")!r}).id)
    """)
    env = {**os.environ, "PYTHONPATH": str(site)}
    result = subprocess.run(  # noqa: S603 - this interpreter, our own script
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False, env=env, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    schema_size = len((ROOT / "docs" / "fest.schema.json").read_text(encoding="utf-8"))
    assert result.stdout == f"community_fest_2026 {schema_size} my_fest\n"


def test_wheel_carries_the_dashboard_page_and_serves_it_from_the_package(
    wheel: zipfile.ZipFile, tmp_path: Path
) -> None:
    """The live dashboard's page and script are package data: in the wheel byte for byte, read by the
    service from the installed package, and they load nothing from outside (no http(s) URL, no CDN)."""
    static = ROOT / "src" / "festengine" / "store" / "static"
    for name in ("dashboard.html", "dashboard.js"):
        shipped = wheel.read(f"festengine/store/static/{name}")
        assert shipped == (static / name).read_bytes()
        assert b"http://" not in shipped
        assert b"https://" not in shipped
    site = tmp_path / "site"
    wheel.extractall(site)
    script = textwrap.dedent(f"""
        import festengine.store.http as http
        assert http.__file__.startswith({str(site)!r}), http.__file__
        page, code = http._static("dashboard.html"), http._static("dashboard.js")
        print('src="/dashboard/live/dashboard.js"' in page, 'fetch("/dashboard"' in code)
    """)
    env = {**os.environ, "PYTHONPATH": str(site)}
    result = subprocess.run(  # noqa: S603 - this interpreter, our own script
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False, env=env, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "True True\n"


def test_import_works_without_hypothesis() -> None:
    """Without hypothesis installed, festengine and festengine.testing import and load; only strategies need it."""
    script = textwrap.dedent("""
        import sys
        sys.modules["hypothesis"] = None  # as if it were not installed: importing it raises ImportError
        import festengine, festengine.testing, festengine.testing.scenario, festengine.cli
        festengine.load_fest("community-fest")
        try:
            import festengine.testing.strategies
        except ImportError as error:
            print(error)
    """)
    result = subprocess.run(  # noqa: S603 - this interpreter, our own script
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        'festengine.testing.strategies needs hypothesis; install it with pip install "festengine[testing]"\n'
    )
