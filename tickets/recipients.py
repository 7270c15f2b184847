"""Who sees a ticket, and in which chats: the core's rule, beside `audience`.

The planner names the chats that must show the card now; storage adds every chat that
already shows it, so a transferred ticket's old group and its former assignee see it change.
The coming escalation targets (the assignee, the team, supervisors, management) are named in
the same terms, so "the supervisors" means the same chats for a card and for a reminder.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from tickets.audience import Audience, CardAddress
from tickets.model import Ticket
from tickets.people import Directory, DispatchMode
from tickets.states import Status, Urgency

Chat = tuple[str, str]
"""(platform, chat id)"""


@dataclass(frozen=True)
class ChatPlanner:
    directory: Directory
    team_chats: Mapping[str, Sequence[Chat]]
    supervisor_chats: Sequence[Chat]
    management_chats: Sequence[Chat]
    direct_chats: Mapping[str, Sequence[Chat]]
    """Each member's one-to-one chats with the bot, by member id."""

    def addresses(self, before: Ticket | None, after: Ticket) -> list[CardAddress]:
        out = [CardAddress(p, c, Audience.TEAM) for p, c in self.team_chats.get(after.team_id, ())]
        if self._waits_for_dispatcher(after):
            out += [CardAddress(p, c, Audience.SUPERVISORS) for p, c in self.supervisor_chats]
        if before is None and after.urgency is Urgency.EMERGENCY:
            out += [CardAddress(p, c, Audience.MANAGEMENT) for p, c in self.management_chats]
        assignee = after.assignee_id
        if assignee and assignee != (before.assignee_id if before else None):
            out += [
                CardAddress(p, c, Audience.DIRECT, assignee)
                for p, c in self.direct_chats.get(assignee, ())
            ]
        return out

    def _waits_for_dispatcher(self, ticket: Ticket) -> bool:
        """Nobody will claim it: an assign-mode team, or a round-robin team at its cap."""
        team = self.directory.teams[ticket.team_id]
        return ticket.status is Status.NEW and team.dispatch is not DispatchMode.CLAIM
