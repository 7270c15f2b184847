"""Masking residents' personal data on cards that a whole team group sees (PIPL)."""


def mask_phone(phone: str) -> str:
    """`13812345678` → `138****5678`; landlines keep area code and last four digits."""
    if len(phone) <= 7:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


def mask_name(name: str) -> str:
    """`张三` → `张*`, `欧阳娜娜` → `欧***`: the family name is enough to greet someone."""
    if not name:
        return name
    return name[0] + "*" * max(len(name) - 1, 1)
