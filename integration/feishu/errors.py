"""Feishu's errors, sorted by what to do about them."""

from integration.outbound.errors import DeliveryError

RATE_LIMITED = frozenset({99991400, 230020})
"""Too fast: wait for `x-ogw-ratelimit-reset` (or a moment) and send again."""
TOKEN_INVALID = frozenset({99991661, 99991663, 99991668})
"""The tenant token expired or was revoked early: fetch a new one and send again."""
PERMANENT = {
    230002: "机器人不在这个群里：把报修助手加入该群",
    230022: "消息含敏感内容，被飞书拦截",
    230025: "卡片内容过长",
    230099: "卡片格式不被飞书接受",
    99991672: "应用缺少发送消息的权限：在开发者后台开通 im:message:send_as_bot",
}
"""Codes no retry can fix; a person must act, and the message says what to do."""


class FeishuError(DeliveryError):
    def __init__(
        self,
        code: int,
        message: str,
        *,
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        retryable = code in RATE_LIMITED or code in TOKEN_INVALID or (status or 0) >= 500
        hint = PERMANENT.get(code)
        text = f"飞书错误 {code}: {message}" + (f"（{hint}）" if hint else "")
        super().__init__(text, retryable=retryable, retry_after=retry_after)
        self.code = code
        self.status = status


class FeishuUnavailable(DeliveryError):
    """Timeouts, refused connections, answers that are not Feishu JSON: try again later."""

    def __init__(self, message: str) -> None:
        super().__init__(f"飞书暂时无法访问：{message}", retryable=True)
