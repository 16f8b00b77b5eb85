"""Decide whether a chat message contains an approval phrase.

Reviewers approve a checklist item by writing a phrase such as ``SRE review is completed`` in a
chat channel. :func:`find_phrases` tells which of the configured phrases a message triggers.

Both the message and the phrases are compared after :func:`normalise` (Unicode NFKC, case-folded,
Markdown emphasis/code marks removed, typographic apostrophes made plain, whitespace collapsed).
A phrase triggers when it occurs as whole words (not inside a longer word; next to a character of
a script written without spaces - Han, kana, Thai, Lao, Khmer, Myanmar - no boundary is needed),
and it is not

* negated: its sentence contains, outside the phrase itself, ``not``, ``no``, ``never``,
  ``nothing``, ``nobody``, ``cannot`` or a word ending in ``n't``;
* asked: its sentence ends with a question mark (``?``, also full-width or Arabic);
* quoted: Markdown block-quote lines (``>`` after at most three spaces) are ignored;
* code: fenced code blocks (```` ``` ```` or ``~~~``, up to the closing fence or the end of the
  message) are ignored.

Sentences: paragraphs are separated by blank lines (and by ignored lines); a list item line
(``-``, ``*``, ``+``, ``•``, ``1.``, ``1)``) starts a new sentence; within those, a sentence ends
after ``.``, ``!``, ``?`` or ``;`` (or their full-width, Arabic and Devanagari forms) followed by
whitespace or the end of the text, so ``v1.2`` is not split; the ideographic full stop always ends
a sentence. A single line break does not end a sentence.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["find_phrases", "normalise"]

# Removed (or replaced) by normalise(): Markdown emphasis and code marks, the typographic
# apostrophe, and invisible format characters that chat clients sometimes leave in pasted text.
_TRANSLATION = str.maketrans(
    {
        "*": None,
        "_": None,
        "~": None,
        "`": None,
        "\u2019": "'",  # RIGHT SINGLE QUOTATION MARK, the typographic apostrophe
        "\u00ad": None,  # SOFT HYPHEN
        "\u200b": None,  # ZERO WIDTH SPACE
        "\u2060": None,  # WORD JOINER
        "\ufeff": None,  # ZERO WIDTH NO-BREAK SPACE (BOM)
    }
)

# Scripts written without spaces between words: a phrase may touch such a character directly.
_NO_SPACE_RANGES: tuple[tuple[int, int], ...] = (
    (0x0E00, 0x0E7F),  # Thai
    (0x0E80, 0x0EFF),  # Lao
    (0x1000, 0x109F),  # Myanmar
    (0x1780, 0x17FF),  # Khmer
    (0x19E0, 0x19FF),  # Khmer symbols
    (0x2E80, 0x2FDF),  # CJK radicals, Kangxi radicals
    (0x3005, 0x3007),  # ideographic iteration mark, closing mark, number zero
    (0x3021, 0x3029),  # Hangzhou numerals
    (0x3031, 0x3035),  # kana repeat marks
    (0x3038, 0x303C),  # Hangzhou numerals, ideographic iteration marks
    (0x3040, 0x30FF),  # Hiragana, Katakana
    (0x31C0, 0x31FF),  # CJK strokes, Katakana phonetic extensions
    (0x3400, 0x4DBF),  # CJK unified ideographs extension A
    (0x4E00, 0x9FFF),  # CJK unified ideographs
    (0xA9E0, 0xA9FF),  # Myanmar extended-B
    (0xAA60, 0xAA7F),  # Myanmar extended-A
    (0xF900, 0xFAFF),  # CJK compatibility ideographs
    (0xFF66, 0xFF9F),  # half-width Katakana
    (0x1AFF0, 0x1B16F),  # Kana extended, Kana supplement, small kana
    (0x20000, 0x3FFFF),  # CJK extensions B and later, compatibility supplement
)
_NO_SPACE_CLASS = "".join(f"\\U{low:08x}-\\U{high:08x}" for low, high in _NO_SPACE_RANGES)
_NO_SPACE_CHAR = re.compile(f"[{_NO_SPACE_CLASS}]")

# Closing quotes and brackets that may follow a sentence terminator ("Done?)" still ends).
_CLOSERS = "\"')\\]}\u00bb\u201d\u300d\u300f\u3011\u3015\u3009\u300b"
# A sentence ends after a terminator followed by whitespace, the end of the text or a character
# of a script written without spaces (where the full-width terminator became ASCII under NFKC).
# The ideographic full stop always ends a sentence. A line break separates paragraphs and list
# items in the prepared text, so it always ends a sentence.
_SENTENCE_END = re.compile(
    "|".join(
        (
            f"[.!?;\u061f\u0964\u0965]+[{_CLOSERS}]*(?=\\s|$|[{_NO_SPACE_CLASS}])",
            f"\u3002+[{_CLOSERS}]*",
            "\n",
        )
    )
)
_QUESTION_MARKS = ("?", "\u061f")

_NEGATION = re.compile(r"(?<!\w)(?:not|no|never|nothing|nobody|cannot|[a-z]*n't)(?!\w)")

_FENCE = re.compile(r"\s*(`{3,}|~{3,})")
_QUOTE = re.compile(r" {0,3}>")
_BULLET = re.compile(r"\s*(?:[-*+\u2022]|\d{1,9}[.)])(?:\s+|$)")


def normalise(text: str) -> str:
    """Unicode NFKC, case-folded, Markdown emphasis/code marks removed, whitespace collapsed.

    The typographic apostrophe (U+2019) becomes ``'``; soft hyphens and zero-width spaces, word
    joiners and byte order marks are removed; every run of whitespace (line breaks included)
    becomes one space, and leading and trailing whitespace is dropped.
    """
    folded = unicodedata.normalize("NFKC", text).casefold().translate(_TRANSLATION)
    return " ".join(unicodedata.normalize("NFKC", folded).split())


def find_phrases(message: str, phrases: Iterable[str]) -> list[str]:
    """The phrases (as given, deduplicated, in the order given) that the message triggers.

    Phrases that are empty after normalisation never trigger. The message is prepared once per
    call; prepared phrases are cached across calls.
    """
    prepared: _Message | None = None
    seen: set[str] = set()
    found: list[str] = []
    for phrase in phrases:
        if phrase in seen:
            continue
        seen.add(phrase)
        needle = _prepare_phrase(phrase)
        if needle is None:
            continue
        if prepared is None:
            prepared = _prepare_message(message)
        if prepared.triggered_by(needle):
            found.append(phrase)
    return found


def _is_word_char(char: str) -> bool:
    """Letters, digits and combining marks (which belong to the letter before them)."""
    return char.isalnum() or unicodedata.category(char).startswith("M")


def _needs_boundary(char: str) -> bool:
    """Whether ``char`` is part of a word in a script that separates words with spaces."""
    return _is_word_char(char) and _NO_SPACE_CHAR.match(char) is None


@dataclass(frozen=True, slots=True)
class _Needle:
    """A normalised phrase and whether its first/last character needs a word boundary."""

    text: str
    bounded_start: bool
    bounded_end: bool


@lru_cache(maxsize=4096)
def _prepare_phrase(phrase: str) -> _Needle | None:
    text = normalise(phrase)
    if not text:
        return None
    return _Needle(text, _needs_boundary(text[0]), _needs_boundary(text[-1]))


def _blocks(message: str) -> Iterator[str]:
    """The message's paragraphs and list items, normalised, without quotes and code blocks."""
    lines: list[str] = []
    fence: str | None = None  # the opening fence while inside a fenced code block
    for line in unicodedata.normalize("NFKC", message).splitlines():
        if fence is not None:
            stripped = line.strip()
            if stripped.startswith(fence) and not stripped.strip(fence[0]):
                fence = None
            continue
        bullet = _BULLET.match(line)
        content = line if bullet is None else line[bullet.end() :]
        opening = _FENCE.match(content)  # a fence may also open a list item
        if opening is not None:
            # A line such as ```code``` opens and closes a block on the same line.
            if opening.group(1) not in content[opening.end() :]:
                fence = opening.group(1)
            yield normalise(" ".join(lines))
            lines = []
        elif not line.strip() or _QUOTE.match(line):
            yield normalise(" ".join(lines))
            lines = []
        elif bullet is not None:
            yield normalise(" ".join(lines))
            lines = [content]
        else:
            lines.append(line)
    yield normalise(" ".join(lines))


@dataclass(frozen=True, slots=True)
class _Message:
    """A message prepared for matching: normalised blocks joined by line breaks."""

    text: str
    sentence_ends: list[int]  # exclusive, ascending, the last one is len(text)
    questions: list[bool]  # per sentence: does it end with a question mark?
    negation_starts: list[int]  # negation words, in order
    negation_ends: list[int]

    def triggered_by(self, needle: _Needle) -> bool:
        text = self.text
        find = text.find
        size = len(needle.text)
        start = find(needle.text)
        while start != -1:
            if self._accepts(start, start + size, needle):
                return True
            start = find(needle.text, start + 1)
        return False

    def _accepts(self, start: int, end: int, needle: _Needle) -> bool:
        text = self.text
        if needle.bounded_start and start > 0 and _needs_boundary(text[start - 1]):
            return False
        if needle.bounded_end and end < len(text) and _needs_boundary(text[end]):
            return False
        first = bisect_right(self.sentence_ends, start)
        last = bisect_right(self.sentence_ends, end - 1)
        if self.questions[last]:
            return False
        sentence_start = self.sentence_ends[first - 1] if first else 0
        sentence_end = self.sentence_ends[last]
        starts = self.negation_starts
        in_sentence = bisect_left(starts, sentence_end) - bisect_left(starts, sentence_start)
        inside_low = bisect_left(starts, start)
        inside_high = bisect_left(starts, end)
        in_phrase = inside_high - inside_low
        if in_phrase and self.negation_ends[inside_high - 1] > end:
            in_phrase -= 1  # a negation word that starts inside the phrase but ends after it
        return in_sentence == in_phrase


def _prepare_message(message: str) -> _Message:
    text = "\n".join(block for block in _blocks(message) if block)
    sentence_ends: list[int] = []
    questions: list[bool] = []
    for match in _SENTENCE_END.finditer(text):
        terminator = match.group()
        if terminator == "\n":
            sentence_ends.append(match.start())
            questions.append(False)
        else:
            sentence_ends.append(match.end())
            questions.append(any(mark in terminator for mark in _QUESTION_MARKS))
    if not sentence_ends or sentence_ends[-1] != len(text):
        sentence_ends.append(len(text))
        questions.append(False)
    negation_starts: list[int] = []
    negation_ends: list[int] = []
    for match in _NEGATION.finditer(text):
        negation_starts.append(match.start())
        negation_ends.append(match.end())
    return _Message(text, sentence_ends, questions, negation_starts, negation_ends)
