"""The HTTP routes (FastAPI): a thin layer over :class:`~festengine.store.service.FestService`.

Routes translate requests into service calls and the service's refusals into status codes:
``BadRequestError`` → 422 (nothing changed), ``NotFoundError`` → 404, ``StoreError`` → 500 (the write
was rolled back). Wiring (fest, store, service, app, server) lives in :mod:`festengine.store.serving`.
"""

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import date, datetime
from importlib import resources
from typing import TYPE_CHECKING, Any, Final

from festengine.errors import FestEngineError, StoreError
from festengine.store.service import BadRequestError, FestService, NotFoundError

# No ``from __future__ import annotations`` here: FastAPI reads the routes' annotations at runtime,
# and ``Request`` is imported inside a function (FastAPI is an optional extra).

if TYPE_CHECKING:
    from fastapi import FastAPI

__all__ = ["MAX_BODY_BYTES", "create_app"]

#: The largest request body accepted (larger ones answer 413 before they are read whole).
MAX_BODY_BYTES: Final = 16 * 1024 * 1024

_EVENTS_BODY: Final[dict[str, Any]] = {
    "requestBody": {
        "required": True,
        "description": "One event (a JSON object), a JSON array of events, or JSON Lines (one event per line).",
        "content": {
            "application/json": {
                "schema": {"oneOf": [{"type": "object"}, {"type": "array", "items": {"type": "object"}}]}
            },
            "application/x-ndjson": {"schema": {"type": "string"}},
        },
    }
}


def _fastapi() -> Any:
    try:
        import fastapi
    except ImportError as error:
        raise FestEngineError('the HTTP service needs FastAPI and uvicorn: pip install "festengine[serve]"') from error
    return fastapi


def create_app(
    service: FestService, *, on_shutdown: Callable[[], None] | None = None, admin_token: str | None = None
) -> "FastAPI":
    """The FastAPI app over ``service``; ``on_shutdown`` runs when the server stops (e.g. closing the store).
    With ``admin_token``, ``POST /admin/pack`` changes the pack (see :mod:`festengine.store.admin`)."""
    fastapi = _fastapi()
    from fastapi.responses import JSONResponse

    @asynccontextmanager
    async def lifespan(_app: Any) -> AsyncIterator[None]:
        yield
        if on_shutdown is not None:
            on_shutdown()

    app: FastAPI = fastapi.FastAPI(
        title=f"festengine: {service.store.fest.id}",
        description="Events in, outcomes out; viewers' missions, badges, points, credits; boards, goals, promotions.",
        lifespan=lifespan,
    )

    @app.exception_handler(BadRequestError)
    async def bad_request(_request: Any, error: BadRequestError) -> Any:
        return JSONResponse(status_code=422, content={"detail": error.problems})

    @app.exception_handler(NotFoundError)
    async def not_found(_request: Any, error: NotFoundError) -> Any:
        return JSONResponse(status_code=404, content={"detail": str(error)})

    @app.exception_handler(StoreError)
    async def store_failed(_request: Any, error: StoreError) -> Any:
        return JSONResponse(status_code=500, content={"detail": str(error)})

    _event_routes(app, service)
    _viewer_routes(app, service)
    _fest_routes(app, service)
    if admin_token:
        from festengine.store.admin import add_admin_routes

        add_admin_routes(app, service, admin_token)
    _dashboard_routes(app, service)
    return app


def _event_routes(app: "FastAPI", service: FestService) -> None:
    from fastapi import Request
    from fastapi.responses import JSONResponse
    from starlette.concurrency import run_in_threadpool

    @app.post("/events", openapi_extra=_EVENTS_BODY, summary="Apply events; each event's outcomes, in order")
    async def post_events(request: Request) -> Any:
        declared = request.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
            return JSONResponse(status_code=413, content={"detail": f"the body is larger than {MAX_BODY_BYTES} bytes"})
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_BODY_BYTES:
                return JSONResponse(
                    status_code=413, content={"detail": f"the body is larger than {MAX_BODY_BYTES} bytes"}
                )
        return await run_in_threadpool(service.post_events, bytes(body))

    @app.get("/health", summary="The fest, the number of logged events and the fest clock")
    def health() -> Any:
        return service.health()


def _viewer_routes(app: "FastAPI", service: FestService) -> None:
    @app.get("/viewers/{user_id}/missions", summary="A viewer's missions with state and progress")
    def missions(user_id: str) -> Any:
        return service.missions(user_id)

    @app.get("/viewers/{user_id}/badges", summary="A viewer's badges: badge id to highest tier")
    def badges(user_id: str) -> Any:
        return service.badges(user_id)

    @app.get("/viewers/{user_id}/points", summary="A viewer's fest points")
    def points(user_id: str) -> Any:
        return service.points(user_id)

    @app.get("/viewers/{user_id}/credits", summary="A viewer's shopping credit balance")
    def credits(user_id: str) -> Any:
        return service.credits(user_id)


def _fest_routes(app: "FastAPI", service: FestService) -> None:
    @app.get("/leaderboards/{board_id}", summary="A board's top entries, or one entity's rank and neighbours")
    def leaderboard(
        board_id: str,
        around: str | None = None,
        scope_id: str | None = None,
        day: date | None = None,
        limit: int | None = None,
    ) -> Any:
        return service.leaderboard(board_id, around, scope_id, day, limit)

    @app.get("/community-goals/{goal_id}", summary="A community goal of one creator or stream (or all of them)")
    def community_goal(goal_id: str, subject_id: str | None = None) -> Any:
        return service.community_goal(goal_id, subject_id)

    @app.get("/promotions/active", summary="The promotions that apply to a viewer now (the fest clock) or at a time")
    def active_promotions(user_id: str, stream_id: str | None = None, at: datetime | None = None) -> Any:
        return service.active_promotions(user_id, stream_id, at)


def _static(name: str) -> str:
    """A file of the dashboard page, shipped in the package (``festengine/store/static``)."""
    return resources.files("festengine.store").joinpath("static", name).read_text(encoding="utf-8")


def _dashboard_routes(app: "FastAPI", service: FestService) -> None:
    from fastapi.responses import HTMLResponse, Response

    @app.get("/dashboard", summary="The live dashboard: fest, creators, streams, top gifters, spikes so far")
    def dashboard() -> Any:
        return service.dashboard()

    @app.get("/dashboard/creators/{creator_id}", summary="One creator's metrics per day and hour, spikes, audience")
    def dashboard_creator(creator_id: str) -> Any:
        return service.dashboard_creator(creator_id)

    @app.get("/dashboard/streams/{stream_id}", summary="One stream's metrics in total and per hour")
    def dashboard_stream(stream_id: str) -> Any:
        return service.dashboard_stream(stream_id)

    @app.get("/dashboard/best-streams", summary="The streams that did best (gpm, conversion, gifts_per_viewer)")
    def best(by: str = "gpm", limit: int = 10, min_views: int = 100) -> Any:
        return service.best_streams(by, limit, min_views)

    @app.get("/dashboard/live", response_class=HTMLResponse, summary="The dashboard page, updating live")
    def live_page() -> Any:
        return HTMLResponse(_static("dashboard.html"))

    @app.get("/dashboard/live/dashboard.js", summary="The dashboard page's script")
    def live_script() -> Any:
        return Response(_static("dashboard.js"), media_type="text/javascript")

    @app.get("/creators/fit", summary="Creators ranked by how well their audience matches a target")
    def creators_fit(
        region: str | None = None, age: str | None = None, category: str | None = None, min_sample: int = 5
    ) -> Any:
        return service.creator_fit(region, age, category, min_sample)

    @app.get("/creators/{creator_id}/audience", summary="A creator's audience: regions, ages, categories, repeat")
    def creator_audience(creator_id: str) -> Any:
        return service.creator_audience(creator_id)
