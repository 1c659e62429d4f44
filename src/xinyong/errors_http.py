"""Render every refusal as JSON naming the field and the reason in Chinese and English; never a bare 500."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from typing import Annotated, Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from fastapi.security import HTTPBearer
from pydantic import AfterValidator, BaseModel, BeforeValidator, Field, PlainSerializer, WithJsonSchema
from pydantic_core import PydanticCustomError
from sqlalchemy.exc import DataError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from .errors import DomainError
from .rules.identifiers import mask_text

log = structlog.get_logger("xinyong.http")


_ZH: dict[str, str] = {
    "missing": "缺少必填字段",
    "date_from_datetime_parsing": "日期格式错误，应为 YYYY-MM-DD",
    "date_parsing": "日期格式错误，应为 YYYY-MM-DD",
    "date_from_datetime_inexact": "日期不应包含时间",
    "date_type": "应为日期 YYYY-MM-DD",
    "literal_error": "取值不在允许范围内",
    "string_too_short": "不能为空",
    "string_too_long": "过长",
    "string_type": "应为文本",
    "extra_forbidden": "不允许的字段",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "list_type": "应为列表",
    "dict_type": "应为对象",
    "model_type": "应为对象",
    "json_invalid": "请求体不是合法的 JSON",
    "too_long": "条目过多",
    "greater_than_equal": "数值过小",
    "less_than_equal": "数值过大",
    "date_out_of_range": "日期超出允许范围",
}


# --- the one range of every date a client sends (issue 12 item 8) --------------------------------------------------
# From the founding of the People's Republic (no act, listing, grade or standard of this system is older; an act of
# 0001-01-01 or 1900-01-01 is a typo) to the end of 2099 (later than any deadline, listing end or effective date
# can sensibly be, and far from year 9999, past which the period arithmetic overflows: a 500). Business rules
# narrow it further (an act not after today, 122号 Art.8; a consultation of its own length, 122号 Art.12).
EARLIEST_DATE = date(1949, 10, 1)
LATEST_DATE = date(2099, 12, 31)
_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _iso_day(value: Any) -> Any:
    """A date is sent as YYYY-MM-DD only: not a timestamp (1700000000), not a datetime (2026-01-01T00:00)."""
    if isinstance(value, date) or (isinstance(value, str) and _ISO_DAY.fullmatch(value)):
        return value
    raise PydanticCustomError("date_parsing", "Input should be a valid date in the format YYYY-MM-DD")


def _in_range(day: date) -> date:
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise PydanticCustomError("date_out_of_range", "date must be between {earliest} and {latest}",
                                  {"earliest": EARLIEST_DATE.isoformat(), "latest": LATEST_DATE.isoformat()})
    return day


# the same range in the OpenAPI document: format date and this pattern (1949-10-01 … 2099-12-31)
_DAY_PATTERN = r"^(1949-1[0-2]|19[5-9][0-9]-[0-9]{2}|20[0-9]{2}-[0-9]{2})-[0-9]{2}$"
Day = Annotated[date, BeforeValidator(_iso_day), AfterValidator(_in_range),
                Field(json_schema_extra={"pattern": _DAY_PATTERN})]
"""A date sent by a client (body field or query parameter): 422 naming the field outside the range."""


# --- instants on the wire (issue 12 item 9) -------------------------------------------------------------------------
# Times are stored as naive Beijing wall-clock time (core.clock); on the wire they carry their offset, as RFC 3339
# `date-time` (the format the OpenAPI document declares) requires: 2026-03-10T09:30:00+08:00.
_BEIJING = timezone(timedelta(hours=8))


def _rfc3339(value: datetime) -> str:
    return (value if value.tzinfo is not None else value.replace(tzinfo=_BEIJING)).isoformat()


Instant = Annotated[datetime, PlainSerializer(_rfc3339, return_type=str, when_used="json"),
                    WithJsonSchema({"type": "string", "format": "date-time"}, mode="serialization")]
"""A time in a response body: ISO 8601 with its offset (+08:00 for the stored Beijing times)."""


def field_of(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path")]
    out = ""
    for p in parts:
        out += f"[{p}]" if p.isdigit() else (("." if out else "") + p)
    return out or "body"


def _zh_detail(kind: str, ctx: dict[str, Any]) -> str:
    if kind == "literal_error" and "expected" in ctx:
        return f"（{ctx['expected']}）"
    if kind == "date_out_of_range":
        return f"（{ctx.get('earliest')} 至 {ctx.get('latest')}）"
    return ""


def validation_problems(errors: list[dict[str, Any]]) -> list[dict[str, str]]:
    problems = []
    for err in errors:
        kind = str(err.get("type", ""))
        problems.append({
            # a JSON syntax error's loc holds the character offset, not a field: name the body
            "field": "body" if kind == "json_invalid" else field_of(err.get("loc", ())),
            "reason_zh": _ZH.get(kind, "输入无效") + _zh_detail(kind, err.get("ctx") or {}),
            "reason_en": str(err.get("msg", "invalid input")),
        })
    return problems


def install(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def domain_error(_request: Request, exc: DomainError) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if exc.status_code == 401 else None
        return JSONResponse(status_code=exc.status_code, content={"detail": exc.as_detail()}, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def request_invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse(status_code=422, content={"detail": validation_problems(list(exc.errors()))})

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = exc.detail
        if exc.status_code == 400:
            # only the framework answers 400, for a body it cannot parse (not UTF-8 JSON, broken multipart): bad
            # input like malformed JSON, so 422 naming the body, as documented (issue 12 item 9)
            return JSONResponse(status_code=422, content={"detail": [{
                "field": "body", "reason_zh": "请求体无法解析（应为 UTF-8 编码的 JSON 或 multipart 表单）",
                "reason_en": f"the body cannot be parsed: {str(detail)[:200]}"}]})
        if not isinstance(detail, list):
            detail = [{"field": "", "reason_zh": str(detail), "reason_en": str(detail)}]
        return JSONResponse(status_code=exc.status_code, content={"detail": detail}, headers=exc.headers)

    @app.exception_handler(OverflowError)
    @app.exception_handler(DataError)
    async def out_of_range(request: Request, exc: Exception) -> JSONResponse:
        """A number past what the database holds (SQLite: beyond 64 bits; PostgreSQL: a numeric value out of
        range) names nothing stored: 422 naming the parameter that holds it, never a 500 (issue 12 item 9)."""
        if isinstance(exc, DataError) and getattr(exc.orig, "sqlstate", None) != "22003":
            return await unexpected(request, exc)
        params = [*request.path_params.items(), *request.query_params.multi_items()]
        field = next((name for name, value in params if str(value).lstrip("-").isdigit()
                      and not -2**31 <= int(value) < 2**31), "body")
        return JSONResponse(status_code=422, content={"detail": [{
            "field": field, "reason_zh": "数值超出范围", "reason_en": "the number is out of range"}]})

    @app.exception_handler(OperationalError)
    async def busy(request: Request, exc: OperationalError) -> JSONResponse:
        """Issue 12 item 6: a database busy with another writer (SQLite's write lock past the busy timeout;
        PostgreSQL lock timeout, deadlock or serialization failure) is 503 with Retry-After: nothing was written
        (the unit of work rolled back), so the client may simply send the same request again."""
        if not database_busy(exc):
            return await unexpected(request, exc)
        log.warning("database_busy", path=mask_text(request.url.path), error=str(exc.orig)[:200])
        return JSONResponse(status_code=503, headers={"Retry-After": "1"}, content={"detail": [{
            "field": "", "reason_zh": "数据库正忙（其他写入进行中），本步骤未写入；请稍后原样重发（批量报送中已保存的记录将答复为相同）",
            "reason_en": "the database is busy with another writer; this step was not written — send the same request "
                         "again shortly (records a bulk request already stored are answered as the same)"}]})

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled_error", path=mask_text(request.url.path))
        return JSONResponse(status_code=500, content={"detail": [{
            "field": "", "reason_zh": "系统内部错误，已记录，请联系运维（大数据中心）",
            "reason_en": "internal error; it has been logged"}]})


# SQLSTATEs of PostgreSQL that mean "another transaction is in the way": serialization failure, deadlock,
# lock not available (lock_timeout), query canceled by statement_timeout is not one of them
_BUSY_SQLSTATES = frozenset({"40001", "40P01", "55P03"})


def database_busy(exc: OperationalError) -> bool:
    orig = exc.orig
    if getattr(orig, "sqlstate", None) in _BUSY_SQLSTATES:
        return True
    message = str(orig).lower()
    return "database is locked" in message or "database table is locked" in message


# --- the error body, documented in OpenAPI (`responses=error_responses(401, 403, 422)` on a route) ---------------

class ProblemOut(BaseModel):
    field: str
    reason_zh: str
    reason_en: str


class ErrorOut(BaseModel):
    """Every refusal: `{"detail": [{"field", "reason_zh", "reason_en"}]}`."""

    detail: list[ProblemOut]


_STATUS_TEXT = {
    400: "bad request",
    401: "no valid token (field `Authorization`)",
    403: "the role or credential may not do this (field names the reason)",
    404: "not found (field names what)",
    409: "conflicts with what is stored",
    422: "bad input (field names it; reason in Chinese and English)",
    429: "too many attempts",
    503: "the database is busy with another writer; nothing was written (Retry-After)",
}


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The `responses=` entries of a route's refusals, each with the error body's schema."""
    return {code: {"model": ErrorOut, "description": _STATUS_TEXT[code]} for code in codes}


# --- an honest OpenAPI document (issue 12 item 9) -----------------------------------------------------------------

_ERROR_REF = {"$ref": "#/components/schemas/ErrorOut"}
_WRITES = frozenset({"post", "put", "patch", "delete"})


def _api_routes(routes: list[Any]) -> Iterator[APIRoute]:
    for r in routes:
        if hasattr(r, "original_router"):  # FastAPI ≥0.16x keeps an included router as a branch
            yield from _api_routes(r.original_router.routes)
        elif isinstance(r, APIRoute):
            yield r
        elif hasattr(r, "routes"):
            yield from _api_routes(r.routes)


def _auth_of(dependant: Any) -> tuple[bool, bool]:
    """(reads the bearer token at all, requires a permission) of a route's dependency tree."""
    bearer = required = False
    for d in dependant.dependencies:
        bearer |= isinstance(d.call, HTTPBearer)
        required |= getattr(d.call, "permission", None) is not None
        b, r = _auth_of(d)
        bearer, required = bearer or b, required or r
    return bearer, required


def _error(code: int, description: str | None = None) -> dict[str, Any]:
    return {"description": description or _STATUS_TEXT[code], "content": {"application/json": {"schema": _ERROR_REF}}}


def make_honest(spec: dict[str, Any], routes: list[APIRoute]) -> dict[str, Any]:
    """What the API really answers: every 422 with the error body `{detail: [{field, reason_zh, reason_en}]}` (not
    FastAPI's `{loc, msg, type}`); 401 wherever a token is read (an invalid one is refused even where none is
    needed), 403 where a permission is required or a subject account is held to its own subject; 503 on a write
    (a busy database); and the token optional (`[{}, {HTTPBearer: []}]`) on the routes that serve everyone."""
    schemas = spec.setdefault("components", {}).setdefault("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    error = ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
    for name, schema in error.pop("$defs", {}).items():
        schemas.setdefault(name, schema)
    schemas.setdefault("ErrorOut", error)
    for route in routes:
        if not route.include_in_schema or route.path not in spec.get("paths", {}):
            continue
        bearer, required = _auth_of(route.dependant)
        for method in route.methods:
            op = spec["paths"][route.path].get(method.lower())
            if op is None:
                continue
            responses = op.setdefault("responses", {})
            if "422" in responses:
                described = responses["422"].get("description")
                responses["422"] = _error(422, None if described == "Validation Error" else described)
            needed = ([401] if bearer else []) + ([403] if required else [])
            if route.path.startswith("/api/v1/subjects/{code}"):
                needed.append(403)
            if method.lower() in _WRITES:
                needed.append(503)
            for code in needed:
                responses.setdefault(str(code), _error(code))
            if required:
                op["security"] = [{"HTTPBearer": []}]
            elif bearer:
                op["security"] = [{}, {"HTTPBearer": []}]
            else:
                op.pop("security", None)
    return spec


def install_openapi(app: FastAPI) -> None:
    """Serve make_honest of FastAPI's generated document (built once, on the first request for it)."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = make_honest(generate(), list(_api_routes(app.routes)))
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


# --- request body size (issue 12 item 7: a limit checked before any work) --------------------------------------

# A JSON body: the largest is a bulk POST of 10,000 records (records/limits.yaml) at well under 800 bytes each.
MAX_JSON_BYTES = 8 * 1024 * 1024
# A multipart upload: one evidence file (evidence.yaml: 20 MiB) or an Excel sheet, plus the form's own framing.
MAX_UPLOAD_BYTES = 21 * 1024 * 1024


class BodyLimit:
    """An ASGI middleware that refuses a body over its limit with 413 naming `body`, before the application parses
    it: a declared Content-Length at once, a chunked body as soon as the bytes read pass the limit."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        multipart = headers.get(b"content-type", b"").lower().startswith(b"multipart/")
        limit = MAX_UPLOAD_BYTES if multipart else MAX_JSON_BYTES
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _too_large(send, limit)
            return
        seen = 0
        started = refused = False

        async def counted() -> Any:
            nonlocal seen, refused
            message = await receive()
            if message["type"] == "http.request" and not refused:
                seen += len(message.get("body", b""))
                if seen > limit:
                    # answer now and tell the application the client has gone: whatever it does next is dropped
                    refused = True
                    if not started:
                        await _too_large(send, limit)
                    return {"type": "http.disconnect"}
            return message

        async def tracked_send(message: Any) -> None:
            nonlocal started
            if refused:
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        await self.app(scope, counted, tracked_send)


async def _too_large(send: Any, limit: int) -> None:
    body = json.dumps({"detail": [{
        "field": "body", "reason_zh": f"请求体超过 {limit // (1024 * 1024)} MiB 上限",
        "reason_en": f"the request body is over the {limit // (1024 * 1024)} MiB limit"}]}, ensure_ascii=False).encode()
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
