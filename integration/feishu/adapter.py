"""Feishu as a delivery target: cards rendered as JSON 2.0, photos uploaded once for all
replicas, on the delivery path only."""

import asyncio
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from cards.model import Card
from cards.render_feishu import card_content, render_feishu
from integration.feishu.client import FeishuClient
from integration.feishu.errors import FROZEN, FeishuError
from integration.outbound.errors import MessageFrozen
from storage.images import ImageKeys

REPOST_AFTER = timedelta(days=13)
"""Feishu edits a card for 14 days after it is sent ("仅支持更新 14 天内发送的消息",
im-v1/message-card/patch), and its buttons stop with it: a change in the card's last day
posts a fresh one rather than an edit that would leave the chat with dead buttons hours
later."""


class FeishuAdapter:
    repost_after = REPOST_AFTER

    def __init__(
        self,
        client: FeishuClient,
        photo_file: Callable[[str], Path | None],
        image_keys: ImageKeys,
    ) -> None:
        """`photo_file` gives the stored file of a card image's photo; `image_keys` keeps
        the keys of photos uploaded, for every replica."""
        self._client = client
        self._photo_file = photo_file
        self._image_keys = image_keys
        self._uploading = asyncio.Lock()

    async def post(self, chat_id: str, card: Card, key: str) -> str:
        return await self._client.send_card(chat_id, await self.content(card), key)

    async def edit(self, message_id: str, card: Card) -> None:
        try:
            await self._client.patch_card(message_id, await self.content(card))
        except FeishuError as error:
            if error.code in FROZEN:
                raise MessageFrozen(f"{FROZEN[error.code]}（飞书错误 {error.code}）") from error
            raise

    async def send(self, chat_id: str, card: Card, key: str) -> None:
        """Feishu has no lighter message that shows a chart: a note or a report is a card
        too, sent once with `key` as its idempotent `uuid`."""
        await self.post(chat_id, card, key)

    async def content(self, card: Card) -> str:
        """The card as sent and edited, its photos uploaded first where they are not yet."""
        return card_content(card, await self._uploaded(card))

    async def render(self, card: Card) -> dict[str, Any] | None:
        """The card as a click's answer carries it (`{"type": "raw", "data": …}`), drawn with
        the keys of photos already uploaded: an answer has no time for an upload. None when
        a photo of the card has none yet: the answer then leaves the card to the outbox,
        which uploads it, rather than show everyone the card without it."""
        keys = await self._image_keys.known({i.photo for i in card.images})
        if any(i.photo not in keys and self._file(i.photo) for i in card.images):
            return None
        return render_feishu(card, keys)

    async def _uploaded(self, card: Card) -> dict[str, str]:
        """Feishu shows only images uploaded to it: upload each photo once, for every
        replica, and keep its key."""
        async with self._uploading:
            keys = await self._image_keys.known({i.photo for i in card.images})
            for image in card.images:
                path = self._file(image.photo) if image.photo not in keys else None
                if path is None:
                    continue
                data = await asyncio.to_thread(path.read_bytes)
                keys[image.photo] = await self._client.upload_image(data)
                await self._image_keys.keep(image.photo, keys[image.photo])
        return keys

    def _file(self, photo: str) -> Path | None:
        """The photo's file; None when it is gone, and the card shows the photo nowhere."""
        path = self._photo_file(photo)
        return path if path is not None and path.is_file() else None
