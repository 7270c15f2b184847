"""Phone numbers as residents and staff write them, reduced to one canonical form."""

import re

_SEPARATORS = re.compile(r"[\s\-()（）]")
_MOBILE = re.compile(r"1[3-9]\d{9}")
_LANDLINE = re.compile(r"0\d{2,3}\d{7,8}")


def normalize_phone(raw: str) -> str:
    """Digits only, country code dropped: `+86 138-0013-8000` → `13800138000`.

    Accepts mainland mobile numbers and landlines with their area code; raises ValueError
    with a message for the person who typed it.
    """
    digits = _SEPARATORS.sub("", raw.strip())
    for prefix in ("+86", "0086"):
        if digits.startswith(prefix):
            digits = digits[len(prefix) :]
    if _MOBILE.fullmatch(digits) or _LANDLINE.fullmatch(digits):
        return digits
    raise ValueError("请填写 11 位手机号，或带区号的固定电话（如 0755-12345678）")
