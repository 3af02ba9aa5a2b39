"""The FastAPI app: JSON API under ``/api``, server-rendered pages elsewhere, htmx as a static file.

Examples
--------
>>> from neuroprotect.web.app import create_app  # doctest: +SKIP
>>> app = create_app(WebSettings.from_env(database_url="sqlite:///lab.sqlite"))  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from neuroprotect import __version__
from neuroprotect.errors import InputError
from neuroprotect.store.engine import init_db, make_engine
from neuroprotect.web.deps import LoginRequired
from neuroprotect.web.routers import (
    api_audit,
    api_runs,
    api_session,
    api_studies,
    pages_audit,
    pages_design,
    pages_literature,
    pages_session,
    pages_studies,
)
from neuroprotect.web.settings import WebSettings
from neuroprotect.web.templating import render
from neuroprotect.web.worker import Worker

STATIC_DIR = Path(__file__).resolve().parent / "static"


def create_app(settings: WebSettings, *, poll: timedelta = timedelta(seconds=1)) -> FastAPI:
    """The app for ``settings``; the job worker runs while the app does (unless switched off)."""
    engine = make_engine(settings.database_url)
    init_db(engine)
    settings.data_dir.mkdir(parents=True, exist_ok=True)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        count = max(1, settings.job_workers) if settings.start_worker else 0
        workers = [Worker(engine, settings, poll=poll) for _ in range(count)]
        for worker in workers:
            worker.start()
        try:
            yield
        finally:
            for worker in workers:
                worker.stop()
            engine.dispose()

    app = FastAPI(
        title="neuroprotect",
        version=__version__,
        description="Studies, uploads, runs and reports of the neuroprotect workbench. "
        "Log in with POST /api/session, then send the returned csrf_token as X-CSRF-Token "
        "on every POST, PUT, PATCH or DELETE.",
        lifespan=lifespan,
        # Swagger UI and ReDoc load their scripts from a CDN: the lab server may be offline, and
        # the pages promise no CDN. The schema itself is served at /openapi.json.
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    for module in (api_session, api_studies, api_runs, api_audit):
        app.include_router(module.router)
    for module in (
        pages_session,
        pages_design,
        pages_literature,
        pages_studies,
        pages_audit,
    ):  # /studies/draft first
        app.include_router(module.router, include_in_schema=False)

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, exc: LoginRequired) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": "Log in first (POST /api/session)"}, status_code=401)
        target = quote(request.url.path)
        return RedirectResponse(f"/login?next={target}", status_code=303)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if request.url.path.startswith("/api/"):
            return await http_exception_handler(request, exc)
        heading = {403: "Not allowed", 404: "Not found"}.get(exc.status_code, "Error")
        return render(
            request,
            "error.html",
            getattr(request.state, "login", None),
            status_code=exc.status_code,
            status=exc.status_code,
            heading=heading,
            message=exc.detail,
        )

    @app.exception_handler(InputError)
    async def input_error(request: Request, exc: InputError) -> Response:
        return JSONResponse({"detail": exc.one_line()}, status_code=422)

    @app.middleware("http")
    async def limits_and_headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        length = request.headers.get("content-length")
        if length and length.isdigit() and int(length) > settings.max_upload_bytes:
            return JSONResponse(
                {"detail": f"Expected an upload of at most {settings.max_upload_bytes} bytes"},
                status_code=413,
            )
        response = await call_next(request)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        return response

    return app
