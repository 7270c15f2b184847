"""The work order (工作服务单) of a closed, paid job, as a PDF and a printable page, behind the
API key: its text and images read back out of the PDF."""

import io
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from pypdf import PdfReader

from baoxiu.config import Settings
from integration.web.api import SERVICE
from integration.web.photos import PhotoStore
from integration.web.resident import RESIDENT
from tests.web.conftest import AUTH, Api, ApiFor
from tests.web.test_api_field_work import DONE
from tests.web.test_api_payment import completed
from tickets.actions import Command, Verb
from tickets.model import RESIDENT as RESIDENT_ACTOR
from tickets.rating import Rating
from tickets.service import TicketService
from tickets.states import Source

PDF = "/api/v1/tickets/{}/work-order.pdf"
PAGE = "/api/v1/tickets/{}/work-order.html"


@pytest.fixture
async def api(api_for: ApiFor, demo_settings: Settings, tmp_path: Path) -> AsyncIterator[Api]:
    site = demo_settings.site.model_copy(update={"data_dir": tmp_path})
    async with api_for(demo_settings.model_copy(update={"site": site})) as api:
        yield api


def signature_png() -> bytes:
    """A finger's stroke on white, as the status page's pad sends it."""
    image = Image.new("RGB", (360, 120), "white")
    for x in range(40, 320):
        for dy in range(-2, 3):
            image.putpixel((x, 60 + dy + (x % 40) // 10), (20, 20, 20))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


async def signed_and_rated(store: PhotoStore, service: TicketService, number: str) -> None:
    """The resident signs and rates on their page: the signature stored as the page stores
    it, then their confirmation with it and their stars."""
    with store.upload() as upload:
        await upload.add(signature_png())
        (name,) = upload.publish()
        upload.keep()
    token = (await service.history(number)).ticket.public_token
    rating = Rating(4, 5, 5, "师傅很专业，水管不漏了")
    signed = Command(Verb.CONFIRM, RESIDENT_ACTOR, signature=name, rating=rating)
    await service.act_as_resident(token, signed, Source.WEB)


async def closed_and_paid(api: Api) -> str:
    number = await completed(api)
    await signed_and_rated(api.client.app[RESIDENT].photos, api.client.app[SERVICE], number)
    for action, extra in (("pay", {"method": "wechat"}), ("close", {})):
        status, answer = await api.act(number, action, "lin", **extra)
        assert status == 200, answer
    return number


async def test_the_pdf_of_a_closed_paid_job_holds_its_fees_rating_and_signature(
    api: Api, db_url: str
) -> None:
    number = await closed_and_paid(api)
    async with api.client.get(PDF.format(number), headers=AUTH) as response:
        assert response.status == 200
        assert response.content_type == "application/pdf"
        data = await response.read()
    pdf = PdfReader(io.BytesIO(data))
    text = re.sub(r"\s+", "", "".join(page.extract_text() for page in pdf.pages))
    for said in (
        f"工作服务单编号{number}",
        "一、工程联", "检查结果下水管存水弯堵塞", "维修结果疏通下水，更换水龙头",
        "生料带1卷（业主自备）",
        "二、财务联", "更换水龙头1个30.00元/个30.00", "疏通下水道1次80.50元/次80.50",
        "合计110.50元", "收费情况已收费110.50元（微信）",
        "三、客户联", "总体满意度★★★★☆4星", "响应速度★★★★★5星", "服务态度★★★★★5星",
        "业主意见师傅很专业，水管不漏了", "验收确认业主",
        "报修人张*138****8000",
    ):  # fmt: skip
        assert said in text, said
    assert "13800138000" not in text  # the paper leaves the audited system: masked
    images = [image for page in pdf.pages for image in page.images]
    assert len(images) == 1
    signature = images[0].image
    assert signature is not None and signature.size == (360, 120)
    ink = signature.convert("L").getpixel((100, 61))
    assert isinstance(ink, int) and ink < 60  # the stroke, not a blank box
    resources: Any = pdf.pages[0]["/Resources"]
    (font,) = resources["/Font"].values()
    cid = font.get_object()["/DescendantFonts"][0].get_object()
    assert "/FontFile2" in cid["/FontDescriptor"]  # embedded, not the reader's


async def test_the_printable_page_shows_the_same_work_order(api: Api, db_url: str) -> None:
    number = await closed_and_paid(api)
    async with api.client.get(PAGE.format(number), headers=AUTH) as response:
        assert response.status == 200 and response.content_type == "text/html"
        page = await response.text()
    for said in ("二、财务联", "疏通下水道", "80.50", "已收费 110.50 元（微信）", "4 星"):
        assert said in page, said
    signature = re.search(r'<img class="signature" src="([^"]+)"', page)
    assert signature is not None
    async with api.client.get(signature.group(1)) as response:
        assert response.status == 200 and response.content_type == "image/jpeg"


async def test_a_paid_job_done_again_for_more_shows_the_balance_until_it_is_paid(
    api: Api,
) -> None:
    """Paid 110.50 元 by WeChat, sent back as rework and completed again at 150.00 元: the
    money received stays on the work order beside what is still to collect."""
    number = await completed(api)
    await api.act(number, "pay", "lin", method="wechat")
    dearer = [*DONE["fees"][:1], {"code": "SD-02", "quantity": 1, "price": "120"}]
    for action, actor, extra in (
        ("reopen", "lin", {"reason": "业主说还是堵"}),
        ("start", "li", {}),
        ("complete", "li", {**DONE, "fees": dearer}),
    ):
        status, ticket = await api.act(number, action, actor, **extra)
        assert status == 200, ticket
    assert ticket["payment"]["amount_fen"] == 11050 and ticket["payment"]["by"] == "林客服"
    owing = "已收 110.50 元（微信），还需收 39.50 元"
    assert ticket["payment_label"] == owing
    async with api.client.get(PAGE.format(number), headers=AUTH) as response:
        page = await response.text()
    assert owing in page and "合计" in page and "150.00" in page and "已收费" not in page
    status, ticket = await api.act(number, "pay", "lin", method="wechat")
    assert status == 200 and ticket["payment"]["amount_fen"] == 15000, ticket
    async with api.client.get(PAGE.format(number), headers=AUTH) as response:
        assert "已收费 150.00 元（微信）" in await response.text()
    status, detail = await api.call("GET", f"/api/v1/tickets/{number}")
    paid = [e["text"] for e in detail["events"] if e["kind"] == "paid"]
    assert paid == ["林客服记录收费 110.50 元（微信）", "林客服记录收费 39.50 元（微信）"]


@pytest.mark.parametrize("path", [PDF, PAGE])
async def test_the_work_order_needs_the_key_and_a_ticket(api: Api, path: str) -> None:
    number = (await api.create())["number"]
    for headers in ({}, {"Authorization": "Bearer wrong"}):
        async with api.client.get(path.format(number), headers=headers) as response:
            assert response.status == 401
            assert "API 密钥" in (await response.json())["message"]
    async with api.client.get(path.format("BX20990101-0001"), headers=AUTH) as response:
        assert response.status == 404


async def test_an_open_job_has_an_unfinished_work_order(api: Api) -> None:
    number = (await api.create())["number"]
    async with api.client.get(PDF.format(number), headers=AUTH) as response:
        data = await response.read()
    text = re.sub(r"\s+", "", PdfReader(io.BytesIO(data)).pages[0].extract_text())
    assert "本单没有收费项目" in text and "业主尚未评价" in text and "（未签名）" in text
    assert "收费情况免费" in text and "验收确认业主未确认" in text


async def test_without_a_font_for_it_the_pdf_says_what_to_install(
    api: Api, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    number = (await api.create())["number"]
    (tmp_path / "bin").mkdir()
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))  # a machine without fontconfig
    status, answer = await api.call("GET", PDF.format(number))
    assert status == 503 and "apt-get install fonts-wqy-microhei" in answer["message"], answer
