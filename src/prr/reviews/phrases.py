"""Decide whether a chat message contains an approval phrase, and if not, why not.

Reviewers approve a checklist item by writing a phrase such as ``SRE review is completed`` in a
chat channel. :func:`match_phrases` tells, for each configured phrase the message contains,
whether it counts or why it does not; :func:`find_phrases` keeps only the ones that count.

Both sides are compared after :func:`normalise` (Unicode NFKC, case-folded, Markdown
emphasis/code marks removed, typographic apostrophes made plain, whitespace collapsed). A phrase
occurs when it appears as whole words (not inside a longer word; next to a character of a script
written without spaces - Han, kana, Thai, Lao, Khmer, Myanmar - no boundary is needed).

Structure comes from the Markdown (CommonMark, with tables, as markdown-it-py parses it; raw HTML
is plain text, as chat clients show it). Each paragraph, heading, list item and table cell is a
block of its own; a sentence never spans two blocks. Text inside a block quote - including a lazy
continuation line, ``> earlier`` followed by ``SRE review is completed`` is one quote - is
*quoted*; fenced and indented code blocks, and inline code written with three or more backticks
(a code block typed on one line), are *code*. Inline code with one or two backticks is ordinary
text: people use it to highlight the phrase. Image descriptions are not text. A line starting
with ``•`` is a list item, as people paste them.

Within a block a sentence ends at ``.``, ``!``, ``?`` or ``;`` (and their full-width, Arabic and
Devanagari forms ``？ ؟ । ॥``) followed by whitespace, the end of the block or a character of a
script without spaces (so ``v1.2`` does not split), and at the ideographic full stop ``。``; an
ellipsis alone (``...``, ``…``) does not end a sentence. A sentence is split into clauses at
``,`` ``:`` ``、`` ``،`` ``؛``, an ellipsis, parentheses and brackets (also
``「」『』【】〔〕``), a dash standing alone (`` - ``, ``--``, ``–``, ``—``) and the words ``and``,
``but``, ``however``, ``although``, ``though``, ``whereas`` and ``so`` (but not in ``not so``).
A phrase that occurs counts unless it is, in this order:

* negated: a negation word (``not``, ``no``, ``nope``, ``nah``, ``never``, ``nothing``,
  ``nobody``, ``none``, ``cannot``, a word ending in ``n't`` and the apostrophe-less ``dont``,
  ``isnt``, ``cant``, ... ) stands in the phrase's own clause *before* it (``no SRE review is
  completed yet``, ``I can't say SRE review is completed``), or the clause right after the
  phrase in its sentence is nothing but a negation (``SRE review is completed, not yet``,
  ``..., isn't it``, ``(not)``). Negation words in other clauses do not count: ``No, SRE review
  is completed`` (an answer, then the approval), ``SRE review is completed, no concerns`` and
  ``SRE review is completed (no blockers from us)`` all count. A negation word that is part of
  the phrase itself (``No blockers found``) never negates it;
* conditional: ``if``, ``once``, ``when``, ``whenever``, ``as soon as``, ``as long as``,
  ``provided``, ``providing``, ``assuming``, ``pending`` or ``in case`` stands before the phrase
  in its sentence (``If the load test passes, SRE review is completed``) or after it in its own
  clause (``SRE review is completed once the dashboards are linked``). ``after`` is not a
  condition: it mostly reports what already happened. ``..., ping me if anything comes up``
  counts (another clause);
* a question: its sentence ends with a question mark (``?``, ``？``, ``؟``);
* quoted or in code, as above.

When a phrase occurs several times it counts if one occurrence counts; otherwise the reason given
is the first occurrence in the author's own words (negated, conditional, question), else quoted,
else code. Negation and condition words are English; in other languages only questions, quotes
and code refuse a phrase. Ambiguous wording is refused on purpose: every refusal gets a reply
saying why, so writing the phrase again on its own costs little, while a wrong approval is what
the review exists to prevent.

Speed: a message is first checked cheaply - is any phrase a substring of the message normalised
and stripped of Markdown link targets and quote marks? - and parsed as Markdown only if so. A
:class:`PhraseTable` prepares many phrases once (a review's, at its first message): each phrase
is indexed by its rarest four-character piece, so the cheap check looks up the message's pieces
instead of searching the message once per phrase, and costs the same for 10 phrases or 2,000.
"""

# The docstring names other scripts' punctuation (full-width, ideographic), on purpose.
# ruff: noqa: RUF002

from __future__ import annotations

import html
import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import Enum, StrEnum
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.token import Token

__all__ = ["PhraseMatch", "PhraseTable", "Reason", "find_phrases", "match_phrases", "normalise"]

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
# The ideographic full stop always ends a sentence. Blocks are joined by line breaks in the
# prepared text, so a line break always ends a sentence.
_SENTENCE_END = (
    # An ellipsis alone ("done... not yet") trails off inside the sentence: a clause break.
    f"(?<!\\.)(?!\\.{{2,}}[{_CLOSERS}]*(?:\\s|$|[{_NO_SPACE_CLASS}]))"
    f"[.!?;\u061f\u0964\u0965]+[{_CLOSERS}]*(?=\\s|$|[{_NO_SPACE_CLASS}])",
    f"\u3002+[{_CLOSERS}]*",
    "\n",
)
_CLAUSE_END = (
    # Commas (also ideographic and Arabic), colons, the Arabic semicolon, brackets, dashes.
    "[,:()\\[\\]{}\u060c\u061b\u3001\u2013\u2014\u3008-\u3011\u3014-\u301b]",
    "\\.{2,}",
    "(?<=\\s)-{1,2}(?=\\s)",
    "(?<!\\w)(?:and|but|however|although|though|whereas)(?!\\w)",
    # "not so sure SRE review is completed" is one clause; "no blockers so ..." is two.
    "(?<!not )(?<!n't )(?<!\\w)so(?!\\w)",
)
_SENTENCE_END_RE = re.compile("|".join(_SENTENCE_END))
_CLAUSE_END_RE = re.compile("|".join(_SENTENCE_END + _CLAUSE_END))
_QUESTION_MARKS = ("?", "\u061f")

_NEGATION_WORDS = (
    "not|no|nope|nah|never|nothing|nobody|none|cannot|[a-z]*n't"
    "|(?:do|does|did|is|are|was|were|ca|wo|have|has|had|should|would|could|must|need|ai)nt"
)
_NEGATION = re.compile(f"(?<!\\w)(?:{_NEGATION_WORDS})(?!\\w)")
# A clause that is only a negation, as a retraction after the phrase ("..., not yet").
_BARE_NEGATION = re.compile(
    f"(?:{_NEGATION_WORDS})(?: (?:yet|really|quite|exactly|sure|so fast|at all|it|true"
    "|done|completed|finished|ready|approved|actually|entirely|fully|quite yet))*"
)
_BARE_NEGATION_MAX_CHARS = 40  # longer clauses say more than "not yet"; keeps the check cheap
_CONDITION = re.compile(
    "(?<!\\w)(?:if|once|when|whenever|as soon as|as long as|provided|providing|assuming"
    "|pending|in case)(?!\\w)"
)
_WORD = re.compile(r"[\w']+")

# Only CommonMark and tables: chat clients render no raw HTML, so it stays text. One parser for
# the process; parsing keeps its state per call.
_MARKDOWN = MarkdownIt("commonmark", {"html": False}).enable("table")
# "•" is not Markdown, but pasted lists use it: such a line is a list item.
_DOT_BULLET = re.compile(r"^([ \t]*)\u2022(?=[ \t])", re.MULTILINE)
# Removed before the cheap check, on both sides: Markdown link targets, brackets, backslash
# escapes and quote marks, which can stand between the words of a phrase in the raw text.
_LINK_TARGET = re.compile(r"\]\s?(?:\([^)]*\)|\[[^\]]*\])")
_LOOSE_DROP = str.maketrans("", "", "[]\\>")


class Reason(StrEnum):
    """Why a phrase that occurs in a message does not count."""

    NEGATED = "negated"
    CONDITIONAL = "conditional"
    QUESTION = "question"
    QUOTED = "quoted"
    CODE = "code"


@dataclass(frozen=True, slots=True)
class PhraseMatch:
    """A phrase (as given) that occurs in a message, and why it does not count, if it does not."""

    phrase: str
    reason: Reason | None = None
    word: str = ""  # the negation or condition word (normalised) for those reasons

    @property
    def counts(self) -> bool:
        return self.reason is None


def normalise(text: str) -> str:
    """Unicode NFKC, case-folded, Markdown emphasis/code marks removed, whitespace collapsed.

    The typographic apostrophe (U+2019) becomes ``'``; soft hyphens and zero-width spaces, word
    joiners and byte order marks are removed; every run of whitespace (line breaks included)
    becomes one space, and leading and trailing whitespace is dropped.
    """
    folded = unicodedata.normalize("NFKC", text).casefold().translate(_TRANSLATION)
    return " ".join(unicodedata.normalize("NFKC", folded).split())


def match_phrases(message: str, phrases: Iterable[str]) -> list[PhraseMatch]:
    """The phrases (as given, deduplicated, in the order given) that occur in the message.

    Phrases that are empty after normalisation never occur. The message is prepared at most
    once per call, and parsed only when some phrase passes the cheap check; prepared phrases
    are cached across calls. To match many messages against the same phrases, build a
    :class:`PhraseTable` once.
    """
    return PhraseTable(phrases).match(message)


# The length of the pieces a PhraseTable indexes phrases by; a shorter phrase is always checked.
_PIECE = 4
# Up to this many distinct pieces, searching the message for each piece is cheaper than
# cutting the message into all its pieces.
_SEARCH_PIECES_MAX = 32


class PhraseTable:
    """Phrases prepared once for matching many messages.

    The cheap check is exact (a phrase is a candidate whenever its loosened form occurs in the
    loosened message): a phrase that occurs contains its indexing piece, and that piece is then
    one of the message's pieces.
    """

    __slots__ = ("_by_piece", "_needles", "_phrases", "_short")

    def __init__(self, phrases: Iterable[str]) -> None:
        self._phrases: list[str] = []
        self._needles: list[_Needle] = []
        for phrase in dict.fromkeys(phrases):
            needle = _prepare_phrase(phrase)
            if needle is not None:
                self._phrases.append(phrase)
                self._needles.append(needle)
        pieces_of = [_pieces(needle.loose) for needle in self._needles]
        counts: dict[str, int] = {}
        for pieces in pieces_of:
            for piece in pieces:
                counts[piece] = counts.get(piece, 0) + 1
        self._short: list[int] = []
        self._by_piece: dict[str, list[int]] = {}
        for index, pieces in enumerate(pieces_of):
            if not pieces:
                self._short.append(index)
                continue
            rarest = min(sorted(pieces), key=counts.__getitem__)
            self._by_piece.setdefault(rarest, []).append(index)

    def __len__(self) -> int:
        return len(self._phrases)

    def match(self, message: str) -> list[PhraseMatch]:
        """The phrases (in the table's order) that occur in the message, as match_phrases."""
        if not self._needles:
            return []
        loose = _loosen(message)
        candidates = list(self._short)
        if len(self._by_piece) <= _SEARCH_PIECES_MAX:
            for piece, indexes in self._by_piece.items():
                if piece in loose:
                    candidates.extend(indexes)
        else:
            for piece in _pieces(loose):
                found_here = self._by_piece.get(piece)
                if found_here is not None:
                    candidates.extend(found_here)
        prepared: _Message | None = None
        found: list[PhraseMatch] = []
        for index in sorted(candidates):
            needle = self._needles[index]
            if needle.loose not in loose:
                continue
            if prepared is None:
                prepared = _prepare_message(message)
            match = prepared.match(self._phrases[index], needle)
            if match is not None:
                found.append(match)
        return found


def _pieces(text: str) -> set[str]:
    return {text[start : start + _PIECE] for start in range(len(text) - _PIECE + 1)}


def find_phrases(message: str, phrases: Iterable[str]) -> list[str]:
    """The phrases (as given, deduplicated, in the order given) that count in the message."""
    return [match.phrase for match in match_phrases(message, phrases) if match.counts]


def _is_word_char(char: str) -> bool:
    """Letters, digits and combining marks (which belong to the letter before them)."""
    return char.isalnum() or unicodedata.category(char).startswith("M")


def _needs_boundary(char: str) -> bool:
    """Whether ``char`` is part of a word in a script that separates words with spaces."""
    return _is_word_char(char) and _NO_SPACE_CHAR.match(char) is None


def _loosen(text: str) -> str:
    """``text`` for the cheap check: a superset of what the Markdown parse can yield."""
    if "&" in text:
        text = html.unescape(text)  # markdown-it decodes entities too
    if "]" in text:
        text = _LINK_TARGET.sub("", text)
    return normalise(unicodedata.normalize("NFKC", text).translate(_LOOSE_DROP))


@dataclass(frozen=True, slots=True)
class _Needle:
    """A normalised phrase, its loosened form and whether its ends need a word boundary."""

    text: str
    loose: str
    bounded_start: bool
    bounded_end: bool


@lru_cache(maxsize=4096)
def _prepare_phrase(phrase: str) -> _Needle | None:
    text = normalise(phrase)
    if not text:
        return None
    return _Needle(text, _loosen(phrase), _needs_boundary(text[0]), _needs_boundary(text[-1]))


class _Kind(Enum):
    TEXT = "text"
    QUOTED = "quoted"
    CODE = "code"


def _segments(message: str) -> Iterator[tuple[_Kind, str]]:
    """The message's blocks, in order, as (kind, raw text); code blocks are one segment each."""
    source = unicodedata.normalize("NFKC", message)
    if "\u2022" in source:
        source = _DOT_BULLET.sub(r"\1-", source)
    depth = 0  # of block quotes
    for token in _MARKDOWN.parse(source):
        if token.type == "blockquote_open":
            depth += 1
        elif token.type == "blockquote_close":
            depth -= 1
        elif token.type in ("fence", "code_block"):
            yield (_Kind.QUOTED if depth else _Kind.CODE), token.content
        elif token.type == "inline" and token.children:
            yield from _inline_segments(token.children, _Kind.QUOTED if depth else _Kind.TEXT)


def _inline_segments(children: list[Token], kind: _Kind) -> Iterator[tuple[_Kind, str]]:
    parts: list[str] = []
    for child in children:
        if child.type == "text":
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")  # a line break inside a paragraph does not end a sentence
        elif child.type == "code_inline":
            if len(child.markup) < 3:
                parts.append(child.content)
            else:  # a code block typed on one line: ```like this```
                yield kind, "".join(parts)
                parts = []
                yield (_Kind.CODE if kind is _Kind.TEXT else kind), child.content
        # Other tokens carry no text of their own (emphasis and link marks), or none that a
        # person states (images: their description is in their own children).
    yield kind, "".join(parts)


@dataclass(frozen=True, slots=True)
class _Message:
    """A message prepared for matching: normalised blocks joined by line breaks."""

    text: str
    block_starts: list[int]
    block_kinds: list[_Kind]
    sentence_ends: list[int]  # exclusive, ascending, the last one is len(text)
    questions: list[bool]  # per sentence: does it end with a question mark?
    clause_ends: list[int]  # where each clause break starts, ascending, then len(text)
    clause_starts: list[int]  # where the clause after each of those breaks starts
    negations: list[int]  # negation word starts, ascending
    negation_words: list[str]
    conditions: list[int]  # condition word starts, ascending
    condition_words: list[str]

    def match(self, phrase: str, needle: _Needle) -> PhraseMatch | None:
        """How the phrase occurs: counting if some occurrence counts, else the best refusal."""
        best: tuple[int, PhraseMatch] | None = None
        text, size = self.text, len(needle.text)
        start = text.find(needle.text)
        while start != -1:
            end = start + size
            if self._bounded(start, end, needle):
                verdict = self._judge(phrase, start, end)
                if verdict.counts:
                    return verdict
                rank = _RANKS[verdict.reason] if verdict.reason else 0
                if best is None or rank < best[0]:
                    best = (rank, verdict)
            start = text.find(needle.text, start + 1)
        return None if best is None else best[1]

    def _bounded(self, start: int, end: int, needle: _Needle) -> bool:
        text = self.text
        if needle.bounded_start and start > 0 and _needs_boundary(text[start - 1]):
            return False
        return not (needle.bounded_end and end < len(text) and _needs_boundary(text[end]))

    def _judge(self, phrase: str, start: int, end: int) -> PhraseMatch:
        kind = self.block_kinds[bisect_right(self.block_starts, start) - 1]
        if kind is _Kind.CODE:
            return PhraseMatch(phrase, Reason.CODE)
        if kind is _Kind.QUOTED:
            return PhraseMatch(phrase, Reason.QUOTED)
        first = bisect_right(self.sentence_ends, start)
        sentence_start = self.sentence_ends[first - 1] if first else 0
        last = bisect_right(self.sentence_ends, end - 1)
        # The clause the phrase starts in, and the one it ends in (a phrase may hold a comma).
        clause = bisect_right(self.clause_ends, start)
        clause_start = self.clause_starts[clause - 1] if clause else 0
        closing = bisect_left(self.clause_ends, end)
        clause_end = self.clause_ends[closing]
        negation = _last_between(self.negations, self.negation_words, clause_start, start)
        if negation or (negation := self._retraction(closing, self.sentence_ends[last])):
            return PhraseMatch(phrase, Reason.NEGATED, negation)
        condition = _last_between(self.conditions, self.condition_words, sentence_start, start)
        if condition or (
            condition := _first_between(self.conditions, self.condition_words, end, clause_end)
        ):
            return PhraseMatch(phrase, Reason.CONDITIONAL, condition)
        if self.questions[last]:
            return PhraseMatch(phrase, Reason.QUESTION)
        return PhraseMatch(phrase)

    def _retraction(self, closing: int, sentence_end: int) -> str:
        """The negation that is the whole clause after the phrase's clause, if there is one."""
        if closing + 1 >= len(self.clause_ends):
            return ""
        after_start, after_end = self.clause_starts[closing], self.clause_ends[closing + 1]
        if after_start >= sentence_end or after_end - after_start > _BARE_NEGATION_MAX_CHARS:
            return ""
        words: list[str] = _WORD.findall(self.text[after_start:after_end])
        if words and _BARE_NEGATION.fullmatch(" ".join(words)):
            return words[0]
        return ""


_RANKS = {
    Reason.NEGATED: 0,
    Reason.CONDITIONAL: 0,
    Reason.QUESTION: 0,
    Reason.QUOTED: 1,
    Reason.CODE: 2,
}


def _last_between(starts: list[int], words: list[str], low: int, high: int) -> str:
    """The last word that starts in [low, high), or ""."""
    index = bisect_left(starts, high) - 1
    return words[index] if index >= 0 and starts[index] >= low else ""


def _first_between(starts: list[int], words: list[str], low: int, high: int) -> str:
    """The first word that starts in [low, high), or ""."""
    index = bisect_left(starts, low)
    return words[index] if index < len(starts) and starts[index] < high else ""


def _prepare_message(message: str) -> _Message:
    block_starts: list[int] = []
    block_kinds: list[_Kind] = []
    blocks: list[str] = []
    offset = 0
    for kind, raw in _segments(message):
        block = normalise(raw)
        if block:
            block_starts.append(offset)
            block_kinds.append(kind)
            blocks.append(block)
            offset += len(block) + 1
    text = "\n".join(blocks)
    sentence_ends: list[int] = []
    questions: list[bool] = []
    for found in _SENTENCE_END_RE.finditer(text):
        terminator = found.group()
        if terminator == "\n":
            sentence_ends.append(found.start())
            questions.append(False)
        else:
            sentence_ends.append(found.end())
            questions.append(any(mark in terminator for mark in _QUESTION_MARKS))
    if not sentence_ends or sentence_ends[-1] != len(text):
        sentence_ends.append(len(text))
        questions.append(False)
    clause_ends: list[int] = []
    clause_starts: list[int] = []
    for found in _CLAUSE_END_RE.finditer(text):
        clause_ends.append(found.start())
        clause_starts.append(found.end())
    clause_ends.append(len(text))
    clause_starts.append(len(text))
    negations = [(found.start(), found.group()) for found in _NEGATION.finditer(text)]
    conditions = [(found.start(), found.group()) for found in _CONDITION.finditer(text)]
    return _Message(
        text,
        block_starts or [0],
        block_kinds or [_Kind.TEXT],
        sentence_ends,
        questions,
        clause_ends,
        clause_starts,
        [start for start, _ in negations],
        [word for _, word in negations],
        [start for start, _ in conditions],
        [word for _, word in conditions],
    )
