"""How a platform call says "not now" or "never": the failure every platform client raises.

Feishu's and DingTalk's errors subclass it (feishu/errors.py, dingtalk/errors.py), so the
retries, the delivery worker, the robots and the doctor catch one type and read one flag.
An edit the platform refuses for good because of the message itself says so with
`MessageFrozen`, the one failure the worker answers by posting anew.
"""


class DeliveryError(Exception):
    """A send or update that failed. Only `retryable` ones (rate limits, 5xx, timeouts) are
    tried again; the rest are recorded and left for a person."""

    def __init__(self, message: str, *, retryable: bool, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.retry_after = retry_after


class MessageFrozen(DeliveryError):
    """A posted card the platform will no longer let us edit: recalled, deleted, or past its
    edit window. No retry can change that, but a new card can: the delivery worker posts the
    card anew rather than giving up on the chat."""

    def __init__(self, message: str) -> None:
        super().__init__(message, retryable=False)
