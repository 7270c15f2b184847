"""A database of its own for a bench: made on the PostgreSQL server it is given, migrated,
and dropped at the end however the bench ends, so that a million seeded tickets never stay
behind on a shared server."""

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncEngine

from storage.engine import create_engine
from storage.migrate import upgrade
from tests.conftest import database_url, on_server


@asynccontextmanager
async def scratch_database(server: str, bench: str) -> AsyncIterator[tuple[AsyncEngine, str]]:
    """An engine on a new, migrated database `baoxiu_bench_{bench}_{pid}`, and its URL."""
    name = f"baoxiu_bench_{bench}_{os.getpid()}"
    await on_server(server, f"DROP DATABASE IF EXISTS {name}", f"CREATE DATABASE {name}")
    try:
        url = database_url(server, name)
        engine = create_engine(url)
        try:
            await upgrade(engine)
            yield engine, url
        finally:
            await engine.dispose()
    finally:
        await on_server(server, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
