"""A playbook's review sections in Mattermost's run summary template, both ways.

A Mattermost playbook has no place for review sections, so `run_summary_template` writes each
one into the run summary template as a `###` heading, its description, its questions as
bullets and a `prr: section `KEY`` line that ends it; `read_sections` reads them back, and
finds none in a template prr did not write.
"""

from __future__ import annotations

import re
from typing import Any

from prr.errors import InvalidInput
from prr.playbooks.spec import PlaybookSpec

SECTION_PREFIX = "prr: section "
_SECTION_LINE = re.compile(r"^prr: section `([a-z0-9][a-z0-9-]*)`[ \t]*$", re.MULTILINE)


def run_summary_template(spec: PlaybookSpec) -> str:
    """A `###` heading per section, its description, its questions as bullets, and a line with
    its key, which ends the section when prr reads the template back (see `read_sections`)."""
    blocks = []
    for section in spec.sections:
        lines = [f"### {section.title}"]
        if section.description:
            lines += ["", section.description]
        lines += [""] + [f"- {question}" for question in section.questions]
        lines += ["", f"{SECTION_PREFIX}`{section.key}`"]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def read_sections(template: str, notices: list[str]) -> list[dict[str, Any]]:
    """The review sections prr wrote into the run summary template (see
    `run_summary_template`); none from a template prr did not write."""
    pieces = _SECTION_LINE.split(template.replace("\r\n", "\n"))
    sections, problems = [], []
    for block, key in zip(pieces[0:-1:2], pieces[1::2], strict=True):
        where = f"run_summary_template, section `{key}`"
        paragraphs = [p.strip("\n") for p in re.split(r"\n[ \t]*\n", block.strip()) if p.strip()]
        heading = paragraphs[0] if paragraphs else ""
        questions = paragraphs[-1].splitlines() if len(paragraphs) > 1 else []
        if not heading.startswith("### ") or "\n" in heading:
            problems.append(f"{where}: expected its title on a `### ` line first")
        elif not questions or not all(line.startswith("- ") for line in questions):
            problems.append(
                f"{where}: expected its questions, one `- ` line each, just before "
                f"`{SECTION_PREFIX}`{key}``"
            )
        else:
            sections.append(
                {
                    "key": key,
                    "title": heading.removeprefix("### "),
                    "description": "\n\n".join(paragraphs[1:-1]),
                    "questions": [line.removeprefix("- ") for line in questions],
                }
            )
    if problems:
        raise InvalidInput(
            "The Mattermost playbook's run summary template cannot become review sections:\n"
            + "\n".join(f"  {line}" for line in problems),
            details=problems,
        )
    if sections and pieces[-1].strip():
        lines = len(pieces[-1].strip().splitlines())
        notices.append(
            f"Not imported: {lines} line{'s' if lines != 1 else ''} of the run summary template "
            "after its last section."
        )
    return sections
