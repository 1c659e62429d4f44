"""The HTTP application: JSON API under /api/v1 and the web UI at /."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import structlog
from fastapi import Depends, FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine
from starlette.datastructures import Headers, MutableHeaders

from . import __version__, bootstrap, deps, errors_http
from .archive import views as archive_views
from .calendar import views as calendar_views
from .cases import views as cases_views
from .commitments import views as commitments_views
from .core.clock import beijing_today
from .core.settings import settings
from .db.session import engine_for
from .evaluation import views as evaluation_views
from .evidence import views as evidence_views
from .governance import views as governance_views
from .inspections import views as inspections_views
from .jobs import DailyRefresher
from .listings import views as listings_views
from .logs import configure_logging
from .notifications import views as notifications_views
from .notifications.delivery import send_due
from .outbox import views as outbox_views
from .outbox.delivery import Deliverer
from .portal import views as portal_views
from .records import import_views as records_import_views
from .records import views as records_views
from .reference import views as reference_views
from .reference.framework import SystemStatus, validity_on
from .rules.identifiers import mask_text
from .standards.loader import load_parameters
from .subjects import views as subjects_views
from .supervision import views as supervision_views
from .users import views as users_views
from .users.tokens import resolve_token
from .web.page import staff_page

STATIC = Path(__file__).parent / "web" / "static"
log = structlog.get_logger("xinyong.http")


class AccessLog:
    """One line per response, 500s included (an unhandled error is logged as 500 before the error handler
    answers), and a `Server-Timing` header on each response; resident ID numbers in the path masked, the log is no
    copy of personal data (issue 12 item 5, item 9). A plain ASGI middleware: Starlette's BaseHTTPMiddleware
    (`@app.middleware("http")`, which this was) runs each request through a task group and memory streams, about
    a third of a trivial request's time in the server (issue 10 item 5)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        given = Headers(scope=scope).get("x-request-id")
        request_id = mask_text((given or uuid.uuid4().hex[:12])[:64])
        status = 500

        async def send_headed(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = MutableHeaders(scope=message)
                headers["X-Request-ID"] = request_id
                # the server's own time to the response's head (body rendered for JSON), as browsers' dev tools
                # and bench/bench_web.py read it (issue 11: pages under 300 ms server time); no detail beyond it
                headers["Server-Timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.1f}"
            await send(message)

        try:
            await self.app(scope, receive, send_headed)
        finally:
            log.info("request", request_id=request_id, method=scope["method"], path=mask_text(scope["path"]),
                     status=status, ms=round((time.perf_counter() - started) * 1000, 1))


def background_work(engine: Engine) -> list[DailyRefresher | Deliverer]:
    """What `xinyong serve` runs beside the requests, in exactly one process: the daily jobs (DailyRefresher) and
    delivery of the outbox and of notifications (Deliverer, 44号 Task 14). Not started yet."""
    return [DailyRefresher(engine), Deliverer(engine, also=[send_due])]


def worker_app() -> FastAPI:
    """The app of one of several uvicorn worker processes (`xinyong serve --workers N`, N > 1): requests only;
    the background work runs once, in the serving parent process (cli.cmd_serve)."""
    return create_app(refresh_daily=False)


def create_app(engine: Engine | None = None, refresh_daily: bool = False) -> FastAPI:
    """`refresh_daily`: keep the stored evaluations current across days while serving (xinyong serve)."""
    configure_logging()
    engine = engine or engine_for(settings().database_url)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # `xinyong serve`: the daily jobs, and delivery of the outbox and of notifications (44号 Task 14)
        workers = background_work(engine) if refresh_daily else []
        for worker in workers:
            worker.start()
        if workers:
            log.info("background_work_started", pid=os.getpid(), workers=1)
        yield
        for worker in workers:
            worker.stop()

    app = FastAPI(
        lifespan=lifespan,
        # Swagger UI and ReDoc load their scripts from a CDN, which intranet deployments cannot reach;
        # the OpenAPI document itself stays at /openapi.json.
        docs_url=None,
        redoc_url=None,
        title="xinyong 信用评价管理系统",
        version=__version__,
        description="北京市规划自然资源领域信用评价及分级分类监管 (京规自发〔2024〕122号). Every write needs "
                    "`Authorization: Bearer <token>`; errors name the field and the reason in Chinese and English.",
    )
    app.state.engine = engine
    app.state.resolve_token = resolve_token  # deps reads credentials through it
    assert bootstrap.unit_of_work  # the handler table is wired before the first request
    errors_http.install(app)
    for module in (reference_views, subjects_views, evaluation_views, records_views, records_import_views, listings_views, calendar_views, archive_views,
                   governance_views, users_views, evidence_views, cases_views, commitments_views,
                   notifications_views, outbox_views, supervision_views, inspections_views, portal_views):
        # subject_scope: a subject account reads only its own /subjects/{code}/… (122号 Art.2; issue 3 item 6)
        app.include_router(module.router, dependencies=[Depends(deps.reject_nul), Depends(deps.subject_scope)])
    errors_http.install_openapi(app)  # the error body, statuses and optional tokens as they really are (issue 12 item 9)
    app.add_middleware(errors_http.BodyLimit)  # issue 12 item 7: an oversized body is refused before it is parsed

    app.add_middleware(AccessLog)

    if STATIC.exists():
        app.mount("/static", StaticFiles(directory=STATIC), name="static")
        page = staff_page()  # the layout and every domain's partial, assembled once; a missing one stops here

        @app.get("/", include_in_schema=False)
        def index() -> HTMLResponse:
            return HTMLResponse(page, headers={"Cache-Control": "no-cache"})

    @app.get("/healthz", tags=["operations 运维"])
    async def healthz() -> dict[str, str]:  # async: no I/O, so no hop to the thread pool (issue 10 item 5)
        return {"status": "ok", "version": __version__}

    @app.get("/api/v1/status", response_model=SystemStatus, tags=["operations 运维"],
             summary="系统状态：今日、本办法有效期及到期提醒 (122号 Art.28, spec G1-14)")
    def status() -> SystemStatus:
        """For the operators and the web page: from six months before the last day in force the validity carries
        an `expiring` warning, after it a `lapsed` one (evaluations then carry the same warning)."""
        today = beijing_today()
        history = load_parameters()
        return SystemStatus(version=__version__, today=today,
                            validity=validity_on(history.value("measures_validity", today), today))

    return app
