"""DingTalk's v1.0 errors (HTTP 4xx/5xx with a string `code`), sorted by what to do."""

from integration.outbound.errors import DeliveryError

QPS_LIMITED = frozenset(
    {"Forbidden.AccessDenied.QpsLimitForAppkeyAndApi", "Forbidden.AccessDenied.QpsLimitForApi"}
)
"""20 calls per second per app and API, or every app of DingTalk's at once on one API (the
global limit): both last a second, and DingTalk's throttling page says to sleep one and go on.
Neither counts against the month's calls."""
TOKEN_INVALID = frozenset({"InvalidAuthentication", "AuthenticationFailed.MissingParameter"})
"""The access token expired or was revoked early: fetch a new one and send again."""
CARD_ALREADY_EXIST = "param.cardAlreadyExist"
"""Our outTrackId was used before: an earlier try made the card, perhaps without showing it."""
RETRY_LATER = QPS_LIMITED | {"system.busy"} | TOKEN_INVALID
PERMANENT = {
    "Forbidden.AccessDenied.ApiCountLimitForOrg": (
        "本月钉钉接口调用次数已用完（标准版组织每月 5,000 次）："
        "请升级钉钉版本、购买调用量增购包，或等到下个月"
    ),
    "param.templateNotExist": "卡片模板不存在：检查 [dingtalk] card_template_id",
    "param.templateUnpublished": "卡片模板未发布：在卡片平台发布模板",
    "invalidParameter.robotCode.auth": "机器人编码无权使用：检查 [dingtalk] robot_code",
    "invalid.openConversationId": "群会话 ID 不正确：检查 chat_id（openConversationId）",
}
"""Codes no retry can fix; a person must act, and the message says what to do."""


class DingTalkError(DeliveryError):
    def __init__(self, code: str, message: str, *, status: int | None = None) -> None:
        retryable = code in RETRY_LATER or (status or 0) >= 500
        hint = PERMANENT.get(code)
        text = f"钉钉错误 {code}: {message}" + (f"（{hint}）" if hint else "")
        retry_after = 1.0 if code in QPS_LIMITED else 0.0 if code in TOKEN_INVALID else None
        super().__init__(text, retryable=retryable, retry_after=retry_after)
        self.code = code
        self.status = status


class DingTalkUnavailable(DeliveryError):
    """Timeouts, refused connections, answers that are not DingTalk JSON (the per-IP ban is
    an HTML page): try again later."""

    def __init__(self, message: str) -> None:
        super().__init__(f"钉钉暂时无法访问：{message}", retryable=True)


class NotDelivered(DeliveryError):
    """The card was made but did not reach a chat (`deliverResults[].success` false): the
    robot is not in the group, or the person cannot be reached."""

    def __init__(self, space: str, message: str) -> None:
        super().__init__(
            f"钉钉卡片未送达 {space}：{message}（确认报修助手机器人在群里、成员在应用可用范围内）",
            retryable=False,
        )
