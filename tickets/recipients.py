"""Who sees a ticket, and in which chats: the core's rule, beside `audience`.

The planner names the chats that must show the card now; storage adds every chat that
already shows it, so a transferred ticket's old group and its former assignee see it change.
Reminders, escalations, notes and reports are addressed in the same terms (`Reach`), so "the
supervisors" means the same chats for a card and for an escalation.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from tickets.audience import Audience, CardAddress
from tickets.model import Ticket
from tickets.people import Directory, DispatchMode
from tickets.rota import OnDuty
from tickets.states import Status, Urgency

Chat = tuple[str, str]
"""(platform, chat id)"""


class Reach(StrEnum):
    """Whom a message about a ticket is for, in the words the config uses (`to = "…"`)."""

    ASSIGNEE = "assignee"
    TEAM = "team"
    SUPERVISORS = "supervisors"
    MANAGEMENT = "management"
    AGENTS = "agents"


@dataclass(frozen=True)
class ChatPlanner:
    directory: Directory
    team_chats: Mapping[str, Sequence[Chat]]
    supervisor_chats: Sequence[Chat]
    management_chats: Sequence[Chat]
    direct_chats: Mapping[str, Sequence[Chat]]
    """Each member's one-to-one chats with the bot, by member id."""
    agent_chats: Sequence[Chat] = ()
    """Customer service's chats, where return visits go."""

    def addresses(
        self, before: Ticket | None, after: Ticket, duty: OnDuty | None = None
    ) -> list[CardAddress]:
        """Where the ticket's card must be shown after this change (beyond where it is).
        A new emergency reported out of hours (`duty`: the team's when it was reported)
        also goes to the on-call technicians' own chats: nobody may be reading the group."""
        out = self.reach(Reach.TEAM, after)
        if self._waits_for_dispatcher(after):
            out += self.reach(Reach.SUPERVISORS)
        if before is None and after.urgency is Urgency.EMERGENCY:
            out += self.reach(Reach.MANAGEMENT)
            if duty is not None and duty.out_of_hours:
                out += [a for member in duty.on_call_technicians for a in self.reach(member)]
        assignee = after.assignee_id
        if assignee and assignee != (before.assignee_id if before else None):
            out += self.reach(assignee)
        return out

    def reach(
        self, target: Reach | str, ticket: Ticket | None = None, team: str | None = None
    ) -> list[CardAddress]:
        """The chats of `target` (a Reach, or a member id): the team and the assignee are
        the ticket's (the team may be named instead, for a message about no one ticket); a
        ticket without an assignee reaches no one by ASSIGNEE."""
        match target:
            case Reach.TEAM:
                team = team or (ticket.team_id if ticket else None)
                chats = self.team_chats.get(team, ()) if team else ()
                return [CardAddress(p, c, Audience.TEAM) for p, c in chats]
            case Reach.SUPERVISORS:
                return [CardAddress(p, c, Audience.SUPERVISORS) for p, c in self.supervisor_chats]
            case Reach.MANAGEMENT:
                return [CardAddress(p, c, Audience.MANAGEMENT) for p, c in self.management_chats]
            case Reach.AGENTS:
                return [CardAddress(p, c, Audience.AGENTS) for p, c in self.agent_chats]
            case Reach.ASSIGNEE:
                held = ticket.assignee_id if ticket else None
                return self.reach(held) if held else []
        return [
            CardAddress(p, c, Audience.DIRECT, target) for p, c in self.direct_chats.get(target, ())
        ]

    def _waits_for_dispatcher(self, ticket: Ticket) -> bool:
        """Nobody will claim it: an assign-mode team, or a round-robin team at its cap."""
        team = self.directory.teams[ticket.team_id]
        return ticket.status is Status.NEW and team.dispatch is not DispatchMode.CLAIM
