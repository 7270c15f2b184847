"""Domain errors. Each message is written for the person who caused it, in Chinese.

Edges map the classes to their own answers (HTTP status, toast, exit code); they never need to
parse the message.
"""

from datetime import timedelta


class TicketError(Exception):
    """Base of every refusal the core can give."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(TicketError):
    pass


class Forbidden(TicketError):
    """The actor may not do this action on this ticket, whatever its state."""


class IllegalTransition(TicketError):
    """The action does not apply to the ticket in its current state."""


class AlreadyTaken(IllegalTransition):
    """Someone else holds the job: the usual outcome of a claim race."""

    def __init__(self, assignee_name: str) -> None:
        super().__init__(f"手慢了，这单已被{assignee_name}接走")
        self.assignee_name = assignee_name


class CapacityReached(IllegalTransition):
    pass


class NothingDue(IllegalTransition):
    """A job asked baoxiu to act on a ticket that no longer needs it (another watcher or an
    earlier run already did, or the ticket moved on): the job's expected outcome, not a fault."""


class TooSoon(TicketError):
    """Asked again before the rule allows (a second 催单 within the half hour); `wait` says
    how long until it may be asked again, for an edge that can say so (Retry-After)."""

    def __init__(self, message: str, wait: timedelta) -> None:
        super().__init__(message)
        self.wait = wait


class InvalidInput(TicketError):
    """A value the core cannot use (unknown category, missing reason, unknown member)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class ConcurrentUpdate(Exception):
    """Raised by storage when a conditional update found a newer version; the service retries.

    Not a `TicketError`: a person never sees it, they see the outcome of the retry.
    """
