"""Feishu's part of the config: the `[feishu]` section and members' `feishu_open_id`."""

from typing import Literal

from pydantic import SecretStr

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


def feishu_config(settings: Settings) -> FeishuConfig | None:
    return platform_section(settings, NAME, FeishuConfig)


def open_id(member: MemberConfig) -> str | None:
    return platform_id(member, OPEN_ID)
