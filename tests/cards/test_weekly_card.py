"""The weekly summary's card on every platform: card JSON 2.0 Feishu accepts (its own charts,
no picture), DingTalk's markdown with the picture, the sandbox's HTML; and what residents
typed (a place in a hot spot) stays text everywhere."""

import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from cards.messages import report_card
from cards.render_dingtalk import markdown
from cards.render_feishu import MAX_BYTES, card_content
from cards.render_html import render_card
from integration.web.photos import PhotoStore
from tests.cards.test_render_feishu import tagged
from tests.fakes.feishu_cards import card_size, validate_card
from tickets.hotspots import Hotspot
from tickets.stats import DayCount, Figures, Overdue, Period
from tickets.summary import Week, weekly_report

TZ = ZoneInfo("Asia/Shanghai")
HOSTILE = "3栋<at id=all></at>[点我](http://x)**501**"


def week() -> Week:
    period = Period.week("2026-W48", TZ)
    total = Figures(
        None, None, received=53, closed=48, open_at_end=12, accept_p50_s=1500,
        accept_p90_s=7200, complete_p50_s=99_000, complete_p90_s=250_000, sla_judged=50,
        sla_met=46, escalations=7, ratings=31, rating_overall_avg=4.61, low_ratings=2,
        reworks=1, complaints=3, revenue_fen=128_050,
    )  # fmt: skip
    teams = [Figures("shuidian", "水电组", received=30, closed=28, open_at_end=5)]
    categories = [Figures("水电", "水电", received=20, closed=18), Figures("电梯", "电梯", 5, 4)]
    due = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)
    return Week(
        name="2026-W48",
        period=period,
        total=total,
        before=Figures(None, None, received=41, closed=48),
        teams=teams,
        teams_before=[Figures("shuidian", "水电组", received=26)],
        categories=categories,
        categories_before=[],
        technicians=[Figures("li", "李师傅", closed=15, rating_overall_avg=4.8)],
        days=[DayCount(date(2026, 11, 23) + timedelta(days=i), 8, 7) for i in range(7)],
        overdue=[Overdue("BX20261127-0003", "水电", HOSTILE, "li", "李师傅", due, 90_000)],
        hotspots=[Hotspot(HOSTILE, "3栋", "水电", 4, ("BX20261129-0002",), due, due)],
    )


def test_the_summary_is_a_card_feishu_accepts_with_its_own_charts() -> None:
    report = weekly_report(week(), TZ)
    card = report_card(report)
    sent = json.loads(card_content(card, {}))
    assert validate_card(sent) == [] and card_size(sent) <= MAX_BYTES
    assert [c["chart_spec"]["title"]["text"] for c in tagged(sent, "chart")] == [
        "每日收到与结单",
        "按报修类别",
    ]
    assert tagged(sent, "img") == []  # Feishu draws the charts; the picture is for others
    texts = [n["content"] for n in tagged(sent, "plain_text")]
    assert "收到报修" in texts and "53 单（上周 41，+12）" in texts
    assert any(HOSTILE in t for t in texts) and not tagged(sent, "markdown")  # text, not markup
    assert "中位 25分钟，90% 在 2小时内" in texts and "4.6 分（31 人评价）" in texts


def test_dingtalk_and_the_sandbox_show_the_picture_and_the_lists() -> None:
    report = weekly_report(week(), TZ)
    card = report_card(replace(report, picture="AAAAAAAAAAAAAAAAAAAAAA.png"))
    _, text = markdown(card, lambda name: f"https://wuye.example.com/media/photos/{name}")
    assert "![每日收到与结单、按报修类别](https://wuye.example.com/media/photos/AAAA" in text
    assert "**超时最久的 5 单**" in text and "[点我]" not in text and "<at" not in text
    html = render_card(card, PhotoStore.url)
    assert "<at id=all>" not in html and "&lt;at id=all&gt;" in html
    assert "反复报修的地点" in html and "1,280.50 元" in html
