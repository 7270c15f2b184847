"""Feishu's part of the config: the `[feishu]` section and members' `feishu_open_id`."""

from typing import Annotated, Literal, Self

from pydantic import Field, SecretStr, model_validator

from baoxiu.config import MemberConfig, Section, Settings, platform_id, platform_section

NAME = "feishu"
LABEL = "飞书"
OPEN_ID = "feishu_open_id"
"""A member's open_id in this app (`ou_…`)."""


class FeishuConfig(Section):
    app_id: str
    app_secret: SecretStr
    encrypt_key: SecretStr | None = None
    verification_token: SecretStr | None = None
    base_url: str = "https://open.feishu.cn"
    mode: Literal["websocket", "webhook"] = "websocket"
    answer_deadline_s: Annotated[float, Field(gt=0, le=3)] = 3.0
    """How long Feishu waits for a click's answer. A click not done half a second before
    is answered 「正在处理，卡片稍后更新」, its card following through the outbox."""
    unencrypted_webhook: bool = False
    """Accept webhook callbacks that Feishu does not encrypt or sign (no `encrypt_key`):
    anyone who learns the verification token can then act as any member. Only for a
    network where nobody else can reach the callback URL; start-up and doctor warn."""

    @model_validator(mode="after")
    def _webhook_is_authenticated(self) -> Self:
        """Webhook callbacks arrive from the internet: without the token and the key, a plain
        POST could act as any member (reveal a resident's phone, cancel a ticket)."""
        if self.mode != "webhook":
            return self
        where = "飞书开发者后台 → 开发配置 → 事件与回调 → 加密策略"
        if self.verification_token is None:
            raise ValueError(
                f'mode = "webhook" needs verification_token: copy the Verification Token from '
                f'{where} (or use the long connection, mode = "websocket")'
            )
        if self.encrypt_key is None and not self.unencrypted_webhook:
            raise ValueError(
                f'mode = "webhook" needs encrypt_key: set an Encrypt Key in {where} and copy '
                "it here (unencrypted_webhook = true accepts unsigned callbacks, not advised)"
            )
        return self


UNSIGNED_WARNING = (
    "飞书回调未加密、未签名（unencrypted_webhook = true）：知道 Verification Token 的人"
    "就能冒充任何成员操作工单。请在开发者后台设置 Encrypt Key 并填入 [feishu] encrypt_key"
)


def unsigned(config: FeishuConfig) -> bool:
    """Callbacks come by webhook with nothing to check them by but the token."""
    return config.mode == "webhook" and config.encrypt_key is None


def feishu_config(settings: Settings) -> FeishuConfig | None:
    return platform_section(settings, NAME, FeishuConfig)


def open_id(member: MemberConfig) -> str | None:
    return platform_id(member, OPEN_ID)
