"""Whether a new report repeats an open one: five neighbours reporting one burst pipe.

A report is a possible duplicate of an open ticket (not closed or cancelled) opened within the
window before it, at the same or a neighbouring place (`tickets.places.neighbours`), of the
same category or in similar words: the resident who files a flooded stairwell as 公共区域
describes the same burst pipe as the one who filed it as 水电. Words are compared as words, not
characters: jieba cuts the descriptions, rapidfuzz scores each word against the other
description's closest one (漏水 half matches 滴水), both ways, and the score is their mean.

jieba cuts with a small dictionary of repair words (`repair_words.txt`) and finds any other
word by its HMM: its general dictionary of half a million words takes seconds to load, holding
the interpreter the whole time, which would stall every click the server is answering.

Of several matches the earliest wins, and a match that is itself a possible duplicate points
to the one it repeats when that is still a candidate: every neighbour's report is marked as a
duplicate of the first, not of each other. baoxiu only marks; a person merges (合并).
"""

import functools
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import jieba
from rapidfuzz import fuzz, process

from tickets.model import Ticket
from tickets.places import neighbours, place
from tickets.states import Status

ENDED = frozenset({Status.CLOSED, Status.CANCELLED})
_MEANINGFUL = frozenset("水电灯门堵漏爆气烟火")
"""Single-character words that say what is wrong; any other is grammar (了, 是, 在, 请)."""
_FILLER = frozenset(
    [
        "好像",
        "像是",
        "全是",
        "一直",
        "到处",
        "家里",
        "我家",
        "现在",
        "今天",
        "已经",
        "还是",
        "有点",
        "非常",
        "赶紧",
        "麻烦",
        "师傅",
        "请问",
    ]
)
"""Words residents say whatever is wrong: they make two reports alike in nothing."""


@dataclass(frozen=True)
class DuplicateRule:
    window: timedelta = timedelta(hours=24)
    similarity: int = 60
    """Score (0 to 100) from which two descriptions of different categories are the same
    fault; the same category at a neighbouring place needs none."""


def duplicate_of(report: Ticket, candidates: Iterable[Ticket], rule: DuplicateRule) -> str | None:
    """The number of the open ticket `report` may repeat, or None."""
    pool = [
        t
        for t in candidates
        if t.number != report.number
        and t.status not in ENDED
        and report.created_at - rule.window <= t.created_at <= report.created_at
    ]
    here = place(report.location)
    matches = sorted(
        (
            t
            for t in pool
            if neighbours(here, place(t.location))
            and (
                t.category == report.category
                or similarity(t.description, report.description) >= rule.similarity
            )
        ),
        key=lambda t: (t.created_at, t.number),
    )
    if not matches:
        return None
    first = matches[0]
    numbers = {t.number for t in pool}
    if first.possible_duplicate_of in numbers:
        return first.possible_duplicate_of
    return first.number


def similarity(a: str, b: str) -> float:
    """How alike two descriptions are, 0 to 100 (see the module's docstring)."""
    words_a, words_b = _words(a), _words(b)
    if not words_a or not words_b:
        return 0.0
    return (_closest(words_a, words_b) + _closest(words_b, words_a)) / 2


def _closest(words: list[str], others: list[str]) -> float:
    scores = (process.extractOne(w, others, scorer=fuzz.ratio) for w in words)
    return sum(found[1] for found in scores if found is not None) / len(words)


def _words(text: str) -> list[str]:
    return [
        w
        for w in _tokenizer().lcut(text)
        if (len(w) > 1 or w in _MEANINGFUL) and w not in _FILLER and not _punctuation(w)
    ]


def _punctuation(word: str) -> bool:
    return not any(c.isalnum() for c in word)


@functools.cache
def _tokenizer() -> jieba.Tokenizer:
    """Loaded on the first report compared (milliseconds), not at import."""
    jieba.setLogLevel(logging.WARNING)
    return jieba.Tokenizer(dictionary=str(Path(__file__).with_name("repair_words.txt")))
