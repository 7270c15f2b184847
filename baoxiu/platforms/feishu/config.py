"""Feishu's part of the config: the `[feishu]` section and members' `feishu_open_id`."""

from typing import Annotated, Literal

from pydantic import Field, SecretStr

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


def feishu_config(settings: Settings) -> FeishuConfig | None:
    return platform_section(settings, NAME, FeishuConfig)


def open_id(member: MemberConfig) -> str | None:
    return platform_id(member, OPEN_ID)
