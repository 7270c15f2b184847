"""Migrations create exactly the schema the models describe, on both databases."""

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

import storage.tables  # noqa: F401
from storage.engine import create_engine
from storage.migrate import current, head, upgrade


async def test_migrated_schema_matches_the_models(db_url: str) -> None:
    engine = create_engine(db_url)

    def differences(connection: Connection) -> list[object]:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, SQLModel.metadata))

    try:
        async with engine.connect() as connection:
            assert await connection.run_sync(differences) == []
        assert await current(engine) == head()
        await upgrade(engine)  # a second upgrade is a no-op
        assert await current(engine) == head()
    finally:
        await engine.dispose()
