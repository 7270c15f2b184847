"""Photos' upload keys are kept per platform, and the first kept for a photo stays."""

from storage.engine import create_engine
from storage.images import ImageKeys


async def test_the_first_key_kept_for_a_photo_stays(db_url: str) -> None:
    engine = create_engine(db_url)
    try:
        feishu, elsewhere = ImageKeys(engine, "feishu"), ImageKeys(engine, "dingtalk")
        assert await feishu.known({"a.jpg"}) == {}
        await feishu.keep("a.jpg", "img_v3_first")
        await feishu.keep("a.jpg", "img_v3_second")  # another replica's upload, just after
        assert await feishu.known({"a.jpg", "b.jpg"}) == {"a.jpg": "img_v3_first"}
        assert await elsewhere.known({"a.jpg"}) == {}
    finally:
        await engine.dispose()
