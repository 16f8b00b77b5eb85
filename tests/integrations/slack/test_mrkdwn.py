"""What prr writes in Markdown reads right in Slack, and what Slack sends reads right in prr."""

from __future__ import annotations

from prr.integrations.chat.commands import HELP
from prr.integrations.slack.mrkdwn import to_markdown, to_mrkdwn


def test_links_become_slack_links():
    assert to_mrkdwn("See [PRR-3 Payments](https://prr.example.com/reviews/3/).") == (
        "See <https://prr.example.com/reviews/3/|PRR-3 Payments>."
    )


def test_bold_headings_bullets_and_strikethrough_use_slacks_marks():
    assert to_mrkdwn("## Status\n**PRR-3** is ~~open~~ closed\n- one\n  * two") == (
        "*Status*\n*PRR-3* is ~open~ closed\n• one\n  • two"
    )


def test_code_is_kept_as_it_is():
    text = "Write `**SRE review** is completed` or:\n```\n| a | b |\n- [x](https://x.y)\n```"
    assert to_mrkdwn(text) == text


def test_slacks_control_characters_are_escaped_even_in_code():
    assert to_mrkdwn("a < b & c > d `x<y>`") == "a &lt; b &amp; c &gt; d `x&lt;y&gt;`"


def test_the_help_table_becomes_a_list():
    lines = to_mrkdwn(HELP).splitlines()
    assert "• `/prr status` — what the linked review has done and what it waits on" in lines
    assert not any("|" in line or "---" in line or "what it does" in line for line in lines)


def test_slack_markup_becomes_readable_markdown():
    assert to_markdown(
        "<@U0SAM> <@U0SID|sid> in <#C0PAY|payments>, <!here> <!subteam^S0SRE|@sre>: "
        "<https://grafana.example.com/d/1?a=1&amp;b=2|the dashboard>, <https://x.example> "
        "&lt;3 &amp; SRE review is completed"
    ) == (
        "@U0SAM @sid in #payments, @here @sre: "
        "[the dashboard](https://grafana.example.com/d/1?a=1&b=2), https://x.example "
        "<3 & SRE review is completed"
    )
