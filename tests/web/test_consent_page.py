"""The resident agrees to a higher price on their status page: the new total against the one
agreed before, why, and 同意; only while a price waits, only from our own page, once."""

import re

from tests.web.test_resident import Site, site
from tests.web.test_signoff_page import post
from tickets.actions import Command, Verb
from tickets.events import EventKind
from tickets.model import Actor
from tickets.states import Source, Status

__all__ = ["site"]

LI = Actor.member("li")
WHY = "拆开后发现压缩机损坏，需要更换"


async def started(site: Site) -> tuple[str, str]:
    """A report the resident made, being repaired by 李师傅: its number and status page."""
    _, _, location = await site.submit()
    assert location is not None
    [ticket] = await site.tickets()
    for verb in (Verb.CLAIM, Verb.START):
        await site.service.act(ticket.number, Command(verb, LI), Source.API)
    return ticket.number, location


TOLD = Command(Verb.QUOTE, LI, amount_fen=8000)
MORE = Command(Verb.QUOTE, LI, amount_fen=15000, reason=WHY)


async def quoted(site: Site) -> tuple[str, str]:
    """The resident was told 80 元, and 李师傅 now asks for 150 元."""
    number, location = await started(site)
    for command in (TOLD, MORE):
        await site.service.act(number, command, Source.API)
    return number, location


def consent_panel(page: str) -> str | None:
    found = re.search(r'<section class="panel consent".*?</section>', page, re.S)
    return found[0] if found else None


async def test_the_page_asks_only_while_a_price_waits(site: Site) -> None:
    number, location = await started(site)
    _, page = await site.page(location)
    assert consent_panel(page) is None  # nothing quoted
    await site.service.act(number, TOLD, Source.API)
    _, page = await site.page(location)
    assert consent_panel(page) is None  # the price they were told stands as told
    assert "报价 80.00 元" in page
    await site.service.act(number, MORE, Source.API)
    _, page = await site.page(location)
    panel = consent_panel(page)
    assert panel is not None
    for said in (
        "维修费用有变化，需要您同意",
        "<dt>原报价</dt><dd>80.00 元</dd>",
        "<dt>新报价</dt><dd>150.00 元</dd>",
        "比原报价多 70.00 元",
        f"<span>原因</span>{WHY}",
        f'action="{location}/consent"',
        '<input type="hidden" name="amount" value="15000">',
        '<button class="button" type="submit">同意</button>',
        'href="tel:0571-88886666"',
        "您同意之前，不会按新报价收费",
    ):
        assert said in panel, said
    assert page.index("panel consent") < page.index("维修进度")  # before the timeline
    shown = rf'报价 150\.00 元，等待业主同意</p>\s*<p class="detail">{WHY}</p>'
    assert re.search(shown, page), "the timeline says why, too"

    await site.service.act(number, Command(Verb.CONSENT, Actor.member("lin")), Source.API)
    _, page = await site.page(location)
    assert consent_panel(page) is None  # agreed by phone: nothing left to ask
    assert "业主同意报价 150.00 元" in page and "电话同意" in page


async def test_the_resident_agrees_on_their_page(site: Site) -> None:
    number, location = await quoted(site)
    response, _ = await post(site, f"{location}/consent", {"amount": "15000"})
    assert (response.status, response.headers["Location"]) == (303, f"{location}?done=consented")
    history = await site.service.history(number)
    assert (history.ticket.quoted_fen, history.ticket.quote_pending_fen) == (15000, None)
    event = history.events[-1]
    assert (event.kind, event.actor_name, event.source) == (EventKind.CONSENTED, "业主", Source.WEB)
    assert event.details.agreed == "page"  # type: ignore[union-attr]
    _, page = await site.page(f"{location}?done=consented")
    assert "您已同意新的报价，师傅会按这个价格继续维修。" in page
    assert consent_panel(page) is None
    assert "业主同意报价 150.00 元</p>" in page and "在报修页面同意" in page
    assert history.ticket.status is Status.IN_PROGRESS


async def test_a_second_post_is_answered_as_the_first(site: Site) -> None:
    number, location = await quoted(site)
    for _ in range(2):
        response, _ = await post(site, f"{location}/consent", {"amount": "15000"})
        assert (response.status, response.headers["Location"]) == (
            303,
            f"{location}?done=consented",
        )
    events = (await site.service.history(number)).events
    assert [e.kind for e in events].count(EventKind.CONSENTED) == 1


async def test_a_price_changed_since_the_page_loaded_is_not_agreed_to(site: Site) -> None:
    number, location = await quoted(site)
    before = await site.service.history(number)
    for amount in ("8000", "", "15000.00", "-15000"):
        response, page = await post(site, f"{location}/consent", {"amount": amount})
        assert response.status == 422, amount
        assert "报价已经改为 150.00 元，请看清新的报价后再同意" in page
        assert consent_panel(page) is not None  # the new price, to agree to or not
    assert await site.service.history(number) == before


async def test_a_consent_from_elsewhere_is_refused_and_nothing_stored(site: Site) -> None:
    number, location = await quoted(site)
    before = await site.service.history(number)
    data = {"amount": "15000"}
    response, page = await post(site, f"{location}/consent", data, Origin="https://evil.example")
    assert response.status == 403 and "请在报修进度页面上同意报价" in page
    response, _ = await post(site, f"{location}/consent", data, **{"Sec-Fetch-Site": "cross-site"})
    assert response.status == 403
    hidden = {"Origin": "null", "Sec-Fetch-Site": "cross-site"}  # a sandboxed frame elsewhere
    response, _ = await post(site, f"{location}/consent", data, **hidden)
    assert response.status == 403
    async with site.client.post(f"{location}/consent", json=data) as response:  # no form
        assert response.status == 403
    response, _ = await post(site, "/r/t/not-a-ticket/consent", data)
    assert response.status == 404
    response, _ = await post(site, "/r/t/abc123/consent", data)  # a token of no ticket
    assert response.status == 404
    assert await site.service.history(number) == before


async def test_nothing_to_agree_to_is_refused(site: Site) -> None:
    number, location = await started(site)
    await site.service.act(number, TOLD, Source.API)
    response, page = await post(site, f"{location}/consent", {"amount": "15000"})
    assert response.status == 409 and "没有等待业主同意的报价" in page
    ticket = (await site.service.history(number)).ticket
    assert (ticket.quoted_fen, ticket.quote_pending_fen) == (8000, None)
    _, page = await site.page(f"{location}?done=consented")
    assert "您已同意新的报价" not in page  # a link no tap made says nothing
