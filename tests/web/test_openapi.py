"""The OpenAPI document is valid and lists exactly the routes the app serves."""

from aiohttp import web
from openapi_spec_validator import validate

from baoxiu.app import create_app
from baoxiu.config import Settings
from integration.web.openapi import document
from tests.web.conftest import Api


def test_document_is_valid_openapi() -> None:
    validate(document())


def test_document_lists_exactly_the_served_operations(demo_settings: Settings) -> None:
    """Every JSON API route; the HTML pages (sandbox, resident pages) are not the API."""
    app: web.Application = create_app(demo_settings)
    served = {
        (route.method.lower(), route.resource.canonical)
        for route in app.router.routes()
        if route.resource is not None
        and route.method != "HEAD"
        and (route.resource.canonical.startswith("/api/") or route.resource.canonical == "/healthz")
    }
    documented = {(method, path) for path, item in document()["paths"].items() for method in item}
    assert served == documented


async def test_served_document_is_the_generated_one(api: Api) -> None:
    status, served = await api.call("GET", "/api/v1/openapi.json", headers={})
    assert status == 200 and served == document()
