"""The assignee's key to a job's completion page (/w/{number}/{key}, 完工单).

A chat card has no room for fee lines, materials and photos, so the assignee's own card links
to a page that has. The page acts as the assignee, so its link must be theirs alone: the key
is a MAC of the assignee's id under the ticket's status-page token, a secret no chat ever
shows. It needs no storage and lapses by itself when the job changes hands (a transfer, a
hand-back): the next assignee's card carries a new key and the old link opens nothing.
"""

import base64
import hashlib
import hmac

from tickets.model import Ticket

KEY_LENGTH = 22
"""Characters of a key: 128 bits, base64url without padding."""


def work_key(ticket: Ticket) -> str | None:
    """The key for the ticket's current assignee; None while nobody holds the job."""
    if ticket.assignee_id is None or not ticket.public_token:
        return None
    message = f"work:{ticket.assignee_id}".encode()
    mac = hmac.new(ticket.public_token.encode(), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac[:16]).rstrip(b"=").decode()


def opens(ticket: Ticket, key: str) -> bool:
    """Whether `key` is the current assignee's."""
    expected = work_key(ticket)
    return expected is not None and hmac.compare_digest(expected.encode(), key.encode())
