"""The resident's pages over HTTP: the form, every refusal, photos on disk, the status page."""

import asyncio
import html
import io
import re
import secrets
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiohttp import ClientResponse, FormData, web
from aiohttp.test_utils import TestClient, TestServer
from PIL import ExifTags, Image
from yarl import URL

from baoxiu.app import create_app
from baoxiu.config import DatabaseConfig, Settings
from integration.web.api import SERVICE
from integration.web.ratelimit import ReportLimiter
from tests.cards.hostile import HOSTILE
from tests.cards.structure import Structure
from tests.clock import FakeClock
from tests.web.uploads import FIELDS, jpeg, png_16bit
from tickets.actions import Command, Verb
from tickets.model import Actor, Ticket
from tickets.ports import TicketQuery
from tickets.rating import Agreement
from tickets.service import TicketService
from tickets.states import Channel, Source, Status

Photo = tuple[str, bytes]
ZONE = ZoneInfo("Asia/Shanghai")
"""The demo site's time zone."""


@dataclass
class Site:
    client: TestClient[Any, Any]
    photos: Path

    @property
    def service(self) -> TicketService:
        app: web.Application | None = self.client.app
        assert app is not None
        return app[SERVICE]

    async def tickets(self) -> list[Ticket]:
        return list((await self.service.search(TicketQuery())).items)

    def files(self) -> list[str]:
        return sorted(p.name for p in self.photos.iterdir()) if self.photos.exists() else []

    async def submit(
        self, photos: Sequence[Photo] = (), key: str | None = None, **fields: str
    ) -> tuple[int, str, str | None]:
        """Status, page and Location of one form submission, the way a browser sends it."""
        data = FormData(default_to_multipart=True)
        data.add_field("key", key or secrets.token_urlsafe(24))
        for name, value in {**FIELDS, **fields}.items():
            data.add_field(name, value)
        for filename, content in photos:
            data.add_field("photos", content, filename=filename, content_type="image/jpeg")
        async with self.client.post("/r/new", data=data, allow_redirects=False) as response:
            return response.status, await response.text(), response.headers.get("Location")

    async def get(self, path: str | URL) -> tuple[ClientResponse, bytes]:
        async with self.client.get(path) as response:
            return response, await response.read()

    async def page(self, path: str) -> tuple[ClientResponse, str]:
        response, body = await self.get(path)
        return response, body.decode()


@pytest.fixture
async def site(db_url: str, demo_settings: Settings, tmp_path: Path) -> AsyncIterator[Site]:
    data_dir = tmp_path / "data"
    settings = demo_settings.model_copy(
        update={
            "database": DatabaseConfig(url=db_url),
            "site": demo_settings.site.model_copy(update={"data_dir": data_dir}),
        }
    )
    async with TestClient(TestServer(create_app(settings))) as client:
        yield Site(client, data_dir / "photos")


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (300, 200), (0, 120, 255, 128)).save(out, "PNG")
    return out.getvalue()


def error_of(page: str, field: str) -> str:
    found = re.search(rf'id="{field}-error"[^>]*>(.*?)</p>', page, re.S)
    assert found is not None, f"no error slot for {field}"
    return html.unescape(found[1]).strip()


def local_input(moment: datetime) -> str:
    """As a `datetime-local` input sends it."""
    return moment.astimezone(ZONE).strftime("%Y-%m-%dT%H:%M")


async def test_form_offers_the_categories_in_config_order_and_prefills_the_location(
    site: Site, demo_settings: Settings
) -> None:
    response, page = await site.page("/r/new?loc=3栋2单元")
    assert response.status == 200 and response.content_type == "text/html"
    offered = re.findall(r"<option>(.*?)</option>", page)
    assert offered == [c for team in demo_settings.teams for c in team.categories]
    assert re.search(r'id="location" name="location" value="3栋2单元"', page)
    assert demo_settings.site.name in page
    keys = {re.findall(r'name="key" value="([\w-]+)"', (await site.page("/r/new"))[1])[0]}
    keys.add(re.findall(r'name="key" value="([\w-]+)"', page)[0])
    assert len(keys) == 2, "each page load carries its own key"


async def test_a_report_with_photos_becomes_a_ticket_without_their_metadata(site: Site) -> None:
    tomorrow = local_input(datetime.now(ZONE) + timedelta(days=1))
    original = jpeg((3000, 1000), gps=True)
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(ExifTags.IFD.GPSInfo)
    status, _, location = await site.submit(
        [("IMG_0001.jpg", original), ("screen.png", png())], appointment_at=tomorrow
    )
    assert status == 303 and location is not None and location.startswith("/r/t/")

    [ticket] = await site.tickets()
    assert ticket.channel is Channel.WEB and ticket.reporter.phone == "13800138000"
    assert ticket.appointment_at is not None and local_input(ticket.appointment_at) == tomorrow
    assert len(ticket.photos) == 2 and site.files() == sorted(ticket.photos)
    sizes = []
    for name in ticket.photos:
        stored = site.photos / name
        with Image.open(stored) as image:
            assert image.format == "JPEG"
            assert not image.getexif() and "exif" not in image.info
            sizes.append(image.size)
        assert b"TestPhone" not in stored.read_bytes()
    assert sizes == [(683, 2048), (300, 200)], "upright, at most 2048 px, before EXIF goes"
    history = await site.service.public_history(ticket.public_token)
    assert [(e.actor_name, e.source) for e in history.events] == [("业主", Source.WEB)]

    response, page = await site.page(location)
    assert response.status == 200
    assert ticket.number in page and "已受理" in page
    assert "138****8000" in page and "13800138000" not in page
    assert "卫生间洗手盆下水管接头漏水" in page and "3栋2单元501" in page
    for name in ticket.photos:
        assert f'src="/media/photos/{name}"' in page
        photo, body = await site.get(f"/media/photos/{name}")
        assert photo.status == 200 and photo.content_type == "image/jpeg"
        assert body == (site.photos / name).read_bytes()
        assert "max-age=31536000" in photo.headers["Cache-Control"]


BAD_INPUT = [
    ("name", {"name": "  "}, [], "请填写您的姓名"),
    ("phone", {"phone": "12345"}, [], "请填写 11 位手机号"),
    ("category", {"category": "火箭"}, [], "请选择报修类型"),
    ("description", {"description": "漏" * 20_000}, [], "问题描述最多 2000 字"),
    ("photos", {}, [("big.jpg", jpeg() + bytes(6 * 1024 * 1024))], "「big.jpg」超过 5 MB"),
    ("photos", {}, [(f"{i}.jpg", jpeg()) for i in range(4)], "最多上传 4 张照片"),
    ("photos", {}, [("notes.jpg", "水管漏水\n".encode() * 50)], "只支持 JPG、PNG、WebP"),
    # A 7000×7000 16-bit PNG whose pixels are junk: refused as too large, not as unreadable,
    # because its header alone refuses it and nothing is decoded.
    ("photos", {}, [("huge.png", png_16bit(7000, idat=b"\0" * 300_000))], "「huge.png」照片太大"),
    ("appointment_at", {"appointment_at": "2020-01-01T09:00"}, [], "已经过去"),
]


@pytest.mark.parametrize(
    ("field", "fields", "photos", "message"),
    BAD_INPUT,
    ids=["name", "phone", "category", "description", "6MB", "5 photos", "text", "bomb", "past"],
)
async def test_a_bad_report_is_shown_again_with_the_error_beside_its_field(
    site: Site, field: str, fields: dict[str, str], photos: list[Photo], message: str
) -> None:
    good = [("good.jpg", jpeg(gps=True))]  # stored first, so a leftover file would show
    status, page, _ = await site.submit(good + photos, **fields)
    assert status == 422
    assert message in error_of(page, field)
    others = [f for f in (*FIELDS, "appointment_at", "photos") if f != field]
    assert all(error_of(page, f) == "" for f in others)
    assert 'value="3栋2单元501"' in page, "what the resident typed stays"
    if field in ("phone", "description", "appointment_at"):
        assert fields[field][:100] in page
    assert await site.tickets() == []
    assert site.files() == []


async def test_a_form_without_its_key_is_not_taken(site: Site) -> None:
    status, page, _ = await site.submit(key="short")
    assert status == 422 and "页面已过期" in page
    assert re.search(r'name="key" value="[\w-]{32}"', page), "a fresh key to send again"
    assert await site.tickets() == []


async def test_the_same_form_sent_twice_makes_one_ticket(site: Site) -> None:
    key = secrets.token_urlsafe(24)
    first = await site.submit([("a.jpg", jpeg())], key=key)
    again = await site.submit([("a.jpg", jpeg())], key=key)
    assert first[0] == again[0] == 303 and first[2] == again[2]
    key = secrets.token_urlsafe(24)
    both = await asyncio.gather(*(site.submit(key=key, description="水管爆裂") for _ in "ab"))
    assert {answer[0] for answer in both} == {303} and both[0][2] == both[1][2]
    tickets = await site.tickets()
    assert len(tickets) == 2
    assert site.files() == sorted(tickets[-1].photos), "the resent photo is not kept"


async def test_a_sixth_report_within_ten_minutes_is_refused(site: Site) -> None:
    keys = [secrets.token_urlsafe(24) for _ in range(6)]
    for key in keys[:5]:
        assert (await site.submit(key=key))[0] == 303
    status, page, _ = await site.submit([("a.jpg", jpeg())], key=keys[5])
    assert status == 429 and "提交得太频繁了" in page
    assert "紧急情况请直接拨打物业服务中心电话 0571-88886666" in page  # the demo's hotline
    assert (await site.submit(key=keys[4]))[0] == 303, "resending a counted form still works"
    assert len(await site.tickets()) == 5
    assert len(site.files()) == 0


async def test_a_client_over_its_limit_is_refused_before_its_photos_are_read(site: Site) -> None:
    for _ in range(5):
        assert (await site.submit())[0] == 303
    boundary = "baoxiu-test"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="key"\r\n\r\n'
        f"{secrets.token_urlsafe(24)}\r\n--{boundary}\r\n"
        'Content-Disposition: form-data; name="photos"; filename="a.png"\r\n'
        "Content-Type: image/png\r\n\r\n"
    ).encode()
    rest = asyncio.Event()  # set once answered: the photo's other 220 KB never come

    async def body() -> AsyncIterator[bytes]:
        yield head + png_16bit(7000)[: 64 * 1024]  # aiohttp reads a part ahead to find its end
        await rest.wait()

    headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
    async with (
        asyncio.timeout(5),
        site.client.post("/r/new", data=body(), headers=headers) as response,
    ):
        assert response.status == 429 and "提交得太频繁了" in await response.text()
        rest.set()  # the client may close its side now
    assert site.files() == []


async def test_a_request_without_the_forms_key_counts_as_a_report(site: Site) -> None:
    for _ in range(5):
        assert (await site.submit(key="short"))[0] == 422
    assert (await site.submit(key="short"))[0] == 429


def test_the_limiter_counts_forms_in_a_sliding_window() -> None:
    clock = FakeClock()
    limiter = ReportLimiter(clock, limit=2, window=600)
    assert limiter.take("1.2.3.4", "a") == 0 and limiter.take("1.2.3.4", "b") == 0
    clock.advance(seconds=100)
    assert limiter.take("1.2.3.4", "c") == 500
    assert limiter.take("1.2.3.4", "a") == 0, "a counted form may be resent"
    assert limiter.take("5.6.7.8", "c") == 0, "other clients have their own count"
    clock.advance(seconds=501)
    assert limiter.take("1.2.3.4", "c") == 0


async def _status_page(site: Site, text: str) -> str:
    line = " ".join(text.split())  # a name and a location are one line; a description is not
    status, _, location = await site.submit(
        [("a.jpg", jpeg())], name=line[:32], location=line[:200], description=text
    )
    assert status == 303 and location is not None
    [ticket] = [t for t in await site.tickets() if location.endswith(t.public_token)]
    for verb, reason in [(Verb.CLAIM, None), (Verb.START, None), (Verb.PAUSE, text)]:
        await site.service.act(
            ticket.number, Command(verb, Actor.member("li"), reason=reason), Source.API
        )
    return (await site.page(location))[1]


@pytest.mark.parametrize("hostile", HOSTILE)
async def test_hostile_text_stays_text_on_the_status_page(site: Site, hostile: str) -> None:
    shapes, texts = [], []
    for text in ("厨房水龙头一直滴水", hostile):
        parser = Structure()
        parser.feed(await _status_page(site, text))
        shapes.append(parser.shape)
        texts.append("".join(parser.text))
    assert shapes[0] == shapes[1], f"{hostile!r} changed the page's markup"
    assert hostile.strip() in texts[1], f"{hostile!r} was not shown as typed"


async def test_the_timeline_speaks_the_residents_language(site: Site) -> None:
    status, _, location = await site.submit()
    assert status == 303 and location is not None
    [ticket] = await site.tickets()
    steps = [
        ("claim", {}),
        ("start", {}),
        ("comment", {"note": "内部备注：业主难沟通"}),
        ("pause", {"reason": "等配件：需要购买DN20三通，业主态度差"}),
        ("resume", {}),
        ("complete", {"findings": "三通开裂", "note": "更换三通"}),
    ]
    for verb, extra in steps:
        command = Command(Verb(verb), Actor.member("li"), **extra)  # type: ignore[arg-type]
        await site.service.act(ticket.number, command, Source.API)
    _, page = await site.page(location)
    for shown in [
        "李师傅已接单",
        "李师傅已到场维修",
        "暂停维修",
        "维修结果：更换三通",
    ]:
        assert shown in page
    assert "内部备注" not in page and "备注" not in page
    assert "DN20" not in page and "业主态度差" not in page, "a pause's reason is the crew's"
    assert "维修完成，请您验收" in page and "维修完成，等待验收" in page, "headline, newest step"
    assert "内部备注" not in page and "13800000001" not in page
    assert "data-refresh" not in page, "no refresh wipes a signature being drawn"
    by_phone = Command(Verb.CONFIRM, Actor.member("lin"), on_behalf=True, agreed=Agreement.PHONE)
    await site.service.act(ticket.number, by_phone, Source.API)
    await site.service.act(ticket.number, Command(Verb.CLOSE, Actor.member("chen")), Source.API)
    _, page = await site.page(location)
    assert "已结单" in page and "data-refresh" not in page
    assert (await site.tickets())[0].status is Status.CLOSED


async def test_photos_are_served_only_by_the_names_the_store_gives(site: Site) -> None:
    await site.submit([("a.jpg", jpeg())])
    [name] = site.files()
    (site.photos.parent / "secret.jpg").write_bytes(jpeg())
    (site.photos / f"{name[:-4]}.part").write_bytes(jpeg())
    refused: list[str | URL] = [
        URL("/media/photos/..%2Fsecret.jpg", encoded=True),
        URL("/media/photos/%2E%2E%2Fsecret.jpg", encoded=True),
        f"/media/photos/{name[:-4]}.part",
        f"/media/photos/{'A' * 22}.jpg",
    ]
    for path in refused:
        response, _ = await site.get(path)
        assert response.status == 404, path
    response, _ = await site.get(f"/media/photos/{name}")
    assert response.status == 200


async def test_an_unknown_status_link_is_a_friendly_404(site: Site) -> None:
    response, page = await site.page("/r/t/not-a-real-token")
    assert response.status == 404 and response.content_type == "text/html"
    assert "没有找到这张报修单" in page


async def test_a_post_that_is_not_the_form_is_refused(site: Site) -> None:
    async with site.client.post("/r/new", json=FIELDS) as response:
        assert response.status == 400
        assert "提交方式不对" in await response.text()
    assert await site.tickets() == []


async def test_a_nul_in_the_form_is_refused_beside_its_field(site: Site) -> None:
    status, page, _ = await site.submit(location="3栋\x00501")
    assert status == 422 and "位置含有不可见的控制字符 U+0000" in html.unescape(page)
    assert await site.tickets() == []


async def test_a_status_link_with_a_nul_is_not_found(site: Site) -> None:
    response, page = await site.page("/r/t/abc%00def")
    assert response.status == 404 and "没有找到这张报修单" in page


async def test_control_characters_in_the_form_are_refused_beside_their_field(site: Site) -> None:
    status, page, _ = await site.submit(
        location="3栋\u202e105", description="漏水\x1b[2J", name="张\x1b]0;x\x07三"
    )
    text = html.unescape(page)
    assert status == 422
    assert "位置含有不可见的控制字符 U+202E" in text
    assert "问题描述含有不可见的控制字符 U+001B" in text
    assert "姓名含有不可见的控制字符 U+001B" in text
    assert await site.tickets() == []


async def _hurry(site: Site, location: str, **headers: str) -> tuple[ClientResponse, str]:
    async with site.client.post(
        f"{location}/hurry", data={}, headers=headers, allow_redirects=False
    ) as response:
        return response, html.unescape(await response.text())


async def test_the_resident_hurries_from_their_page_once_per_half_hour(site: Site) -> None:
    _, _, location = await site.submit()
    assert location is not None
    _, page = await site.page(location)
    assert f'<form class="panel hurry" method="post" action="{location}/hurry">' in page
    assert "您已催单" not in page

    response, _ = await _hurry(site, location)
    assert (response.status, response.headers["Location"]) == (303, f"{location}?hurried=1")
    _, page = await site.page(f"{location}?hurried=1")
    page = html.unescape(page)
    assert "已收到您的催单，我们已提醒负责的人员尽快处理。" in page
    assert "您已催单 1 次" in page and "业主催单" in page
    [ticket] = await site.tickets()
    assert ticket.hurry_count == 1

    response, page = await _hurry(site, location)
    assert response.status == 429 and 1740 < int(response.headers["Retry-After"]) <= 1800
    assert "已经收到您的催单，我们已提醒物业客服尽快处理。如仍未处理，请30分钟后再催" in page
    assert f'data-url="{location}"' in page  # the live refresh reads the page, not the post
    assert (await site.tickets())[0].hurry_count == 1


async def test_a_hurry_from_elsewhere_or_for_a_finished_job_changes_nothing(site: Site) -> None:
    _, _, location = await site.submit()
    assert location is not None
    response, page = await _hurry(site, location, Origin="https://attacker.example")
    assert response.status == 403 and "请在报修进度页面上催单" in page
    response, _ = await _hurry(site, location, **{"Sec-Fetch-Site": "cross-site"})
    assert response.status == 403
    async with site.client.post(f"{location}/hurry", json={}) as posted:
        assert posted.status == 403
    response, _ = await _hurry(site, "/r/t/not-a-ticket")
    assert response.status == 404
    _, page = await site.page(f"{location}?hurried=1")
    assert "已收到您的催单" not in html.unescape(page)  # no tap, no word of one
    [ticket] = await site.tickets()
    assert ticket.hurry_count == 0
    await site.service.act(
        ticket.number, Command(Verb.CANCEL, Actor.member("lin"), reason="重复报修"), Source.API
    )
    _, page = await site.page(location)
    assert "hurry" not in page
    response, page = await _hurry(site, location)
    assert response.status == 409 and "不需要再催单" in page
    assert (await site.tickets())[0].hurry_count == 0


async def test_an_agreed_visit_is_what_the_resident_is_promised(site: Site) -> None:
    _, _, location = await site.submit()
    assert location is not None
    [ticket] = await site.tickets()
    await site.service.act(ticket.number, Command(Verb.CLAIM, Actor.member("li")), Source.API)
    visit = (datetime.now(ZONE) + timedelta(days=2)).replace(
        hour=14, minute=0, second=0, microsecond=0
    )
    move = Command(Verb.RESCHEDULE, Actor.member("li"), at=visit, reason="业主白天上班")
    await site.service.act(ticket.number, move, Source.API)
    _, page = await site.page(location)
    when = f"{visit.month}月{visit.day}日 14:00"
    assert f"师傅约好 {when} 上门" in page
    assert f"<dt>预约上门</dt><dd>{when}</dd>" in page
    assert f"李师傅改约上门时间：{when}" in page and "业主白天上班" not in page
