"""The property's service hotline in what residents read: a page or a poster that says
"call the property" gives the number to call, where the site has set one ([site] hotline)."""


def call_us(hotline: str | None) -> str:
    """The end of a sentence that starts with when to call (紧急情况…)."""
    return f"请直接拨打物业服务中心电话 {hotline}" if hotline else "请直接联系物业服务中心"
