"""DingTalk's part of the config: the `[dingtalk]` section and members' `dingtalk_user_id`."""

from typing import Annotated, Literal, Self

from pydantic import Field, SecretStr, model_validator

from baoxiu.config import MemberConfig, Section, Settings, platform_id, platform_section

NAME = "dingtalk"
LABEL = "钉钉"
USER_ID = "dingtalk_user_id"
"""A member's userId in the organisation."""


class DingTalkConfig(Section):
    app_key: str
    app_secret: SecretStr
    robot_code: str
    """For an enterprise-internal app's robot, the same as the app key."""
    card_template_id: Annotated[str, Field(min_length=1)]
    """The ticket card built in the card platform after cards/templates/dingtalk_ticket.json."""
    base_url: str = "https://api.dingtalk.com"
    mode: Literal["stream", "http"] = "stream"
    callback_route_key: str | None = None
    api_secret: SecretStr | None = None
    monthly_api_calls: Annotated[int, Field(gt=0)] = 5000
    """The organisation's API calls a month: 5,000 on the standard edition since 2025-11-19
    (DingTalk's 计费模型说明), more on the professional edition or with an add-on pack. Doctor
    warns at four fifths of it."""
    answer_deadline_s: Annotated[float, Field(gt=0, le=2)] = 2.0
    """How long DingTalk waits for a click's answer. A click not done half a second before
    is answered 「正在处理，卡片稍后更新」, its card following through the outbox."""

    @model_validator(mode="after")
    def _http_needs_its_keys(self) -> Self:
        if self.mode == "http" and not (self.callback_route_key and self.api_secret):
            raise ValueError('mode = "http" needs callback_route_key and api_secret')
        return self


def dingtalk_config(settings: Settings) -> DingTalkConfig | None:
    return platform_section(settings, NAME, DingTalkConfig)


def user_id(member: MemberConfig) -> str | None:
    return platform_id(member, USER_ID)
