"""Forms of the web UI: they parse what was typed; the services decide what is allowed."""

from __future__ import annotations

from typing import Any

from django import forms

from prr.playbooks.models import PlaybookVersion
from prr.playbooks.spec import KINDS
from prr.reviews.models import Review

STATUS_CHOICES = [(s, s.capitalize()) for s in (*Review.Status.values, "all")]
KIND_CHOICES = [("", "Any kind"), *((k, k.capitalize()) for k in KINDS)]

TITLE_RULE = (
    "At least 3 words and 15 characters that say what is being launched, not just the "
    "playbook's title, and not the title of another open review."
)


class DashboardFilter(forms.Form):
    status = forms.ChoiceField(choices=STATUS_CHOICES, required=False, label="Status")
    kind = forms.ChoiceField(choices=KIND_CHOICES, required=False, label="Kind")
    waiting = forms.BooleanField(required=False, label="Waiting on my teams")
    mine = forms.BooleanField(required=False, label="Mine as DRI")
    q = forms.CharField(required=False, max_length=200, label="Search titles")


def latest_versions() -> list[PlaybookVersion]:
    """The latest version of every playbook (one query)."""
    latest: dict[int, PlaybookVersion] = {}
    for version in PlaybookVersion.objects.select_related("playbook").order_by(
        "playbook__slug", "-number"
    ):
        latest.setdefault(version.playbook_id, version)
    return list(latest.values())


class StartReviewForm(forms.Form):
    playbook = forms.TypedChoiceField(coerce=int, label="Playbook")
    kind = forms.ChoiceField(choices=[(k, k.capitalize()) for k in KINDS], label="Kind")
    title = forms.CharField(max_length=200, label="Title", help_text=TITLE_RULE)
    dri = forms.CharField(
        max_length=150,
        label="DRI",
        help_text="You, unless you are an admin starting it for someone.",
    )
    reviewers = forms.CharField(
        required=False,
        max_length=2000,
        label="Reviewers",
        help_text="Optional: usernames separated by spaces or commas, e.g. alice bob.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.versions = {v.pk: v for v in latest_versions()}
        field = self.fields["playbook"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [
            (pk, f"{v.playbook.title} ({v.playbook.slug} v{v.number})")
            for pk, v in self.versions.items()
        ]

    def reviewer_names(self) -> list[str]:
        text: str = self.cleaned_data.get("reviewers") or ""
        return [name for name in text.replace(",", " ").split() if name]


class UploadPlaybookForm(forms.Form):
    file = forms.FileField(label="Playbook file", help_text="A YAML (or JSON) playbook.")


class AddMemberForm(forms.Form):
    username = forms.CharField(max_length=150, label="Username")


class LinkTeamForm(forms.Form):
    source = forms.ChoiceField(
        choices=[("scim", "SCIM"), ("ldap", "LDAP"), ("oidc", "OIDC groups claim")],
        label="Directory",
    )
    group = forms.CharField(max_length=255, label="Group id or name")


class LinkChannelForm(forms.Form):
    platform = forms.ChoiceField(
        choices=[("mattermost", "Mattermost"), ("slack", "Slack")], label="Chat"
    )
    channel_id = forms.CharField(
        max_length=100,
        label="Channel id",
        help_text="Mattermost: the channel's id (channel menu → View Info). "
        "Slack: the channel id (C0123…, at the bottom of the channel's details).",
    )
    channel_name = forms.CharField(
        max_length=200, required=False, label="Channel name", help_text="Shown in messages."
    )
    notify_url = forms.CharField(
        max_length=2000,
        required=False,
        label="Incoming webhook URL",
        help_text="Mattermost only, optional: where this review's news is posted. Empty: the "
        "server's default webhook.",
    )
