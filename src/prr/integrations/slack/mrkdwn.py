"""prr's Markdown as Slack's mrkdwn, and Slack's message markup back as plain Markdown.

Slack does not render Markdown links, `**bold**` or tables, and treats `&`, `<` and `>` as
control characters; code spans and blocks are the same in both and are left as they are.
"""

from __future__ import annotations

import re

from prr.integrations.chat.mentions import without_broadcasts

_CODE = re.compile(r"(```.*?```|`[^`\n]*`)", re.DOTALL)
_LINK = re.compile(r"\[([^\]\n]+)\]\((https?://[^\s)]+)\)")
_BOLD = re.compile(r"\*\*(.+?)\*\*|__(.+?)__")
_STRIKE = re.compile(r"~~(.+?)~~")
_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*$")
_BULLET = re.compile(r"^(\s*)[-*+]\s+")
_TABLE_RULE = re.compile(r"^:?-+:?$")

# Slack → Markdown: <@U123|name>, <#C123|name>, <!here>, <https://…|label>, <https://…>
_SLACK_REF = re.compile(r"<([@#!]?)([^<>|\s]+)(?:\|([^<>]*))?>")


def to_mrkdwn(markdown: str) -> str:
    lines: list[str] = []
    table: list[list[str]] = []
    fenced = False
    for line in markdown.split("\n"):
        if line.lstrip().startswith("```"):
            fenced = not fenced if line.count("```") % 2 else fenced
        if not fenced and line.lstrip().startswith("|"):
            table.append(_cells(line))
            continue
        if table:
            lines.extend(_table_as_list(table))
            table = []
        lines.append(line if fenced or line.lstrip().startswith("```") else _block(line))
    lines.extend(_table_as_list(table))
    parts = _CODE.split("\n".join(lines))
    # split() with one group: even indexes are prose, odd ones code kept as it is.
    return "".join(_inline(part) if i % 2 == 0 else _escape(part) for i, part in enumerate(parts))


def _block(line: str) -> str:
    heading = _HEADING.match(line)
    if heading:
        return f"**{heading.group(1)}**"
    return _BULLET.sub(r"\1• ", line)


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def _table_as_list(rows: list[list[str]]) -> list[str]:
    # The row above the |---| rule is the header: a list needs no header.
    rule = next((i for i, row in enumerate(rows) if all(_TABLE_RULE.match(c) for c in row)), None)
    body = rows[rule + 1 :] if rule is not None else rows
    return ["• " + " — ".join(cell for cell in row if cell) for row in body]


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _inline(text: str) -> str:
    # Escaped first: `<!channel>` in user text becomes visible text, not Slack's markup.
    text = without_broadcasts(_escape(text))
    text = _LINK.sub(lambda m: f"<{m.group(2)}|{m.group(1).replace('|', '/')}>", text)
    text = _BOLD.sub(lambda m: f"*{m.group(1) or m.group(2)}*", text)
    return _STRIKE.sub(r"~\1~", text)


def to_markdown(mrkdwn: str) -> str:
    """A Slack message's text as prr stores it: links and mentions readable, no entities."""

    def readable(match: re.Match[str]) -> str:
        sigil, target, label = match.group(1), match.group(2), match.group(3)
        if sigil == "@":
            return f"@{label or target}"
        if sigil == "#":
            return f"#{label or target}"
        if sigil == "!":  # <!here>, <!channel>, <!subteam^S123|@sre>
            name = label or target.split("^")[0]
            return name if name.startswith("@") else f"@{name}"
        return f"[{label}]({target})" if label else target

    text = _SLACK_REF.sub(readable, mrkdwn)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
