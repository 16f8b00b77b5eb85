"""Tests for prr.reviews.phrases: when a chat message triggers an approval phrase."""

# These tests are about look-alike characters (full-width forms, typographic apostrophes,
# other scripts), so they are written as such on purpose.
# ruff: noqa: RUF001

from __future__ import annotations

import functools
import random
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from prr.reviews import phrases as phrases_module
from prr.reviews.phrases import PhraseMatch, Reason, find_phrases, match_phrases, normalise

FAST = settings(max_examples=100, deadline=None)

SRE = "SRE review is completed"
PHRASES = [
    "SRE review is completed",
    "Security review done",
    "DBA sign-off granted",
    "Load test passed",
    "Runbook approved",
]
# No negation or condition word (nor a word ending in n't), no conjunction and no question mark
# in here; a few words that contain a negation word inside them check that negation is detected
# on whole words only.
NEUTRAL_WORDS = [
    "the",
    "deploy",
    "looks",
    "good",
    "thanks",
    "team",
    "team's",
    "we",
    "shipped",
    "it",
    "yesterday",
    "metrics",
    "dashboards",
    "are",
    "green",
    "all",
    "checks",
    "OK",
    "great",
    "work",
    "v1.2",
    "rollout",
    "Monday",
    "canary",
    "alerts",
    "on-call",
    "know",
    "knot",
    "notes",
    "notion",
    "snow",
    "nonstop",
    "nobodys",
    "nevermore",
    "canton",
    "(see",
    "above)",
    "🚀",
]
NEGATIONS = [
    "not",
    "no",
    "never",
    "nothing",
    "nobody",
    "Not",
    "NEVER",
    "**not**",
    "isn't",
    "isn’t",
    "don't",
    "DON’T",
    "can't",
    "won't",
    "wasn't",
    "haven't",
]
CASED_SCRIPT_PHRASES = [
    "Проверка SRE завершена",
    "Η αναθεώρηση SRE ολοκληρώθηκε",
    "Straße geprüft",
]
WRAPPERS = ["**{}**", "*{}*", "__{}__", "_{}_", "~~{}~~", "`{}`"]
WORD_SEPARATORS = (" ", "  ", "\t", " \t ", "\n", " \n", "\n   ", "\u3000", "\u00a0")


def triggers(message: str, phrase: str = SRE) -> bool:
    return find_phrases(message, [phrase]) == [phrase]


def refusal(message: str, phrase: str = SRE) -> tuple[Reason | None, str] | None:
    """Why the phrase does not count in the message: (reason, word); None if it does not occur."""
    matches = match_phrases(message, [phrase])
    return (matches[0].reason, matches[0].word) if matches else None


# Strategies ---------------------------------------------------------------------------------
# Strategies are built once and cached: building a fresh strategy for every example costs more
# than the code under test, and the suite should stay fast.


def full_width(char: str) -> str:
    if "A" <= char <= "Z":
        return chr(0xFF21 + ord(char) - ord("A"))
    if "a" <= char <= "z":
        return chr(0xFF41 + ord(char) - ord("a"))
    return char


@functools.cache
def bits(width: int) -> st.SearchStrategy[int]:
    return st.integers(0, 2**width - 1)


@functools.cache
def picks(options: tuple[str, ...], count: int) -> st.SearchStrategy[list[str]]:
    """`count` items of `options`, drawn as one integer: much cheaper than a list strategy."""
    base = len(options)

    def decode(number: int) -> list[str]:
        picked = []
        for _ in range(count):
            number, index = divmod(number, base)
            picked.append(options[index])
        return picked

    return st.integers(0, base**count - 1).map(decode)


def with_case(text: str, flags: int) -> str:
    """Bit i of `flags` set: character i upper-cased, else lower-cased."""
    return "".join(c.upper() if flags >> i & 1 else c.lower() for i, c in enumerate(text))


def with_full_width(text: str, flags: int) -> str:
    """Bit i of `flags` set: character i in its full-width form."""
    return "".join(full_width(c) if flags >> i & 1 else c for i, c in enumerate(text))


def with_separators(text: str, separators: list[str]) -> str:
    words = text.split(" ")
    return words[0] + "".join(sep + w for sep, w in zip(separators, words[1:], strict=True))


@functools.cache
def case_variants(text: str) -> st.SearchStrategy[str]:
    return bits(len(text)).map(functools.partial(with_case, text))


@functools.cache
def full_width_variants(text: str) -> st.SearchStrategy[str]:
    return bits(len(text)).map(functools.partial(with_full_width, text))


@functools.cache
def spaced(text: str) -> st.SearchStrategy[str]:
    """The words of `text`, separated by random spaces, tabs and single line breaks."""
    count = text.count(" ")
    return picks(WORD_SEPARATORS, count).map(functools.partial(with_separators, text))


EMPHASIS_MODES = st.sampled_from(["none", "whole", "words"])
WRAPPER_CHOICES = st.sampled_from(WRAPPERS)


@st.composite
def _rendered(draw: st.DrawFn, phrase: str, line_breaks: bool) -> str:
    text = with_case(phrase, draw(bits(len(phrase))))
    text = with_full_width(text, draw(bits(len(text))))
    mode = draw(EMPHASIS_MODES)
    if mode == "whole":
        text = draw(WRAPPER_CHOICES).format(text)
    elif mode == "words":
        words = text.split(" ")
        wrappers = draw(picks((*WRAPPERS, "{}"), len(words)))
        text = " ".join(w.format(word) for w, word in zip(wrappers, words, strict=True))
    if line_breaks:
        text = with_separators(text, draw(picks(WORD_SEPARATORS, text.count(" "))))
    return text


@functools.cache
def rendered(phrase: str, *, line_breaks: bool = True) -> st.SearchStrategy[str]:
    """How a person might type `phrase`: any case, full-width letters, Markdown emphasis or
    code marks around it or its words, and random spaces, tabs and line breaks between words."""
    return _rendered(phrase, line_breaks)


any_phrase = st.sampled_from(PHRASES)
cased_phrase = st.sampled_from(PHRASES + CASED_SCRIPT_PHRASES)
cased_script_phrase = st.sampled_from(CASED_SCRIPT_PHRASES)
plain_ends = st.sampled_from(["", ".", "!", ";"])
NEUTRAL_ENDS = (".", "!", ";", "...", "。", "！")


def neutral_fragment_from(seed: int) -> str:
    """One to six neutral words, chosen by a seeded generator (one cheap draw per fragment)."""
    rng = random.Random(seed)
    return " ".join(rng.choices(NEUTRAL_WORDS, k=rng.randint(1, 6)))


def neutral_text_from(seed: int) -> str:
    """Zero to three neutral sentences, each with a terminator."""
    rng = random.Random(seed)
    sentences = [
        neutral_fragment_from(rng.getrandbits(32)) + rng.choice(NEUTRAL_ENDS)
        for _ in range(rng.randint(0, 3))
    ]
    return " ".join(sentences)


seeds = st.integers(0, 2**32 - 1)
neutral_fragments = seeds.map(neutral_fragment_from)
neutral_texts = seeds.map(neutral_text_from)
words_before = st.one_of(st.just(""), neutral_fragments.map(lambda f: f + " "))
words_after = st.one_of(st.just(""), neutral_fragments.map(lambda f: ", " + f))
statement_ends = st.sampled_from(["", ".", "!", ";", "!!", ".)"])
paragraph_joiners = st.sampled_from([" ", "\n", "\n\n"])


def in_context(data: st.DataObject, body: str) -> str:
    """`body` as a sentence with neutral words around it, among neutral sentences."""
    sentence = data.draw(words_before) + body + data.draw(words_after)
    sentence += data.draw(statement_ends)
    lead = data.draw(neutral_texts)
    tail = data.draw(neutral_texts)
    return data.draw(paragraph_joiners).join(p for p in (lead, sentence, tail) if p)


# normalise ----------------------------------------------------------------------------------


def test_normalise_applies_nfkc_to_full_width_letters() -> None:
    assert normalise("ＳＲＥ　ｒｅｖｉｅｗ") == "sre review"


def test_normalise_case_folds() -> None:
    assert normalise("SRE Review STRASSE Straße") == "sre review strasse strasse"


def test_normalise_removes_markdown_emphasis_and_code_marks() -> None:
    assert normalise("**SRE** _review_ ~~is~~ `completed` __x__") == "sre review is completed x"


def test_normalise_collapses_all_whitespace_including_line_breaks() -> None:
    assert (
        normalise("  SRE \t review\r\n\n is\u00a0\u2003completed \n") == "sre review is completed"
    )


def test_normalise_treats_typographic_apostrophe_as_ascii_apostrophe() -> None:
    assert normalise("Isn’t") == "isn't"


def test_normalise_removes_invisible_format_characters() -> None:
    assert normalise("SRE\u200b re\u00adview\ufeff") == "sre review"


def test_normalise_of_empty_and_blank_text_is_empty() -> None:
    assert normalise("") == ""
    assert normalise(" \n\t ** `` ") == ""


@FAST
@given(st.text())
def test_normalise_is_idempotent(text: str) -> None:
    assert normalise(normalise(text)) == normalise(text)


@FAST
@given(st.text())
def test_normalise_output_has_no_marks_and_single_spaces(text: str) -> None:
    result = normalise(text)
    assert not set(result) & set("*_~`’\n\t\r")
    assert "  " not in result
    assert result == result.strip()


@FAST
@given(st.data())
def test_normalise_maps_every_typed_variant_to_the_same_text(data: st.DataObject) -> None:
    variant = data.draw(rendered(data.draw(cased_phrase)))
    assert normalise(variant) in {normalise(p) for p in PHRASES + CASED_SCRIPT_PHRASES}


# Whole-phrase matching ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "message",
    [
        "SRE review is completed",
        "SRE review is completed.",
        "sre REVIEW Is Completed!",
        "Update: SRE review is completed, thanks all",
        "(SRE review is completed)",
        '"SRE review is completed"',
        "pre-SRE review is completed",
        "SRE review is completed 🎉",
        "# SRE review is completed",
    ],
)
def test_phrase_as_whole_words_matches(message: str) -> None:
    assert triggers(message)


@pytest.mark.parametrize(
    "message",
    [
        "SRE review is completedly",
        "XSRE review is completed",
        "SRE review is completed2",
        "SRE review is completedé",
        "SRE review is not completed",
        "SRE review completed",
        "SRE review was completed",
        "",
    ],
)
def test_phrase_inside_longer_word_or_different_words_does_not_match(message: str) -> None:
    assert not triggers(message)


def test_phrase_with_trailing_combining_mark_in_message_is_a_longer_word() -> None:
    assert not triggers("SRE review is completeq\u0301", "SRE review is completeq")


def test_emphasis_around_the_phrase_matches() -> None:
    assert triggers("**SRE review is completed**")
    assert triggers("_SRE_ *review* ~~is~~ __completed__")


def test_inline_code_around_the_phrase_matches() -> None:
    assert triggers("`SRE review is completed`")


def test_phrase_broken_over_a_single_line_break_matches() -> None:
    assert triggers("SRE review\nis completed")
    assert triggers("SRE review\r\n  is completed")


def test_phrase_broken_over_a_blank_line_does_not_match() -> None:
    assert not triggers("SRE review\n\nis completed")


def test_full_width_phrase_matches() -> None:
    assert triggers("ＳＲＥ ｒｅｖｉｅｗ ｉｓ ｃｏｍｐｌｅｔｅｄ")


def test_typographic_apostrophe_in_phrase_matches_ascii_apostrophe_in_message() -> None:
    assert triggers("The team's review is done", "The team’s review is done")
    assert triggers("The team’s review is done", "The team's review is done")


def test_empty_and_whitespace_phrases_never_match() -> None:
    assert find_phrases("anything at all", ["", " ", "\n\t", "** **"]) == []
    assert find_phrases("", [""]) == []


def test_phrases_are_returned_as_given_deduplicated_in_given_order() -> None:
    message = "Load test passed. SRE review is completed."
    given_phrases = ["load TEST passed", SRE, "Runbook approved", SRE, "load TEST passed"]
    assert find_phrases(message, given_phrases) == ["load TEST passed", SRE]


def test_phrases_differing_only_in_spelling_are_all_returned() -> None:
    message = "SRE review is completed"
    assert find_phrases(message, [SRE, SRE.upper()]) == [SRE, SRE.upper()]


def test_phrases_may_be_any_iterable() -> None:
    assert find_phrases("SRE review is completed", (p for p in [SRE])) == [SRE]


def test_phrase_occurring_twice_matches_when_one_occurrence_qualifies() -> None:
    message = "Is SRE review is completed? Yes: SRE review is completed."
    assert triggers(message)


def test_phrase_containing_a_sentence_terminator_matches() -> None:
    assert triggers("Checked v1.2 ok. Approved!", "v1.2 ok. Approved")


@FAST
@given(st.data())
def test_typed_variants_of_the_phrase_match(data: st.DataObject) -> None:
    phrase = data.draw(any_phrase)
    message = in_context(data, data.draw(rendered(phrase)))
    assert find_phrases(message, PHRASES) == [phrase]


@FAST
@given(st.data())
def test_random_case_variants_match(data: st.DataObject) -> None:
    phrase = data.draw(cased_phrase)
    assert triggers(data.draw(case_variants(phrase)), phrase)
    assert triggers(phrase, data.draw(case_variants(phrase)))


@FAST
@given(st.data())
def test_full_width_variants_match(data: st.DataObject) -> None:
    phrase = data.draw(any_phrase)
    assert triggers(data.draw(full_width_variants(phrase)), phrase)
    assert triggers(phrase, data.draw(full_width_variants(phrase)))


@FAST
@given(st.data(), st.sampled_from(WRAPPERS))
def test_markdown_emphasis_wrappers_match(data: st.DataObject, wrapper: str) -> None:
    phrase = data.draw(any_phrase)
    assert triggers(in_context(data, wrapper.format(phrase)), phrase)


@FAST
@given(st.data())
def test_extra_spaces_tabs_and_single_line_breaks_between_words_match(
    data: st.DataObject,
) -> None:
    phrase = data.draw(any_phrase)
    assert triggers(data.draw(spaced(phrase)), phrase)


_letters = st.text(alphabet="abcxyzXYZéßжλع0123456789ｘ", min_size=1, max_size=4)


@FAST
@given(st.data(), _letters, _letters, st.sampled_from(["prefix", "suffix", "both"]))
def test_phrase_inside_a_longer_word_does_not_match(
    data: st.DataObject, prefix: str, suffix: str, where: str
) -> None:
    phrase = data.draw(any_phrase)
    body = data.draw(rendered(phrase))
    body = (prefix if where != "suffix" else "") + body + (suffix if where != "prefix" else "")
    assert not triggers(in_context(data, body), phrase)


# Negation -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "message",
    [
        "I would not say SRE review is completed",
        "SRE review is completed, not",
        "SRE review is completed, not yet",
        "SRE review is completed (not)",
        "SRE review is completed - NOT!",
        "no SRE review is completed yet",
        "Not so sure SRE review is completed",
        "I dont think SRE review is completed",
        "SRE review is completed? Never mind; nothing here. Nobody said SRE review is completed",
        "I don't think SRE review is completed",
        "I don’t think SRE review is completed",
        "SRE review is completed, isn't it.",
        "We can't claim SRE review is completed",
        "We cannot claim SRE review is completed",
        "NOT SRE review is completed",
        "- not yet, and I can't say\n  SRE review is completed",
    ],
)
def test_negation_before_the_phrase_in_its_clause_or_as_a_retraction_prevents_a_match(
    message: str,
) -> None:
    assert not triggers(message)
    assert refusal(message) is not None


@pytest.mark.parametrize(
    "message",
    [
        "SRE review is completed. Not sure about the rest.",
        "Not sure about the rest. SRE review is completed.",
        "Not yet! SRE review is completed now.",
        "No; SRE review is completed",
        "Isn't it great?\nSRE review is completed",
        "I know SRE review is completed, nonstop notes",
        "Not the security one.\n\nSRE review is completed",
        "No, SRE review is completed",
        "NOT: SRE review is completed",
        "SRE review is completed, no concerns",
        "No problem, SRE review is completed.",
        "SRE review is completed (no blockers from us)",
        "SRE review is completed.Not sure",
        "SRE review is completed, I would never\nhave guessed",
        "SRE review is completed with no open issues",
        "SRE review is completed, not yet the security review",
        "There are no open issues and SRE review is completed",
        "Not the DBA part but SRE review is completed",
        "no blockers so SRE review is completed",
        "Nothing else from me - SRE review is completed",
        "Nothing else from me — SRE review is completed",
        "Never thought I'd say it: SRE review is completed",
    ],
)
def test_negation_in_another_clause_or_after_the_phrase_does_not_prevent_a_match(
    message: str,
) -> None:
    assert triggers(message)


def test_phrase_containing_a_negation_word_matches_without_other_negation() -> None:
    assert triggers("Checked it: no blockers found.", "No blockers found")
    assert triggers("Honestly, it can't be better", "can't be better")


def test_phrase_containing_a_negation_word_does_not_match_with_other_negation() -> None:
    assert not triggers("Not sure no blockers found.", "No blockers found")
    assert not triggers("I can't say no blockers found", "No blockers found")
    assert triggers("no, no blockers found", "No blockers found")


def test_the_reported_negation_word_is_the_one_nearest_the_phrase() -> None:
    assert refusal("No idea why nobody says SRE review is completed") == (
        Reason.NEGATED,
        "nobody",
    )
    assert refusal("SRE review isn't completed... SRE review is completed, isn’t it") == (
        Reason.NEGATED,
        "isn't",
    )


# Parentheses are clause boundaries: words in the phrase's own clause must not contain them.
CLAUSE_WORDS = [word for word in NEUTRAL_WORDS if not set(word) & set("()")]
clause_fragments = picks(tuple(CLAUSE_WORDS), 3).map(" ".join)


@FAST
@given(st.data(), st.sampled_from(NEGATIONS))
def test_negation_word_before_the_phrase_in_its_clause_prevents_a_match(
    data: st.DataObject, negation: str
) -> None:
    phrase = data.draw(any_phrase)
    words = data.draw(clause_fragments).split(" ")
    words.insert(data.draw(st.integers(0, len(words))), negation)
    body = " ".join([*words, data.draw(rendered(phrase)), data.draw(clause_fragments)])
    end = data.draw(plain_ends)
    message = " ".join(part for part in (data.draw(neutral_texts), body + end) if part)
    message += " " + data.draw(neutral_texts)
    assert find_phrases(message, PHRASES) == []
    [match] = match_phrases(message, PHRASES)
    assert match == PhraseMatch(phrase, Reason.NEGATED, normalise(negation))


@FAST
@given(st.data(), st.sampled_from(NEGATIONS), st.sampled_from([", ", ": ", " (", " - ", " and "]))
def test_negation_word_in_a_neighbouring_clause_with_more_words_does_not_prevent_a_match(
    data: st.DataObject, negation: str, boundary: str
) -> None:
    phrase = data.draw(any_phrase)
    # "dashboards": a clause after the phrase that is nothing but a negation is a retraction.
    negated = f"{data.draw(clause_fragments)} {negation} dashboards {data.draw(clause_fragments)}"
    body = data.draw(rendered(phrase))
    parts = [negated, body] if data.draw(st.booleans()) else [body, negated]
    assert find_phrases(boundary.join(parts), PHRASES) == [phrase]


@FAST
@given(st.data(), st.sampled_from(NEGATIONS), st.sampled_from([". ", "! ", "; ", "\n\n", "\n- "]))
def test_negation_in_a_neighbouring_sentence_does_not_prevent_a_match(
    data: st.DataObject, negation: str, boundary: str
) -> None:
    phrase = data.draw(any_phrase)
    negated = f"{data.draw(neutral_fragments)} {negation} {data.draw(neutral_fragments)}"
    body = data.draw(rendered(phrase))
    parts = [negated, body] if data.draw(st.booleans()) else [body, negated]
    message = boundary.join(parts)
    assert find_phrases(message, PHRASES) == [phrase]


# Questions ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "message",
    [
        "SRE review is completed?",
        "Is it true that SRE review is completed?",
        "SRE review is completed ?",
        "SRE review is completed？",
        "SRE review is completed?!",
        "SRE review is completed?)",
        "**SRE review is completed?**",
        "SRE review\nis completed, right?\nThanks.",
        "Thanks. SRE review is completed, right? Great.",
    ],
)
def test_question_prevents_a_match(message: str) -> None:
    assert not triggers(message)


@pytest.mark.parametrize(
    "message",
    [
        "Any news? SRE review is completed.",
        "SRE review is completed. Anything else?",
        "SRE review is completed\n\nAnything else?",
        "Questions?\n- SRE review is completed",
        "SRE review is completed; anything else?",
        "See https://example.com/?q=1 SRE review is completed",
    ],
)
def test_question_in_another_sentence_does_not_prevent_a_match(message: str) -> None:
    assert triggers(message)


@FAST
@given(st.data(), st.sampled_from(["?", "？", " ?", "?!", "??", "?)", '?"', "?**"]))
def test_phrase_in_a_question_does_not_match(data: st.DataObject, mark: str) -> None:
    phrase = data.draw(any_phrase)
    before = data.draw(words_before)
    after = data.draw(words_after)
    question = before + data.draw(rendered(phrase)) + after + mark
    message = " ".join(
        part for part in (data.draw(neutral_texts), question, data.draw(neutral_texts)) if part
    )
    assert find_phrases(message, PHRASES) == []


# Quotes -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "message",
    [
        "> SRE review is completed",
        ">SRE review is completed",
        "   > SRE review is completed",
        ">> SRE review is completed",
        "Someone wrote:\n> SRE review is completed\nI disagree.",
        "> SRE review\n> is completed",
    ],
)
def test_quoted_phrase_does_not_match(message: str) -> None:
    assert not triggers(message)


def test_quote_marker_after_four_spaces_is_an_indented_code_block() -> None:
    assert refusal("    > SRE review is completed") == (Reason.CODE, "")
    assert refusal("Look:\n\n    SRE review is completed") == (Reason.CODE, "")


def test_four_spaces_continuing_a_paragraph_are_not_code() -> None:
    assert triggers("Looked at it all.\n    SRE review is completed")


def test_lazy_continuation_line_belongs_to_the_quote() -> None:
    assert refusal("> is it done\nSRE review is completed") == (Reason.QUOTED, "")
    assert refusal("> earlier\nSRE review is completed") == (Reason.QUOTED, "")


def test_reply_after_a_quote_matches() -> None:
    assert triggers("> is it done\n\nSRE review is completed")
    assert triggers("> SRE review is completed\n\nYes, SRE review is completed.")


def test_negation_in_a_quote_does_not_leak_into_the_reply() -> None:
    assert triggers("Earlier text\n> not yet\n\nSRE review is completed")


@FAST
@given(st.data(), st.sampled_from([">", "> ", " > ", "   >", ">> ", "> > "]))
def test_phrase_in_a_block_quote_does_not_match(data: st.DataObject, marker: str) -> None:
    phrase = data.draw(any_phrase)
    quoted = marker + data.draw(rendered(phrase, line_breaks=False))
    lines = [data.draw(neutral_texts), quoted, data.draw(neutral_texts)]
    message = "\n".join(line for line in lines if line)
    assert find_phrases(message, PHRASES) == []
    assert find_phrases(message.replace(quoted, quoted.lstrip(" >")), PHRASES) == [phrase]


# Code blocks --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "message",
    [
        "```\nSRE review is completed\n```",
        "```text\nSRE review is completed\n```",
        "~~~\nSRE review is completed\n~~~",
        "Log:\n```\nSRE review is completed",
        "````\n```\nSRE review is completed\n````",
        "  ```\n  SRE review is completed\n  ```",
        "```SRE review is completed```",
        "- ```\n  SRE review is completed\n  ```",
    ],
)
def test_phrase_in_a_fenced_code_block_does_not_match(message: str) -> None:
    assert not triggers(message)


def test_phrase_after_a_closed_code_block_matches() -> None:
    assert triggers("```\nnot done\n```\nSRE review is completed")
    assert triggers("~~~\nx\n~~~\n\nSRE review is completed")


def test_fence_is_closed_only_by_the_same_character_and_at_least_the_same_length() -> None:
    assert not triggers("````\nx\n```\nSRE review is completed\n")
    assert not triggers("```\nx\n~~~\nSRE review is completed\n")
    assert triggers("```\nx\n````\nSRE review is completed\n")


@FAST
@given(
    st.data(),
    st.sampled_from(["```", "```text", "~~~", "````", "~~~~ yaml", "  ```"]),
    st.booleans(),
)
def test_phrase_in_a_code_block_does_not_match(
    data: st.DataObject, fence: str, closed: bool
) -> None:
    phrase = data.draw(any_phrase)
    code = "\n".join([fence, data.draw(neutral_texts), data.draw(rendered(phrase))])
    if closed:
        code += "\n" + fence.split()[0]
    message = "\n".join(part for part in (data.draw(neutral_texts), code) if part)
    if closed:
        message += "\n" + data.draw(neutral_texts)
    assert find_phrases(message, PHRASES) == []


# Conditions ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("message", "word"),
    [
        ("If the load test passes, SRE review is completed", "if"),
        ("if X then SRE review is completed", "if"),
        ("Once the dashboards are linked SRE review is completed.", "once"),
        ("SRE review is completed once the dashboards are linked", "once"),
        ("SRE review is completed when the runbook is merged", "when"),
        ("SRE review is completed as soon as the alert is paged", "as soon as"),
        ("SRE review is completed pending the DR drill", "pending"),
        ("Assuming the canary holds, SRE review is completed", "assuming"),
    ],
)
def test_conditional_phrase_does_not_count(message: str, word: str) -> None:
    assert refusal(message) == (Reason.CONDITIONAL, word)


@pytest.mark.parametrize(
    "message",
    [
        "SRE review is completed, ping me if anything comes up",
        "SRE review is completed. If you need anything, ask.",
        "SRE review is completed after the fixes in #412 landed",
        "Once more: thanks!\n\nSRE review is completed",
    ],
)
def test_condition_in_another_clause_after_or_another_sentence_does_not_prevent_a_match(
    message: str,
) -> None:
    assert triggers(message)


# Reasons ------------------------------------------------------------------------------------


def test_match_phrases_reports_every_occurring_phrase_with_its_reason() -> None:
    message = (
        "SRE review is completed. Security review done? I can't say Load test passed.\n\n"
        "> Runbook approved\n\n```\nDBA sign-off granted\n```"
    )
    assert match_phrases(message, [*PHRASES, "Not in the message"]) == [
        PhraseMatch(SRE),
        PhraseMatch("Security review done", Reason.QUESTION),
        PhraseMatch("DBA sign-off granted", Reason.CODE),
        PhraseMatch("Load test passed", Reason.NEGATED, "can't"),
        PhraseMatch("Runbook approved", Reason.QUOTED),
    ]


def test_an_occurrence_that_counts_wins_over_refused_ones() -> None:
    assert match_phrases("> SRE review is completed\n\nSRE review is completed", [SRE]) == [
        PhraseMatch(SRE)
    ]


def test_the_authors_own_words_give_the_reason_before_a_quote_or_code() -> None:
    message = (
        "> SRE review is completed\n\n```\nSRE review is completed\n```\nSRE review is completed?"
    )
    assert refusal(message) == (Reason.QUESTION, "")
    assert refusal("```\nSRE review is completed\n```\n> SRE review is completed") == (
        Reason.QUOTED,
        "",
    )


def test_code_inside_a_quote_is_quoted() -> None:
    assert refusal("> ```\n> SRE review is completed\n> ```") == (Reason.QUOTED, "")


# Markdown -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "message",
    [
        "[SRE review is completed](https://example.com/prr/1)",
        'SRE review is [completed](https://example.com/prr/1 "the review")',
        "SRE review is completed, see [the doc][doc]\n\n[doc]: https://example.com",
        "## SRE review is completed",
        "| area | state |\n| --- | --- |\n| SRE | SRE review is completed |",
        "SRE review is completed &amp; thanks",
        "SRE review is \\*completed\\*",
        "<b>SRE review is completed</b>",
        "Done with it.\n• SRE review is completed",
    ],
)
def test_markdown_text_is_read_as_the_reader_sees_it(message: str) -> None:
    assert triggers(message)


def test_headings_and_list_items_are_blocks_of_their_own() -> None:
    assert triggers("# I can't say\nSRE review is completed")
    assert triggers("I can't say\n\n- SRE review is completed")


def test_image_descriptions_are_not_text() -> None:
    assert match_phrases("![SRE review is completed](ok.png)", [SRE]) == []


def test_inline_code_with_three_backticks_is_code_with_fewer_it_is_text() -> None:
    assert refusal("Run ```SRE review is completed``` later") == (Reason.CODE, "")
    assert triggers("``SRE review is completed``")


def test_a_message_without_any_phrase_is_not_parsed(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_: object) -> None:
        raise AssertionError("parsed")

    monkeypatch.setattr(phrases_module._MARKDOWN, "parse", refuse)
    assert match_phrases("Looked at the dashboards, all good. Review is completed.", PHRASES) == []


# Sentences and list items -------------------------------------------------------------------


@pytest.mark.parametrize(
    "message",
    [
        "- SRE review is completed",
        "* SRE review is completed",
        "+ SRE review is completed",
        "1. SRE review is completed",
        "2) SRE review is completed",
        "• SRE review is completed",
        "- not the security review\n- SRE review is completed",
        "* nothing yet for DBA\n* SRE review is completed",
        "Status:\n1. No load test\n2. SRE review is completed",
        "I would not\n- SRE review is completed",
    ],
)
def test_list_item_starts_a_new_sentence(message: str) -> None:
    assert triggers(message)


def test_list_item_continuation_line_belongs_to_the_item() -> None:
    assert not triggers("- I can't say\n  SRE review is completed")
    assert triggers("- not yet, but\n  SRE review is completed")
    assert triggers("- SRE review is\n  completed")


def test_negation_in_a_later_list_item_does_not_leak_backwards() -> None:
    assert triggers("- SRE review is completed\n- not the security review")


def test_version_numbers_do_not_split_sentences() -> None:
    assert not triggers("Not in v1.2 SRE review is completed")


def test_semicolon_ends_a_sentence() -> None:
    assert triggers("Not the DBA part; SRE review is completed")


# Several phrases ----------------------------------------------------------------------------


def test_several_phrases_in_one_message_are_all_found() -> None:
    message = "Load test passed! SRE review is completed.\n\n- Runbook approved"
    assert find_phrases(message, PHRASES) == [SRE, "Load test passed", "Runbook approved"]


def test_each_phrase_is_judged_in_its_own_sentence() -> None:
    message = (
        "SRE review is completed. Security review done? I can't say Load test passed. "
        "Runbook approved"
    )
    assert find_phrases(message, PHRASES) == [SRE, "Runbook approved"]


@FAST
@given(st.permutations(PHRASES), st.integers(1, len(PHRASES)), st.permutations(PHRASES), st.data())
def test_several_phrases_are_each_found_independently(
    shuffled: list[str], count: int, order: list[str], data: st.DataObject
) -> None:
    present = shuffled[:count]
    parts: list[str] = []
    for phrase in present:
        parts.append(data.draw(neutral_texts))
        parts.append(data.draw(rendered(phrase)) + data.draw(plain_ends))
    message = "".join(part + data.draw(paragraph_joiners) for part in parts if part)
    assert find_phrases(message, order) == [p for p in order if p in present]


@FAST
@given(st.permutations(PHRASES), st.data())
def test_negated_or_asked_phrases_do_not_hide_other_phrases(
    phrases: list[str], data: st.DataObject
) -> None:
    negated, asked, quoted, *fine = phrases
    message = (
        f"We have not {negated} yet. {data.draw(rendered(asked))}?\n"
        f"> {quoted}\n\n" + " ".join(data.draw(rendered(p)) + "." for p in fine)
    )
    assert find_phrases(message, PHRASES) == [p for p in PHRASES if p in fine]


# Other scripts ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("phrase", "message"),
    [
        ("Проверка SRE завершена", "Коллеги, проверка SRE завершена."),
        ("Проверка SRE завершена", "ПРОВЕРКА SRE ЗАВЕРШЕНА!"),
        ("Η αναθεώρηση SRE ολοκληρώθηκε", "Ενημέρωση: η αναθεώρηση SRE ολοκληρώθηκε."),
        ("Η αναθεώρηση SRE ολοκληρώθηκε", "Η ΑΝΑΘΕΏΡΗΣΗ SRE ΟΛΟΚΛΗΡΏΘΗΚΕ"),
        ("تمت مراجعة SRE", "شكرا، تمت مراجعة SRE اليوم"),
        ("SRE समीक्षा पूरी हुई", "आज SRE समीक्षा पूरी हुई। धन्यवाद"),
        ("SREレビュー完了", "SREレビュー完了"),
        ("SREレビュー完了", "本日SREレビュー完了しました。"),
        ("SREレビュー完了", "お疲れ様です。SREレビュー完了です！"),
        ("SREレビュー完了", "ＳＲＥレビュー完了"),
        ("SRE审核已完成", "今天SRE审核已完成，谢谢。"),
        ("SRE审核已完成", "SRE审核已完成"),
        ("ตรวจสอบ SRE เสร็จแล้ว", "วันนี้ตรวจสอบ SRE เสร็จแล้วครับ"),
    ],
)
def test_phrases_in_other_scripts_match(phrase: str, message: str) -> None:
    assert triggers(message, phrase)


@pytest.mark.parametrize(
    ("phrase", "message"),
    [
        ("Проверка SRE завершена", "Проверка SRE завершенаа"),
        ("Проверка SRE завершена", "Перепроверка SRE завершена"),
        ("Проверка SRE завершена", "Проверка SRE завершена?"),
        ("Проверка SRE завершена", "Not really проверка SRE завершена"),
        ("Проверка SRE завершена", "> Проверка SRE завершена"),
        ("Η αναθεώρηση SRE ολοκληρώθηκε", "Η αναθεώρηση SRE ολοκληρώθηκεε"),
        ("تمت مراجعة SRE", "تمت مراجعة SREs"),
        ("تمت مراجعة SRE", "وتمت مراجعة SRE"),
        ("تمت مراجعة SRE", "تمت مراجعة SRE؟"),
        ("SRE समीक्षा पूरी हुई", "SRE समीक्षा पूरी हुईं"),
        ("SREレビュー完了", "XSREレビュー完了"),
        ("SREレビュー完了", "SREレビュー完了？"),
        ("SREレビュー完了", "本日SREレビュー完了?"),
        ("SREレビュー完了", "```\nSREレビュー完了\n```"),
        ("SRE审核已完成", "SRE审核已完成吗？"),
        ("SRE审核已完成", "ASRE审核已完成"),
    ],
)
def test_phrases_in_other_scripts_do_not_match_when_they_should_not(
    phrase: str, message: str
) -> None:
    assert not triggers(message, phrase)


def test_question_ends_a_sentence_directly_before_japanese_text() -> None:
    assert not triggers("SREレビュー完了？次へ", "SREレビュー完了")
    assert triggers("SREレビュー終わった？SREレビュー完了。", "SREレビュー完了")


_kana_han = st.text(
    alphabet=st.characters(
        min_codepoint=0x3041, max_codepoint=0x30FA, exclude_characters="ー・゠゛゜"
    )
    | st.sampled_from("本日完了審核今天已经"),
    max_size=8,
)


@FAST
@given(_kana_han, _kana_han, st.sampled_from(["SREレビュー完了", "SRE审核已完成", "レビュー完了"]))
def test_phrase_inside_a_japanese_or_chinese_sentence_matches(
    before: str, after: str, phrase: str
) -> None:
    assert triggers(before + phrase + after + "。", phrase)
    assert not triggers(before + phrase + after + "？", phrase)


@FAST
@given(st.data())
def test_cased_script_phrases_match_in_any_case_and_not_inside_longer_words(
    data: st.DataObject,
) -> None:
    phrase = data.draw(cased_script_phrase)
    variant = data.draw(rendered(phrase))
    assert triggers(in_context(data, variant), phrase)
    letters = data.draw(st.text(alphabet="жщяλωψßx", min_size=1, max_size=3))
    assert not triggers(variant + letters, phrase)
    assert not triggers(letters + variant, phrase)


# Robustness and performance -----------------------------------------------------------------


@FAST
@given(st.text(max_size=300), st.lists(st.text(max_size=20), max_size=5))
def test_arbitrary_input_returns_a_subset_of_the_phrases_in_order(
    message: str, phrases: list[str]
) -> None:
    found = find_phrases(message, phrases)
    assert len(found) == len(set(found))
    positions = [phrases.index(p) for p in found]
    assert positions == sorted(positions)
    assert all(normalise(p) for p in found)


@FAST
@given(st.sampled_from(PHRASES))
def test_message_that_is_just_the_phrase_matches(phrase: str) -> None:
    assert find_phrases(phrase, PHRASES) == [phrase]


def test_prepared_phrases_are_cached() -> None:
    prepare = phrases_module._prepare_phrase
    info_before = phrases_module._prepare_phrase.cache_info()
    find_phrases("SRE review is completed", [SRE])
    find_phrases("something else", [SRE])
    assert phrases_module._prepare_phrase.cache_info().hits >= info_before.hits + 1
    assert prepare(SRE) is prepare(SRE)


def test_long_message_with_many_phrases_is_fast() -> None:
    many = [f"{name} review is completed" for name in ("SRE", "DBA", "Security", "Legal")] * 8
    many += [f"phrase number {i} approved" for i in range(30)]
    sentence = "The deploy looks good, we know the notes are fine; "
    message = sentence * 400 + "\n> quoted\n```\ncode\n```\n" + "SRE review is completed."
    start = time.perf_counter()
    for _ in range(10):
        assert find_phrases(message, many) == ["SRE review is completed"]
    assert time.perf_counter() - start < 2.0


@pytest.mark.parametrize(
    "message",
    [
        "no " * 10_000 + "SRE review is completed " * 2_000,
        "SRE " * 20_000 + "review",
        ("SRE review is completed? " * 3_000),
        "a" * 50_000,
        "\n".join(["> SRE review is completed"] * 5_000),
        "x\n" * 20_000,
    ],
)
def test_pathological_messages_are_handled_in_linear_time(message: str) -> None:
    start = time.perf_counter()
    find_phrases(message, [SRE, "SRE SRE", "no no", "a a"])
    assert time.perf_counter() - start < 2.0
