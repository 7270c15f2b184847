"""The keys a platform gave our photos when they were uploaded, shared by every replica.

Feishu shows a card's photo only by the key of an upload, and an upload costs a call and
seconds. Kept in the database rather than in one process, a key serves every replica and
outlives a restart, and a click's answer, which has no time for an upload, is drawn with the
keys already here.
"""

from collections.abc import Collection

from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.engine import dialect_insert
from storage.tables import ImageUploadRow


class ImageKeys:
    def __init__(self, engine: AsyncEngine, platform: str) -> None:
        self._sessions = async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)
        self._platform = platform

    async def known(self, photos: Collection[str]) -> dict[str, str]:
        """The keys of those of `photos` already uploaded."""
        if not photos:
            return {}
        async with self._sessions() as session:
            rows = await session.exec(
                select(ImageUploadRow).where(
                    ImageUploadRow.platform == self._platform,
                    col(ImageUploadRow.photo).in_(photos),
                )
            )
            return {row.photo: row.image_key for row in rows.all()}

    async def keep(self, photo: str, image_key: str) -> None:
        """Remember an upload. If another replica uploaded the same photo meanwhile, the key
        it kept stays: both show the same image."""
        table = ImageUploadRow.__table__  # type: ignore[attr-defined]
        async with self._sessions.begin() as session:
            await session.exec(
                dialect_insert(session)(table)
                .values(platform=self._platform, photo=photo, image_key=image_key)
                .on_conflict_do_nothing(index_elements=["platform", "photo"])
            )
