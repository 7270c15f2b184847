"""Reports written to the bot in a Feishu team group: `@报修助手 3栋2单元501 卫生间漏水`; and
photos after the repair, posted in the thread of a ticket's card.

A message is a report when it @-mentions the bot in one of the teams' groups; the words are
read as on every platform (integration/intake.py), with the group's team as the default.
Anything else is left alone without a word: other groups, messages that mention someone
else (an app granted im:message.group_msg hears the whole group), and private chats with the
bot, which have no team to default to and would need one more scope
(im:message.p2p_msg:readonly) for a second way to do the same thing.

Photos come along: those in the message (a post with pictures), then those of the message it
replies to and of its thread's first message, so that "photo first, then @报修助手 in its
thread" works too. They are downloaded from Feishu, checked and re-encoded by the photo store
like the residents' own, and named on the ticket, which puts them on its card. A photo that
cannot be had does not hold the report back: a leak matters more than its picture. Reading
the earlier messages of a group needs im:message.group_msg; without it, only the message's
own photos come.

Photos after the repair: a message carrying images that replies to a ticket's card, or is
written in its thread, in a team group or in the bot's private chat. The card's ticket is found
by the message id its delivery recorded (`DeliveryStore.card_of`); the images are downloaded
and re-encoded as a report's are and added to the ticket by its sender (`add_photos`: the
assignee alone, up to the ticket's cap), mention or not, since a group without
im:message.group_msg brings the bot only the messages that @-mention it. In a card's thread a
photo is about that job, never a new report; text alone there is read as anywhere else. The
private chat's messages come only with im:message.p2p_msg:readonly.

The bot answers in the message's thread (reply API, `reply_in_thread`): the number, or what
to type instead; for photos, how many were added to which ticket, or why none was. Feishu
redelivers an event it did not see acknowledged within 3 s, so a message is keyed by its
message id (`feishu:om_…`) for the ticket and for the answer's `uuid`, and photos are added
with it as the event id: however often it arrives, one ticket or one addition, one answer.
The event is acknowledged once the report is in or after ANSWER_WITHIN_S, whichever comes
first; a slow download finishes after the acknowledgement.
"""

import asyncio
import contextlib
import logging
from collections.abc import Mapping
from typing import Any

from integration.feishu.client import FeishuClient
from integration.feishu.message import Received, image_keys, parse_content, received
from integration.intake import NOT_A_MEMBER, USAGE, Pace, Sender, known_categories, read, register
from integration.outbound.errors import DeliveryError
from integration.web.photos import MAX_PHOTOS, PhotoRejected, PhotoStore, Upload
from storage.outbox import DeliveryStore
from tickets.actions import Command, Verb
from tickets.errors import TicketError
from tickets.model import Actor
from tickets.service import TicketService
from tickets.states import Source

log = logging.getLogger(__name__)

ANSWER_WITHIN_S = 2.5
"""Feishu waits 3 s for the acknowledgement."""
FINISH_WITHIN_S = 10.0
"""Reports under way get this long to finish when the app stops."""
JOINER = "\u2060"


def inert(text: str) -> str:
    """Text that cannot mention or link in a Feishu text message, looking the same to a
    reader: the answer repeats the location as typed, which may hold `<at user_id="all">`."""
    return text.replace("<", "<" + JOINER).replace("[", "[" + JOINER)


class FeishuRobot:
    def __init__(
        self,
        service: TicketService,
        client: FeishuClient,
        photos: PhotoStore,
        senders: Mapping[str, Sender],
        categories: Mapping[str, str],
        pace: Pace,
        deliveries: DeliveryStore,
    ) -> None:
        """`senders`: open_id → the configured member; `categories`: a team group's chat_id
        → the category its team takes by default; `deliveries` knows the cards posted."""
        self.service = service
        self.client = client
        self.photos = photos
        self.senders = senders
        self.categories = categories
        self.pace = pace
        self.deliveries = deliveries
        self._bot: str | None = None
        self._pending: set[asyncio.Task[None]] = set()

    async def receive(self, payload: Mapping[str, Any]) -> None:
        """Take one `im.message.receive_v1` event, by webhook or long connection alike."""
        task = asyncio.create_task(self._take(payload))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(task), ANSWER_WITHIN_S)

    async def close(self) -> None:
        """Let reports under way finish, for a while."""
        if not self._pending:
            return
        _, late = await asyncio.wait(set(self._pending), timeout=FINISH_WITHIN_S)
        for task in late:
            task.cancel()
        await asyncio.gather(*late, return_exceptions=True)

    async def _take(self, payload: Mapping[str, Any]) -> None:
        try:
            message = received(payload, await self._bot_open_id())
            number = await self._card_answered(message)
            if number is not None:
                await self._reply(message, await self._photos_after(message, number))
            elif message.mentions_bot and message.chat_id in self.categories:
                await self._reply(message, await self._answer(message))
        except Exception:  # an event nobody waits for: its failure goes to the log
            log.exception("could not take a Feishu message")

    async def _answer(self, message: Received) -> str:
        sender = self.senders.get(message.sender)
        if sender is None:
            return NOT_A_MEMBER
        known = known_categories(self.service.directory)
        report = read(message.text, self.categories[message.chat_id], known)
        if report is None:
            return USAGE
        refusal = self.pace.refusal(sender, message.chat_id, message.message_id)
        if refusal is not None:
            return refusal
        with self.photos.upload() as upload:
            for data in await self._images(message):
                await self._stage(upload, data, message)
            names = upload.publish()
            key = f"feishu:{message.message_id}"
            outcome = await register(self.service, sender, report, Source.FEISHU, key, names)
            if outcome.created:
                upload.keep()  # else a redelivery: the first delivery's photos stand
        return outcome.answer

    async def _card_answered(self, message: Received) -> str | None:
        """The number of the ticket whose card the message answers with images, in a team
        group or the bot's private chat; None for any other message."""
        heard = message.chat_id in self.categories or message.chat_type == "p2p"
        if not (heard and message.images and message.answers):
            return None
        return await self.deliveries.card_of(Source.FEISHU.value, message.answers)

    async def _photos_after(self, message: Received, number: str) -> str:
        """Add the message's images to ticket `number` as its sender's photos after the
        repair; what to answer."""
        sender = self.senders.get(message.sender)
        if sender is None:
            return NOT_A_MEMBER
        sent = len(message.images)
        if sent > MAX_PHOTOS:  # refused before a byte is fetched; the core counts the rest
            return f"每单最多 {MAX_PHOTOS} 张完工照片，这条消息有 {sent} 张，请少发几张"
        with self.photos.upload() as upload:
            refusals = []
            for key in message.images:
                data = await self._image(message.message_id, key)
                refusal = await self._stage(upload, data, message) if data else "从飞书下载失败"
                refusals += [refusal] if refusal else []
            names = upload.publish()
            if not names:
                return f"照片没能附上（{refusals[0]}），请重新发送"
            command = Command(Verb.ADD_PHOTOS, Actor.member(sender.member_id), photos=names)
            try:
                outcome = await self.service.act(
                    number, command, Source.FEISHU, event_id=message.message_id
                )
            except TicketError as error:
                return error.message
            if outcome.event is not None:
                upload.keep()  # else a redelivery: the first delivery's photos stand
        lost = f"（另有 {len(refusals)} 张没能附上：{refusals[0]}）" if refusals else ""
        return f"已收到 {len(names)} 张完工照片，已附在 {number} 上{lost}"

    async def _stage(self, upload: Upload, data: bytes, message: Received) -> str | None:
        """Check and stage one photo; why it was refused, or None."""
        try:
            await upload.add(data)
        except PhotoRejected as error:
            log.warning("photo of Feishu message %s refused: %s", message.message_id, error)
            return str(error)
        return None

    async def _image(self, message_id: str, key: str) -> bytes | None:
        try:
            return await self.client.message_image(message_id, key)
        except DeliveryError as error:
            log.warning("could not download photo %s of %s: %s", key, message_id, error)
            return None

    async def _images(self, message: Received) -> list[bytes]:
        """Up to MAX_PHOTOS images: the message's own, then its parent's and its thread's."""
        found = [(message.message_id, key) for key in message.images]
        for earlier in message.answers:
            if len(found) >= MAX_PHOTOS:
                break
            try:
                kind, content = await self.client.message(earlier)
            except DeliveryError as error:
                log.warning("could not read Feishu message %s for photos: %s", earlier, error)
                continue
            found += [(earlier, key) for key in image_keys(kind, parse_content(content))]
        images = [await self._image(message_id, key) for message_id, key in found[:MAX_PHOTOS]]
        return [data for data in images if data is not None]

    async def _reply(self, message: Received, text: str) -> None:
        try:
            await self.client.reply_text(
                message.message_id, message.chat_id, inert(text), f"reply:{message.message_id}"
            )
        except DeliveryError as error:
            log.warning("could not answer Feishu message %s: %s", message.message_id, error)

    async def _bot_open_id(self) -> str:
        """Asked of Feishu once: only a mention of this id makes a report."""
        if self._bot is None:
            self._bot = await self.client.bot_open_id()
        return self._bot
