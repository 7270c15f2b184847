"""Reports as tests make them: a draft from the front desk, the agent who takes it, a crew."""

from baoxiu.config import MemberConfig, Settings
from tickets.model import Actor, Reporter, TicketDraft
from tickets.people import Role
from tickets.states import Channel

AGENT = Actor.member("lin")


def draft(category: str = "水电", description: str = "厨房水龙头滴水", **kw: object) -> TicketDraft:
    values: dict[str, object] = {
        "reporter": Reporter(name="张三", phone="13800138000"),
        "location": "3栋2单元501",
        "category": category,
        "description": description,
        "channel": Channel.PHONE,
    }
    values.update(kw)
    return TicketDraft(**values)  # type: ignore[arg-type]


def crew(settings: Settings, size: int) -> Settings:
    """The demo site with `size` more technicians in 水电组 and a cap they never reach."""
    extra = [
        MemberConfig(id=f"t{i}", name=f"师傅{i}", roles=[Role.TECHNICIAN], teams=["shuidian"])
        for i in range(size)
    ]
    teams = [t.model_copy(update={"max_open_per_technician": 100}) for t in settings.teams]
    return settings.model_copy(update={"members": [*settings.members, *extra], "teams": teams})
