"""The labelled corpus of realistic messages: every label holds, and the figures add up."""

from __future__ import annotations

from collections import Counter

import pytest

from prr.reviews.phrases import PhraseMatch, match_phrases
from tests.reviews.phrase_corpus import APPROVALS, REFUSALS, Labels

CORPUS = APPROVALS + REFUSALS
MINIMUM_MESSAGES = 150


def verdict(match: PhraseMatch | None) -> str:
    """A match in the corpus's label format: counts, absent, reason or reason:word."""
    if match is None:
        return "absent"
    if match.reason is None:
        return "counts"
    return f"{match.reason}:{match.word}" if match.word else str(match.reason)


def verdicts(message: str, labels: Labels) -> Labels:
    found = {match.phrase: match for match in match_phrases(message, labels)}
    return {phrase: verdict(found.get(phrase)) for phrase in labels}


@pytest.mark.parametrize(("message", "labels"), CORPUS, ids=[m[:60] for m, _ in CORPUS])
def test_every_label_holds(message: str, labels: Labels) -> None:
    assert verdicts(message, labels) == labels


def test_the_corpus_is_large_and_unique() -> None:
    messages = [message for message, _ in CORPUS]
    assert len(messages) >= MINIMUM_MESSAGES
    assert len(set(messages)) == len(messages)


def corpus_figures() -> dict[str, object]:
    """Messages, labelled phrase occurrences, approvals, refusals by reason, and accuracy."""
    labels = Counter[str]()
    right = 0
    for message, expected in CORPUS:
        actual = verdicts(message, expected)
        for phrase, label in expected.items():
            labels[label.split(":")[0]] += 1
            right += actual[phrase] == label
    total = sum(labels.values())
    return {
        "messages": len(CORPUS),
        "labels": total,
        "approvals": labels["counts"],
        "refusals": total - labels["counts"] - labels["absent"],
        "absent": labels["absent"],
        "by reason": {k: v for k, v in sorted(labels.items()) if k not in {"counts", "absent"}},
        "accuracy": right / total,
    }


def test_the_figures_show_full_accuracy(capsys: pytest.CaptureFixture[str]) -> None:
    figures = corpus_figures()
    with capsys.disabled():
        print("\nphrase corpus:", figures)
    assert figures["accuracy"] == 1.0
