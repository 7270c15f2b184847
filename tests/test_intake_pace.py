"""How fast chat reports may come: per person, per group, by message, within a window."""

from integration.intake import WINDOW_S, Pace, Sender
from tests.clock import FakeClock

LI, WANG = Sender("li", "李师傅", ""), Sender("wang", "王师傅", "")


def test_a_person_and_a_group_each_have_their_limit() -> None:
    clock = FakeClock()
    pace = Pace(clock, "0571-88886666", sender_limit=2, group_limit=3)
    assert pace.refusal(LI, "g", "m1") is None and pace.refusal(LI, "g", "m2") is None
    assert pace.refusal(LI, "g", "m1") is None, "a redelivered message costs nothing more"
    refused = pace.refusal(LI, "g", "m3")
    assert refused is not None and "10 分钟后再试" in refused
    assert refused.endswith("紧急情况请直接拨打物业服务中心电话 0571-88886666。")
    assert pace.refusal(WANG, "g", "m4") is None
    assert pace.refusal(WANG, "g", "m5") is not None, "the group is full"
    assert pace.refusal(WANG, "other", "m6") is None
    clock.advance(seconds=WINDOW_S)
    assert pace.refusal(LI, "g", "m7") is None


def test_without_a_hotline_the_refusal_still_says_whom_to_call() -> None:
    pace = Pace(FakeClock(), sender_limit=1)
    assert pace.refusal(LI, "g", "m1") is None
    assert str(pace.refusal(LI, "g", "m2")).endswith("紧急情况请直接联系物业服务中心。")
