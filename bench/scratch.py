"""A database of its own for a bench: made on the PostgreSQL server it is given, migrated,
and dropped at the end however the bench ends, so that a million seeded tickets never stay
behind on a shared server."""

import argparse
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


def million_parser(doc: str | None) -> argparse.ArgumentParser:
    """The options every bench over a scratch database takes: the server, and how many
    tickets to seed; a bench adds its own."""
    parser = argparse.ArgumentParser(description=(doc or "").split("\n\n")[0])
    parser.add_argument(
        "--postgres", required=True, help="a PostgreSQL URL; the bench makes its own database"
    )
    parser.add_argument("--tickets", type=int, default=1_000_000)
    return parser
