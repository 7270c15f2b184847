"""The fake Feishu, driven through the official SDK (lark-oapi) the way production calls it:
our own async token fetch, then `acreate`/`apatch` with the token in a RequestOption."""

import asyncio
import io
import json
import threading
from collections.abc import AsyncIterator, Callable
from typing import Any

import aiohttp
import httpx
import lark_oapi as lark
import lark_oapi.ws.client as lark_ws
import pytest
from lark_oapi.api.contact.v3 import GetUserRequest
from lark_oapi.api.im.v1 import (
    CreateImageRequest,
    CreateImageRequestBody,
    CreateMessageRequest,
    CreateMessageRequestBody,
    GetChatRequest,
    GetMessageRequest,
    GetMessageResourceRequest,
    IsInChatChatMembersRequest,
    PatchMessageRequest,
    PatchMessageRequestBody,
    ReplyMessageRequest,
    ReplyMessageRequestBody,
)
from lark_oapi.core.token.manager import TokenManager
from lark_oapi.core.utils import AESCipher
from lark_oapi.event.callback.model.p2_card_action_trigger import P2CardActionTriggerResponse
from lark_oapi.ws.exception import ClientException
from PIL import Image

from tests.clock import FakeClock
from tests.fakes.feishu import (
    APP_INVALID,
    BOT_NAME,
    BOT_NOT_IN_CHAT,
    BOT_OPEN_ID,
    CARD_INVALID,
    CARD_MAX_BYTES,
    CHAT_INVALID,
    CONTENT_TOO_LONG,
    EDIT_WINDOW_PASSED,
    FIELD_INVALID,
    FREQUENCY_LIMITED,
    GROUP_MESSAGES,
    IMAGE_FORMAT,
    INTERNAL_ERROR,
    INVALID_PARAM,
    MISSING_SCOPE,
    NO_USER_AUTHORITY,
    PER_APP_SECOND,
    RATE_LIMITED,
    RECALLED,
    RESOURCE_INVALID,
    RESOURCE_UNSUPPORTED,
    SECRET_INVALID,
    TOKEN_INVALID,
    TOKEN_MISSING,
    TOKEN_PATH,
    USER_UNAVAILABLE,
    WS_ENDPOINT_PATH,
    AnswerRefused,
    FakeFeishu,
    Mention,
)
from tests.fakes.feishu_callbacks import (
    ENCRYPT_KEY,
    VERIFICATION_TOKEN,
    card_action,
    encrypt,
    message_received,
    signed_request,
    url_verification,
)
from tests.waiting import eventually

CHAT = "oc_5ad11d72b830411d72b836c20a1b2c3d"
OUTSIDE = "oc_9f8e7d6c5b4a39281706f5e4d3c2b1a0"
USER = "ou_155184d1e73cbfb8973e5a9e698e74f2"
CARD: dict[str, Any] = {
    "schema": "2.0",
    "config": {"update_multi": True},
    "header": {"title": {"tag": "plain_text", "content": "报修 #17 厨房漏水"}},
    "body": {"elements": [{"tag": "markdown", "content": "3 号楼 502，水管接口滴水"}]},
}


@pytest.fixture
def ticks() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def fake(ticks: FakeClock) -> AsyncIterator[FakeFeishu]:
    async with FakeFeishu(clock=ticks.monotonic) as server:
        server.add_chat(CHAT, name="3 号楼维修群")
        server.add_chat(OUTSIDE, bot_member=False)
        server.add_user(USER, name="王师傅")
        yield server


def sdk(fake: FakeFeishu, timeout: float = 5.0) -> Any:
    return (
        lark.Client.builder()
        .app_id(fake.app_id)
        .app_secret(fake.app_secret)
        .domain(fake.base_url)
        .enable_set_token(True)
        .timeout(timeout)
        .log_level(lark.LogLevel.ERROR)
        .build()
    )


async def fetch_token(fake: FakeFeishu, **overrides: str) -> Any:
    body = {"app_id": fake.app_id, "app_secret": fake.app_secret, **overrides}
    async with (
        aiohttp.ClientSession() as session,
        session.post(fake.base_url + TOKEN_PATH, json=body) as response,
    ):
        assert response.status == 200
        return await response.json()


async def token(fake: FakeFeishu) -> str:
    return str((await fetch_token(fake))["tenant_access_token"])


def option(tenant_token: str) -> Any:
    return lark.RequestOption.builder().tenant_access_token(tenant_token).build()


async def send(
    client: Any,
    tenant_token: str,
    receive_id: str,
    content: str | dict[str, Any] = CARD,
    *,
    dedupe: str | None = None,
    kind: str = "chat_id",
) -> Any:
    text = content if isinstance(content, str) else json.dumps(content, ensure_ascii=False)
    body = CreateMessageRequestBody.builder().receive_id(receive_id).msg_type("interactive")
    body = body.content(text)
    if dedupe is not None:
        body = body.uuid(dedupe)
    request = (
        CreateMessageRequest.builder().receive_id_type(kind).request_body(body.build()).build()
    )
    return await client.im.v1.message.acreate(request, option(tenant_token))


async def patch(client: Any, tenant_token: str, message_id: str, card: dict[str, Any]) -> Any:
    body = PatchMessageRequestBody.builder().content(json.dumps(card, ensure_ascii=False))
    request = PatchMessageRequest.builder().message_id(message_id).request_body(body.build())
    return await client.im.v1.message.apatch(request.build(), option(tenant_token))


def header(response: Any, name: str) -> str | None:
    """httpx hands the SDK lower-cased header names; look them up regardless of case."""
    headers: dict[str, str] = response.raw.headers
    return next((value for key, value in headers.items() if key.lower() == name), None)


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, format="PNG")
    return buffer.getvalue()


# Tokens


async def test_token_answers_like_feishu_and_is_counted(fake: FakeFeishu) -> None:
    first = await fetch_token(fake)
    again = await fetch_token(fake)
    assert first["code"] == 0 and first["msg"] == "ok" and first["expire"] == 7200
    assert first["tenant_access_token"].startswith("t-")
    assert again["tenant_access_token"] == first["tenant_access_token"]
    assert (await fetch_token(fake, app_secret="wrong"))["code"] == SECRET_INVALID
    assert (await fetch_token(fake, app_id="cli_unknown"))["code"] == APP_INVALID
    assert fake.token_fetches == 4


async def test_the_sdks_own_token_fetch_without_content_type_is_accepted() -> None:
    """TokenManager.get_self_tenant_token is the SDK's synchronous fetch (it blocks, so it
    runs in a thread here); its cache is process-wide per app_id, hence an app of its own."""
    async with FakeFeishu(app_id="cli_sdk_token_probe") as fake:
        fetched = await asyncio.to_thread(TokenManager.get_self_tenant_token, sdk(fake).config)
        assert fetched.startswith("t-")
        assert fake.requests[-1].path == TOKEN_PATH and fake.requests[-1].code == 0


async def test_a_token_near_its_end_is_renewed_and_the_old_one_lasts(
    fake: FakeFeishu, ticks: FakeClock
) -> None:
    client = sdk(fake)
    old = await token(fake)
    ticks.advance(seconds=7200 - 1800 + 1)
    new = await fetch_token(fake)
    assert new["tenant_access_token"] != old and new["expire"] == 7200
    assert (await send(client, old, CHAT)).code == 0
    ticks.advance(seconds=1800)
    assert (await send(client, old, CHAT)).code == TOKEN_INVALID


async def test_tokens_are_checked(fake: FakeFeishu) -> None:
    client = sdk(fake)
    refused = await send(client, "t-" + "0" * 40, CHAT)
    assert (refused.code, refused.raw.status_code) == (TOKEN_INVALID, 400)
    url = fake.base_url + "/open-apis/im/v1/messages?receive_id_type=chat_id"
    body = {"receive_id": CHAT, "msg_type": "interactive", "content": json.dumps(CARD)}
    good = await token(fake)
    async with aiohttp.ClientSession() as session:
        for headers in ({}, {"Authorization": good}):  # no Bearer: Feishu sees no token
            async with session.post(url, json=body, headers=headers) as response:
                assert (await response.json())["code"] == TOKEN_MISSING
    fake.revoke_tokens()
    assert (await send(client, good, CHAT)).code == TOKEN_INVALID
    renewed = await token(fake)
    assert renewed != good and (await send(client, renewed, CHAT)).code == 0
    assert len(fake.messages(CHAT)) == 1


# Sending


async def test_a_sent_card_is_recorded(fake: FakeFeishu) -> None:
    response = await send(sdk(fake), await token(fake), CHAT, dedupe="outbox-1")
    assert response.success() and response.data.message_id.startswith("om_")
    assert response.data.chat_id == CHAT
    [message] = fake.messages(CHAT)
    assert (message.message_id, message.card, message.uuid) == (
        response.data.message_id,
        CARD,
        "outbox-1",
    )
    call = fake.requests[-1]
    assert (call.method, call.path, call.status, call.code) == (
        "POST",
        "/open-apis/im/v1/messages",
        200,
        0,
    )
    assert call.query == {"receive_id_type": "chat_id"}
    assert call.body["receive_id"] == CHAT and json.loads(call.body["content"]) == CARD


async def test_a_uuid_makes_a_repeat_within_the_hour_a_no_op(
    fake: FakeFeishu, ticks: FakeClock
) -> None:
    client, tenant = sdk(fake), await token(fake)
    fake.add_chat("oc_other")
    first = await send(client, tenant, CHAT, dedupe="ticket-17-post-1")
    again = await send(client, tenant, CHAT, dedupe="ticket-17-post-1")
    elsewhere = await send(client, tenant, "oc_other", dedupe="ticket-17-post-1")
    assert again.data.message_id == first.data.message_id == elsewhere.data.message_id
    assert len(fake.messages(CHAT)) == 1 and fake.messages("oc_other") == []
    ticks.advance(seconds=3600)
    later = await send(client, tenant, CHAT, dedupe="ticket-17-post-1")
    assert later.data.message_id != first.data.message_id
    assert len(fake.messages(CHAT)) == 2


async def test_a_chat_without_the_bot_and_an_unknown_chat_are_refused(fake: FakeFeishu) -> None:
    client, tenant = sdk(fake), await token(fake)
    outside = await send(client, tenant, OUTSIDE)
    unknown = await send(client, tenant, "oc_unknown")
    assert (outside.code, outside.raw.status_code) == (BOT_NOT_IN_CHAT, 400)
    assert unknown.code == INVALID_PARAM and "invalid receive_id" in unknown.msg
    assert fake.messages(OUTSIDE) == [] and fake.messages("oc_unknown") == []


async def test_a_direct_message_reaches_a_user_in_scope(fake: FakeFeishu) -> None:
    client, tenant = sdk(fake), await token(fake)
    sent = await send(client, tenant, USER, kind="open_id")
    assert sent.code == 0 and sent.data.chat_id.startswith("oc_")
    assert [m.chat_id for m in fake.messages(USER)] == [sent.data.chat_id]
    stranger = await send(client, tenant, "ou_not_in_scope", kind="open_id")
    assert stranger.code == USER_UNAVAILABLE


async def test_cards_are_checked(ticks: FakeClock) -> None:
    def validator(card: object) -> list[str]:
        return [] if isinstance(card, dict) and "header" in card else ["header is required"]

    async with FakeFeishu(validator=validator, clock=ticks.monotonic) as fake:
        fake.add_chat(CHAT)
        client, tenant = sdk(fake), await token(fake)
        headless = await send(client, tenant, CHAT, {"schema": "2.0", "body": {"elements": []}})
        assert headless.code == CARD_INVALID and "header is required" in headless.msg
        assert (await send(client, tenant, CHAT, "{not json")).code == CARD_INVALID
        long = dict(CARD, body={"elements": [{"tag": "markdown", "content": "漏" * 6000}]})
        assert (await send(client, tenant, CHAT, long)).code == 0  # 18 KB in UTF-8
        escaped = json.dumps(long)  # ensure_ascii: 6 bytes per character, 36 KB
        assert (await send(client, tenant, CHAT, escaped)).code == CONTENT_TOO_LONG
        quotes = dict(CARD, body={"elements": [{"tag": "markdown", "content": '"' * 9000}]})
        quoted = json.dumps(quotes)  # 18 KB, each quote escaped; 36 KB escaped again in the body
        assert len(quoted) < CARD_MAX_BYTES
        assert (await send(client, tenant, CHAT, quoted)).code == CONTENT_TOO_LONG
        assert len(fake.messages(CHAT)) == 1


# Limits and faults


async def test_the_sixth_send_to_a_chat_within_a_second_is_refused(
    fake: FakeFeishu, ticks: FakeClock
) -> None:
    client, tenant = sdk(fake), await token(fake)
    fake.add_chat("oc_quiet")
    codes = [(await send(client, tenant, CHAT)).code for _ in range(5)]
    sixth = await send(client, tenant, CHAT)
    assert codes == [0] * 5
    assert (sixth.code, sixth.raw.status_code) == (FREQUENCY_LIMITED, 400)
    assert "chat rate limit" in sixth.msg and header(sixth, "x-ogw-ratelimit-reset") is None
    assert (await send(client, tenant, "oc_quiet")).code == 0
    ticks.advance(seconds=0.999)
    assert (await send(client, tenant, CHAT)).code == FREQUENCY_LIMITED
    ticks.advance(seconds=0.001)
    assert (await send(client, tenant, CHAT)).code == 0
    assert fake.max_per_second(CHAT) == 5 and len(fake.messages(CHAT)) == 6


async def test_the_chat_limit_can_answer_as_the_gateway_does(ticks: FakeClock) -> None:
    async with FakeFeishu(chat_limit_code=RATE_LIMITED, clock=ticks.monotonic) as fake:
        fake.add_chat(CHAT)
        client, tenant = sdk(fake), await token(fake)
        for _ in range(5):
            assert (await send(client, tenant, CHAT)).code == 0
        ticks.advance(seconds=0.5)
        sixth = await send(client, tenant, CHAT)
        assert (sixth.code, sixth.raw.status_code) == (RATE_LIMITED, 429)
        assert header(sixth, "x-ogw-ratelimit-limit") == "5"
        assert header(sixth, "x-ogw-ratelimit-reset") == "1"


async def test_the_app_may_send_50_per_second(fake: FakeFeishu) -> None:
    client, tenant = sdk(fake), await token(fake)
    chats = [f"oc_chat{i:02d}" for i in range(PER_APP_SECOND // 5 + 1)]
    for chat in chats:
        fake.add_chat(chat)
    for chat in chats[:-1]:
        for _ in range(5):
            assert (await send(client, tenant, chat)).code == 0
    over = await send(client, tenant, chats[-1])
    assert (over.code, over.raw.status_code) == (RATE_LIMITED, 429)
    assert header(over, "x-ogw-ratelimit-limit") == str(PER_APP_SECOND)
    assert header(over, "x-ogw-ratelimit-reset") == "1"


async def test_fail_next_refuses_calls_but_not_token_fetches(fake: FakeFeishu) -> None:
    client = sdk(fake)
    fake.fail_next(2, reset=3)
    tenant = await token(fake)
    refused = [await send(client, tenant, CHAT) for _ in range(2)]
    assert [(r.code, r.raw.status_code) for r in refused] == [(RATE_LIMITED, 429)] * 2
    assert header(refused[0], "x-ogw-ratelimit-reset") == "3"
    assert (await send(client, tenant, CHAT)).code == 0
    fake.fail_next(1, status=400, code=FREQUENCY_LIMITED)
    fake.fail_next(1, status=503, code=INTERNAL_ERROR)
    limited, down = await send(client, tenant, CHAT), await send(client, tenant, CHAT)
    assert (limited.code, limited.raw.status_code) == (FREQUENCY_LIMITED, 400)
    assert header(limited, "x-ogw-ratelimit-reset") is None
    assert (down.code, down.raw.status_code) == (INTERNAL_ERROR, 503)
    assert len(fake.messages(CHAT)) == 1


async def test_an_outage_answers_everything_with_500_until_it_ends(
    fake: FakeFeishu, ticks: FakeClock
) -> None:
    client, tenant = sdk(fake), await token(fake)
    fake.outage(30)
    async with (
        aiohttp.ClientSession() as session,
        session.post(fake.base_url + TOKEN_PATH, json={}) as response,
    ):
        assert response.status == 500 and (await response.json())["code"] == INTERNAL_ERROR
    failed = await send(client, tenant, CHAT)
    assert (failed.code, failed.raw.status_code) == (INTERNAL_ERROR, 500)
    ticks.advance(seconds=30)
    assert (await send(client, tenant, CHAT)).code == 0


async def test_an_html_error_page_makes_the_sdk_raise(fake: FakeFeishu) -> None:
    """A load balancer's page is not JSON, and the SDK parses every answer as JSON."""
    client, tenant = sdk(fake), await token(fake)
    fake.outage(30, status=502, html=True)
    with pytest.raises(json.JSONDecodeError):
        await send(client, tenant, CHAT)
    assert fake.requests[-1].status == 502


async def test_a_slow_answer_times_out_after_the_card_was_sent(fake: FakeFeishu) -> None:
    tenant = await token(fake)
    fake.slow(1.0)
    with pytest.raises(httpx.TimeoutException):
        await send(sdk(fake, timeout=0.2), tenant, CHAT, dedupe="outbox-9")
    [sent] = fake.messages(CHAT)
    fake.slow(0)
    retried = await send(sdk(fake), tenant, CHAT, dedupe="outbox-9")
    assert retried.data.message_id == sent.message_id and len(fake.messages(CHAT)) == 1


# Images


async def test_an_uploaded_image_can_be_shown_in_a_card(fake: FakeFeishu) -> None:
    client, tenant = sdk(fake), await token(fake)

    async def upload(data: bytes) -> Any:
        body = CreateImageRequestBody.builder().image_type("message").image(io.BytesIO(data))
        request = CreateImageRequest.builder().request_body(body.build()).build()
        return await client.im.v1.image.acreate(request, option(tenant))

    picture = png()
    uploaded = await upload(picture)
    key = uploaded.data.image_key
    assert uploaded.code == 0 and key.startswith("img_v3_") and fake.images[key] == picture
    assert fake.requests[-1].body == {"image_type": "message", "image": {"size": len(picture)}}
    assert (await upload(b"not an image")).code == IMAGE_FORMAT
    assert fake.uploads == 2

    def with_image(img_key: str) -> dict[str, Any]:
        image = {"tag": "img", "img_key": img_key, "alt": {"tag": "plain_text", "content": ""}}
        return dict(CARD, body={"elements": [image]})

    assert (await send(client, tenant, CHAT, with_image(key))).code == 0
    missing = await send(client, tenant, CHAT, with_image("img_v3_never_uploaded"))
    assert missing.code == CARD_INVALID and "200570" in missing.msg


async def test_a_slow_upload_stores_the_image_before_it_answers(fake: FakeFeishu) -> None:
    client, tenant = sdk(fake, timeout=0.2), await token(fake)
    fake.slow_uploads(1.0)
    body = CreateImageRequestBody.builder().image_type("message").image(io.BytesIO(png()))
    request = CreateImageRequest.builder().request_body(body.build()).build()
    with pytest.raises(httpx.TimeoutException):
        await client.im.v1.image.acreate(request, option(tenant))
    assert fake.uploads == 1 and len(fake.images) == 1


# Users' messages: read back, their images fetched, replied to


async def get_message(client: Any, tenant: str, message_id: str) -> Any:
    request = GetMessageRequest.builder().message_id(message_id).build()
    return await client.im.v1.message.aget(request, option(tenant))


async def resource(client: Any, tenant: str, message_id: str, key: str, kind: str | None) -> Any:
    request = GetMessageResourceRequest.builder().message_id(message_id).file_key(key)
    if kind is not None:
        request = request.type(kind)
    return await client.im.v1.message_resource.aget(request.build(), option(tenant))


async def reply(client: Any, tenant: str, message_id: str, text: str, **extra: Any) -> Any:
    body = ReplyMessageRequestBody.builder().msg_type("text").content(json.dumps({"text": text}))
    if "uuid" in extra:
        body = body.uuid(extra["uuid"])
    body = body.reply_in_thread(extra.get("in_thread", True))
    request = ReplyMessageRequest.builder().message_id(message_id).request_body(body.build())
    return await client.im.v1.message.areply(request.build(), option(tenant))


async def test_a_users_image_is_read_back_and_downloaded_with_its_own_key(
    fake: FakeFeishu,
) -> None:
    client, tenant = sdk(fake), await token(fake)
    picture = png()
    said = fake.post_as_user(
        CHAT, USER, "image", {"image_key": "img_v3_user"}, resources={"img_v3_user": picture}
    )
    read = await get_message(client, tenant, said.message_id)
    [item] = read.data.items
    assert (item.msg_type, item.chat_id, item.sender.id) == ("image", CHAT, USER)
    assert json.loads(item.body.content) == {"image_key": "img_v3_user"}
    got = await resource(client, tenant, said.message_id, "img_v3_user", "image")
    assert got.code == 0 and got.file.read() == picture
    assert fake.requests[-1].query == {"type": "image"}
    untyped = await resource(client, tenant, said.message_id, "img_v3_user", None)
    other = fake.post_as_user(CHAT, USER, "text", {"text": "楼上"})
    mismatched = await resource(client, tenant, other.message_id, "img_v3_user", "image")
    card = (await send(client, tenant, CHAT)).data.message_id
    of_card = await resource(client, tenant, card, "img_v3_user", "image")
    # The SDK leaves `code` unset on a failed download (it looks for "Content-Type" among
    # httpx's lower-cased headers): the answer is read from the raw body.
    assert untyped.code is None and untyped.raw.status_code == 400
    assert [json.loads(r.raw.content)["code"] for r in (untyped, mismatched, of_card)] == [
        RESOURCE_INVALID,
        RESOURCE_INVALID,
        RESOURCE_UNSUPPORTED,
    ]
    unknown = await get_message(client, tenant, "om_" + "0" * 32)
    assert (unknown.code, unknown.raw.status_code) == (INVALID_PARAM, 400)
    assert "invalid message_id" in unknown.msg


async def test_reading_a_group_message_needs_the_group_scope(fake: FakeFeishu) -> None:
    client, tenant = sdk(fake), await token(fake)
    in_group = fake.post_as_user(CHAT, USER, "text", {"text": "3栋 漏水"})
    direct = fake.post_as_user(fake.direct_chat(USER), USER, "text", {"text": "3栋 漏水"})
    fake.scopes.discard(GROUP_MESSAGES)
    refused = await get_message(client, tenant, in_group.message_id)
    assert refused.code == MISSING_SCOPE
    assert refused.msg.startswith(
        f"Access denied. One of the following scopes is required: [{GROUP_MESSAGES}]."
    )
    assert (await get_message(client, tenant, direct.message_id)).code == 0


async def test_a_reply_joins_the_thread_once_per_uuid(fake: FakeFeishu) -> None:
    client, tenant = sdk(fake), await token(fake)
    mention = Mention("@_user_1", BOT_OPEN_ID, BOT_NAME)
    said = fake.post_as_user(CHAT, USER, "text", {"text": "@_user_1 3栋 漏水"}, mentions=(mention,))
    first = await reply(client, tenant, said.message_id, "已登记", uuid="reply-1")
    again = await reply(client, tenant, said.message_id, "已登记", uuid="reply-1")
    assert first.code == 0 and again.data.message_id == first.data.message_id
    [answer] = fake.replies(said.message_id)
    assert answer.content == {"text": "已登记"} and answer.thread_id is not None
    assert (first.data.parent_id, first.data.root_id) == (said.message_id, said.message_id)
    assert first.data.thread_id == answer.thread_id
    read = (await get_message(client, tenant, said.message_id)).data.items[0]
    assert (read.mentions[0].key, read.mentions[0].id) == ("@_user_1", BOT_OPEN_ID)
    assert (await reply(client, tenant, "om_" + "0" * 32, "?")).code == INVALID_PARAM
    malformed = ReplyMessageRequestBody.builder().msg_type("text").content("not json").build()
    request = ReplyMessageRequest.builder().message_id(said.message_id).request_body(malformed)
    refused = await client.im.v1.message.areply(request.build(), option(tenant))
    assert refused.code == INVALID_PARAM and len(fake.replies(said.message_id)) == 1


async def test_the_bot_info_names_the_bots_open_id(fake: FakeFeishu) -> None:
    request = (
        lark.BaseRequest.builder()
        .http_method(lark.HttpMethod.GET)
        .uri("/open-apis/bot/v3/info")
        .token_types({lark.AccessTokenType.TENANT})
        .build()
    )
    answer = await sdk(fake).arequest(request, option(await token(fake)))
    assert answer.code == 0
    assert json.loads(answer.raw.content)["bot"]["open_id"] == BOT_OPEN_ID


# Editing


async def test_only_a_shared_card_can_be_edited(fake: FakeFeishu) -> None:
    client, tenant = sdk(fake), await token(fake)
    done = dict(CARD, header={"title": {"tag": "plain_text", "content": "已完成"}})
    shared = (await send(client, tenant, CHAT)).data.message_id
    assert (await patch(client, tenant, shared, done)).code == 0
    assert fake.message(shared).cards == [CARD, done]
    private = await send(client, tenant, CHAT, {k: v for k, v in CARD.items() if k != "config"})
    refused = await patch(client, tenant, private.data.message_id, done)
    assert refused.code == INVALID_PARAM and "update_multi" in refused.msg
    unshare = await patch(client, tenant, shared, {k: v for k, v in done.items() if k != "config"})
    assert unshare.code == INVALID_PARAM
    assert (await patch(client, tenant, "om_unknown", done)).code == INVALID_PARAM
    assert fake.message(shared).cards == [CARD, done]


async def test_edits_are_limited_per_message_and_to_14_days(
    fake: FakeFeishu, ticks: FakeClock
) -> None:
    client, tenant = sdk(fake), await token(fake)
    message_id = (await send(client, tenant, CHAT)).data.message_id
    codes = [(await patch(client, tenant, message_id, CARD)).code for _ in range(6)]
    assert codes == [0] * 5 + [FREQUENCY_LIMITED]
    ticks.advance(seconds=14 * 86400 + 1)
    fresh = await token(fake)
    late = await patch(client, fresh, message_id, CARD)
    assert late.code == EDIT_WINDOW_PASSED and late.msg.startswith("Message can only be modified")
    assert len(fake.message(message_id).cards) == 6


async def test_a_recalled_card_cannot_be_edited(fake: FakeFeishu) -> None:
    client, tenant = sdk(fake), await token(fake)
    message_id = (await send(client, tenant, CHAT)).data.message_id
    fake.recall(message_id)
    refused = await patch(client, tenant, message_id, CARD)
    assert (refused.code, refused.msg) == (RECALLED, "The message is recalled.")
    assert fake.message(message_id).cards == [CARD]


async def test_a_click_token_updates_the_card_twice_within_30_minutes(
    fake: FakeFeishu, ticks: FakeClock
) -> None:
    """Through the SDK's generic `arequest`, which (1.7.5, async) never reads code or msg:
    it looks for a "Content-Type" key among httpx's lower-cased header names. Read
    `raw.content` instead."""
    client, tenant = sdk(fake), await token(fake)
    message_id = (await send(client, tenant, CHAT)).data.message_id
    click = fake.issue_card_token(message_id)

    async def update(card_token: str) -> Any:
        request = (
            lark.BaseRequest.builder()
            .http_method(lark.HttpMethod.POST)
            .uri("/open-apis/interactive/v1/card/update")
            .token_types({lark.AccessTokenType.TENANT})
            .body({"token": card_token, "card": CARD})
            .build()
        )
        response = await client.arequest(request, option(tenant))
        return json.loads(response.raw.content)["code"], response.code

    assert [await update(click) for _ in range(3)] == [(0, 0), (0, 0), (FIELD_INVALID, None)]
    assert [u.message_id for u in fake.card_updates] == [message_id] * 2
    assert len(fake.message(message_id).cards) == 3
    late = fake.issue_card_token(message_id)
    ticks.advance(seconds=1801)
    tenant = await token(fake)
    assert (await update(late))[0] == FIELD_INVALID


async def test_a_click_answers_card_replaces_the_clicked_card(fake: FakeFeishu) -> None:
    """What Feishu does with the `card` in a webhook's answer: no OpenAPI call is made."""
    message_id = (await send(sdk(fake), await token(fake), CHAT)).data.message_id
    calls = len(fake.requests)
    click = card_action({"n": 17}, message_id=message_id, chat_id=CHAT)
    fresh = {**CARD, "body": {"elements": [{"tag": "markdown", "content": "已接单"}]}}
    assert not fake.apply_answer(click, {"toast": {"type": "info", "content": "收到"}})
    assert fake.apply_answer(click, {"card": {"type": "raw", "data": fresh}})
    assert fake.message(message_id).cards == [CARD, fresh]
    assert [a.message_id for a in fake.answers] == [message_id]
    assert len(fake.requests) == calls
    with pytest.raises(AnswerRefused):  # 200830
        fake.apply_answer(click, {"card": {"type": "raw", "data": {**fresh, "schema": "1.0"}}})
    assert not fake.apply_answer(card_action({"n": 17}), {"card": {"type": "raw", "data": fresh}})


# Look-ups for `baoxiu doctor`


async def test_chats_and_users_resolve_or_fail_with_feishus_codes(fake: FakeFeishu) -> None:
    client, tenant = sdk(fake), await token(fake)

    async def chat(chat_id: str) -> Any:
        request = GetChatRequest.builder().chat_id(chat_id).build()
        return await client.im.v1.chat.aget(request, option(tenant))

    async def user(open_id: str) -> Any:
        request = GetUserRequest.builder().user_id(open_id).user_id_type("open_id").build()
        return await client.contact.v3.user.aget(request, option(tenant))

    async def inside(chat_id: str) -> Any:
        request = IsInChatChatMembersRequest.builder().chat_id(chat_id).build()
        return await client.im.v1.chat_members.ais_in_chat(request, option(tenant))

    assert (await chat(CHAT)).data.name == "3 号楼维修群"
    assert (await chat(OUTSIDE)).code == 0  # a chat the bot is not in still has a name
    assert (await chat("oc_gone")).code == CHAT_INVALID
    assert (await inside(CHAT)).data.is_in_chat is True
    assert (await inside(OUTSIDE)).data.is_in_chat is False
    assert (await inside("oc_gone")).code == CHAT_INVALID
    assert (await user(USER)).data.user.name == "王师傅"
    assert (await user("ou_gone")).code == NO_USER_AUTHORITY


async def test_an_unknown_path_gets_feishus_plain_404(fake: FakeFeishu) -> None:
    async with (
        aiohttp.ClientSession() as session,
        session.get(fake.base_url + "/open-apis/nonexistent/v1/foo") as response,
    ):
        assert response.status == 404 and await response.text() == "404 page not found"


# The long connection


class LongConnection:
    """lark.ws.Client as production has to run it in 1.7.5: `start()` blocks, the module
    keeps the loop it found at import, and the client's constructor schedules a task on
    the current loop. So: its own thread, its own loop, the client built inside."""

    def __init__(self, build: Callable[[], Any]) -> None:
        self.error: Exception | None = None
        self._build = build
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        previous, lark_ws.loop = lark_ws.loop, self._loop
        client = None
        try:
            client = self._build()
            client.start()
        except RuntimeError:
            pass  # stop() halted the loop under start()
        except Exception as error:
            self.error = error
        finally:
            try:
                if client is not None:  # 1.7.5 has no stop(): close its socket, then its tasks
                    self._loop.run_until_complete(client._disconnect())
                tasks = asyncio.all_tasks(self._loop)
                for task in tasks:
                    task.cancel()
                self._loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))
            finally:
                lark_ws.loop = previous
                self._loop.close()

    async def stop(self) -> None:
        """Joins from a worker thread: the fake on this loop must answer the close."""
        if self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._loop.stop)
        await asyncio.to_thread(self._thread.join, 10)
        assert not self._thread.is_alive(), "the long connection did not stop"

    @property
    def finished(self) -> bool:
        return not self._thread.is_alive()


async def test_a_click_arrives_over_the_long_connection_and_is_answered() -> None:
    """The endpoint's ClientConfig overrides the SDK's own timings: here a ping a second."""
    async with FakeFeishu(client_config={"PingInterval": 1}) as fake:
        await click_over_long_connection(fake)


async def click_over_long_connection(fake: FakeFeishu) -> None:
    clicks: list[Any] = []
    toast = {"type": "success", "content": "已接单"}

    def on_click(event: Any) -> Any:
        clicks.append(event)
        return P2CardActionTriggerResponse({"toast": toast})

    def build() -> Any:
        handler = (
            lark.EventDispatcherHandler.builder("", "")
            .register_p2_card_action_trigger(on_click)
            .build()
        )
        return lark.ws.Client(
            fake.app_id,
            fake.app_secret,
            event_handler=handler,
            domain=fake.base_url,
            auto_reconnect=False,
            log_level=lark.LogLevel.CRITICAL,  # it logs its own socket closing as an error
        )

    connection = LongConnection(build)
    try:
        await eventually(lambda: fake.ws_connections == 1)
        reply = await fake.push(card_action({"action": "accept", "ticket": 17}, operator=USER))
        assert reply.code == 200 and reply.data == {"toast": toast} and not reply.applied
        assert "biz_rt" in reply.headers
        assert clicks[0].event.action.value == {"action": "accept", "ticket": 17}
        assert clicks[0].event.operator.open_id == USER
        split = await fake.push(card_action({"action": "done"}), parts=3)
        assert split.code == 200 and clicks[1].event.action.value == {"action": "done"}
        with pytest.raises(TimeoutError):  # 1.7.5 drops "card" frames without an answer
            await fake.push(card_action({"action": "ignored"}), kind="card", timeout=0.5)
        await eventually(lambda: fake.pings >= 2)
    finally:
        await connection.stop()
    assert connection.error is None and len(clicks) == 2


async def test_the_long_connection_refuses_wrong_credentials(fake: FakeFeishu) -> None:
    def build() -> Any:
        handler = lark.EventDispatcherHandler.builder("", "").build()
        return lark.ws.Client(
            fake.app_id,
            "wrong",
            event_handler=handler,
            domain=fake.base_url,
            auto_reconnect=False,
            log_level=lark.LogLevel.CRITICAL,
        )

    connection = LongConnection(build)
    try:
        await eventually(lambda: connection.finished)
    finally:
        await connection.stop()
    assert isinstance(connection.error, ClientException)
    assert connection.error.code == SECRET_INVALID
    assert [c.code for c in fake.requests if c.path == WS_ENDPOINT_PATH] == [SECRET_INVALID]
    async with aiohttp.ClientSession() as session:  # a socket URL the endpoint never issued
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await session.ws_connect(fake.base_url + "/ws?service_id=1&ticket=forged")
    assert refused.value.status == 403 and fake.ws_connections == 0


# Callback requests, checked by the SDK's own decryptor and verifier


def dispatcher(encrypt_key: str, seen: list[Any]) -> Any:
    def on_click(event: Any) -> Any:
        seen.append(event)
        return P2CardActionTriggerResponse({"toast": {"type": "info", "content": "收到"}})

    return (
        lark.EventDispatcherHandler.builder(encrypt_key, VERIFICATION_TOKEN)
        .register_p2_card_action_trigger(on_click)
        .build()
    )


def post(handler: Any, headers: dict[str, str], body: bytes) -> Any:
    request = lark.RawRequest()
    request.uri = "/feishu/callback"
    request.headers = headers
    request.body = body
    return handler.do(request)


async def test_a_click_is_shaped_like_feishus_sample() -> None:
    click = card_action({"k": "v"}, form_value={"note": "ok"}, name="submit", created=1.5)
    assert set(click) == {"schema", "header", "event"}
    assert set(click["header"]) == {
        "event_id",
        "token",
        "create_time",
        "event_type",
        "tenant_key",
        "app_id",
    }
    assert click["header"]["create_time"] == "1500000"  # microseconds, as a string
    assert set(click["event"]) == {"operator", "token", "action", "host", "context"}
    assert set(click["event"]["operator"]) == {"tenant_key", "user_id", "open_id", "union_id"}
    assert set(click["event"]["action"]) == {"value", "tag", "timezone", "form_value", "name"}
    assert set(click["event"]["context"]) == {"open_message_id", "open_chat_id"}
    assert click["event"]["token"].startswith("c-")
    assert "form_value" not in card_action({"k": "v"})["event"]["action"]


async def test_encrypt_agrees_with_the_sdks_decryptor() -> None:
    click = card_action({"action": "accept"})
    sealed = encrypt(click, ENCRYPT_KEY)
    assert json.loads(AESCipher(ENCRYPT_KEY).decrypt_str(sealed["encrypt"])) == click
    assert encrypt(click, ENCRYPT_KEY) != sealed  # a fresh IV each time
    with pytest.raises(ValueError):
        AESCipher("another key").decrypt_str(sealed["encrypt"])


async def test_a_signed_encrypted_click_passes_the_sdks_checks() -> None:
    seen: list[Any] = []
    handler = dispatcher(ENCRYPT_KEY, seen)
    click = card_action({"action": "accept"}, form_value={"note": "明早九点"}, name="submit")
    headers, body = signed_request(click, ENCRYPT_KEY, VERIFICATION_TOKEN)
    assert set(json.loads(body)) == {"encrypt"}
    answer = post(handler, headers, body)
    assert answer.status_code == 200
    assert json.loads(answer.content) == {"toast": {"type": "info", "content": "收到"}}
    assert seen[0].event.action.form_value == {"note": "明早九点"}
    assert seen[0].header.token == VERIFICATION_TOKEN


async def test_the_sdk_refuses_what_feishu_did_not_sign() -> None:
    seen: list[Any] = []
    handler = dispatcher(ENCRYPT_KEY, seen)
    headers, body = signed_request(card_action({"a": 1}), ENCRYPT_KEY, VERIFICATION_TOKEN)
    forged = dict(headers, **{"X-Lark-Signature": "0" * 64})
    assert b"signature verification failed" in post(handler, forged, body).content
    other, other_body = signed_request(card_action({"a": 1}), ENCRYPT_KEY, "another token")
    assert b"invalid verification_token" in post(handler, other, other_body).content
    wrong_key, sealed = signed_request(card_action({"a": 1}), "another key", VERIFICATION_TOKEN)
    assert post(handler, wrong_key, sealed).status_code == 500
    assert seen == []


async def test_a_received_message_passes_the_sdks_checks_and_model() -> None:
    seen: list[Any] = []
    handler = (
        lark.EventDispatcherHandler.builder(ENCRYPT_KEY, VERIFICATION_TOKEN)
        .register_p2_im_message_receive_v1(seen.append)
        .build()
    )
    async with FakeFeishu() as fake:
        fake.add_chat(CHAT)
        mention = Mention("@_user_1", BOT_OPEN_ID, BOT_NAME)
        said = fake.post_as_user(
            CHAT, USER, "text", {"text": "@_user_1 3栋 漏水"}, mentions=(mention,)
        )
    event = message_received(said)
    assert post(handler, *signed_request(event, ENCRYPT_KEY, VERIFICATION_TOKEN)).status_code == 200
    [received] = seen
    message = received.event.message
    assert (message.message_id, message.chat_type, message.message_type) == (
        said.message_id,
        "group",
        "text",
    )
    assert json.loads(message.content) == {"text": "@_user_1 3栋 漏水"}
    assert message.mentions[0].id.open_id == BOT_OPEN_ID and message.mentions[0].name == BOT_NAME
    assert received.event.sender.sender_id.open_id == USER


async def test_url_verification_and_plain_bodies_pass_the_sdk() -> None:
    seen: list[Any] = []
    challenge = url_verification("ignored", "chal-42")
    headers, body = signed_request(challenge, ENCRYPT_KEY, VERIFICATION_TOKEN)
    answer = post(dispatcher(ENCRYPT_KEY, seen), headers, body)
    assert json.loads(answer.content) == {"challenge": "chal-42"}
    plain_headers, plain = signed_request(card_action({"a": 1}), None, VERIFICATION_TOKEN)
    assert json.loads(plain)["header"]["token"] == VERIFICATION_TOKEN
    assert post(dispatcher("", seen), plain_headers, plain).status_code == 200
    assert len(seen) == 1
