"""Ticket states, with the words crews and residents use for them."""

from enum import StrEnum


class Status(StrEnum):
    NEW = "new"
    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    PAUSED = "paused"
    COMPLETED = "completed"
    CONFIRMED = "confirmed"
    CLOSED = "closed"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def is_open(self) -> bool:
        """Open tickets are the ones still waiting on a technician; they count toward the cap."""
        return self in OPEN_STATUSES


_LABELS = {
    Status.NEW: "待派单",
    Status.ASSIGNED: "已接单",
    Status.IN_PROGRESS: "维修中",
    Status.PAUSED: "已暂停",
    Status.COMPLETED: "待验收",
    Status.CONFIRMED: "已验收",
    Status.CLOSED: "已结单",
    Status.CANCELLED: "已取消",
}

OPEN_STATUSES = frozenset({Status.ASSIGNED, Status.IN_PROGRESS, Status.PAUSED})
UNFINISHED = frozenset({Status.NEW}) | OPEN_STATUSES
"""Not done yet: waiting for someone to take it, or being worked on."""


class PauseKind(StrEnum):
    """Why a job is paused, as far as the promise to complete it is concerned: waiting for
    parts or for the resident stops the clock, anything else is the crew's time."""

    PARTS = "parts"
    RESIDENT = "resident"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {"parts": "等配件", "resident": "业主原因", "other": "其他原因"}[self.value]

    @property
    def stops_clock(self) -> bool:
        return self is not PauseKind.OTHER


class Review(StrEnum):
    """A report someone marked as outside the service catalogue (非服务范围), until the team
    supervisor decides: nobody works it while it is pending."""

    PENDING = "pending"
    APPROVED = "approved"
    DECLINED = "declined"


class Decision(StrEnum):
    APPROVE = "approve"
    DECLINE = "decline"

    @property
    def label(self) -> str:
        return {"approve": "属于服务范围", "decline": "不属于服务范围"}[self.value]


class Urgency(StrEnum):
    EMERGENCY = "emergency"
    URGENT = "urgent"
    NORMAL = "normal"

    @property
    def label(self) -> str:
        return {"emergency": "紧急", "urgent": "加急", "normal": "一般"}[self.value]


class Channel(StrEnum):
    """How the report reached us (报修渠道); recorded for statistics."""

    PHONE = "phone"
    WEB = "web"
    APP = "app"
    FRONT_DESK = "front_desk"
    CHAT = "chat"
    API = "api"

    @property
    def label(self) -> str:
        return {
            "phone": "电话",
            "web": "扫码/网页",
            "app": "App",
            "front_desk": "前台",
            "chat": "群聊",
            "api": "接口",
        }[self.value]


class Source(StrEnum):
    """Which edge of baoxiu a change came through; every audit event names one."""

    API = "api"
    CLI = "cli"
    WEB = "web"
    SANDBOX = "sandbox"
    FEISHU = "feishu"
    DINGTALK = "dingtalk"
    JOB = "job"

    @property
    def label(self) -> str:
        """Where it came from, as staff read it on a timeline."""
        return _SOURCE_LABELS[self]


_SOURCE_LABELS = {
    Source.API: "接口",
    Source.CLI: "命令行",
    Source.WEB: "网页",
    Source.SANDBOX: "沙盒",
    Source.FEISHU: "飞书",
    Source.DINGTALK: "钉钉",
    Source.JOB: "系统",
}
