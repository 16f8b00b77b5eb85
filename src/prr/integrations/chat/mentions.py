"""Broadcast mentions in what prr posts to chat are written so that they notify nobody.

User text reaches chat through prr (a reason, a title, a message quoted in a reply): an
`@channel` there must not page a whole channel in prr's name. A zero-width joiner after the
`@` keeps the word readable and breaks the mention on Mattermost (@channel, @all, @here) and
Slack (@channel, @here, @everyone; its `<!channel>` markup is escaped by `slack.mrkdwn`).
Mentions of people (`@dana`) are left as they are.
"""

from __future__ import annotations

import re

ZERO_WIDTH_JOINER = "\u200d"
_BROADCAST = re.compile(r"(?<![\w@])@(channel|all|here|everyone)(?![\w-])", re.IGNORECASE)


def without_broadcasts(text: str) -> str:
    return _BROADCAST.sub(lambda m: f"@{ZERO_WIDTH_JOINER}{m.group(1)}", text)
