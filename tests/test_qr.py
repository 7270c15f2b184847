"""QR posters: the link is right, the printed code scans back to it, bad input is explained."""

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import zxingcpp
from PIL import Image
from typer.testing import CliRunner

from baoxiu.cli import app
from baoxiu.listening import lan_address, on_loopback
from baoxiu.qr import ACCENT, make_poster, report_url
from cards.fonts import FontNotFoundError, find_font

runner = CliRunner()
LONG = ("阳光花园二期 12栋 B座 地下车库入口旁" * 3)[:60]
LATIN_ONLY = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf\t0\taa|af|de|en|fr|ru"
"""fontconfig's answer where no CJK font is installed: its Latin fallback."""


def _has_cjk_font() -> bool:
    try:
        find_font()
    except FontNotFoundError:
        return False
    return True


needs_font = pytest.mark.skipif(
    not _has_cjk_font(), reason="no CJK font: apt-get install fonts-noto-cjk"
)


def scan(image: Image.Image) -> zxingcpp.Barcode:
    barcode = zxingcpp.read_barcode(image)
    assert barcode is not None and barcode.valid
    assert barcode.format == zxingcpp.BarcodeFormat.QRCode
    return barcode


def test_the_link_carries_the_location() -> None:
    url = report_url("https://wy.example.cn/", "3栋 2单元 #5&东")
    assert url.isascii() and " " not in url and url.count("#") == 0
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "wy.example.cn", "/r/new")
    assert parse_qs(parts.query) == {"loc": ["3栋 2单元 #5&东"]}
    assert report_url("http://a.cn/base//", "x") == "http://a.cn/base/r/new?loc=x"


@needs_font
@pytest.mark.parametrize(
    ("site", "location"),
    [
        ("阳光花园物业", "3栋2单元"),
        ("阳光花园物业服务有限公司第二分公司（二期、三期及商业街）", LONG),
        ("Sunshine Garden Property Management", "B2-" + "0123456789" * 5 + "ABCDEFG"),
    ],
)
def test_the_poster_scans_back_to_the_link(site: str, location: str) -> None:
    url = report_url("https://wy.example.cn", location)
    poster = make_poster(site, url, location)
    assert poster.size == (1240, 1754)
    barcode = scan(poster)
    assert barcode.text == url
    assert barcode.ec_level in {"M", "Q", "H"}
    corners = barcode.position
    box = (corners.top_left.x, corners.top_left.y, corners.bottom_right.x, corners.bottom_right.y)
    assert box[2] - box[0] >= 450  # 76 mm or more on A4: scans from a step away
    colours = {colour for _, colour in poster.crop(box).getcolors(maxcolors=1 << 20) or []}
    assert colours <= {(0, 0, 0), (255, 255, 255)}  # crisp: no grey edges from resampling
    band = poster.getpixel((5, 5))
    for x in (*range(0, 40), *range(1200, 1240)):  # long text wraps instead of running off
        for y in range(0, 1754, 3):
            assert poster.getpixel((x, y)) in {band, (255, 255, 255)}, (x, y)


@needs_font
def test_the_poster_gives_the_hotline_under_the_help_line() -> None:
    url = report_url("https://wy.example.cn", "3栋2单元")
    plain = make_poster("阳光花园物业", url, "3栋2单元")
    called = make_poster("阳光花园物业", url, "3栋2单元", "0571-88886666")
    assert scan(called).text == url
    lower = (0, 1200, 1240, 1754)

    def accent(poster: Image.Image) -> int:
        colours = poster.crop(lower).getcolors(maxcolors=1 << 20) or []
        return sum(count for count, colour in colours if colour == ACCENT)

    assert accent(called) > accent(plain) + 2000  # a line of blue text below the code


@pytest.fixture
def no_fontconfig(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A machine without fontconfig: no `fc-match` on the PATH."""
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))


def test_a_missing_chinese_font_says_what_to_install() -> None:
    with pytest.raises(FontNotFoundError, match="fonts-noto-cjk"):
        find_font(match=lambda pattern: LATIN_ONLY)


def test_no_fontconfig_at_all_says_the_same(no_fontconfig: None) -> None:
    with pytest.raises(FontNotFoundError, match="fonts-noto-cjk"):
        find_font(bold=True)


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "site" / "baoxiu.toml"
    result = runner.invoke(app, ["init", "--demo", "--config", str(path)])
    assert result.exit_code == 0, result.output
    return path


def test_no_poster_names_this_machine_s_loopback(config: Path, tmp_path: Path) -> None:
    out = tmp_path / "3-2.png"
    args = ["qr", "--location", "3栋2单元", "--out", str(out), "--config", str(config)]
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert "public_url 是本机地址 http://127.0.0.1:8080" in result.output
    assert "baoxiu qr --lan" in result.output
    assert not out.exists()


@needs_font
def test_a_lan_poster_names_this_machine_on_the_network(config: Path, tmp_path: Path) -> None:
    out = tmp_path / "3-2.png"
    args = ["qr", "--location", "3栋2单元", "--out", str(out), "--config", str(config)]
    result = runner.invoke(app, [*args, "--lan", "--port", "8091"])
    assert result.exit_code == 0, result.output
    with Image.open(out) as poster:
        url = urlsplit(scan(poster).text)
    assert url.port == 8091 and url.hostname == lan_address() and not on_loopback(url.geturl())
    assert url.path == "/r/new" and url.query == "loc=3%E6%A0%8B2%E5%8D%95%E5%85%83"


@needs_font
def test_the_command_writes_a_poster(
    config: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "3-2.png"
    args = ["qr", "--location", " 3栋2单元 ", "--out", str(out), "--config", str(config)]
    monkeypatch.setenv("BAOXIU_SITE__PUBLIC_URL", "https://wy.example.cn/")
    result = runner.invoke(app, [*args, "--lan"])  # a public address wins over the LAN's
    url = "https://wy.example.cn/r/new?loc=3%E6%A0%8B2%E5%8D%95%E5%85%83"
    assert result.exit_code == 0, result.output
    assert str(out) in result.output and url in result.output
    with Image.open(out) as poster:
        assert poster.size == (1240, 1754) and poster.format == "PNG"
        assert scan(poster).text == url


@pytest.mark.parametrize(
    ("location", "name", "message"),
    [
        ("   ", "a.png", "不能为空"),
        ("栋" * 61, "a.png", "最多 60 个字"),
        ("3栋\n2单元", "a.png", "换行"),
        ("3栋2单元", "a.jpg", ".png"),
        ("3栋2单元", "missing/a.png", "目录不存在"),
    ],
)
def test_bad_input_is_explained(
    config: Path, tmp_path: Path, location: str, name: str, message: str
) -> None:
    out = tmp_path / name
    args = ["qr", "--location", location, "--out", str(out), "--config", str(config)]
    result = runner.invoke(app, args)
    assert result.exit_code == 2 and message in result.output, result.output
    assert not out.exists()


def test_a_missing_font_stops_the_command(
    config: Path, tmp_path: Path, no_fontconfig: None
) -> None:
    out = tmp_path / "a.png"
    args = ["qr", "--location", "3栋", "--out", str(out), "--config", str(config), "--lan"]
    result = runner.invoke(app, args)
    assert result.exit_code == 2 and "fonts-noto-cjk" in result.output, result.output
    assert not out.exists()
