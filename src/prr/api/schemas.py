"""Request bodies of the API, and the responses only the API gives, with examples for the
OpenAPI document. Review objects are described once, in `prr.reviews.schemas`."""

from __future__ import annotations

from typing import Literal

from ninja import Field, Schema

from prr.playbooks.schemas import PlaybookVersionOut
from prr.reviews.answers import ANSWER_MAX_CHARS
from prr.reviews.channel import MESSAGE_MAX_CHARS
from prr.reviews.services import REASON_MAX_CHARS
from prr.reviews.starting import TITLE_MAX_CHARS

Username = str


# -- people and teams -------------------------------------------------------------------------


class TeamIn(Schema):
    slug: str = Field(min_length=1, max_length=50, examples=["dba"])
    name: str = Field("", max_length=100, examples=["Databases"])


class MembersIn(Schema):
    usernames: list[Username] = Field(min_length=1, max_length=200, examples=[["sam", "paula"]])


class TokenIn(Schema):
    name: str = Field(min_length=1, max_length=100, examples=["deploy pipeline"])


# -- reviews ----------------------------------------------------------------------------------


class StartReviewIn(Schema):
    playbook: str = Field(min_length=1, max_length=64, examples=["prr"])
    version: int | None = Field(None, ge=1, description="Default: the latest version.")
    kind: str | None = Field(None, max_length=32, examples=["service"])
    title: str = Field(
        min_length=1,
        max_length=TITLE_MAX_CHARS,
        description="Self-descriptive: at least 3 words and 15 characters, unique among open "
        "reviews.",
        examples=["Payments API v2 launch in eu-west"],
    )
    dri: Username | None = Field(None, description="Default: the caller. Admins may name anyone.")
    reviewers: list[Username] = Field(default_factory=list, max_length=100)


class ReviewersIn(Schema):
    users: list[Username] = Field(default_factory=list, max_length=100)
    teams: list[str] = Field(default_factory=list, max_length=50)


class ItemStateIn(Schema):
    state: Literal["done", "open", "n/a"]
    reason: str = Field(
        "", max_length=REASON_MAX_CHARS, description="Required for n/a.", examples=[""]
    )


class AnswerIn(Schema):
    body: str = Field(
        min_length=1,
        max_length=ANSWER_MAX_CHARS,
        examples=["Dashboards: https://grafana.example.com/d/payments. Alerts page the on-call."],
    )


class MessageIn(Schema):
    body: str = Field(
        min_length=1, max_length=MESSAGE_MAX_CHARS, examples=["SRE review is completed"]
    )
    external_id: str | None = Field(
        None,
        max_length=200,
        description="Your id for this message: the same id posted twice is stored once.",
    )


class CloseIn(Schema):
    force: bool = Field(False, description="Admins only: close with required items open.")
    reason: str = Field("", max_length=REASON_MAX_CHARS, description="Required with force.")


class ReasonIn(Schema):
    reason: str = Field(min_length=1, max_length=REASON_MAX_CHARS)


# -- playbooks --------------------------------------------------------------------------------


class ImportedOut(Schema):
    created: bool = Field(description="False when the content equals the latest version.")
    playbook: PlaybookVersionOut
