"""The JSON Schema of a fest pack (``festengine schema``), checked with the ``jsonschema`` library.

The schema is what editors use for completion and checking as designers type; it must be a valid
draft 2020-12 schema, accept the packs the loader accepts and refuse typos and wrong types.
"""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from test_catalog_packs import valid_packs, write_pack

from festengine import FestValidationError, load_fest
from festengine.catalog import spec
from festengine.catalog._pack import read_pack
from festengine.catalog._values import _DecimalKind
from festengine.catalog.schema import SCHEMA_ID, TITLE, fest_json_schema

ROOT = Path(__file__).resolve().parents[2]
PACK = ROOT / "missions" / "community-fest"


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(fest_json_schema())


def errors_of(validator: jsonschema.Draft202012Validator, document: Any) -> list[tuple[list[Any], str]]:
    """Each schema error as (path in the document, message), sorted by path."""
    errors = [(list(e.absolute_path), e.message) for e in validator.iter_errors(document)]
    return sorted(errors, key=lambda error: [str(part) for part in error[0]])


def test_schema_is_valid_draft_2020_12() -> None:
    """fest_json_schema() is a valid draft 2020-12 schema with an id, a title and the pack's sections."""
    schema = fest_json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == SCHEMA_ID
    assert jsonschema.validators.validator_for(schema) is jsonschema.Draft202012Validator
    assert {"fest", "economy", "missions", "journeys", "promotions", "commission", "include"} <= set(
        schema["properties"]
    )
    assert schema["additionalProperties"] is False
    assert schema["x-festengine-required"] == ["fest", "economy"]
    json.dumps(schema)  # plain JSON, nothing Python-only in it


def test_schema_durations_shown_as_authored() -> None:
    """Duration defaults read the way designers write them ('10m'), not ISO 8601 ('PT10M')."""
    fest_info = fest_json_schema()["$defs"]["FestInfoSpec"]["properties"]
    assert fest_info["allowed_lateness"]["default"] == "10m"
    assert "PT" not in json.dumps(fest_json_schema())


def test_bundled_pack_validates(validator: jsonschema.Draft202012Validator) -> None:
    """The bundled pack's merged document validates against the schema."""
    document = read_pack(PACK).data
    assert errors_of(validator, document) == []


def test_each_bundled_file_validates_alone(validator: jsonschema.Draft202012Validator) -> None:
    """Every file of the multi-file pack validates on its own (editors check one file at a time)."""
    files = sorted(PACK.glob("*.yaml"))
    assert len(files) >= 5
    for file in files:
        assert errors_of(validator, read_pack(file).data) == [], file.name


def test_broken_pack_does_not_validate(validator: jsonschema.Draft202012Validator, tmp_path: Path) -> None:
    """A pack with an unknown key and a value of the wrong type fails the schema at those places."""
    broken = tmp_path / "pack"
    broken.mkdir()
    for file in PACK.glob("*.yaml"):
        (broken / file.name).write_text(file.read_text(encoding="utf-8"), encoding="utf-8")
    missions = broken / "missions.yaml"
    text = missions.read_text(encoding="utf-8")
    text = text.replace("    counts: {event: fan_club_join}\n", "    countz: {event: fan_club_join}\n", 1)
    text = text.replace("    target: 900\n", "    target: [900]\n", 1)
    missions.write_text(text, encoding="utf-8")
    document = read_pack(broken).data
    errors = errors_of(validator, document)
    assert [path for path, _ in errors] == [["missions", 0], ["missions", 0], ["missions", 2, "target"]]
    assert {errors[0][1], errors[1][1]} == {
        "Additional properties are not allowed ('countz' was unexpected)",
        "'counts' is a required property",
    }
    assert "[900]" in errors[2][1]
    with pytest.raises(FestValidationError):  # the loader agrees
        load_fest(broken)


@pytest.mark.parametrize(
    ("path", "value", "where"),
    [
        pytest.param(["fest"], {"timezone": "UTC"}, ["fest"], id="missing-keys"),
        pytest.param(["economy", "currency"], "usd", ["economy", "currency"], id="currency-form"),
        pytest.param(["missions", 0, "id"], "Bad Id", ["missions", 0, "id"], id="id-form"),
        pytest.param(["missions", 0, "window"], {"kind": "daly"}, ["missions", 0, "window"], id="window-kind"),
        pytest.param(["missions", 0, "rewards", 0], {"badges": "x", "tier": "y"}, ["missions", 0, "rewards", 0],
                     id="reward-key"),
        pytest.param(["missions", 0, "claim"], {"mode": "manual", "within": -60}, ["missions", 0, "claim", "within"],
                     id="negative-duration"),
        pytest.param(["missions", 0, "target"], -3, ["missions", 0, "target"], id="negative-target"),
        pytest.param(["economy", "split", "creator"], 1.5, ["economy", "split", "creator"], id="rate"),
        pytest.param(["missions", 0, "target"], "five", ["missions", 0, "target"], id="target-as-word"),
        pytest.param(["economy", "coin_value", "app"], "abc", ["economy", "coin_value", "app"], id="coin-value-text"),
        pytest.param(["economy", "coin_value", "app"], "1e400", ["economy", "coin_value", "app"], id="exponent"),
        pytest.param(["economy", "budgets", 0, "amount"], "1,000.00", ["economy", "budgets", 0, "amount"],
                     id="thousands-separator"),
        pytest.param(["economy", "budgets", 0, "amount"], "5.1234567", ["economy", "budgets", 0, "amount"],
                     id="seven-decimals"),
        pytest.param(["missions", 0, "colour"], "red", ["missions", 0], id="unknown-key"),
        pytest.param(["missions", 0, "subject"], "viewers", ["missions", 0, "subject"], id="enum-value"),
        pytest.param(["economy", "gifts", 0, "coins"], -5, ["economy", "gifts", 0, "coins"], id="negative-coins"),
        pytest.param(["economy", "gifts", 0, "coins"], "5", ["economy", "gifts", 0, "coins"], id="whole-as-text"),
        pytest.param(["economy", "gifts", 0, "coins"], 10**8, ["economy", "gifts", 0, "coins"], id="too-many-coins"),
        pytest.param(["economy", "gifts", 0, "streakable"], "false", ["economy", "gifts", 0, "streakable"],
                     id="bool-as-text"),
        pytest.param(["economy", "gifts", 0, "streakable"], "no", ["economy", "gifts", 0, "streakable"],
                     id="bool-as-no"),
        pytest.param(["economy", "split", "creator"], "1.5", ["economy", "split", "creator"], id="rate-text"),
        pytest.param(["fest", "allowed_lateness"], "1.5h", ["fest", "allowed_lateness"], id="fraction-duration"),
        pytest.param(["fest", "allowed_lateness"], 10**10, ["fest", "allowed_lateness"], id="long-duration"),
        pytest.param(["missions", 0, "counts", "event"], "gifts", ["missions", 0, "counts", "event"],
                     id="unknown-event-type"),
        pytest.param(["missions", 0, "counts", "where"], {"colour": {"equals": "red"}},
                     ["missions", 0, "counts", "where"], id="unknown-event-field"),
        pytest.param(["missions", 0, "measure"], {"kind": "sum", "field": "gift_id"}, ["missions", 0, "measure"],
                     id="sum-of-text"),
        pytest.param(["promotions", 0, "discount"], {"percent": "0"}, ["promotions", 0, "discount", "percent"],
                     id="zero-percent"),
    ],
)  # fmt: skip
def test_schema_and_loader_refuse_the_same_mistakes(
    validator: jsonschema.Draft202012Validator, tmp_path: Path, path: list[Any], value: Any, where: list[Any]
) -> None:
    """A mistake in one place of the bundled pack fails both the schema (at that place) and the loader."""
    document = json.loads(json.dumps(read_pack(PACK).data, default=str))
    parent = document
    for part in path[:-1]:
        parent = parent[part]
    parent[path[-1]] = value
    paths = [error_path for error_path, _ in errors_of(validator, document)]
    assert paths, "the schema accepted the mistake"
    assert all(error_path[: len(where)] == where for error_path in paths), paths
    (tmp_path / "pack.yaml").write_text(json.dumps(document), encoding="utf-8")  # JSON is YAML
    with pytest.raises(FestValidationError):
        load_fest(tmp_path / "pack.yaml")


def test_include_may_be_one_file_name(validator: jsonschema.Draft202012Validator) -> None:
    """``include:`` as a single file name, which the loader accepts, is valid for the schema too."""
    assert errors_of(validator, {"include": "economy.yaml"}) == []
    assert errors_of(validator, {"include": ["economy.yaml", "parts/missions.yaml"]}) == []
    assert errors_of(validator, {"include": 5}) != []


def test_title_is_the_packs() -> None:
    """The schema's title names a fest pack (the model's own title, "FestSpec", does not replace it)."""
    assert fest_json_schema()["title"] == TITLE == "festengine fest pack"


def _properties(node: Any, where: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every property schema in the schema, with where it is."""
    if isinstance(node, dict):
        for name, value in (node.get("properties") or {}).items():
            yield f"{where}.{name}", value
        for key, value in node.items():
            yield from _properties(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _properties(value, f"{where}/{index}")


def test_every_property_has_a_description() -> None:
    """Editors show a description on hover for every key of a pack: none is left without one."""
    properties = list(_properties(fest_json_schema(), ""))
    assert len(properties) > 170
    missing = [where for where, value in properties if not value.get("description")]
    assert missing == []


_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_SEE = re.compile(r"[,;]? see (\[[^\]]*\]\([^)]*\)|below)")


def _key_tables(markdown: str) -> list[list[tuple[list[str], str]]]:
    """The ``| key | type | default | meaning |`` tables of a document: (keys of a row, its meaning)."""
    tables: list[list[tuple[list[str], str]]] = []
    rows: list[tuple[list[str], str]] | None = None
    for line in markdown.splitlines():
        if line.startswith("| key | type | default | meaning |"):
            rows = []
            tables.append(rows)
        elif rows is not None and line.startswith("|") and not line.startswith("|---"):
            cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
            meaning = _LINK.sub(r"\1", _SEE.sub("", cells[3])).replace("`", "")
            rows.append((re.findall(r"`([a-z_]+)`", cells[0]), meaning))
        elif not line.startswith("|"):
            rows = None
    return tables


def test_descriptions_are_the_words_of_the_authoring_guide() -> None:
    """Each key documented in a table of docs/authoring.md has that table's words as its description
    in the schema (markdown and "see …" links aside), so hover text and guide never disagree."""
    definitions = fest_json_schema()["$defs"]
    tables = _key_tables((ROOT / "docs" / "authoring.md").read_text(encoding="utf-8"))
    assert len(tables) >= 12
    for rows in tables:
        keys = {key for row_keys, _ in rows for key in row_keys}
        fits = [
            (len(set(definition["properties"]) - keys), name)
            for name, definition in definitions.items()
            if keys <= set(definition.get("properties", {}))
        ]
        assert fits, f"no model has the keys {sorted(keys)}"
        properties = definitions[min(fits)[1]]["properties"]
        for row_keys, meaning in rows:
            for key in row_keys:
                assert properties[key]["description"] == meaning, (min(fits)[1], key)


def test_shipped_schema_file_is_current() -> None:
    """docs/fest.schema.json (what the bundled pack's yaml-language-server comments point at) is up to date."""
    shipped = json.loads((ROOT / "docs" / "fest.schema.json").read_text(encoding="utf-8"))
    assert shipped == fest_json_schema()
    first_line = (PACK / "missions.yaml").read_text(encoding="utf-8").splitlines()[0]
    assert first_line == "# yaml-language-server: $schema=../../docs/fest.schema.json"


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.large_base_example])
@given(valid_packs())
def test_generated_valid_packs_validate(pack: dict[str, dict[str, Any]]) -> None:
    """Packs the loader accepts (generated, as in test_catalog_packs) also satisfy the schema."""
    validator = jsonschema.Draft202012Validator(fest_json_schema())
    with tempfile.TemporaryDirectory() as folder:
        write_pack(Path(folder), pack)
        document = read_pack(folder).data
    assert errors_of(validator, document) == []


_DECIMAL_KINDS = {
    name: kind for name, kind in vars(spec).items() if name.startswith("_") and isinstance(kind, _DecimalKind)
}
_NUMBER_TEXT = st.one_of(
    st.text(alphabet="0123456789.-+eE ,_", max_size=16),
    st.from_regex(r"-?[0-9]{1,14}(\.[0-9]{0,8})?", fullmatch=True),
    st.decimals(allow_nan=False, allow_infinity=False, places=7).map(str),
)


@settings(max_examples=300, deadline=None)
@given(name=st.sampled_from(sorted(_DECIMAL_KINDS)), text=_NUMBER_TEXT)
def test_decimal_text_accepted_by_schema_exactly_when_by_the_loader(name: str, text: str) -> None:
    """For every kind of decimal, the schema accepts a text exactly when the pack model does."""
    kind = _DECIMAL_KINDS[name]
    by_schema = jsonschema.Draft202012Validator(kind.json_schema()).is_valid(text)
    try:
        kind.read(text)
    except ValueError:
        by_model = False
    else:
        by_model = True
    assert by_schema == by_model


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet="0123456789dhms .\t", max_size=10).filter(lambda t: not re.search("[0-9]{5}", t)))
def test_duration_text_accepted_by_schema_exactly_when_by_the_loader(text: str) -> None:
    """A duration written as text (of numbers small enough to be in range) is valid for the schema
    exactly when the pack model reads it."""
    lateness = fest_json_schema()["$defs"]["FestInfoSpec"]["properties"]["allowed_lateness"]
    by_schema = jsonschema.Draft202012Validator(lateness).is_valid(text)
    try:
        spec.FestInfoSpec.model_validate(
            {"id": "f", "name": "F", "timezone": "UTC", "starts_at": "2026-01-01T00:00:00Z",
             "ends_at": "2026-02-01T00:00:00Z", "allowed_lateness": text}
        )  # fmt: skip
    except ValidationError:
        by_model = False
    else:
        by_model = True
    assert by_schema == by_model
