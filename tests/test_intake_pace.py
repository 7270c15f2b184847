"""How fast chat reports may come: per person, per group, by message, within a window."""

from integration.intake import WINDOW_S, Pace, Sender
from tests.clock import FakeClock

LI, WANG = Sender("li", "李师傅", ""), Sender("wang", "王师傅", "")


def test_a_person_and_a_group_each_have_their_limit() -> None:
    clock = FakeClock()
    pace = Pace(clock, sender_limit=2, group_limit=3)
    assert pace.refusal(LI, "g", "m1") is None and pace.refusal(LI, "g", "m2") is None
    assert pace.refusal(LI, "g", "m1") is None, "a redelivered message costs nothing more"
    refused = pace.refusal(LI, "g", "m3")
    assert refused is not None and "10 分钟后再试" in refused
    assert pace.refusal(WANG, "g", "m4") is None
    assert pace.refusal(WANG, "g", "m5") is not None, "the group is full"
    assert pace.refusal(WANG, "other", "m6") is None
    clock.advance(seconds=WINDOW_S)
    assert pace.refusal(LI, "g", "m7") is None
