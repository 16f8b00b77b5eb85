"""A playbook file whose aliases expand it to a huge document ("billion laughs") is refused
quickly, with a message naming the problem; a few aliases still work."""

from __future__ import annotations

import time
import tracemalloc

import pytest

from prr.errors import InvalidInput
from prr.playbooks.yaml_format import parse_spec
from tests.conftest import SMALL_PLAYBOOK


def billion_laughs() -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in "bcdefghi":
        previous = chr(ord(level) - 1)
        lines.append(f"{level}: &{level} [" + ",".join([f"*{previous}"] * 9) + "]")
    return "slug: laughs\ntitle: Laughs\n" + "\n".join(lines) + "\nsections: *i\n"


def test_a_billion_laughs_file_is_refused_within_a_second_and_100_mb() -> None:
    text = billion_laughs()
    assert len(text.encode()) < 10_000
    tracemalloc.start()
    started = time.monotonic()
    with pytest.raises(InvalidInput, match=r"expands to more than 100,000 values through its"):
        parse_spec(text)
    elapsed = time.monotonic() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert elapsed < 1.0
    assert peak < 100_000_000


def test_an_alias_inside_itself_is_refused() -> None:
    with pytest.raises(InvalidInput, match="an alias refers to a value that contains it"):
        parse_spec("slug: loop\ntitle: Loop\nsections: &s [*s]\n")


def test_deep_nesting_is_refused_with_a_message() -> None:
    with pytest.raises(InvalidInput, match="nested too deeply"):
        parse_spec("slug: deep\nsections: " + "[" * 5_000 + "]" * 5_000 + "\n")


def test_a_nul_character_is_refused_with_its_line() -> None:
    with pytest.raises(InvalidInput, match=r"NUL character \(\\x00\) on line 2"):
        parse_spec("slug: x\ntitle: a\x00b\n")


def test_a_playbook_using_a_few_aliases_still_imports() -> None:
    text = SMALL_PLAYBOOK.replace(
        "kinds: [service, feature, infrastructure]",
        "kinds: &all [service, feature, infrastructure]",
    ).replace("kinds: [service]", "kinds: *all")
    assert "*all" in text
    spec = parse_spec(text)
    load_test = next(i for c in spec.checklists for i in c.items if i.key == "load-test")
    assert list(load_test.kinds or []) == ["service", "feature", "infrastructure"]
