"""DingTalk as a delivery target: the ticket card as the template's variables."""

from collections.abc import Mapping

from cards.model import Card
from cards.render_dingtalk import card_params
from integration.dingtalk.client import DingTalkClient


class DingTalkAdapter:
    def __init__(
        self,
        client: DingTalkClient,
        template_id: str,
        callback: Mapping[str, str],
        public_url: str,
    ) -> None:
        """`callback` says how clicks come back (`callbackType` STREAM, or HTTP with its
        `callbackRouteKey`); `public_url` makes photo addresses absolute for DingTalk."""
        self._client = client
        self._template_id = template_id
        self._callback = callback
        self._public_url = public_url.rstrip("/")

    async def post(self, chat_id: str, card: Card, key: str) -> str:
        """The card instance is ours to name: `key` is its outTrackId and its message id."""
        await self._client.create_and_deliver(
            key, self._template_id, self.params(card), chat_id, self._callback
        )
        return key

    async def edit(self, message_id: str, card: Card) -> None:
        await self._client.update_card(message_id, self.params(card))

    def params(self, card: Card) -> dict[str, str]:
        """The card's variables, as sent, updated, and carried in a click's answer."""
        return card_params(card, self._public_url)
