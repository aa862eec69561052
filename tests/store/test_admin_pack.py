"""``POST /admin/pack``: off without a token, 401 without the right one, 409 refused, 200 with the diff."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from store_fixtures import PACK, pack_fest, workload

from festengine.catalog.loader import load_spec
from festengine.events import dumps_event
from festengine.store import FestStore
from festengine.store.admin import ADMIN_TOKEN_ENV, admin_token_from
from festengine.store.service import FestService

pytest.importorskip("fastapi")
httpx = pytest.importorskip("httpx")
with warnings.catch_warnings():  # starlette asks for httpx2, which it does not need to run the app in process
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from festengine.store.http import create_app  # noqa: E402

TOKEN = "s3cret-admin"  # noqa: S105 - a test token
AUTH = {"authorization": f"Bearer {TOKEN}"}


def pack_body(**missions: dict[str, Any]) -> bytes:
    """The bundled pack as one JSON document, with some missions' fields changed."""
    spec, _document = load_spec(PACK)
    data = spec.model_dump(mode="json", exclude_none=True)
    for mission in data["missions"]:
        mission.update(missions.get(mission["id"], {}))
    return yaml.safe_dump(data).encode()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[FestStore]:
    with FestStore.open(tmp_path / "fest.db", pack_fest(), synchronous="NORMAL") as opened:
        opened.apply_batch(workload(300))
        yield opened


def client(store: FestStore, token: str | None = TOKEN) -> Any:
    return TestClient(create_app(FestService(store), admin_token=token))


def test_the_token_comes_from_the_environment_and_empty_means_off() -> None:
    assert admin_token_from({ADMIN_TOKEN_ENV: TOKEN}) == TOKEN
    assert admin_token_from({ADMIN_TOKEN_ENV: ""}) is None
    assert admin_token_from({}) is None


def test_without_a_token_the_endpoint_is_off(store: FestStore) -> None:
    response = client(store, token=None).post("/admin/pack", content=pack_body(), headers=AUTH)
    assert response.status_code == 404


@pytest.mark.parametrize("header", [None, "Bearer wrong", f"Basic {TOKEN}", TOKEN])
def test_a_request_without_the_token_is_unauthorized_and_changes_nothing(store: FestStore, header: str | None) -> None:
    before = store.engine.snapshot()
    headers = {} if header is None else {"authorization": header}
    response = client(store).post("/admin/pack", content=pack_body(), headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert store.engine.snapshot() == before


def test_a_pack_change_answers_with_the_diff_and_is_applied(store: FestStore) -> None:
    body = pack_body(daily_like_tapper={"target": 20})
    http = client(store)
    dry = http.post("/admin/pack?dry_run=true", content=body, headers=AUTH)
    assert dry.status_code == 200
    assert dry.json()["applied"] is False
    assert store.fest is pack_fest()
    response = http.post("/admin/pack", content=body, headers=AUTH)
    assert response.status_code == 200
    answer = response.json()
    assert answer["applied"] is True
    assert any(line.startswith("missions daily_like_tapper: target 100 → 20") for line in answer["changes"])
    assert any("complete now" in line for line in answer["effects"])
    assert store.fest.missions["daily_like_tapper"].target == 20
    assert len(store.pack_versions.upgrades) == 1
    assert http.post("/events", content=dumps_event(workload(310)[-1])).status_code == 200


def test_a_refused_change_is_409_with_the_reason_and_changes_nothing(store: FestStore) -> None:
    before = store.engine.snapshot()
    body = pack_body(daily_like_tapper={"window": {"kind": "weekly"}})
    response = client(store).post("/admin/pack", content=body, headers=AUTH)
    assert response.status_code == 409
    assert any("daily_like_tapper: window daily → weekly" in r for r in response.json()["refusals"])
    assert store.engine.snapshot() == before
    assert store.pack_versions.upgrades == []


def test_an_invalid_pack_is_422(store: FestStore) -> None:
    response = client(store).post("/admin/pack", content=b"fest: [1, 2", headers=AUTH)
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert detail
    assert all(problem.startswith("request body") for problem in detail), detail
    assert not any("festengine-pack-" in problem for problem in detail)


@pytest.mark.parametrize(("token", "status"), [(TOKEN, 401), ("", 404)])
def test_festengine_serve_reads_the_token_from_its_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, token: str, status: int
) -> None:
    from festengine.store.serving import build_app

    monkeypatch.setenv(ADMIN_TOKEN_ENV, token)
    with TestClient(build_app(PACK, tmp_path / "served.db")) as http:
        assert http.post("/admin/pack", content=b"{}").status_code == status
