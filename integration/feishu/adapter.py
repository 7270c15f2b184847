"""Feishu as a delivery target: cards rendered as JSON 2.0, photos uploaded once."""

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

REPOST_AFTER = timedelta(days=13)
"""Feishu edits a card for 14 days after it is sent ("仅支持更新 14 天内发送的消息",
im-v1/message-card/patch), and its buttons stop with it: a change in the card's last day
posts a fresh one rather than an edit that would leave the chat with dead buttons hours
later."""


class FeishuAdapter:
    repost_after = REPOST_AFTER

    def __init__(self, client: FeishuClient, photo_file: Callable[[str], Path | None]) -> None:
        """`photo_file` gives the stored file of a card image's photo."""
        self._client = client
        self._photo_file = photo_file
        self._image_keys: dict[str, str] = {}
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
        return card_content(card, await self._keys(card))

    async def render(self, card: Card) -> dict[str, Any]:
        """The card as a callback answer carries it (`{"type": "raw", "data": …}`)."""
        return render_feishu(card, await self._keys(card))

    async def _keys(self, card: Card) -> dict[str, str]:
        """Feishu shows only images uploaded to it: upload each photo once, keep its key."""
        async with self._uploading:
            for image in card.images:
                if image.photo in self._image_keys:
                    continue
                path = self._photo_file(image.photo)
                if path is None or not path.is_file():
                    continue
                data = await asyncio.to_thread(path.read_bytes)
                self._image_keys[image.photo] = await self._client.upload_image(data)
        return {
            i.photo: self._image_keys[i.photo] for i in card.images if i.photo in self._image_keys
        }
