"""Control characters in what people type: refused where text comes in, shown where it goes out.

A report's words end up in an operator's terminal, in chat cards and on web pages. A control
character in them is never meant: an escape sequence clears the operator's screen, retitles
their window or hides text; a bidi override (U+202A–U+202E, U+2066–U+2069) makes `501` read as
`105`; a NUL cannot even be stored in PostgreSQL. So every intake refuses them, through the
schema they all validate with (integration/web/schemas.py), naming the field and the
character. Text stored before this rule may still hold some: `visible` spells them out for
the terminal.
"""

import re

CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
"""C0, DEL, C1 and the bidi embeddings, overrides and isolates."""
CONTROL_BUT_NEWLINE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
"""The same, letting a line break through: a description may have several lines."""


def refuse(value: str, label: str, *, lines: bool = False) -> str:
    """`value` unchanged, or ValueError naming the field (`label`) and the first culprit."""
    found = (CONTROL_BUT_NEWLINE if lines else CONTROL).search(value)
    if found is not None:
        code = f"U+{ord(found.group()):04X}"
        kind = "换行" if found.group() == "\n" else "不可见的控制字符"
        raise ValueError(f"{label}含有{kind} {code}，请删除后再提交")
    return value


def visible(text: str) -> str:
    """`text` with each control character but the line break written out as `<U+001B>`."""
    return CONTROL_BUT_NEWLINE.sub(lambda m: f"<U+{ord(m.group()):04X}>", text)
