"""/api/v1/inbox: the caller's notifications, their unread count, marking them read."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from prr.api.pagination import Page, PageParams, paginate
from prr.api.reviews import caller, responses
from prr.notifications import services
from prr.notifications.models import Notification
from prr.representation import Timestamp

router = Router(tags=["inbox"])


class NotificationOut(Schema):
    id: int
    kind: str = Field(examples=["mention"], description=", ".join(Notification.Kind.values))
    text: str
    review: str | None = Field(examples=["PRR-12"], description="The review it is about.")
    url: str = Field(description="Where it points, in the web UI.")
    created_at: Timestamp
    read_at: Timestamp | None

    @classmethod
    def of(cls, n: Notification) -> NotificationOut:
        return cls(
            id=n.pk,
            kind=n.kind,
            text=n.text,
            review=n.review.ref if n.review else None,
            url=f"{settings.BASE_URL}{n.link}",
            created_at=n.created_at,
            read_at=n.read_at,
        )


class InboxPage(Page[NotificationOut]):
    unread: int = Field(description="The caller's unread notifications, on every page.")


class InboxParams(PageParams):
    unread: bool = Field(False, description="Only the unread ones.")


class MarkedOut(Schema):
    marked: int = Field(description="How many notifications were unread and are now read.")


@router.get("/inbox", response=responses(200, InboxPage), summary="My notifications")
def inbox(request: HttpRequest, params: Query[InboxParams]) -> InboxPage:
    """Newest first; `unread=true` for the unread ones only."""
    user = caller(request)
    found = services.inbox(user, unread_only=params.unread)
    page = paginate(found, params, lambda rows: [NotificationOut.of(n) for n in rows])
    return InboxPage(**dict(page), unread=services.unread_count(user))


@router.post(
    "/inbox/{notification_id}/read", response=responses(200, NotificationOut), summary="Read"
)
def read(request: HttpRequest, notification_id: int) -> NotificationOut:
    """Mark one of the caller's notifications read (again: no change)."""
    return NotificationOut.of(services.mark_read(caller(request), notification_id))


@router.post("/inbox/read-all", response=responses(200, MarkedOut), summary="Read all")
def read_all(request: HttpRequest) -> MarkedOut:
    return MarkedOut(marked=services.mark_all_read(caller(request)))
