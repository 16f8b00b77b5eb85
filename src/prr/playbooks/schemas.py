"""One representation of a playbook and of one of its versions: the REST API's and `prr
playbook list --json`'s."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Max, OuterRef, QuerySet, Subquery
from ninja import Field, Schema

from prr.playbooks.models import Playbook, PlaybookVersion
from prr.representation import Timestamp


class PlaybookOut(Schema):
    slug: str = Field(examples=["prr"])
    title: str
    latest_version: int | None
    versions: int
    kinds: list[str] = Field(
        description="Kinds of review its latest version offers.", examples=[["service"]]
    )

    @classmethod
    def list_of(cls, playbooks: QuerySet[Playbook] | None = None) -> list[PlaybookOut]:
        """Every playbook (or those given), with its latest version's kinds: two queries."""
        found = list(
            (Playbook.objects.all() if playbooks is None else playbooks)
            .annotate(latest=Max("versions__number"), count=Count("versions"))
            .order_by("slug")
        )
        newest = PlaybookVersion.objects.filter(playbook=OuterRef("playbook")).order_by("-number")
        latest = {
            v.playbook_id: v
            for v in PlaybookVersion.objects.filter(
                playbook__in=found, number=Subquery(newest.values("number")[:1])
            )
        }
        return [
            cls(
                slug=p.slug,
                title=p.title,
                latest_version=p.latest,
                versions=p.count,
                kinds=list(latest[p.pk].spec.kinds) if p.pk in latest else [],
            )
            for p in found
        ]


class PlaybookVersionOut(Schema):
    slug: str
    version: int
    digest: str
    created_at: Timestamp
    created_by: str | None
    spec: dict[str, Any] = Field(description="The validated playbook (see README, Playbooks).")

    @classmethod
    def of(cls, version: PlaybookVersion) -> PlaybookVersionOut:
        return cls(
            slug=version.playbook.slug,
            version=version.number,
            digest=version.digest,
            created_at=version.created_at,
            created_by=version.created_by.username if version.created_by else None,
            spec=version.spec_json,
        )
