"""Shared fixtures: the demo directory, and a fresh migrated database per test on SQLite and,
when `BAOXIU_TEST_POSTGRES_URL` is set (CI always sets it), on PostgreSQL too."""

import asyncio
import itertools
import os
import shutil
import tomllib
from collections.abc import AsyncIterator, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from baoxiu.config import Settings, settings_model
from baoxiu.demo import config_text
from baoxiu.platforms import PLATFORMS
from storage.engine import create_engine
from storage.migrate import upgrade
from tests.clock import FakeClock
from tickets.people import Directory

POSTGRES_ENV = "BAOXIU_TEST_POSTGRES_URL"
NO_POSTGRES = (
    f"PostgreSQL tests need {POSTGRES_ENV}, e.g. "
    "postgresql+asyncpg://postgres@127.0.0.1:5432/test (CI sets it; this run did not)"
)
_counter = itertools.count()


@pytest.fixture(scope="session")
def demo_settings() -> Settings:
    return settings_model(PLATFORMS)(**tomllib.loads(config_text(demo=True)))


@pytest.fixture(scope="session")
def directory(demo_settings: Settings) -> Directory:
    return demo_settings.directory()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def _blocking(coroutine: Coroutine[Any, Any, None]) -> None:
    """Run set-up work from a session fixture, which may be entered inside a test's loop."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, coroutine).result()


async def _migrated(url: str) -> None:
    engine = create_engine(url)
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    _blocking(_migrated(f"sqlite+aiosqlite:///{path}"))
    return path


def database_url(url: str, database: str) -> str:
    """`url` with another database on the same server."""
    return make_url(url).set(database=database).render_as_string(hide_password=False)


async def on_server(url: str, *statements: str) -> None:
    """Statements no transaction may hold (CREATE and DROP DATABASE, VACUUM), on `url`."""
    engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            for statement in statements:
                await connection.exec_driver_sql(statement)
    finally:
        await engine.dispose()


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[tuple[str, str]]:
    """A migrated template database; each test copies it with CREATE DATABASE … TEMPLATE."""
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        pytest.skip(NO_POSTGRES)
    name = f"baoxiu_tpl_{os.getpid()}"
    _blocking(on_server(url, f"DROP DATABASE IF EXISTS {name}", f"CREATE DATABASE {name}"))
    _blocking(_migrated(database_url(url, name)))
    yield url, name
    _blocking(on_server(url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


@pytest.fixture(params=["sqlite", "postgresql"])
async def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A fresh, migrated, empty database for one test."""
    if request.param == "sqlite":
        path = tmp_path / "baoxiu.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite+aiosqlite:///{path}"
        return
    url, template = request.getfixturevalue("postgres_template")
    name = f"baoxiu_t_{os.getpid()}_{next(_counter)}"
    await on_server(url, f"CREATE DATABASE {name} TEMPLATE {template}")
    yield database_url(url, name)
    await on_server(url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
