"""Outbound DingTalk calls, paced, retried and classified.

DingTalk allows 20 calls per second per app and API; the pacer keeps each API under that.
Rate limits, 5xx, timeouts and an expired token are tried again within the call (with
jittered backoff); anything else is a `DingTalkError` for a person to fix.

The calls are counted as DingTalk counts them against a standard-edition organisation's
monthly quota (计费模型说明, https://open.dingtalk.com/document/development/dingtalk-application-development-platform-billing-model:
"因为单应用调用QPS限流、API全局QPS限流、网络不可达等原因导致的失败调用，不会被统计到调用次数中";
fetching the access token is on the list of calls never counted, 不纳入调用量限制的接口清单).
So a call counts once DingTalk has answered it in JSON, unless the answer is a refusal for
speed (the per-IP ban's HTML page is one too). Not verified either way, and both left out: a
5xx (DingTalk's own failure) and a call that timed out (DingTalk may have served it).
"""

import asyncio
import json
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import aiohttp

from integration.dingtalk.errors import (
    CARD_ALREADY_EXIST,
    QPS_LIMITED,
    TOKEN_INVALID,
    DingTalkError,
    DingTalkUnavailable,
    NotDelivered,
)
from integration.outbound.errors import DeliveryError
from integration.outbound.pace import SlidingWindow
from integration.outbound.retry import retrying
from integration.outbound.token import CachedToken
from tickets.clock import Clock

TOKEN_PATH = "/v1.0/oauth2/accessToken"
CREATE_AND_DELIVER = "/v1.0/card/instances/createAndDeliver"
CARD_INSTANCES = "/v1.0/card/instances"
DELIVER = "/v1.0/card/instances/deliver"
GROUP_MESSAGE = "/v1.0/robot/groupMessages/send"
ONE_TO_ONE_MESSAGE = "/v1.0/robot/oToMessages/batchSend"
REGISTER_CALLBACK = "/v1.0/card/callbacks/register"
PER_API_PER_SECOND = 20

Json = dict[str, Any]


GROUP_PREFIX = "cid"


def _is_group(space: str) -> bool:
    return space.startswith("dtv1.card//IM_GROUP.")


def open_space(chat_id: str) -> str:
    """A group's openConversationId starts with `cid`; anything else is a person's userId,
    reached in their one-to-one chat with the robot."""
    kind = "IM_GROUP" if chat_id.startswith(GROUP_PREFIX) else "IM_ROBOT"
    return f"dtv1.card//{kind}.{chat_id}"


class DingTalkClient:
    def __init__(
        self,
        app_key: str,
        app_secret: str,
        robot_code: str,
        base_url: str,
        session: aiohttp.ClientSession,
        clock: Clock,
        *,
        timeout: float = 10.0,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._app_key = app_key
        self._app_secret = app_secret
        self.robot_code = robot_code
        self._base_url = base_url.rstrip("/")
        self._session = session
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._sleep = sleep
        self._token = CachedToken(self._fetch_token, clock)
        self.per_api = SlidingWindow(PER_API_PER_SECOND, 1.0, clock)
        self._calls = 0

    def take_calls(self) -> int:
        """Calls DingTalk counted since the last time this was asked: for the monthly count."""
        calls, self._calls = self._calls, 0
        return calls

    async def token(self) -> str:
        return await self._token.get()

    async def _fetch_token(self) -> tuple[str, float]:
        body = {"appKey": self._app_key, "appSecret": self._app_secret}
        status, answer = await self._request("POST", TOKEN_PATH, body, {})
        if status != 200 or "accessToken" not in answer:
            raise _error(status, answer)
        return str(answer["accessToken"]), float(answer.get("expireIn", 7200))

    async def create_and_deliver(
        self,
        out_track_id: str,
        template_id: str,
        params: Mapping[str, str],
        chat_id: str,
        callback: Mapping[str, str],
    ) -> None:
        """Make the card `out_track_id` and put it in the chat, checking each space's result.

        An earlier try may have made it already (DingTalk keeps outTrackIds unique and answers
        param.cardAlreadyExist): made, but perhaps never shown (the robot was not yet in the
        group, or the answer was lost). That card is brought up to date and delivered again
        (投放卡片); whether delivering to a chat where it already shows adds a second message
        is not verified."""
        space = open_space(chat_id)
        deliver = self._deliver_model(space)
        body: Json = {
            "cardTemplateId": template_id,
            "outTrackId": out_track_id,
            "cardData": {"cardParamMap": dict(params)},
            "openSpaceId": space,
            **callback,
            **deliver,
        }
        model = "imGroupOpenSpaceModel" if _is_group(space) else "imRobotOpenSpaceModel"
        body[model] = {"supportForward": False}
        try:
            answer = await self._call("POST", CREATE_AND_DELIVER, body)
            results = (answer.get("result") or {}).get("deliverResults") or []
        except DingTalkError as error:
            if error.code != CARD_ALREADY_EXIST:
                raise
            await self.update_card(out_track_id, params)
            again = {"outTrackId": out_track_id, "openSpaceId": space, **deliver}
            results = (await self._call("POST", DELIVER, again)).get("result") or []
        failed = [r for r in results if not r.get("success")]
        if failed or not results:
            first = failed[0] if failed else {}
            raise NotDelivered(space, str(first.get("errorMsg") or "没有投放结果"))

    def _deliver_model(self, space: str) -> Json:
        """How the robot delivers into a group or a person's one-to-one chat with it."""
        if _is_group(space):
            return {"imGroupOpenDeliverModel": {"robotCode": self.robot_code}}
        model = {"spaceType": "IM_ROBOT", "robotCode": self.robot_code}
        return {"imRobotOpenDeliverModel": model}

    async def update_card(self, out_track_id: str, params: Mapping[str, str]) -> None:
        body: Json = {
            "outTrackId": out_track_id,
            "cardData": {"cardParamMap": dict(params)},
            "cardUpdateOptions": {"updateCardDataByKey": True},
        }
        await self._call("PUT", CARD_INSTANCES, body)

    async def send_text(self, chat_id: str, text: str) -> None:
        """A plain robot message (DingTalk reads no markup in `sampleText`) in a group
        (`cid…`) or a person's one-to-one chat with the robot (their userId)."""
        await self._robot_message(chat_id, "sampleText", {"content": text})

    async def send_markdown(self, chat_id: str, title: str, text: str) -> None:
        """A robot markdown message in a group (`cid…`) or a person's one-to-one chat."""
        await self._robot_message(chat_id, "sampleMarkdown", {"title": title, "text": text})

    async def _robot_message(self, chat_id: str, msg_key: str, param: Json) -> None:
        msg_param = json.dumps(param, ensure_ascii=False)
        body: Json = {"msgKey": msg_key, "msgParam": msg_param, "robotCode": self.robot_code}
        if chat_id.startswith(GROUP_PREFIX):
            await self._call("POST", GROUP_MESSAGE, {**body, "openConversationId": chat_id})
            return
        answer = await self._call("POST", ONE_TO_ONE_MESSAGE, {**body, "userIds": [chat_id]})
        if chat_id in (answer.get("invalidStaffIdList") or []):
            raise DeliveryError(
                f"钉钉消息未送达 {chat_id}：没有这个 userId，或不在应用可用范围内", retryable=False
            )
        if chat_id in (answer.get("flowControlledStaffIdList") or []):
            raise DeliveryError(f"钉钉一对一消息被限流：{chat_id}", retryable=True)

    async def register_callback(self, url: str, api_secret: str, route_key: str) -> None:
        """Where DingTalk posts the clicks of cards sent with `route_key` (HTTP mode)."""
        body: Json = {
            "callbackUrl": url,
            "apiSecret": api_secret,
            "callbackRouteKey": route_key,
            "forceUpdate": True,
        }
        await self._call("POST", REGISTER_CALLBACK, body)

    async def _call(self, method: str, path: str, body: Json) -> Json:
        async def attempt() -> Json:
            headers = {"x-acs-dingtalk-access-token": await self.token()}
            async with self.per_api.call(path):
                status, answer = await self._request(method, path, body, headers)
            if status < 500 and answer.get("code") not in QPS_LIMITED:
                self._calls += 1
            if 200 <= status < 300:
                return answer
            failure = _error(status, answer)
            if failure.code in TOKEN_INVALID:
                self._token.forget()
            raise failure

        return await retrying(attempt, self._sleep)

    async def _request(
        self, method: str, path: str, body: Json, headers: Mapping[str, str]
    ) -> tuple[int, Json]:
        try:
            async with self._session.request(
                method, self._base_url + path, json=body, headers=headers, timeout=self._timeout
            ) as response:
                text = await response.text()
                status = response.status
        except (aiohttp.ClientError, TimeoutError) as error:
            raise DingTalkUnavailable(repr(error)) from error
        try:
            answer = json.loads(text) if text else {}
        except ValueError:
            raise DingTalkUnavailable(f"HTTP {status}, not JSON: {text[:80]!r}") from None
        if not isinstance(answer, dict):
            raise DingTalkUnavailable(f"HTTP {status}, not a JSON object: {text[:80]!r}")
        return status, answer


def _error(status: int, answer: Json) -> DingTalkError:
    code = str(answer.get("code") or f"HTTP{status}")
    return DingTalkError(code, str(answer.get("message") or ""), status=status)
