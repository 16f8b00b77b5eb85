"""Which team owns each imported item. Mattermost binds a task action to user ids; prr binds it
to a team. So the owner of every item a keyword completes is given with `--owner "ITEM
TITLE=TEAM"` (`apply_owner_options`), noted by prr when it exported the playbook, or named by
the keyword itself ("SRE review is completed" names team `sre`; `resolve_owner`). Whatever is
left is refused in one message that lists every item to map (`refusal`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from prr.errors import InvalidInput
from prr.integrations.mattermost.playbooks.drafts import Draft
from prr.playbooks.spec import DRI


def apply_owner_options(
    drafts: list[Draft], owners: Mapping[str, str], teams: Mapping[str, str]
) -> list[str]:
    problems = []
    by_title: dict[str, list[Draft]] = {}
    for draft in drafts:
        by_title.setdefault(draft.title.casefold(), []).append(draft)
    team_slugs = {slug.casefold(): slug for slug in teams}
    team_slugs.update({name.casefold(): slug for slug, name in teams.items()})
    for title, team in owners.items():
        option = _owner_option(title, team)
        matched = by_title.get(title.strip().casefold())
        owner = DRI if team.strip().casefold() == DRI else team_slugs.get(team.strip().casefold())
        if not matched:
            problems.append(f'{option}: the playbook has no item titled "{title.strip()}".')
        elif owner is None:
            problems.append(f"{option}: no team '{team.strip()}' (teams: {_team_list(teams)}).")
        else:
            for draft in matched:
                draft.owner = owner
                if owner == DRI:
                    draft.keywords = []  # the DRI ticks it by hand: no phrase completes it
    return problems


def resolve_owner(draft: Draft, teams: Mapping[str, str]) -> None:
    noted = draft.note.owner if draft.note else None
    if not draft.keywords:
        draft.owner = noted if noted in teams else DRI
        return
    if noted in teams:
        draft.owner = noted
        return
    named = sorted({slug for keyword in draft.keywords for slug in _teams_named(keyword, teams)})
    if len(named) == 1:
        draft.owner = named[0]
    draft.named = named


def _teams_named(phrase: str, teams: Mapping[str, str]) -> set[str]:
    """Teams whose slug or name is a whole word (or words) of the phrase, ignoring case."""
    folded = phrase.casefold()
    return {
        slug
        for slug, name in teams.items()
        for label in (slug, name)
        if label.strip()
        and re.search(rf"(?<![\w-]){re.escape(label.strip().casefold())}(?![\w-])", folded)
    }


def refusal(problems: list[str], unmapped: list[Draft], teams: Mapping[str, str]) -> InvalidInput:
    lines = list(problems)
    if unmapped:
        count = f"{len(unmapped)} item{'s' if len(unmapped) != 1 else ''}"
        lines.append(
            f"{count} of the Mattermost playbook {'are' if len(unmapped) != 1 else 'is'} "
            "completed by keywords, and prr cannot tell which team approves "
            f"{'them' if len(unmapped) != 1 else 'it'}: Mattermost binds keywords to users, "
            f"prr to a team. Map each item with --owner (teams: {_team_list(teams)}; "
            "or dri, to make it the DRI's and drop its keywords):"
        )
        for draft in unmapped:
            keywords = ", ".join(f'"{keyword}"' for keyword in draft.keywords)
            why = f"; names several teams: {', '.join(draft.named)}" if draft.named else ""
            lines.append(
                f"  {_owner_option(draft.title, 'TEAM')}   ({draft.checklist}; "
                f"keywords {keywords}{why})"
            )
    details = [
        {
            "item": draft.title,
            "keywords": draft.keywords,
            "option": _owner_option(draft.title, "TEAM"),
        }
        for draft in unmapped
    ]
    return InvalidInput("\n".join(lines), details={"problems": problems, "unmapped": details})


def _owner_option(title: str, team: str) -> str:
    """`--owner "TITLE=TEAM"`, quoted so that a shell passes it through unchanged."""
    quoted = re.sub(r'([\\"$`])', r"\\\1", f"{title.strip()}={team}")
    return f'--owner "{quoted}"'


def _team_list(teams: Mapping[str, str]) -> str:
    return ", ".join(sorted(teams)) or "none yet; add one with `prr team add`"
