"""Feishu's errors, sorted by what to do about them."""

import re

from integration.outbound.errors import DeliveryError

RATE_LIMITED = frozenset({99991400, 230020})
"""Too fast: wait for `x-ogw-ratelimit-reset` (or a moment) and send again."""
TOKEN_INVALID = frozenset({99991661, 99991663, 99991668})
"""The tenant token expired or was revoked early: fetch a new one and send again."""
FROZEN = {
    230011: "卡片已被撤回",
    230031: "卡片发出已超过 14 天，飞书不再允许更新",
    230110: "卡片已被删除",
}
"""An edit refused for good because of the message. The error table of PATCH
(open.feishu.cn/document/server-docs/im-v1/message-card/patch) lists 230011 "The message is
recalled.", 230031 "Message can only be modified within 14 days after sending." and 230110
"Action unavailable as the message has been deleted." A fresh card fixes each."""
PERMANENT = {
    230002: "机器人不在这个群里，请把报修助手加入该群",
    230022: "消息含敏感内容，被飞书拦截",
    230025: "卡片内容过长",
    230099: "卡片格式不被飞书接受",
}
"""Codes no retry can fix; a person must act, and the message says what to do."""
MISSING_SCOPE = 99991672
"""Any call may need a scope the app lacks; Feishu's message names the ones that would do:
"Access denied. One of the following scopes is required: [im:message, …].应用尚未开通…"
(the form of trouble-shooting/how-to-resolve-error-99991679 on open.feishu.cn)."""
_SCOPES = re.compile(r"scopes is required: \[([^\]]*)\]")


def hint(code: int, message: str) -> str | None:
    """What a person must do about `code`, if a retry cannot fix it."""
    if code != MISSING_SCOPE:
        return PERMANENT.get(code)
    named = _SCOPES.search(message)
    scopes = [s.strip() for s in named.group(1).split(",") if s.strip()] if named else []
    if not scopes:
        return "应用缺少权限：按飞书的提示在开发者后台开通所需权限，并发布新版本"
    return f"应用缺少权限：在开发者后台开通 {' 或 '.join(scopes)}，并发布新版本"


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
        advice = hint(code, message)
        text = f"飞书错误 {code}: {message}" + (f"（{advice}）" if advice else "")
        super().__init__(text, retryable=retryable, retry_after=retry_after)
        self.code = code
        self.status = status


class FeishuUnavailable(DeliveryError):
    """Timeouts, refused connections, answers that are not Feishu JSON: try again later."""

    def __init__(self, message: str) -> None:
        super().__init__(f"飞书暂时无法访问：{message}", retryable=True)
