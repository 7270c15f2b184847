"""The resident signs off on their status page: the work shown, a drawn signature and three
ratings to confirm, 没修好 to send it back; every refusal changes nothing."""

import base64
import html
import io
from typing import Any

from aiohttp import ClientResponse
from PIL import Image, ImageDraw

from tests.web.test_resident import Site, site
from tickets.actions import Command, Verb
from tickets.model import Actor
from tickets.states import Source, Status

__all__ = ["site"]

LI = Actor.member("li")


def drawn(strokes: bool = True, size: tuple[int, int] = (600, 240)) -> str:
    """A canvas's PNG as the page sends it: transparent, with a stroke or none."""
    image = Image.new("RGBA", size, (0, 0, 0, 0))
    if strokes:
        ImageDraw.Draw(image).line([(40, 180), (120, 60), (200, 170), (320, 80)], "#1f2328", 5)
    out = io.BytesIO()
    image.save(out, "PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


GOOD = {"overall": "4", "speed": "5", "attitude": "5", "comment": "师傅很细心"}


async def completed(site: Site) -> str:
    """A report the resident made, repaired by 李师傅; its status page."""
    _, _, location = await site.submit()
    assert location is not None
    [ticket] = await site.tickets()
    for verb in (Verb.CLAIM, Verb.START, Verb.COMPLETE):
        done = Command(verb, LI, findings="阀芯磨损", note="更换阀芯")
        await site.service.act(ticket.number, done, Source.API)
    return location


async def post(
    site: Site, path: str, data: dict[str, str], **headers: str
) -> tuple[ClientResponse, str]:
    async with site.client.post(path, data=data, headers=headers, allow_redirects=False) as r:
        return r, html.unescape(await r.text())


async def test_the_resident_signs_and_rates_on_their_page(site: Site) -> None:
    location = await completed(site)
    _, page = await site.page(location)
    assert "请您验收" in page and "更换阀芯" in page and "本次维修不收费" in page
    assert f'action="{location}/confirm"' in page and f'action="{location}/reopen"' in page
    assert page.count('type="radio"') == 15 and "data-refresh" not in page
    response, _ = await post(site, f"{location}/confirm", {**GOOD, "signature": drawn()})
    assert (response.status, response.headers["Location"]) == (303, f"{location}?done=signed")
    [ticket] = await site.tickets()
    assert ticket.status is Status.CONFIRMED and ticket.confirmed_by == "业主"
    assert (ticket.rating_overall, ticket.rating_speed, ticket.rating_attitude) == (4, 5, 5)
    assert ticket.rating_comment == "师傅很细心" and ticket.signature is not None
    assert site.files() == sorted([ticket.signature])
    stored, body = await site.get(f"/media/photos/{ticket.signature}")
    assert stored.status == 200 and stored.content_type == "image/png"
    with Image.open(io.BytesIO(body)) as image:
        assert (image.format, image.mode, image.size) == ("PNG", "L", (600, 240))
    _, page = await site.page(f"{location}?done=signed")
    assert "感谢您的确认和评价！" in page and "请您验收" not in page
    assert "★★★★☆" in page and f'src="/media/photos/{ticket.signature}"' in page
    assert "业主已确认修好，已签名" in page


async def test_a_blank_or_forged_signature_or_a_missing_star_changes_nothing(site: Site) -> None:
    location = await completed(site)
    cases: list[tuple[dict[str, Any], str]] = [
        ({**GOOD, "signature": ""}, "请先在签名框里签名"),
        ({**GOOD, "signature": drawn(strokes=False)}, "请先在签名框里签名"),
        ({**GOOD, "signature": "data:image/png;base64,not-base64!"}, "签名没有保存成功"),
        ({**GOOD, "signature": drawn(size=(2400, 200))}, "签名没有保存成功"),
        ({**GOOD, "signature": "data:image/jpeg;base64,/9j/"}, "签名没有保存成功"),
        ({**GOOD, "speed": "", "signature": drawn()}, "请给响应速度打 1 到 5 星"),
        ({**GOOD, "overall": "9", "signature": drawn()}, "请给总体满意度打 1 到 5 星"),
    ]
    for data, message in cases:
        response, page = await post(site, f"{location}/confirm", data)
        assert response.status == 422 and message in page, message
    [ticket] = await site.tickets()
    assert (ticket.status, ticket.signature, ticket.rated_at) == (Status.COMPLETED, None, None)
    assert site.files() == [], "a refused sign-off keeps no image"


async def test_a_sign_off_from_elsewhere_is_refused(site: Site) -> None:
    location = await completed(site)
    data = {**GOOD, "signature": drawn()}
    response, page = await post(site, f"{location}/confirm", data, Origin="https://evil.example")
    assert response.status == 403 and "请在报修进度页面上确认" in page
    response, _ = await post(
        site, f"{location}/reopen", {"reason": "x"}, **{"Sec-Fetch-Site": "cross-site"}
    )
    assert response.status == 403
    hidden = {"Origin": "null", "Sec-Fetch-Site": "cross-site"}  # a sandboxed frame elsewhere
    response, _ = await post(site, f"{location}/confirm", data, **hidden)
    assert response.status == 403
    response, _ = await post(site, "/r/t/not-a-ticket/confirm", data)
    assert response.status == 404
    [ticket] = await site.tickets()
    assert ticket.status is Status.COMPLETED


async def test_our_own_page_names_no_origin_and_is_still_ours(site: Site) -> None:
    """The pages' `Referrer-Policy: no-referrer` makes a browser send `Origin: null` with
    their own posts; the fetch metadata says they are same-origin."""
    location = await completed(site)
    ours = {"Origin": "null", "Sec-Fetch-Site": "same-origin"}
    response, _ = await post(site, f"{location}/confirm", {**GOOD, "signature": drawn()}, **ours)
    assert response.status == 303
    response, _ = await post(site, f"{location}/hurry", {}, **ours)
    assert response.status == 409  # ours, and too late to hurry: the job is done


async def test_not_fixed_sends_it_back_and_a_signed_job_cannot_be_reopened_here(
    site: Site,
) -> None:
    location = await completed(site)
    response, page = await post(site, f"{location}/reopen", {"reason": " "})
    assert response.status == 422 and "请填写没修好的情况" in page
    response, _ = await post(site, f"{location}/reopen", {"reason": "水龙头还是滴水"})
    assert (response.status, response.headers["Location"]) == (303, f"{location}?done=reopened")
    [ticket] = await site.tickets()
    assert (ticket.status, ticket.rework_count) == (Status.ASSIGNED, 1)
    _, page = await site.page(f"{location}?done=reopened")
    assert "已收到，我们会安排师傅重新上门处理。" in page and "请您验收" not in page
    assert "水龙头还是滴水" in page  # the resident reads why it is redone
    response, page = await post(site, f"{location}/confirm", {**GOOD, "signature": drawn()})
    assert response.status == 409 and "不能确认完成" in page
    assert site.files() == []
