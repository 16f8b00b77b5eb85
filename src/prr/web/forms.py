"""Forms of the web UI: they parse what was typed; the services decide what is allowed."""

from __future__ import annotations

from typing import Any

from django import forms

from prr.playbooks.models import PlaybookVersion
from prr.playbooks.spec import KINDS
from prr.reviews.models import Review
from prr.reviews.queries import DEFAULT_SORT
from prr.web.middleware import known_time_zones

STATUS_CHOICES = [(s, s.capitalize()) for s in (*Review.Status.values, "all")]


def kind_choices(versions: list[PlaybookVersion]) -> list[tuple[str, str]]:
    """Every kind these playbook versions define (each playbook defines its own), the default
    playbook's first."""
    ordered = sorted(versions, key=lambda v: v.playbook.slug != DEFAULT_PLAYBOOK_SLUG)
    kinds = dict.fromkeys(k for v in ordered for k in v.spec.kinds) or dict.fromkeys(KINDS)
    return [(k, k.capitalize()) for k in kinds]


# Every order `sort_reviews` knows; the column headers of the dashboard link to them too.
SORT_CHOICES = [
    ("-number", "Newest first"),
    ("number", "Oldest first"),
    ("title", "Title, A to Z"),
    ("-title", "Title, Z to A"),
    ("dri", "DRI, A to Z"),
    ("-dri", "DRI, Z to A"),
    ("age", "Age, youngest first"),
    ("-age", "Age, oldest first"),
    ("progress", "Progress, least complete first"),
    ("-progress", "Progress, most complete first"),
]
DEFAULT_PLAYBOOK_SLUG = "prr"  # the slug of playbooks/defaults/prr.yaml

TITLE_RULE = (
    "At least 3 words and 15 characters that say what is being launched, not just the "
    "playbook's title, and not the title of another open review."
)


class DashboardFilter(forms.Form):
    status = forms.ChoiceField(choices=STATUS_CHOICES, required=False, label="Status")
    kind = forms.ChoiceField(choices=[], required=False, label="Kind")
    waiting = forms.BooleanField(required=False, label="Waiting on my teams")
    mine = forms.BooleanField(required=False, label="Mine as DRI")
    q = forms.CharField(
        required=False,
        max_length=200,
        label="Search",
        help_text="PRR-2, @dri, or words in titles and answers.",
        widget=forms.SearchInput,
    )
    sort = forms.ChoiceField(choices=SORT_CHOICES, required=False, label="Sort")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["kind"]
        assert isinstance(field, forms.ChoiceField)
        # The kinds reviews have (each playbook defines its own): one query on a column, not
        # the playbooks' specs, so the dashboard's cost stays flat.
        kinds = Review.objects.order_by("kind").values_list("kind", flat=True).distinct()
        field.choices = [("", "Any kind"), *((k, k.capitalize()) for k in kinds)]

    def clean_sort(self) -> str:
        return str(self.cleaned_data.get("sort") or DEFAULT_SORT)


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
    kind = forms.ChoiceField(choices=[], label="Kind")
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
        default = next(
            (pk for pk, v in self.versions.items() if v.playbook.slug == DEFAULT_PLAYBOOK_SLUG),
            None,
        )
        if default is not None and not self.is_bound:
            self.initial.setdefault("playbook", default)
        kind = self.fields["kind"]
        assert isinstance(kind, forms.ChoiceField)
        kind.choices = kind_choices(list(self.versions.values()))
        kind.help_text = "Each playbook has its own kinds: " + "; ".join(
            f"{v.playbook.slug}: {', '.join(v.spec.kinds)}" for v in self.versions.values()
        )

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


class TimeZoneForm(forms.Form):
    """The zone the user reads times in: one of the system's IANA zones, or the browser's."""

    time_zone = forms.ChoiceField(
        required=False,
        label="Show times in",
        help_text="Pages show times in this zone and name it at their foot. Browser's: the "
        "zone your browser reports, wherever you are.",
    )

    def __init__(self, *args: Any, detected: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["time_zone"]
        assert isinstance(field, forms.ChoiceField)
        browsers = (
            f"Browser's (detected: {detected})" if detected else "Browser's (not detected yet)"
        )
        field.choices = [("", browsers), *((name, name) for name in sorted(known_time_zones()))]
