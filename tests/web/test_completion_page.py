"""The technician's completion page (完工单): reached from the assignee's own card, it records
fee lines, materials and photos after the repair; a bad row is named beside it and nothing is
stored; the link is the current assignee's alone."""

import html
from urllib.parse import urlsplit

from aiohttp import ClientResponse, FormData

from cards.build import CardContext, ticket_card
from tests.web.test_resident import Site, error_of, site
from tests.web.uploads import jpeg
from tickets.actions import Command, Verb
from tickets.audience import Audience
from tickets.model import Actor, Ticket
from tickets.states import Source, Status

__all__ = ["site"]

LI = Actor.member("li")
PUBLIC = "https://wuye.example.com"
DONE = {
    "findings": "下水管存水弯堵塞",
    "note": "疏通下水，更换水龙头",
    "fee_code_1": "SD-01",
    "fee_qty_1": "1",
    "fee_code_2": "SD-02",
    "fee_qty_2": "1",
    "fee_price_2": "80.5",
    "mat_name_1": "生料带",
    "mat_qty_1": "1",
    "mat_unit_1": "卷",
    "mat_by_1": "resident",
}


async def holding(site: Site, *verbs: Verb) -> Ticket:
    """A resident's report, claimed by 李师傅 and taken as far as `verbs`."""
    await site.submit()
    [ticket] = await site.tickets()
    for verb in (Verb.CLAIM, *verbs):
        ticket = (await site.service.act(ticket.number, Command(verb, LI), Source.API)).ticket
    return ticket


def link_of(site: Site, ticket: Ticket, member: str = "li") -> str | None:
    """The path the member's own card links to, as the card builder makes it."""
    ctx = CardContext(site.service.directory, site.service.tz, public_url=PUBLIC)
    link = ticket_card(ticket, Audience.DIRECT, ctx, member_id=member).link
    if link is None:
        return None
    assert link.url.startswith(f"{PUBLIC}/w/{ticket.number}/") and "完工单" in link.label
    return urlsplit(link.url).path


async def send(
    site: Site,
    path: str,
    fields: dict[str, str],
    photos: int = 0,
    **headers: str,
) -> tuple[ClientResponse, str]:
    data = FormData(default_to_multipart=True)
    for name, value in fields.items():
        data.add_field(name, value)
    for i in range(photos):
        data.add_field("photos", jpeg(), filename=f"after{i}.jpg", content_type="image/jpeg")
    post = site.client.post(path, data=data, headers=headers, allow_redirects=False)
    async with post as response:
        return response, html.unescape(await response.text())


async def test_the_assignee_completes_with_fee_lines_materials_and_photos(site: Site) -> None:
    ticket = await holding(site, Verb.START)
    path = link_of(site, ticket)
    assert path is not None
    team_card = ticket_card(
        ticket, Audience.TEAM, CardContext(site.service.directory, site.service.tz, None, PUBLIC)
    )
    assert team_card.link is None  # the group never sees the assignee's key
    response, page = await site.page(path)
    assert response.status == 200 and "完工单" in page and ticket.number in page
    assert "更换水龙头（30.00 元/个）" in page and "疏通下水道（50.00–150.00 元/次）" in page
    assert "13800138000" not in page and "138 0013 8000" not in page
    response, _ = await send(site, path, DONE, photos=2)
    assert (response.status, response.headers["Location"]) == (303, path)
    [done] = await site.tickets()
    assert done.status is Status.COMPLETED and done.findings == "下水管存水弯堵塞"
    assert done.completion_note == "疏通下水，更换水龙头"
    assert [(line.code, line.amount_fen) for line in done.fee_lines] == [
        ("SD-01", 3000),
        ("SD-02", 8050),
    ]
    assert done.fees_total_fen == 11050
    assert [(m.name, str(m.quantity), m.unit, m.supplied_by.value) for m in done.materials] == [
        ("生料带", "1", "卷", "resident")
    ]
    assert len(done.photos_after) == 2 and site.files() == sorted(done.photos_after)
    _, status_page = await site.page(f"/r/t/{done.public_token}")
    for name in done.photos_after:  # the resident sees the repair before signing it off
        assert f'src="/media/photos/{name}" alt="完工照片' in status_page
    ctx = CardContext(site.service.directory, site.service.tz)
    shown = ticket_card(done, Audience.TEAM, ctx).images
    assert [(i.photo, i.alt) for i in shown] == [
        (done.photos_after[0], "完工照片 1"),
        (done.photos_after[1], "完工照片 2"),
    ]
    events = (await site.service.history(done.number)).events
    assert events[-1].kind.value == "complete" and events[-1].actor_name == "李师傅"
    _, page = await site.page(path)
    assert "已完工" in page and "110.50" in page and "生料带 1 卷（业主自备）" in page
    assert 'name="findings"' not in page  # recorded: the form is not offered again


async def test_a_bad_row_is_named_beside_it_and_nothing_is_stored(site: Site) -> None:
    ticket = await holding(site, Verb.START)
    path = link_of(site, ticket)
    assert path is not None
    bad = {
        **DONE,
        "fee_price_2": "200",
        "mat_unit_1": "",
        "mat_name_2": "水龙头",
        "mat_qty_2": "0",
        "mat_unit_2": "个",
        "mat_by_2": "property",
    }
    response, page = await send(site, path, bad, photos=1)
    assert response.status == 422
    assert "只能收 50.00–150.00 元/次" in error_of(page, "fee_2") and not error_of(page, "fee_1")
    assert "请填写「生料带」的单位" in error_of(page, "mat_1")
    assert "「水龙头」的数量" in error_of(page, "mat_2")
    assert "下水管存水弯堵塞" in page and "照片未保存，请重新选择照片" in page  # kept as typed
    [after] = await site.tickets()
    assert after.status is Status.IN_PROGRESS and after.fee_lines == () and after.materials == ()
    assert site.files() == []
    response, page = await send(site, path, {**DONE, "findings": " "})
    assert response.status == 422 and "请填写检查结果" in error_of(page, "findings")


async def test_a_price_above_what_the_resident_agreed_is_refused_by_the_core(site: Site) -> None:
    ticket = await holding(site, Verb.START)
    quote = Command(Verb.QUOTE, LI, amount_fen=5000)  # the price the resident was told
    quoted = (await site.service.act(ticket.number, quote, Source.API)).ticket
    path = link_of(site, quoted)
    assert path is not None
    _, page = await site.page(path)
    assert "已告知业主的价格：50.00 元" in page
    response, page = await send(site, path, DONE, photos=1)
    assert response.status == 422 and "超过业主同意的 50.00 元" in page
    [after] = await site.tickets()
    assert after.status is Status.IN_PROGRESS and after.fee_lines == ()
    assert site.files() == []


async def test_the_link_opens_only_for_the_current_assignee(site: Site) -> None:
    ticket = await holding(site)
    path = link_of(site, ticket)
    assert path is None  # claimed, not started: nothing to complete yet
    started = (await site.service.act(ticket.number, Command(Verb.START, LI), Source.API)).ticket
    path = link_of(site, started)
    assert path is not None
    number, key = path.split("/")[2:]
    for wrong in (f"/w/{number}/{key[::-1]}", f"/w/BX000000-0000/{key}", f"/w/{number}/short"):
        response, page = await site.page(wrong)
        assert response.status == 404 and "链接无效或已失效" in page, wrong
    moved = Command(Verb.TRANSFER, LI, to="wang", reason="另有急单")
    transferred = (await site.service.act(number, moved, Source.API)).ticket
    response, _ = await site.page(path)
    assert response.status == 404
    response, _ = await send(site, path, DONE)
    assert response.status == 404
    theirs = link_of(site, transferred, "wang")
    assert transferred.status is Status.ASSIGNED and theirs is None  # 王师傅 starts first
    await site.service.act(number, Command(Verb.START, Actor.member("wang")), Source.API)
    [ticket] = await site.tickets()
    theirs = link_of(site, ticket, "wang")
    assert theirs is not None and theirs != path
    assert link_of(site, ticket, "li") is None  # li's own card of it offers nothing now


async def test_before_the_work_starts_the_page_says_what_to_do(site: Site) -> None:
    ticket = await holding(site, Verb.START)
    path = link_of(site, ticket)
    assert path is not None
    pause = Command(Verb.PAUSE, LI, reason="等配件到货", pause_kind=None)
    await site.service.act(ticket.number, pause, Source.API)
    response, page = await site.page(path)
    assert response.status == 200 and "请先在工单卡片上点「继续」" in page
    assert 'name="findings"' not in page
    response, page = await send(site, path, DONE)
    assert response.status == 409 and "请先在工单卡片上点「继续」" in page
    [after] = await site.tickets()
    assert after.status is Status.PAUSED


async def test_a_post_from_another_site_is_refused(site: Site) -> None:
    ticket = await holding(site, Verb.START)
    path = link_of(site, ticket)
    assert path is not None
    response, page = await send(site, path, DONE, photos=1, **{"Sec-Fetch-Site": "cross-site"})
    assert response.status == 403 and "请在完工单页面上提交" in page
    [after] = await site.tickets()
    assert after.status is Status.IN_PROGRESS and site.files() == []
