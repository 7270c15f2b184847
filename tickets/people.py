"""Who works here: members with roles, teams with a dispatch mode.

The directory is read from configuration; the core only needs these plain values.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum


class Role(StrEnum):
    AGENT = "agent"
    TECHNICIAN = "technician"
    SUPERVISOR = "supervisor"
    MANAGER = "manager"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return {
            "agent": "客服",
            "technician": "维修师傅",
            "supervisor": "班组长",
            "manager": "物业经理",
            "admin": "管理员",
        }[self.value]


class DispatchMode(StrEnum):
    """How a team's new tickets find a technician.

    `claim`: technicians take jobs from the group (抢单); `assign`: the supervisor assigns
    (指派) and technicians may not hand jobs back; `round_robin`: baoxiu assigns the technician
    with the fewest open jobs, and the supervisor dispatches when everyone is at the cap.
    """

    CLAIM = "claim"
    ASSIGN = "assign"
    ROUND_ROBIN = "round_robin"


@dataclass(frozen=True)
class Team:
    id: str
    name: str
    categories: tuple[str, ...]
    dispatch: DispatchMode = DispatchMode.CLAIM
    max_open_per_technician: int = 5


@dataclass(frozen=True)
class Member:
    id: str
    name: str
    roles: frozenset[Role]
    teams: frozenset[str] = field(default_factory=frozenset)
    phone: str | None = None
    """For the desk to call the technician about an overdue job (联系师傅)."""

    def has(self, role: Role) -> bool:
        return role in self.roles

    def is_technician_of(self, team_id: str) -> bool:
        return Role.TECHNICIAN in self.roles and team_id in self.teams

    def is_supervisor_of(self, team_id: str) -> bool:
        return Role.SUPERVISOR in self.roles and team_id in self.teams


class Directory:
    """Teams and members by id, with the category routing table."""

    def __init__(self, teams: Iterable[Team], members: Iterable[Member]) -> None:
        self.teams: Mapping[str, Team] = {t.id: t for t in teams}
        self.members: Mapping[str, Member] = {m.id: m for m in members}
        self.team_by_category: Mapping[str, Team] = {
            c: t for t in self.teams.values() for c in t.categories
        }

    def technicians(self, team_id: str) -> list[Member]:
        return [m for m in self.members.values() if m.is_technician_of(team_id)]

    def supervisors(self, team_id: str) -> list[Member]:
        return [m for m in self.members.values() if m.is_supervisor_of(team_id)]

    def name_of(self, member_id: str | None) -> str | None:
        if member_id is None:
            return None
        member = self.members.get(member_id)
        return member.name if member else member_id
