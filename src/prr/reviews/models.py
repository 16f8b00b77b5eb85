from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower

from prr.playbooks.models import PlaybookVersion
from prr.playbooks.spec import Section
from prr.teams.models import Team

USER = settings.AUTH_USER_MODEL


class Review(models.Model):
    """One Production Readiness Review (`PRR-42`)."""

    class Status(models.TextChoices):
        OPEN = "open"
        CLOSED = "closed"
        CANCELLED = "cancelled"

    number = models.PositiveIntegerField(unique=True)
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=32)
    playbook_version = models.ForeignKey(
        PlaybookVersion, on_delete=models.PROTECT, related_name="reviews"
    )
    dri = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="reviews_as_dri")
    previous = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rereviews",
        help_text="The closed review this one re-reviews (prr review restart).",
    )
    rereview_requested_at = models.DateTimeField(
        null=True, blank=True, help_text="When an admin asked for a re-review of this review."
    )
    reviewer_teams = models.ManyToManyField(Team, blank=True, related_name="reviews")
    reviewers: models.ManyToManyField[Any, Any] = models.ManyToManyField(
        USER, blank=True, related_name="reviews_as_reviewer"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-number"]
        indexes = [models.Index(fields=["status", "-number"])]
        constraints = [
            # The title rule, also for two reviews started at the same moment.
            models.UniqueConstraint(
                Lower("title"), condition=models.Q(status="open"), name="one_open_review_per_title"
            )
        ]

    def __str__(self) -> str:
        return f"{self.ref} {self.title}"

    @property
    def ref(self) -> str:
        return f"PRR-{self.number}"

    @property
    def document_sections(self) -> list[Section]:
        """The sections of this review's document: the playbook's, for the review's kind."""
        return self.playbook_version.spec.sections_for(self.kind)

    @property
    def path(self) -> str:
        """The review page, within prr."""
        return f"/reviews/{self.number}/"

    @property
    def absolute_url(self) -> str:
        """The review page, for links that leave prr (chat, email, webhooks)."""
        return f"{settings.BASE_URL}{self.path}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class ReviewItem(models.Model):
    """A checklist item, copied from the pinned playbook version when the review started."""

    class State(models.TextChoices):
        OPEN = "open"
        DONE = "done"
        NA = "n/a"
        WAIVED = "waived"

    class Via(models.TextChoices):
        MANUAL = "manual"
        MESSAGE = "message"
        API = "api"
        CHECK = "check"

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField()
    checklist = models.CharField(max_length=300)
    key = models.CharField(max_length=64)
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    owner_team = models.ForeignKey(
        Team,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Empty: the item belongs to the DRI.",
    )
    required = models.BooleanField(default=True)
    allow_na = models.BooleanField(default=False)
    due_at = models.DateTimeField(null=True, blank=True)
    assignee = models.ForeignKey(
        USER,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_items",
        help_text="The person working on it, who sees it as theirs and gets its reminders.",
    )
    state = models.CharField(max_length=8, choices=State.choices, default=State.OPEN)
    na_reason = models.TextField(blank=True)
    changed_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(null=True, blank=True)
    changed_via = models.CharField(max_length=16, choices=Via.choices, blank=True)
    changed_by_message = models.ForeignKey(
        "Message", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["review", "position"]
        constraints = [models.UniqueConstraint(fields=["review", "key"], name="one_item_per_key")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_complete(self) -> bool:
        return self.state != self.State.OPEN

    @property
    def owner_label(self) -> str:
        return self.owner_team.slug if self.owner_team_id and self.owner_team else "dri"


class TaskAction(models.Model):
    """When a current member of `team` posts one of `phrases`, the item becomes `then`."""

    class Then(models.TextChoices):
        DONE = "done"
        REOPEN = "reopen"

    item = models.ForeignKey(ReviewItem, on_delete=models.CASCADE, related_name="task_actions")
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="+")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="+")
    phrases = models.JSONField()
    then = models.CharField(max_length=8, choices=Then.choices)

    def __str__(self) -> str:
        return f"{self.item}: {self.then} on {self.phrases}"


class Answer(models.Model):
    """The DRI's current answer to one section of the review document."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="answers")
    section_key = models.CharField(max_length=64)
    body = models.TextField()
    updated_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["review", "section_key"], name="one_answer_per_section")
        ]

    def __str__(self) -> str:
        return f"{self.review.ref} {self.section_key}"


class AnswerRevision(models.Model):
    """Every text an answer has had, newest last."""

    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="revisions")
    body = models.TextField()
    author = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["answer", "created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.answer} at {self.created_at:%Y-%m-%d %H:%M}"


class Message(models.Model):
    """A post in the review's channel; system replies have no author."""

    class Source(models.TextChoices):
        WEB = "web"
        CLI = "cli"
        API = "api"
        MATTERMOST = "mattermost"
        SLACK = "slack"
        SYSTEM = "system"

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT)
    body = models.TextField()
    source = models.CharField(max_length=16, choices=Source.choices)
    # NULL, not "": messages without an id stay out of the unique constraint below.
    external_id = models.CharField(max_length=200, null=True, blank=True)  # noqa: DJ001
    in_reply_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replies"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["review", "created_at", "pk"]
        constraints = [
            # Per source: an id given through the API must not pre-empt a later chat post with
            # the same id, since each platform numbers its posts on its own.
            models.UniqueConstraint(
                fields=["review", "source", "external_id"],
                condition=models.Q(external_id__isnull=False),
                name="one_message_per_source_external_id",
            )
        ]

    def __str__(self) -> str:
        return f"#{self.pk} on {self.review_id}"

    @property
    def is_system(self) -> bool:
        return self.author_id is None


class TimelineKind(models.TextChoices):
    """What a timeline event records; the one vocabulary of the audit trail."""

    ANSWER_UPDATED = "answer.updated"
    CHAT_LINKED = "chat.linked"
    CHAT_UNLINKED = "chat.unlinked"
    FOLLOW_UP_DONE = "follow_up.done"
    FOLLOW_UP_RAISED = "follow_up.raised"
    ITEM_ASSIGNED = "item.assigned"
    ITEM_CHANGED = "item.changed"
    ITEM_WAIVED = "item.waived"
    MESSAGE_EDITED = "message.edited"
    REVIEW_CANCELLED = "review.cancelled"
    REVIEW_CLOSED = "review.closed"
    REVIEW_REOPENED = "review.reopened"
    REVIEW_REREVIEW_REQUESTED = "review.rereview_requested"
    REVIEW_REREVIEWED = "review.rereviewed"
    REVIEW_RESTARTED = "review.restarted"
    REVIEW_STARTED = "review.started"
    REVIEWERS_ADDED = "reviewers.added"
    TASK_ACTION_REFUSED = "task_action.refused"
    WAIVER_EXPIRED = "waiver.expired"


class TimelineEvent(models.Model):
    """Append-only audit trail of a review."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="timeline")
    kind = models.CharField(max_length=40, choices=TimelineKind.choices)
    actor = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT)
    item = models.ForeignKey(
        ReviewItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    message = models.ForeignKey(
        Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    summary = models.TextField()
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["review", "created_at", "pk"]

    def __str__(self) -> str:
        return self.summary


class OwnedByPersonOrTeam(models.Model):
    """Who answers for something: a person or a team (waivers, follow-ups)."""

    owner_user = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    owner_team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        abstract = True

    @property
    def owner_label(self) -> str:
        if self.owner_team_id is not None:
            return f"team {self.owner_team.name}" if self.owner_team else "a team"
        return f"@{self.owner_user.username}" if self.owner_user else "nobody"


class Waiver(OwnedByPersonOrTeam):
    """An exception granted for an item: complete for closing until `expires_on`, with a reason
    and an owner (a person or a team) who answers for it. Ended by its expiry (`expired_at`)
    or by the item changing again (`lifted_at`); kept either way, as the record."""

    item = models.ForeignKey(ReviewItem, on_delete=models.CASCADE, related_name="waivers")
    reason = models.TextField()
    expires_on = models.DateField(help_text="The waiver holds to the end of this day (UTC).")
    granted_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    granted_at = models.DateTimeField(auto_now_add=True)
    expired_at = models.DateTimeField(null=True, blank=True)
    lifted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["expires_on", "pk"]
        indexes = [models.Index(fields=["expired_at", "lifted_at", "expires_on"])]

    def __str__(self) -> str:
        return f"waiver of item #{self.item_id} until {self.expires_on:%Y-%m-%d}"

    @property
    def is_active(self) -> bool:
        return self.expired_at is None and self.lifted_at is None


class Snapshot(models.Model):
    """The review as it was when closed: never edited afterwards."""

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="snapshots")
    version = models.PositiveIntegerField()
    content = models.JSONField()
    markdown = models.TextField()
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["review", "version"]
        constraints = [
            models.UniqueConstraint(fields=["review", "version"], name="one_snapshot_per_version")
        ]

    def __str__(self) -> str:
        return f"snapshot v{self.version} of review #{self.review_id}"


class FollowUp(OwnedByPersonOrTeam):
    """Work a reviewer asks for that need not hold the review: it has an owner (a person or a
    team), maybe a due date and a link to an issue tracker, and survives the close until done."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="follow_ups")
    number = models.PositiveIntegerField(help_text="1, 2, … within the review.")
    text = models.TextField()
    due_on = models.DateField(null=True, blank=True)
    link = models.URLField(max_length=2000, blank=True)
    raised_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    raised_by_team = models.ForeignKey(
        Team,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The reviewer team it was raised for: its approval is 'with follow-ups'.",
    )
    raised_at = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["review", "number"]
        constraints = [
            models.UniqueConstraint(fields=["review", "number"], name="one_number_per_follow_up")
        ]
        indexes = [models.Index(fields=["done_at", "due_on"])]

    def __str__(self) -> str:
        return f"follow-up {self.number} of review #{self.review_id}"
