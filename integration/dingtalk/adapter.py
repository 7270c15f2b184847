"""DingTalk as a delivery target: the ticket card as the template's variables."""

from collections.abc import Mapping

from cards.model import Card
from cards.render_dingtalk import card_params, markdown
from integration.dingtalk.client import DingTalkClient
from integration.web.photos import PhotoStore


class DingTalkAdapter:
    repost_after = None

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

    def _photo_url(self, name: str) -> str:
        return self._public_url + PhotoStore.url(name)

    async def post(self, chat_id: str, card: Card, key: str) -> str:
        """The card instance is ours to name: `key` is its outTrackId and its message id."""
        await self._client.create_and_deliver(
            key, self._template_id, self.params(card), chat_id, self._callback
        )
        return key

    async def edit(self, message_id: str, card: Card) -> None:
        await self._client.update_card(message_id, self.params(card))

    async def send(self, chat_id: str, card: Card, key: str) -> None:
        """A card with nothing to click goes as a robot markdown message, not through the
        card template: the template is the ticket card's (its slots are a ticket's fields),
        a report has a chart the template has no place for, and a robot message costs the
        same one call. DingTalk takes no key for a robot message, so a resend after a crash
        between sending and recording can show a note twice; a ticket card cannot."""
        title, text = markdown(card, self._photo_url)
        await self._client.send_markdown(chat_id, title, text)

    def params(self, card: Card) -> dict[str, str]:
        """The card's variables, as sent, updated, and carried in a click's answer."""
        return card_params(card, self._photo_url)
