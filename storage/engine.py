"""Engine set-up for the two databases we support.

SQLite (the embedded default) runs in WAL mode so readers never wait for the writer, and each
writing transaction starts with `BEGIN IMMEDIATE`: it takes the write lock before it reads, so
two claims cannot both read "new" and the loser waits (up to `busy_timeout`) instead of
failing with "database is locked". Read-only units of work use a plain deferred `BEGIN`.

PostgreSQL (asyncpg) needs nothing special: conditional updates on the ticket's version and
row locks on the sequence table do the work at READ COMMITTED.
"""

from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Table, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

READONLY = "baoxiu_readonly"
"""Execution option marking a connection whose transactions only read."""

SQLITE_BUSY_TIMEOUT_S = 30


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def dialect_insert(session: AsyncSession) -> Callable[[Table], Any]:
    """The dialect's INSERT, for ON CONFLICT clauses (SQLite and PostgreSQL spell them alike)."""
    return dialect_insert_for(session.bind.dialect.name if session.bind else "sqlite")


def dialect_insert_for(dialect: str) -> Callable[[Table], Any]:
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """`hide_parameters`: a database error names its statement but not its values, which
    are residents' names, phones and private links that must not reach a log."""
    kwargs.setdefault("hide_parameters", True)
    if not is_sqlite(url):
        kwargs.setdefault("pool_pre_ping", True)
        return create_async_engine(url, **kwargs)
    database = make_url(url).database or ":memory:"
    if database != ":memory:" and not database.startswith("file:"):
        Path(database).parent.mkdir(parents=True, exist_ok=True)  # SQLite makes only the file
    engine = create_async_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S}, **kwargs)
    _serialize_sqlite_writers(engine)
    return engine


def _serialize_sqlite_writers(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" hook below issue BEGIN itself instead of the driver.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Connection) -> None:
        readonly = connection.get_execution_options().get(READONLY, False)
        connection.exec_driver_sql("BEGIN" if readonly else "BEGIN IMMEDIATE")
