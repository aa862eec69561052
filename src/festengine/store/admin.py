"""The admin endpoint: ``POST /admin/pack`` moves the served fest to a changed pack.

It exists only when the server is given a token (``FESTENGINE_ADMIN_TOKEN`` in the environment of
``festengine serve``; without it, or with it empty, the route is not there: 404). A request must send
``Authorization: Bearer <token>`` (else 401). The body is the whole new pack as one YAML (or JSON)
document. The answer:

* 200 ``{"applied": true, "changes": [...], "effects": [...], "outcomes": [...]}`` once the change is
  committed (``?dry_run=true``: the same without applying, ``"applied": false``);
* 409 ``{"detail": ..., "refusals": [...], "changes": [...]}`` when the change is refused (nothing changed);
* 422 ``{"detail": [problems]}`` when the body is not a valid pack; 413 when it is too large.
"""

# No ``from __future__ import annotations`` here: FastAPI reads the route's annotations at runtime,
# and ``Request`` is imported inside a function (FastAPI is an optional extra).

import hmac
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import attrs

from festengine.catalog.stored import StoredPack, load_pack
from festengine.engine.outcomes import outcome_to_dict
from festengine.engine.upgrade import UpgradePlan
from festengine.errors import FestValidationError, UpgradeRefusedError
from festengine.store.service import FestService

if TYPE_CHECKING:
    from fastapi import FastAPI

__all__ = [
    "ADMIN_TOKEN_ENV",
    "MAX_PACK_BYTES",
    "add_admin_routes",
    "admin_token_from",
    "change_pack",
    "environment_token",
]

#: The environment variable holding the admin token (unset or empty: no admin endpoint).
ADMIN_TOKEN_ENV: Final = "FESTENGINE_ADMIN_TOKEN"  # noqa: S105 - the name of a variable, not a secret
#: The largest pack body accepted.
MAX_PACK_BYTES: Final = 4 * 1024 * 1024


def admin_token_from(environ: Mapping[str, str]) -> str | None:
    """The admin token the environment sets, or ``None`` (the endpoint is off)."""
    token = environ.get(ADMIN_TOKEN_ENV, "")
    return token or None


def _authorized(header: str | None, token: str) -> bool:
    scheme, _, given = (header or "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())


def read_pack_body(body: bytes) -> StoredPack:
    """The pack a request body holds (one YAML or JSON document), checked like a pack on disk."""
    with tempfile.TemporaryDirectory(prefix="festengine-pack-") as folder:
        path = Path(folder) / "pack.yaml"
        path.write_bytes(body)
        return load_pack(path)


def _answer(plan: UpgradePlan) -> dict[str, Any]:
    return {
        "changes": [line for line in plan.lines() if not line.startswith("refused: ")],
        "effects": list(plan.effects),
    }


def change_pack(service: FestService, body: bytes, *, dry_run: bool) -> tuple[int, dict[str, Any]]:
    """Plan (and unless ``dry_run`` apply) the pack in ``body``: the status code and the JSON answer."""
    try:
        pack = read_pack_body(body)
    except FestValidationError as error:
        # the problems name the temporary file the body was read from: name the request body instead
        return 422, {"detail": [str(attrs.evolve(problem, file="request body")) for problem in error.problems]}
    with service.lock:
        store = service.store
        plan = store.engine.plan_upgrade(pack.fest)
        if plan.refused:
            return 409, {"detail": "the pack change is refused", "refusals": list(plan.refusals), **_answer(plan)}
        if dry_run:
            return 200, {"applied": False, **_answer(plan), "outcomes": []}
        try:
            step = store.upgrade(pack)
        except UpgradeRefusedError as error:
            return 409, {"detail": str(error), "refusals": list(error.refusals), **_answer(plan)}
    outcomes = [outcome_to_dict(outcome) for outcome in step.outcomes]
    return 200, {"applied": True, **_answer(plan), "outcomes": outcomes}


def add_admin_routes(app: "FastAPI", service: FestService, token: str) -> None:
    """Add ``POST /admin/pack``, answering only requests that carry ``token``."""
    from fastapi import Request
    from fastapi.responses import JSONResponse
    from starlette.concurrency import run_in_threadpool

    too_large = {"detail": f"the pack is larger than {MAX_PACK_BYTES} bytes"}

    @app.post("/admin/pack", summary="Move the running fest to a changed pack (admin token required)")
    async def post_pack(request: Request, dry_run: bool = False) -> Any:
        if not _authorized(request.headers.get("authorization"), token):
            detail = {"detail": "an admin token is required: Authorization: Bearer <token>"}
            return JSONResponse(status_code=401, content=detail, headers={"WWW-Authenticate": "Bearer"})
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_PACK_BYTES:
                return JSONResponse(status_code=413, content=too_large)
        status, answer = await run_in_threadpool(change_pack, service, bytes(body), dry_run=dry_run)
        return JSONResponse(status_code=status, content=answer)


def environment_token() -> str | None:
    """The admin token of this process's environment (read by the shell that builds the app)."""
    return admin_token_from(os.environ)
