"""One JSON error shape for the whole API, and the middleware that produces it.

Domain errors map by class, never by message: 404 not found, 403 forbidden, 409 conflict
(illegal transition, lost race, cap reached), 422 invalid input with the failing fields,
429 asked again too soon (a second 催单), with when it may be asked again (Retry-After).
"""

import logging
from collections.abc import Awaitable, Callable

from aiohttp import web
from pydantic import ValidationError

from integration.web.schemas import ErrorOut, FieldError, in_words
from tickets.errors import (
    AlreadyTaken,
    CapacityReached,
    Forbidden,
    IllegalTransition,
    InvalidInput,
    NotFound,
    TicketError,
    TooSoon,
)

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

_HTTP = {
    404: "没有这个接口地址",
    405: "这个接口不支持这种请求方法",
    408: "请求太慢，已超时",
    413: "请求体太大",
    415: "请用 JSON 发送（Content-Type: application/json）",
}
"""aiohttp's own refusals, in the API's language."""


class BadRequest(Exception):
    """The request is not even shaped like JSON we could validate."""


def error_response(
    status: int, code: str, message: str, fields: list[FieldError] | None = None
) -> web.Response:
    body = ErrorOut(error=code, message=message, fields=fields or [])
    return web.json_response(text=body.model_dump_json(), status=status)


def validation_fields(error: ValidationError) -> list[FieldError]:
    """Each failed field: its path and error type for programs, its words for people."""
    return [
        FieldError(
            field=".".join(str(part) for part in item["loc"]) or "body",
            message=in_words(item),
            code=item["type"],
        )
        for item in error.errors()
    ]


def fields_in_words(fields: list[FieldError]) -> str:
    return f"有 {len(fields)} 处需要修改：" + "；".join(f.message for f in fields)


def _from_domain(error: TicketError) -> web.Response:
    if isinstance(error, NotFound):
        return error_response(404, "not_found", error.message)
    if isinstance(error, Forbidden):
        return error_response(403, "forbidden", error.message)
    if isinstance(error, AlreadyTaken):
        return error_response(409, "already_taken", error.message)
    if isinstance(error, CapacityReached):
        return error_response(409, "capacity_reached", error.message)
    if isinstance(error, IllegalTransition):
        return error_response(409, "illegal_transition", error.message)
    if isinstance(error, TooSoon):
        response = error_response(429, "too_soon", error.message)
        response.headers["Retry-After"] = str(round(error.wait.total_seconds()))
        return response
    if isinstance(error, InvalidInput):
        field = FieldError(field=error.field or "body", message=error.message, code="invalid_input")
        return error_response(422, "validation_failed", error.message, [field])
    return error_response(400, "rejected", error.message)


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """JSON errors for the API; HTML pages answer their own errors in their own words."""
    if not request.path.startswith("/api/"):
        return await handler(request)
    try:
        return await handler(request)
    except TicketError as error:
        return _from_domain(error)
    except ValidationError as error:
        fields = validation_fields(error)
        return error_response(422, "validation_failed", fields_in_words(fields), fields)
    except BadRequest as error:
        return error_response(400, "bad_request", str(error))
    except web.HTTPException as error:
        if error.status < 400:
            raise
        said = _HTTP.get(error.status, f"请求无法处理（HTTP {error.status}）")
        return error_response(error.status, "http_error", said)
    except Exception:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(500, "internal_error", "服务器内部错误，已记录，请稍后重试")
