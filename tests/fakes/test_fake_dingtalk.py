"""The fake DingTalk, driven with plain aiohttp the way our client will call it: JSON over
HTTP with the token in x-acs-dingtalk-access-token, and the Stream protocol on aiohttp's
WebSocket client."""

import asyncio
import base64
import hashlib
import hmac
import json
from collections.abc import AsyncIterator, Callable
from typing import Any
from urllib.parse import quote_plus

import aiohttp
import pytest

from tests.clock import FakeClock
from tests.fakes.dingtalk import (
    AUTH_FAILED,
    BOT_MESSAGE_TOPIC,
    BOTH_DATA_EMPTY,
    CARD_ALREADY_EXIST,
    CARD_CALLBACK_TOPIC,
    CARD_DATA_EMPTY,
    CARD_INSTANCES_PATH,
    CARD_NOT_EXIST,
    CONVERSATION_INVALID,
    CREATE_AND_DELIVER_PATH,
    DELIVER_MODEL_EMPTY,
    DELIVER_MODEL_ERROR,
    DELIVER_PATH,
    GATEWAY_OPEN_PATH,
    GROUP_SEND_PATH,
    INVALID_CLIENT,
    IP_BANNED,
    MONTHLY_LIMITED,
    MSG_KEY_EMPTY,
    MSG_KEY_INVALID,
    MSG_PARAM_INVALID,
    MSG_PARAM_TOO_LONG,
    NO_UPDATE_DURING_CALLBACK,
    NOT_FOUND,
    OPEN_SPACE_ID_INVALID,
    PARAM_INVALID,
    QPS_LIMITED,
    QPS_LIMITED_GLOBALLY,
    REGISTER_CALLBACK_PATH,
    ROBOT_CODE,
    ROBOT_CODE_AUTH,
    ROBOT_CODE_EMPTY,
    ROUTE_KEY_EXIST,
    SPACE_MODEL_INVALID,
    SYSTEM_BUSY,
    TEMPLATE_NOT_EXIST,
    TEMPLATE_UNPUBLISHED,
    TOKEN_INVALID,
    TOKEN_MISSING,
    TOKEN_PATH,
    FakeDingTalk,
    StreamProtocolError,
)
from tests.fakes.dingtalk_callbacks import (
    API_SECRET,
    GROUP_ID,
    bot_message,
    bot_sign,
    card_click,
    http_signature,
    signed_bot_headers,
    signed_card_headers,
)

GROUP = GROUP_ID
OUTSIDE = "cidOutsideGroupNoRobot0000=="
USER = "manager0417"
TEMPLATE = "2d7a1c3e-5b9f-4e1a-8c6d-0f1e2d3c4b5a.schema"
VARIABLES = {
    "title": "string",
    "status": "string",
    "detail": "string",
    "actions": "string",
    "photos": "array",
}
CARD = {
    "title": "报修 #17 厨房漏水",
    "status": "待接单",
    "detail": "3 号楼 502，水管接口滴水",
    "photos": '[{"url": "https://baoxiu.example.com/media/a.jpg"}]',  # an array, as JSON
}
SUBSCRIBE_CARDS = [{"type": "CALLBACK", "topic": CARD_CALLBACK_TOPIC}]

Json = dict[str, Any]


@pytest.fixture
def ticks() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def fake(ticks: FakeClock) -> AsyncIterator[FakeDingTalk]:
    async with FakeDingTalk(clock=ticks.monotonic) as server:
        server.add_template(TEMPLATE, VARIABLES)
        server.add_group(GROUP, name="3号楼报修群")
        server.add_group(OUTSIDE, robot_member=False)
        server.add_user(USER, "王师傅")
        yield server


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def call(
    session: aiohttp.ClientSession,
    fake: FakeDingTalk,
    path: str,
    body: Any,
    *,
    token: str | None = None,
    method: str = "POST",
) -> tuple[int, Any]:
    headers = {} if token is None else {"x-acs-dingtalk-access-token": token}
    async with session.request(method, fake.base_url + path, json=body, headers=headers) as answer:
        if answer.content_type == "application/json":
            return answer.status, await answer.json()
        return answer.status, await answer.text()


async def token(session: aiohttp.ClientSession, fake: FakeDingTalk) -> str:
    body = {"appKey": fake.app_key, "appSecret": fake.app_secret}
    status, answer = await call(session, fake, TOKEN_PATH, body)
    assert status == 200
    return str(answer["accessToken"])


async def eventually(check: Callable[[], bool], timeout: float = 2.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not check():
        assert asyncio.get_running_loop().time() < deadline, "condition not met in time"
        await asyncio.sleep(0.01)


def card_request(out_track_id: str = "ticket-17-v1", **overrides: Any) -> Json:
    body: Json = {
        "cardTemplateId": TEMPLATE,
        "outTrackId": out_track_id,
        "callbackType": "STREAM",
        "cardData": {"cardParamMap": dict(CARD)},
        "openSpaceId": f"dtv1.card//IM_GROUP.{GROUP}",
        "imGroupOpenSpaceModel": {"supportForward": True},
        "imGroupOpenDeliverModel": {"robotCode": ROBOT_CODE},
    }
    body.update(overrides)
    return body


def markdown(title: str = "本周报修汇总", text: str = "共 12 单，已完成 9 单") -> Json:
    return {
        "msgKey": "sampleMarkdown",
        "msgParam": json.dumps({"title": title, "text": text}, ensure_ascii=False),
        "openConversationId": GROUP,
        "robotCode": ROBOT_CODE,
    }


# Tokens and authentication


async def test_token_is_issued_renewed_and_counted(
    fake: FakeDingTalk, http: aiohttp.ClientSession, ticks: FakeClock
) -> None:
    body = {"appKey": fake.app_key, "appSecret": fake.app_secret}
    status, first = await call(http, fake, TOKEN_PATH, body)
    assert status == 200 and set(first) == {"accessToken", "expireIn"}
    assert first["expireIn"] == 7200
    ticks.advance(seconds=7000)
    again = (await call(http, fake, TOKEN_PATH, body))[1]
    assert again["accessToken"] == first["accessToken"]  # the same, its life renewed
    ticks.advance(seconds=7000)  # 14,000 s after the first fetch: alive only because it was renewed
    status, renewed = await call(
        http, fake, GROUP_SEND_PATH, markdown(), token=first["accessToken"]
    )
    assert status == 200 and "processQueryKey" in renewed
    status, wrong = await call(http, fake, TOKEN_PATH, {**body, "appSecret": "nope"})
    assert (status, wrong["code"]) == (400, INVALID_CLIENT)
    assert wrong["message"] == "无效的clientId或者clientSecret" and wrong["requestid"]
    assert fake.token_fetches == 3


async def test_calls_need_a_live_token(
    fake: FakeDingTalk, http: aiohttp.ClientSession, ticks: FakeClock
) -> None:
    good = await token(http, fake)
    for path in (CREATE_AND_DELIVER_PATH, GROUP_SEND_PATH, REGISTER_CALLBACK_PATH):
        status, missing = await call(http, fake, path, {})
        assert (status, missing["code"]) == (400, TOKEN_MISSING)
        assert missing["message"] == "缺少参数：x-acs-dingtalk-access-token"
        status, bogus = await call(http, fake, path, {}, token="0" * 32)
        assert (status, bogus["code"]) == (400, TOKEN_INVALID)
    assert (await call(http, fake, GROUP_SEND_PATH, markdown(), token=good))[0] == 200
    fake.revoke_tokens()
    assert (await call(http, fake, GROUP_SEND_PATH, markdown(), token=good))[1][
        "code"
    ] == TOKEN_INVALID
    fresh = await token(http, fake)
    assert fresh != good
    ticks.advance(seconds=7200)
    assert (await call(http, fake, GROUP_SEND_PATH, markdown(), token=fresh))[1][
        "code"
    ] == TOKEN_INVALID
    assert len(fake.group_messages(GROUP)) == 1


# Cards


async def test_a_card_is_created_delivered_and_recorded(
    fake: FakeDingTalk, http: aiohttp.ClientSession
) -> None:
    tok = await token(http, fake)
    full = {**CARD, "detail": "漏" * 341 + "a"}  # 1024 bytes of UTF-8: the most allowed
    private = {USER: {"cardParamMap": {"actions": "accept"}}}
    body = card_request(cardData={"cardParamMap": full}, privateData=private)
    status, answer = await call(http, fake, CREATE_AND_DELIVER_PATH, body, token=tok)
    assert status == 200 and answer["success"] is True
    assert answer["result"]["outTrackId"] == "ticket-17-v1"
    [result] = answer["result"]["deliverResults"]
    assert result["spaceType"] == "IM_GROUP" and result["spaceId"] == GROUP
    assert result["success"] is True and result["carrierId"] and "errorMsg" not in result
    card = fake.cards["ticket-17-v1"]
    assert (card.template_id, card.spaces, card.param_map) == (
        TEMPLATE,
        [("IM_GROUP", GROUP)],
        full,
    )
    assert (card.callback_type, card.at_user_ids, card.revisions) == ("STREAM", {}, [full])
    assert card.private_data == {USER: {"actions": "accept"}}
    call_made = fake.requests[-1]
    assert (call_made.method, call_made.path, call_made.status, call_made.code) == (
        "POST",
        CREATE_AND_DELIVER_PATH,
        200,
        None,
    )
    assert call_made.body == body


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"cardTemplateId": "no-such-template"}, TEMPLATE_NOT_EXIST),
        ({"cardTemplateId": "draft-template"}, TEMPLATE_UNPUBLISHED),
        ({"cardData": None}, CARD_DATA_EMPTY),
        ({"cardData": {"cardParamMap": {"title": 17}}}, PARAM_INVALID),
        ({"cardData": {"cardParamMap": {"title": True}}}, PARAM_INVALID),
        ({"cardData": {"cardParamMap": {"title": "漏" * 342}}}, PARAM_INVALID),  # 1026 B
        ({"cardData": {"cardParamMap": {"t" * 101: "x"}}}, PARAM_INVALID),
        ({"cardData": {"cardParamMap": {"assignee": "王师傅"}}}, PARAM_INVALID),
        ({"cardData": {"cardParamMap": {"photos": "a.jpg"}}}, PARAM_INVALID),  # not an array
        ({"cardData": {"cardParamMap": {"photos": ""}}}, PARAM_INVALID),
        ({"cardData": {"cardParamMap": {"photos": '{"url": "a.jpg"}'}}}, PARAM_INVALID),
        ({"openSpaceId": f"IM_GROUP.{GROUP}"}, OPEN_SPACE_ID_INVALID),
        ({"openSpaceId": "dtv1.card//IM_GROUP"}, OPEN_SPACE_ID_INVALID),
        ({"openSpaceId": f"dtv1.card//ONE_BOX.{GROUP}"}, OPEN_SPACE_ID_INVALID),
        ({"imGroupOpenDeliverModel": None}, DELIVER_MODEL_EMPTY),
        ({"imGroupOpenDeliverModel": {"robotCode": "dingother"}}, DELIVER_MODEL_ERROR),
        ({"imGroupOpenSpaceModel": {"supportForward": "yes"}}, SPACE_MODEL_INVALID),
        ({"callbackType": "stream"}, PARAM_INVALID),
        ({"callbackType": "HTTP"}, PARAM_INVALID),
        ({"openSpaceId": f"dtv1.card//IM_ROBOT.{USER}"}, DELIVER_MODEL_EMPTY),
    ],
)
async def test_a_card_dingtalk_would_refuse_is_refused(
    fake: FakeDingTalk, http: aiohttp.ClientSession, overrides: Json, code: str
) -> None:
    fake.add_template("draft-template", published=False)
    body = {k: v for k, v in card_request(**overrides).items() if v is not None}
    status, answer = await call(
        http, fake, CREATE_AND_DELIVER_PATH, body, token=await token(http, fake)
    )
    assert (status, answer["code"]) == (400, code)
    assert answer["message"] == code and answer["requestid"]
    assert fake.cards == {}


async def test_an_out_track_id_is_used_once(
    fake: FakeDingTalk, http: aiohttp.ClientSession
) -> None:
    tok = await token(http, fake)
    assert (await call(http, fake, CREATE_AND_DELIVER_PATH, card_request(), token=tok))[0] == 200
    status, again = await call(http, fake, CREATE_AND_DELIVER_PATH, card_request(), token=tok)
    assert (status, again["code"]) == (400, CARD_ALREADY_EXIST)
    assert len(fake.cards) == 1


async def test_each_space_reports_its_own_delivery(
    fake: FakeDingTalk, http: aiohttp.ClientSession
) -> None:
    """A 200 with success true can still have delivered nowhere: only the per-space results
    tell, and the spent outTrackId cannot be retried."""
    tok = await token(http, fake)
    spaces = f"dtv1.card//IM_GROUP.{GROUP};im_group.{OUTSIDE};IM_GROUP.cidUnknown==;"
    spaces += f"IM_ROBOT.{USER};IM_ROBOT.stranger"
    body = card_request(
        openSpaceId=spaces,
        imRobotOpenDeliverModel={"spaceType": "IM_ROBOT"},
        imGroupOpenDeliverModel={"robotCode": ROBOT_CODE, "atUserIds": {USER: "王师傅"}},
    )
    status, answer = await call(http, fake, CREATE_AND_DELIVER_PATH, body, token=tok)
    assert status == 200 and answer["success"] is True
    results = answer["result"]["deliverResults"]
    assert [(r["spaceType"], r["spaceId"], r["success"]) for r in results] == [
        ("IM_GROUP", GROUP, True),
        ("IM_GROUP", OUTSIDE, False),
        ("IM_GROUP", "cidUnknown==", False),
        ("IM_ROBOT", USER, True),
        ("IM_ROBOT", "stranger", False),
    ]
    assert all(r["errorMsg"] and "carrierId" not in r for r in results if not r["success"])
    assert fake.cards["ticket-17-v1"].at_user_ids == {USER: "王师傅"}
    robot_only = card_request(
        "ticket-18-v1",
        openSpaceId=f"dtv1.card//IM_ROBOT.{USER}",
        imRobotOpenDeliverModel={"spaceType": "IM_ROBOT", "robotCode": "dingother"},
    )
    status, refused = await call(http, fake, CREATE_AND_DELIVER_PATH, robot_only, token=tok)
    assert (status, refused["code"]) == (400, DELIVER_MODEL_ERROR)


async def test_a_card_made_but_not_delivered_is_delivered_by_deliver(
    fake: FakeDingTalk, http: aiohttp.ClientSession
) -> None:
    tok = await token(http, fake)
    space = f"dtv1.card//IM_GROUP.{OUTSIDE}"
    made = card_request(openSpaceId=space)
    status, answer = await call(http, fake, CREATE_AND_DELIVER_PATH, made, token=tok)
    assert status == 200 and answer["result"]["deliverResults"][0]["success"] is False
    card = fake.cards["ticket-17-v1"]
    assert not card.shown_in(OUTSIDE)
    again = {
        "outTrackId": "ticket-17-v1",
        "openSpaceId": space,
        "imGroupOpenDeliverModel": {"robotCode": ROBOT_CODE},
    }
    fake.add_group(OUTSIDE)  # the robot joins the group
    status, answer = await call(http, fake, DELIVER_PATH, again, token=tok)
    assert status == 200 and answer["success"] is True
    assert [(r["spaceId"], r["success"]) for r in answer["result"]] == [(OUTSIDE, True)]
    assert card.shown_in(OUTSIDE)
    elsewhere = {**again, "openSpaceId": f"dtv1.card//IM_GROUP.{GROUP}"}
    status, answer = await call(http, fake, DELIVER_PATH, elsewhere, token=tok)
    assert answer["result"][0]["success"] is False  # not a space the card was made for
    unknown = {**again, "outTrackId": "never-made"}
    status, answer = await call(http, fake, DELIVER_PATH, unknown, token=tok)
    assert (status, answer["code"]) == (400, CARD_NOT_EXIST)
    no_model = {"outTrackId": "ticket-17-v1", "openSpaceId": space}
    status, answer = await call(http, fake, DELIVER_PATH, no_model, token=tok)
    assert (status, answer["code"]) == (400, DELIVER_MODEL_EMPTY)


async def test_updates_merge_by_key_or_replace_and_keep_every_revision(
    fake: FakeDingTalk, http: aiohttp.ClientSession
) -> None:
    tok = await token(http, fake)
    await call(http, fake, CREATE_AND_DELIVER_PATH, card_request(), token=tok)

    async def put(body: Json) -> tuple[int, Any]:
        return await call(http, fake, CARD_INSTANCES_PATH, body, token=tok, method="PUT")

    merge = {
        "outTrackId": "ticket-17-v1",
        "cardData": {"cardParamMap": {"status": "已接单"}},
        "cardUpdateOptions": {"updateCardDataByKey": True},
    }
    assert await put(merge) == (200, {"success": True, "result": True})
    replace = {"outTrackId": "ticket-17-v1", "cardData": {"cardParamMap": {"status": "已完成"}}}
    assert (await put(replace))[0] == 200
    card = fake.cards["ticket-17-v1"]
    assert card.revisions == [CARD, {**CARD, "status": "已接单"}, {"status": "已完成"}]
    assert card.param_map == {"status": "已完成"}
    assert (await put({**merge, "outTrackId": "ticket-99"}))[1]["code"] == CARD_NOT_EXIST
    assert (await put({"outTrackId": "ticket-17-v1"}))[1]["code"] == BOTH_DATA_EMPTY
    unknown = {**merge, "cardData": {"cardParamMap": {"assignee": "王师傅"}}}
    assert (await put(unknown))[1]["code"] == PARAM_INVALID
    assert len(card.revisions) == 3


# Robot group messages


async def test_group_messages_are_checked_and_recorded(
    fake: FakeDingTalk, http: aiohttp.ClientSession
) -> None:
    tok = await token(http, fake)
    status, answer = await call(http, fake, GROUP_SEND_PATH, markdown(), token=tok)
    assert status == 200 and answer["processQueryKey"]
    [message] = fake.group_messages(GROUP)
    assert message.msg_key == "sampleMarkdown" and message.msg_param["title"] == "本周报修汇总"
    assert message.process_query_key == answer["processQueryKey"]
    cases: list[tuple[Json, str]] = [
        ({**markdown(), "msgKey": ""}, MSG_KEY_EMPTY),
        ({**markdown(), "msgKey": "sampleInteractiveCard"}, MSG_KEY_INVALID),
        ({**markdown(), "msgParam": {"title": "t", "text": "x"}}, MSG_PARAM_INVALID),
        ({**markdown(), "msgParam": json.dumps({"title": "t"})}, MSG_PARAM_INVALID),
        (markdown(text="修" * 5000), MSG_PARAM_TOO_LONG),  # 15,043 B as JSON
        ({**markdown(), "robotCode": "dingother"}, ROBOT_CODE_AUTH),
        ({**markdown(), "openConversationId": "cidNope=="}, CONVERSATION_INVALID),
        ({**markdown(), "openConversationId": OUTSIDE}, ROBOT_CODE_EMPTY),
        ({**markdown(), "openConversationId": fake.conversation_with(USER)}, CONVERSATION_INVALID),
    ]
    for body, code in cases:
        status, refused = await call(http, fake, GROUP_SEND_PATH, body, token=tok)
        assert (status, refused["code"]) == (400, code), body
    near_limit = markdown(text="修" * 4980)  # 14,940 B of text, 14,983 B as JSON
    assert (await call(http, fake, GROUP_SEND_PATH, near_limit, token=tok))[0] == 200
    assert len(fake.group_messages(GROUP)) == 2 and fake.group_messages(OUTSIDE) == []


async def test_callback_routes_are_registered_once_unless_forced(
    fake: FakeDingTalk, http: aiohttp.ClientSession
) -> None:
    tok = await token(http, fake)
    body = {
        "callbackRouteKey": "baoxiu-cards",
        "callbackUrl": "https://baoxiu.example.com/dingtalk/card",
        "apiSecret": API_SECRET,
        "forceUpdate": False,
    }
    status, answer = await call(http, fake, REGISTER_CALLBACK_PATH, body, token=tok)
    assert (status, answer["result"]["callbackUrl"]) == (200, body["callbackUrl"])
    moved = {**body, "callbackUrl": "https://new.example.com/card"}
    status, refused = await call(http, fake, REGISTER_CALLBACK_PATH, moved, token=tok)
    assert (status, refused["code"]) == (500, ROUTE_KEY_EXIST)
    assert fake.callback_routes["baoxiu-cards"].callback_url == body["callbackUrl"]
    await call(http, fake, REGISTER_CALLBACK_PATH, {**moved, "forceUpdate": True}, token=tok)
    route = fake.callback_routes["baoxiu-cards"]
    assert (route.callback_url, route.api_secret) == ("https://new.example.com/card", API_SECRET)
    http_card = card_request(callbackType="HTTP", callbackRouteKey="baoxiu-cards")
    assert (await call(http, fake, CREATE_AND_DELIVER_PATH, http_card, token=tok))[0] == 200
    assert fake.cards["ticket-17-v1"].callback_route_key == "baoxiu-cards"


# Limits and faults


async def test_the_21st_call_to_an_api_within_a_second_is_refused(
    fake: FakeDingTalk, http: aiohttp.ClientSession, ticks: FakeClock
) -> None:
    tok = await token(http, fake)
    for _ in range(20):
        assert (await call(http, fake, GROUP_SEND_PATH, markdown(), token=tok))[0] == 200
        ticks.advance(seconds=0.01)
    status, refused = await call(http, fake, GROUP_SEND_PATH, markdown(), token=tok)
    assert (status, refused["code"]) == (403, QPS_LIMITED)
    # Another API has its own 20.
    assert (await call(http, fake, CREATE_AND_DELIVER_PATH, card_request(), token=tok))[0] == 200
    ticks.seconds = 1000.0 + 0.999
    assert (await call(http, fake, GROUP_SEND_PATH, markdown(), token=tok))[0] == 403
    ticks.seconds = 1001.0
    assert (await call(http, fake, GROUP_SEND_PATH, markdown(), token=tok))[0] == 200
    assert fake.max_per_second(GROUP_SEND_PATH) == 20
    assert len(fake.group_messages(GROUP)) == 21


async def test_fail_next_spares_token_fetches(
    fake: FakeDingTalk, http: aiohttp.ClientSession
) -> None:
    fake.fail_next(2)
    tok = await token(http, fake)
    refused = [await call(http, fake, GROUP_SEND_PATH, markdown(), token=tok) for _ in range(2)]
    assert [(s, a["code"]) for s, a in refused] == [(403, QPS_LIMITED)] * 2
    fake.fail_next(1, status=500, code=SYSTEM_BUSY)
    status, busy = await call(http, fake, GROUP_SEND_PATH, markdown(), token=tok)
    assert (status, busy["code"], busy["message"]) == (500, SYSTEM_BUSY, "system.busy")
    assert (await call(http, fake, GROUP_SEND_PATH, markdown(), token=tok))[0] == 200
    assert len(fake.group_messages(GROUP)) == 1
    assert [c.detail for c in fake.requests if c.code] == ["fail_next"] * 3


async def test_an_outage_answers_everything_until_it_ends(
    fake: FakeDingTalk, http: aiohttp.ClientSession, ticks: FakeClock
) -> None:
    tok = await token(http, fake)
    fake.outage(30)
    body = {"appKey": fake.app_key, "appSecret": fake.app_secret}
    assert (await call(http, fake, TOKEN_PATH, body))[0] == 500
    assert (await open_stream(http, fake))[0] == 500
    status, down = await call(http, fake, GROUP_SEND_PATH, markdown(), token=tok)
    assert (status, down["code"]) == (500, SYSTEM_BUSY)
    fake.outage(30, status=403, html=True)  # the per-IP ban: an HTML page, not JSON
    status, page = await call(http, fake, GROUP_SEND_PATH, markdown(), token=tok)
    assert status == 403 and page.startswith("<!DOCTYPE html>") and '"punish": "deny"' in page
    ticks.advance(seconds=30)
    assert (await call(http, fake, GROUP_SEND_PATH, markdown(), token=tok))[0] == 200


async def test_too_many_calls_from_one_ip_ban_it_for_five_minutes_with_an_html_page(
    http: aiohttp.ClientSession, ticks: FakeClock
) -> None:
    """Every API counts, the gateway and token fetches too, whatever else refused them."""
    async with FakeDingTalk(clock=ticks.monotonic, ip_calls=25) as fake:
        body = {"appKey": fake.app_key, "appSecret": fake.app_secret}
        answers = [(await call(http, fake, TOKEN_PATH, body))[0] for _ in range(20)]
        answers += [(await open_stream(http, fake))[0] for _ in range(5)]
        assert answers == [200] * 25
        status, page = await call(http, fake, TOKEN_PATH, body)
        assert status == 403 and page.startswith("<!DOCTYPE html>") and '"wait": 5' in page
        ticks.advance(seconds=299)
        assert (await open_stream(http, fake))[0] == 403
        ticks.advance(seconds=1)
        assert (await open_stream(http, fake))[0] == 200
        assert fake.requests[25].code == IP_BANNED


async def test_a_slow_answer_times_out_after_the_card_was_created(
    fake: FakeDingTalk, http: aiohttp.ClientSession
) -> None:
    tok = await token(http, fake)
    fake.slow(1.0)
    headers = {"x-acs-dingtalk-access-token": tok}
    with pytest.raises(TimeoutError):
        await http.post(
            fake.base_url + CREATE_AND_DELIVER_PATH,
            json=card_request(),
            headers=headers,
            timeout=aiohttp.ClientTimeout(total=0.2),
        )
    assert "ticket-17-v1" in fake.cards
    fake.slow(0)
    retry = await call(http, fake, CREATE_AND_DELIVER_PATH, card_request(), token=tok)
    assert retry[1]["code"] == CARD_ALREADY_EXIST


async def test_the_monthly_quota_counts_calls_but_not_token_fetches_or_refusals_for_speed(
    ticks: FakeClock, http: aiohttp.ClientSession
) -> None:
    async with FakeDingTalk(monthly_quota=3, clock=ticks.monotonic) as fake:
        fake.add_group(GROUP)
        tok = await token(http, fake)
        await token(http, fake)
        fake.fail_next(1, code=QPS_LIMITED_GLOBALLY)
        assert (await call(http, fake, GROUP_SEND_PATH, markdown(), token=tok))[0] == 403
        codes = [(await call(http, fake, GROUP_SEND_PATH, markdown(), token=tok)) for _ in range(4)]
        assert [s for s, _ in codes] == [200, 200, 200, 403]
        assert codes[-1][1]["code"] == MONTHLY_LIMITED
        assert fake.calls_this_month == 3 and fake.token_fetches == 2
        fake.reset_month()
        assert (await call(http, fake, GROUP_SEND_PATH, markdown(), token=tok))[0] == 200


async def test_an_unknown_path_is_a_404(fake: FakeDingTalk, http: aiohttp.ClientSession) -> None:
    status, answer = await call(http, fake, "/v1.0/im/v1.0/robot/interactiveCards/send", {})
    assert (status, answer["code"]) == (404, NOT_FOUND)


# The Stream gateway


async def open_stream(
    http: aiohttp.ClientSession,
    fake: FakeDingTalk,
    subscriptions: list[dict[str, str]] | None = None,
    **overrides: Any,
) -> tuple[int, Any]:
    body = {
        "clientId": fake.app_key,
        "clientSecret": fake.app_secret,
        "subscriptions": SUBSCRIBE_CARDS if subscriptions is None else subscriptions,
        "ua": "baoxiu/0.1 aiohttp",
        "localIp": "10.0.0.7",
        **overrides,
    }
    return await call(http, fake, GATEWAY_OPEN_PATH, body)


class Client:
    """A minimal Stream client: acks callbacks through `handler`, echoes pings, and closes
    on `disconnect` when asked to."""

    def __init__(
        self,
        socket: aiohttp.ClientWebSocketResponse,
        handler: Callable[[Json], Json | None] = lambda frame: {"response": None},
        *,
        obey_disconnect: bool = True,
    ) -> None:
        self.socket = socket
        self.frames: list[Json] = []
        self.handler = handler
        self.obey_disconnect = obey_disconnect
        self.task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        async for message in self.socket:
            frame = json.loads(message.data)
            self.frames.append(frame)
            headers = frame["headers"]
            if frame["type"] == "SYSTEM" and headers["topic"] == "disconnect":
                if self.obey_disconnect:
                    await self.socket.close()
                continue
            data = self.handler(frame)
            if data is None:
                continue
            ack = {
                "code": 200,
                "headers": {"contentType": "application/json", "messageId": headers["messageId"]},
                "message": "OK",
                "data": json.dumps(data, ensure_ascii=False),
            }
            await self.socket.send_str(json.dumps(ack))

    async def stop(self) -> None:
        await self.socket.close()
        await self.task


def echo(frame: Json) -> Json:
    if frame["type"] == "SYSTEM":
        return dict(json.loads(frame["data"]))
    return {"response": None}


async def connect(
    http: aiohttp.ClientSession, fake: FakeDingTalk, *, autoping: bool = True
) -> aiohttp.ClientWebSocketResponse:
    _, opened = await open_stream(http, fake)
    url = f"{opened['endpoint']}?ticket={quote_plus(opened['ticket'])}"
    return await http.ws_connect(url, autoping=autoping)


async def test_the_gateway_checks_credentials_and_tickets(
    fake: FakeDingTalk, http: aiohttp.ClientSession, ticks: FakeClock
) -> None:
    status, refused = await open_stream(http, fake, clientSecret="wrong")
    assert (status, refused["code"], refused["message"]) == (401, AUTH_FAILED, "鉴权失败")
    assert (await open_stream(http, fake, subscriptions=[]))[0] == 400
    assert (await open_stream(http, fake, [{"type": "EVENT", "topic": "user_add_org"}]))[0] == 400
    status, opened = await open_stream(http, fake)
    assert status == 200 and set(opened) == {"endpoint", "ticket"}
    assert opened["endpoint"].startswith("ws://127.0.0.1:")
    with pytest.raises(aiohttp.WSServerHandshakeError) as forged:
        await http.ws_connect(opened["endpoint"] + "?ticket=forged")
    assert forged.value.status == 401
    url = f"{opened['endpoint']}?ticket={quote_plus(opened['ticket'])}"
    socket = await http.ws_connect(url)
    with pytest.raises(aiohttp.WSServerHandshakeError):  # a ticket opens one connection
        await http.ws_connect(url)
    _, late = await open_stream(http, fake)
    ticks.advance(seconds=91)
    with pytest.raises(aiohttp.WSServerHandshakeError):
        await http.ws_connect(f"{late['endpoint']}?ticket={quote_plus(late['ticket'])}")
    assert fake.connections == 1
    [seen] = fake.stream_connections
    assert seen.subscriptions == SUBSCRIBE_CARDS
    assert (seen.ua, seen.local_ip) == ("baoxiu/0.1 aiohttp", "10.0.0.7")
    await socket.close()


async def test_a_click_round_trip_updates_the_card(
    fake: FakeDingTalk, http: aiohttp.ClientSession
) -> None:
    tok = await token(http, fake)
    await call(http, fake, CREATE_AND_DELIVER_PATH, card_request(), token=tok)
    answer = {
        "response": {
            "cardUpdateOptions": {"updateCardDataByKey": True},
            "cardData": {"cardParamMap": {"status": "已接单"}},
            "userPrivateData": {"cardParamMap": {"mine": "true"}},
        }
    }
    client = Client(await connect(http, fake), lambda frame: answer)
    try:
        click = card_click("ticket-17-v1", USER, {"action": "accept", "ticket": "17"})
        ack = await fake.push_callback(CARD_CALLBACK_TOPIC, click)
        assert (ack.code, ack.message, ack.data) == (200, "OK", answer)
        assert ack.applied and not ack.late
        [frame] = client.frames
        assert set(frame) == {"specVersion", "type", "headers", "data"}
        assert (frame["specVersion"], frame["type"]) == ("1.0", "CALLBACK")
        assert set(frame["headers"]) == {
            "appId",
            "connectionId",
            "contentType",
            "messageId",
            "time",
            "topic",
        }
        assert frame["headers"]["topic"] == CARD_CALLBACK_TOPIC
        assert frame["headers"]["connectionId"] == ack.connection_id
        assert ack.headers["messageId"] == frame["headers"]["messageId"]
        assert json.loads(frame["data"]) == click
        card = fake.cards["ticket-17-v1"]
        assert card.param_map == {**CARD, "status": "已接单"}
        assert card.private_data == {USER: {"mine": "true"}}
        with pytest.raises(RuntimeError):  # nobody subscribed to robot messages
            await fake.push_callback(BOT_MESSAGE_TOPIC, {"text": {"content": " hi"}})
    finally:
        await client.stop()


async def test_a_late_click_answer_is_not_shown_and_redelivery_repeats_the_id(
    fake: FakeDingTalk, http: aiohttp.ClientSession, ticks: FakeClock
) -> None:
    tok = await token(http, fake)
    await call(http, fake, CREATE_AND_DELIVER_PATH, card_request(), token=tok)

    def slow(frame: Json) -> Json:
        ticks.advance(seconds=2.5)
        return {"response": {"cardData": {"cardParamMap": {"status": "已接单"}}}}

    client = Client(await connect(http, fake), slow)
    try:
        click = card_click("ticket-17-v1", USER, {"action": "accept"})
        first = await fake.push_callback(CARD_CALLBACK_TOPIC, click)
        assert first.late and not first.applied
        again = await fake.push_callback(
            CARD_CALLBACK_TOPIC, click, message_id=first.headers["messageId"]
        )
        assert again.headers["messageId"] == first.headers["messageId"]
        assert [f["headers"]["messageId"] for f in client.frames] == [
            first.headers["messageId"]
        ] * 2
        assert fake.cards["ticket-17-v1"].revisions == [CARD]
    finally:
        await client.stop()


async def test_an_http_callbacks_answer_is_shown_as_an_ack_is(
    fake: FakeDingTalk, http: aiohttp.ClientSession
) -> None:
    tok = await token(http, fake)
    await call(http, fake, CREATE_AND_DELIVER_PATH, card_request(), token=tok)
    click = card_click("ticket-17-v1", USER, {"action": "accept"})
    answer = {
        "cardUpdateOptions": {"updateCardDataByKey": True},
        "cardData": {"cardParamMap": {"status": "已接单"}},
    }
    assert fake.apply_answer(click, answer)
    assert fake.cards["ticket-17-v1"].revisions == [CARD, {**CARD, "status": "已接单"}]
    assert not fake.apply_answer(card_click("not-ours", USER, {}), answer)
    with pytest.raises(StreamProtocolError):
        fake.apply_answer(click, {"cardData": {"cardParamMap": {"status": 17}}})


async def test_an_update_of_a_card_in_its_callback_is_flagged(
    fake: FakeDingTalk, http: aiohttp.ClientSession
) -> None:
    """In an HTTP callback until its answer comes back, over Stream until the ack does."""
    tok = await token(http, fake)
    for card in ("ticket-17-v1", "ticket-18-v1"):
        await call(http, fake, CREATE_AND_DELIVER_PATH, card_request(card), token=tok)

    async def update(card: str) -> int:
        body = {"outTrackId": card, "cardData": {"cardParamMap": {"status": "维修中"}}}
        return (await call(http, fake, CARD_INSTANCES_PATH, body, token=tok, method="PUT"))[0]

    click = card_click("ticket-17-v1", USER, {"action": "accept"})

    async def send() -> tuple[int, Any]:
        assert await update("ticket-17-v1") == 200  # applied, and flagged
        assert await update("ticket-18-v1") == 200  # another card's
        return 200, {}

    assert await fake.http_callback(click, send) == (200, {})
    assert await update("ticket-17-v1") == 200  # once answered
    silent = Client(await connect(http, fake), lambda frame: None)
    try:
        pushing = asyncio.create_task(fake.push_callback(CARD_CALLBACK_TOPIC, click, timeout=1))
        while not silent.frames:
            await asyncio.sleep(0.01)
        assert await update("ticket-17-v1") == 200
        with pytest.raises(TimeoutError):
            await pushing
    finally:
        await silent.stop()
    assert await update("ticket-17-v1") == 200
    flagged = fake.updates_during_callbacks
    assert [c.body["outTrackId"] for c in flagged] == ["ticket-17-v1"] * 2
    assert {c.detail for c in flagged} == {NO_UPDATE_DURING_CALLBACK}
    assert fake.cards["ticket-17-v1"].param_map["status"] == "维修中"


async def test_a_malformed_ack_is_a_protocol_error(
    fake: FakeDingTalk, http: aiohttp.ClientSession
) -> None:
    socket = await connect(http, fake)

    async def answer_with(data: Any) -> None:
        frame = json.loads((await socket.receive()).data)
        ack = {
            "code": 200,
            "headers": {
                "contentType": "application/json",
                "messageId": frame["headers"]["messageId"],
            },
            "message": "OK",
            "data": data,
        }
        await socket.send_str(json.dumps(ack))

    for data in ({"response": None}, "not json"):
        answering = asyncio.create_task(answer_with(data))
        with pytest.raises(StreamProtocolError) as error:
            await fake.push_callback(CARD_CALLBACK_TOPIC, card_click("t", USER, {}))
        await answering
        assert error.value.frame["data"] == data
    await socket.close()


async def test_a_robot_message_arrives_on_its_topic(
    fake: FakeDingTalk, http: aiohttp.ClientSession
) -> None:
    subscriptions = [{"type": "CALLBACK", "topic": BOT_MESSAGE_TOPIC}]
    _, opened = await open_stream(http, fake, subscriptions)
    socket = await http.ws_connect(f"{opened['endpoint']}?ticket={quote_plus(opened['ticket'])}")
    client = Client(socket)
    try:
        message = bot_message("报修 3号楼502 厨房漏水", sender_staff_id=USER, sender_nick="王师傅")
        ack = await fake.push_callback(BOT_MESSAGE_TOPIC, message)
        assert (ack.code, ack.data) == (200, {"response": None})
        assert json.loads(client.frames[0]["data"])["text"]["content"] == " 报修 3号楼502 厨房漏水"
    finally:
        await client.stop()


async def test_ping_must_be_echoed(fake: FakeDingTalk, http: aiohttp.ClientSession) -> None:
    good = Client(await connect(http, fake), echo)
    try:
        [ack] = await fake.ping()
        sent = json.loads(good.frames[0]["data"])
        assert good.frames[0]["type"] == "SYSTEM" and good.frames[0]["headers"]["topic"] == "ping"
        assert set(sent) == {"opaque"} and ack.data == sent
    finally:
        await good.stop()
    bad = Client(await connect(http, fake), lambda frame: {"opaque": "made-up"})
    try:
        with pytest.raises(StreamProtocolError):
            await fake.ping()
    finally:
        await bad.stop()


async def test_disconnect_asks_first_then_closes(
    fake: FakeDingTalk, http: aiohttp.ClientSession
) -> None:
    polite = Client(await connect(http, fake))
    assert await fake.disconnect_all(grace=2.0) == 1
    await asyncio.wait_for(polite.task, 2.0)
    [frame] = polite.frames
    assert (frame["type"], frame["headers"]["topic"]) == ("SYSTEM", "disconnect")
    assert json.loads(frame["data"]) == {"reason": "connection is expired"}
    stubborn = Client(await connect(http, fake), obey_disconnect=False)
    assert await fake.disconnect_all(grace=0.2) == 0
    await asyncio.wait_for(stubborn.task, 2.0)
    assert stubborn.socket.closed and fake.connections == 0
    assert [c.closed_by for c in fake.stream_connections] == ["client", "server"]


async def test_a_dropped_connection_ends_without_a_close_frame(
    fake: FakeDingTalk, http: aiohttp.ClientSession
) -> None:
    socket = await connect(http, fake)
    assert fake.connections == 1
    await fake.drop_connections()
    message = await asyncio.wait_for(socket.receive(), 2.0)
    assert message.type in (aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR)
    assert socket.close_code != 1000
    await eventually(lambda: fake.connections == 0)
    assert fake.stream_connections[0].closed_by == "dropped"


async def test_a_stalled_gateway_answers_no_ping_and_delivers_nothing(
    fake: FakeDingTalk, http: aiohttp.ClientSession
) -> None:
    socket = await connect(http, fake, autoping=False)
    await socket.ping(b"alive?")
    pong = await asyncio.wait_for(socket.receive(), 2.0)
    assert (pong.type, pong.data) == (aiohttp.WSMsgType.PONG, b"alive?")
    fake.stall(True)
    await socket.ping(b"still?")
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(socket.receive(), 0.3)
    with pytest.raises(TimeoutError):
        await fake.push_callback(CARD_CALLBACK_TOPIC, card_click("t", USER, {}), timeout=0.2)
    assert fake.connections == 1  # the fake still believes the connection open
    fake.stall(False)
    late = await asyncio.wait_for(socket.receive(), 2.0)
    assert (late.type, late.data) == (aiohttp.WSMsgType.PONG, b"still?")
    assert fake.stream_connections[0].ws_pings == 2
    await socket.close()


# Signed inbound requests


async def test_card_callback_signature_is_base64_hmac_of_the_timestamp() -> None:
    expected = base64.b64encode(
        hmac.new(b"s3cret", b"1595925864847", hashlib.sha256).digest()
    ).decode()
    assert http_signature("s3cret", 1595925864847) == expected
    headers = signed_card_headers("s3cret", 1595925864847)
    assert headers["x-ddpaas-signature-timestamp"] == "1595925864847"
    assert headers["x-ddpaas-signature"] == expected
    assert signed_card_headers("other", 1595925864847)["x-ddpaas-signature"] != expected


async def test_robot_signature_covers_timestamp_newline_secret() -> None:
    message = b"1690362102194\nappsecret"
    expected = base64.b64encode(hmac.new(b"appsecret", message, hashlib.sha256).digest()).decode()
    assert bot_sign("appsecret", 1690362102194) == expected
    headers = signed_bot_headers("appsecret", 1690362102194)
    assert (headers["timestamp"], headers["sign"]) == ("1690362102194", expected)
    assert bot_sign("appsecret", 1690362102195) != expected


async def test_a_click_is_shaped_like_dingtalks_sample() -> None:
    click = card_click("ticket-17-v1", USER, {"action": "accept"}, action_ids=["btn_accept"])
    assert set(click) == {
        "extension",
        "corpId",
        "spaceType",
        "userIdType",
        "type",
        "userId",
        "content",
        "spaceId",
        "outTrackId",
        "value",
    }
    assert (click["type"], click["outTrackId"], click["userId"]) == (
        "actionCallback",
        "ticket-17-v1",
        USER,
    )
    content = json.loads(click["content"])
    assert content == {
        "cardPrivateData": {"actionIds": ["btn_accept"], "params": {"action": "accept"}}
    }
    assert click["value"] == click["content"] and json.loads(click["extension"]) == {}


async def test_a_robot_message_is_shaped_like_protocol_md() -> None:
    message = bot_message(
        "报修",
        conversation_id=GROUP,
        sender_staff_id=USER,
        sender_nick="王师傅",
        msg_id="msgABC==",
        created_at=1690362101894,
    )
    assert {
        "conversationId",
        "atUsers",
        "chatbotCorpId",
        "chatbotUserId",
        "msgId",
        "senderNick",
        "isAdmin",
        "senderStaffId",
        "sessionWebhookExpiredTime",
        "createAt",
        "senderCorpId",
        "conversationType",
        "senderId",
        "conversationTitle",
        "isInAtList",
        "sessionWebhook",
        "text",
        "robotCode",
        "msgtype",
    } == set(message)
    assert message["text"] == {"content": " 报修"} and message["conversationType"] == "2"
    assert message["atUsers"] == [{"dingtalkId": message["chatbotUserId"]}]
    assert message["isInAtList"] is True and message["robotCode"] == ROBOT_CODE
    assert message["sessionWebhookExpiredTime"] == 1690362101894 + 90 * 60 * 1000
    direct = bot_message(
        "hi", sender_staff_id=USER, sender_nick="王", at_robot=False, conversation_type="1"
    )
    assert direct["text"] == {"content": "hi"} and "atUsers" not in direct
    assert "conversationTitle" not in direct and direct["msgId"] != message["msgId"]
