"""The OpenAPI 3.1 document, generated from the same pydantic models that validate requests.

Paths are declared here beside `api.add_routes`; a test checks that the two list the same
operations and that real responses validate against the schemas, so the document stays true.
"""

from typing import Any

from aiohttp import web
from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from integration.export import KINDS, MEDIA_TYPES
from integration.web.schemas import (
    ActionOut,
    ActionRequest,
    ErrorOut,
    Health,
    HotspotList,
    StatsOut,
    StatsQuery,
    TicketCreate,
    TicketDetail,
    TicketListQuery,
    TicketOut,
    TicketPage,
)

_MODELS: list[tuple[type[BaseModel], JsonSchemaMode]] = [
    (TicketCreate, "validation"),
    (ActionRequest, "validation"),
    (ActionOut, "serialization"),
    (TicketOut, "serialization"),
    (TicketDetail, "serialization"),
    (TicketPage, "serialization"),
    (ErrorOut, "serialization"),
    (Health, "serialization"),
    (StatsOut, "serialization"),
    (StatsQuery, "validation"),
    (HotspotList, "serialization"),
]


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _file(media_type: str, description: str) -> dict[str, Any]:
    return {"description": description, "content": {media_type: {}}}


def _errors(*statuses: int) -> dict[str, Any]:
    words = {
        400: "the body is not a JSON object",
        401: "missing or unknown API key",
        403: "the actor may not do this",
        404: "no such ticket",
        409: "illegal in the ticket's state, lost race, or technician at the cap",
        422: "invalid input; `fields` names each failing field",
        503: "no Chinese font installed to draw the PDF with (fonts-noto-cjk)",
        429: "asked again too soon (a second hurry within 30 minutes); see Retry-After",
    }
    return {str(s): _json(_ref("ErrorOut"), words[s]) for s in statuses}


def _query_parameters(model: type[BaseModel]) -> list[dict[str, Any]]:
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    required = set(schema.get("required", ()))
    parameters = []
    for name, prop in schema["properties"].items():
        parameter: dict[str, Any] = {"name": name, "in": "query", "required": name in required}
        parameter["schema"] = {k: v for k, v in prop.items() if k not in {"title", "description"}}
        if "description" in prop:
            parameter["description"] = prop["description"]
        if name == "status":
            parameter["description"] = "repeat it or separate values by commas"
            parameter["explode"] = True
        parameters.append(parameter)
    return parameters


def _export_parameters() -> list[dict[str, Any]]:
    day = {"type": "string", "format": "date"}
    return [
        {
            "name": "from",
            "in": "query",
            "required": True,
            "schema": day,
            "description": "first day, site time",
        },
        {
            "name": "to",
            "in": "query",
            "required": True,
            "schema": day,
            "description": "last day, included",
        },
        {
            "name": "format",
            "in": "query",
            "required": False,
            "schema": {"enum": list(KINDS), "default": "csv"},
        },
    ]


def document() -> dict[str, Any]:
    names, components = models_json_schema(_MODELS, ref_template="#/components/schemas/{model}")
    ref = {key: value["$ref"].rsplit("/", 1)[1] for key, value in names.items()}
    schema = {model: _ref(ref[(model, mode)]) for model, mode in _MODELS}
    number = {"name": "number", "in": "path", "required": True, "schema": {"type": "string"}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "baoxiu REST API", "version": "1"},
        "components": {
            "schemas": components["$defs"],
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
        "security": [{"bearer": []}],
        "paths": {
            "/healthz": {
                "get": {
                    "summary": "Liveness check",
                    "security": [],
                    "responses": {"200": _json(schema[Health], "up")},
                }
            },
            "/api/v1/openapi.json": {
                "get": {
                    "summary": "This document",
                    "security": [],
                    "responses": {"200": _json({"type": "object"}, "OpenAPI 3.1")},
                }
            },
            "/api/v1/tickets": {
                "post": {
                    "summary": "Register a repair request",
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": schema[TicketCreate]}},
                    },
                    "responses": {
                        "201": _json(schema[TicketOut], "the new ticket"),
                        **_errors(400, 401, 422),
                    },
                },
                "get": {
                    "summary": "List tickets, newest first, keyset-paginated",
                    "parameters": _query_parameters(TicketListQuery),
                    "responses": {
                        "200": _json(schema[TicketPage], "a page; follow next_cursor"),
                        **_errors(401, 422),
                    },
                },
            },
            "/api/v1/stats": {
                "get": {
                    "summary": "The figures of a period (the weekly summary's), in all and "
                    "per team, technician, category or place",
                    "parameters": _query_parameters(StatsQuery),
                    "responses": {
                        "200": _json(schema[StatsOut], "durations in seconds, money in fen"),
                        **_errors(401, 422),
                    },
                }
            },
            "/api/v1/tickets/export": {
                "get": {
                    "summary": "The tickets reported in a period as a sheet, streamed: one row "
                    "per ticket (times, team, assignee, SLA outcome, fees, rating; never the "
                    "resident's name or phone); xlsx adds the fee lines on a second sheet",
                    "parameters": _export_parameters(),
                    "responses": {
                        "200": {
                            "description": "the file (CSV: UTF-8 with a byte-order mark)",
                            "content": {
                                MEDIA_TYPES["csv"]: {},
                                MEDIA_TYPES["xlsx"]: {},
                            },
                        },
                        **_errors(401, 422),
                    },
                }
            },
            "/api/v1/tickets/{number}": {
                "get": {
                    "summary": "One ticket with its timeline",
                    "parameters": [number],
                    "responses": {
                        "200": _json(schema[TicketDetail], "the ticket and its events"),
                        **_errors(401, 404),
                    },
                }
            },
            "/api/v1/tickets/{number}/actions": {
                "post": {
                    "summary": "Act on a ticket: claim, dispatch, start, pause, extend, …",
                    "parameters": [number],
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": schema[ActionRequest]}},
                    },
                    "responses": {
                        "200": _json(
                            schema[ActionOut],
                            "the ticket after the action (call_technician: with the phone)",
                        ),
                        **_errors(400, 401, 403, 404, 409, 422, 429),
                    },
                }
            },
            "/api/v1/stats/hotspots": {
                "get": {
                    "summary": "Hot spots: places and buildings with repeated faults of one "
                    "category, candidates for preventive work",
                    "parameters": [
                        {
                            "name": "days",
                            "in": "query",
                            "required": False,
                            "schema": {"type": "integer", "minimum": 1, "maximum": 366},
                            "description": "the window in days; default [hotspots] window_days",
                        }
                    ],
                    "responses": {
                        "200": _json(schema[HotspotList], "the hot spots, most faults first"),
                        **_errors(401, 422),
                    },
                }
            },
            "/api/v1/tickets/{number}/work-order.pdf": {
                "get": {
                    "summary": "The work order (工作服务单) as a PDF: the job, its fees, "
                    "the payment, the rating and the signature",
                    "parameters": [number],
                    "responses": {
                        "200": _file("application/pdf", "an A4 PDF with its Chinese font"),
                        **_errors(401, 404, 503),
                    },
                }
            },
            "/api/v1/tickets/{number}/work-order.html": {
                "get": {
                    "summary": "The same work order as a printable page",
                    "parameters": [number],
                    "responses": {
                        "200": _file("text/html", "the page"),
                        **_errors(401, 404),
                    },
                }
            },
        },
    }


def add_route(app: web.Application) -> None:
    body = document()

    async def serve(request: web.Request) -> web.Response:
        return web.json_response(body)

    app.router.add_get("/api/v1/openapi.json", serve)
