"""Migrations create exactly the schema the models describe, on both databases."""

from datetime import UTC, datetime, timedelta

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

import storage.tables  # noqa: F401
from storage.engine import create_engine
from storage.migrate import alembic_config, current, head, upgrade
from storage.outbox import DeliveryStore
from tickets.audience import Audience, CardAddress


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


async def test_tickets_from_before_0002_get_their_resident_link(db_url: str) -> None:
    engine = create_engine(db_url)

    def downgrade_to_0001(connection: Connection) -> None:
        command.downgrade(alembic_config(connection), "0001")

    try:
        async with engine.begin() as connection:
            await connection.run_sync(downgrade_to_0001)
            for number in ("BX20261127-0001", "BX20261127-0002"):
                await connection.execute(
                    text(
                        "INSERT INTO ticket (number, status, category, team_id, urgency,"
                        " urgency_suggested, reporter_name, reporter_phone, location,"
                        " description, channel, rework_count, version, created_at, updated_at)"
                        " VALUES (:n, 'new', '水电', 'shuidian', 'normal', true, '张三',"
                        " '13800138000', '1栋', '漏水', 'phone', 0, 1, :at, :at)"
                    ),
                    {"n": number, "at": datetime(2026, 11, 27, tzinfo=UTC)},
                )
        await upgrade(engine)
        async with engine.connect() as connection:
            rows = (await connection.execute(text("SELECT public_token, photos FROM ticket"))).all()
        tokens = [token for token, _ in rows]
        assert len(tokens) == 2 and len(set(tokens)) == 2 and all(len(t) >= 20 for t in tokens)
        assert all(photos in ([], "[]") for _, photos in rows)
    finally:
        await engine.dispose()


async def test_card_posts_from_before_0007_were_posted_when_their_row_was_made(
    db_url: str,
) -> None:
    engine = create_engine(db_url)
    made = datetime(2026, 11, 20, 8, 30, tzinfo=UTC)

    def downgrade_to_0006(connection: Connection) -> None:
        command.downgrade(alembic_config(connection), "0006")

    try:
        async with engine.begin() as connection:
            await connection.run_sync(downgrade_to_0006)
            await connection.execute(
                text(
                    "INSERT INTO ticket (number, status, category, team_id, urgency,"
                    " urgency_suggested, reporter_name, reporter_phone, location, description,"
                    " channel, rework_count, photos, public_token, version, created_at,"
                    " updated_at) VALUES ('BX20261120-0001', 'new', '水电', 'shuidian', 'normal',"
                    " true, '张三', '13800138000', '1栋', '漏水', 'phone', 0, '[]', 'tok', 1,"
                    " :at, :at)"
                ),
                {"at": made},
            )
            await connection.execute(
                text(
                    "INSERT INTO card_post (ticket_id, platform, chat_id, audience, message_id,"
                    " delivered_version, created_at, updated_at) SELECT id, 'feishu', 'oc_1',"
                    " 'team', 'om_1', 1, :made, :later FROM ticket"
                ),
                {"made": made, "later": made + timedelta(days=3)},
            )
        await upgrade(engine)
        store = DeliveryStore(engine)
        address = CardAddress("feishu", "oc_1", Audience.TEAM)
        async with engine.connect() as connection:
            ticket_id = (await connection.execute(text("SELECT id FROM ticket"))).scalar_one()
        post = await store.post(ticket_id, address)
        assert post is not None and post.posted_at == made
    finally:
        await engine.dispose()


async def test_tickets_from_before_0019_get_their_place_and_building(db_url: str) -> None:
    engine = create_engine(db_url)

    def downgrade_to_0016(connection: Connection) -> None:
        command.downgrade(alembic_config(connection), "0016")

    try:
        async with engine.begin() as connection:
            await connection.run_sync(downgrade_to_0016)
            for number, location in (
                ("BX20261120-0001", "3号楼2单元501室"),
                ("BX20261120-0002", "南门 岗亭"),
            ):
                await connection.execute(
                    text(
                        "INSERT INTO ticket (number, status, category, team_id, urgency,"
                        " urgency_suggested, reporter_name, reporter_phone, location,"
                        " description, channel, rework_count, photos, public_token, version,"
                        " escalation_step, hurry_count, fees_total_fen, fee_lines, materials,"
                        " photos_after, visit_attempt, escalation_chain, created_at, updated_at)"
                        " VALUES (:n, 'new', '水电', 'shuidian', 'normal', true, '张三',"
                        " '13800138000', :loc, '漏水', 'phone', 0, '[]', :n, 1, 0, 0, 0, '[]',"
                        " '[]', '[]', 0, '[]', :at, :at)"
                    ),
                    {"n": number, "loc": location, "at": datetime(2026, 11, 20, tzinfo=UTC)},
                )
        await upgrade(engine)
        async with engine.connect() as connection:
            rows = await connection.execute(
                text("SELECT place, building, possible_duplicate_of FROM ticket ORDER BY number")
            )
            assert rows.all() == [("3栋2单元501", "3栋", None), ("南门岗亭", None, None)]
    finally:
        await engine.dispose()
