"""Linking chat channels to reviews and chat accounts to people: the rules, once for every face."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction

from prr.accounts.models import User
from prr.accounts.services import ensure_admin, ensure_can_act
from prr.errors import InvalidInput, NotFound, PermissionDenied, RuleViolation
from prr.integrations.chat.models import ChannelLink, ChatIdentity, Platform
from prr.integrations.webhooks.validation import validate_url
from prr.playbooks.services import get_playbook, get_version
from prr.reviews.models import Review, TimelineKind
from prr.reviews.services import is_dri_or_admin, lock_review, record
from prr.reviews.starting import start_review

CHAT_ID_MAX_CHARS = 100


def clean_platform(platform: str) -> str:
    if platform not in Platform.values:
        raise InvalidInput(f"Unknown chat '{platform}' (known: {', '.join(Platform.values)}).")
    return platform


def clean_chat_id(value: str, what: str) -> str:
    value = (value or "").strip()
    if not value:
        raise InvalidInput(f"The {what} is empty.")
    if len(value) > CHAT_ID_MAX_CHARS or any(c.isspace() for c in value):
        raise InvalidInput(f"'{value[:40]}' is not a valid {what}.")
    return value


def platform_name(platform: str) -> str:
    return str(Platform(platform).label)


def may_link(user: User, review: Review) -> bool:
    """The DRI or an admin links and unlinks a review's channels (faces show forms by it)."""
    return user.is_active and is_dri_or_admin(user, review)


def ensure_may_link(review: Review, by: User | None, doing: str) -> None:
    """`may_link`, with the reason; `by=None` is the operator at the command line."""
    if by is None:
        return
    ensure_can_act(by)
    if not may_link(by, review):
        raise PermissionDenied(
            f"Only the DRI (@{review.dri.username}) or an admin can {doing} {review.ref}."
        )


def link_channel(
    review: Review,
    *,
    platform: str,
    channel_id: str,
    by: User | None,
    channel_name: str = "",
    team_id: str = "",
    notify_url: str = "",
) -> ChannelLink:
    """Send a channel's messages to `review`, and post the review's news there."""
    platform = clean_platform(platform)
    channel_id = clean_chat_id(channel_id, "channel id")
    notify_url = validate_url(notify_url) if notify_url.strip() else ""
    ensure_may_link(review, by, "link a channel to")
    chat = platform_name(platform)
    with transaction.atomic():
        review = lock_review(review)
        if not review.is_open:
            raise RuleViolation(
                f"{review.ref} is {review.status}; only an open review can be linked to a channel."
            )
        taken = ChannelLink.objects.filter(platform=platform, channel_id=channel_id).first()
        if taken is not None and taken.review_id != review.pk:
            other = Review.objects.get(pk=taken.review_id)
            raise RuleViolation(
                f"This {chat} channel is already linked to {other.ref}; unlink it there first "
                "(`/prr unlink` in the channel)."
            )
        current = ChannelLink.objects.filter(review=review, platform=platform).first()
        if current is not None and current.channel_id != channel_id:
            raise RuleViolation(
                f"{review.ref} is already linked to {chat} channel {current.label}; "
                "unlink it first."
            )
        link = current or ChannelLink(review=review, platform=platform, channel_id=channel_id)
        link.channel_name = channel_name.strip()[:200] or link.channel_name
        link.team_id = team_id.strip()[:100] or link.team_id
        link.notify_url = notify_url or link.notify_url
        if current is None:
            link.created_by = by
        try:
            with transaction.atomic():
                link.save()
        except IntegrityError:
            raise RuleViolation(
                f"This {chat} channel was linked by someone else at the same moment; try again."
            ) from None
        if current is None:
            record(
                review,
                TimelineKind.CHAT_LINKED,
                f"{_who(by)} linked {chat} channel {link.label} to {review.ref}",
                actor=by,
                platform=platform,
                channel_id=channel_id,
            )
    return link


@dataclass(frozen=True)
class ChatChannel:
    """A chat channel as its platform described it, and what the platform can do there."""

    platform: str
    channel_id: str
    channel_name: str = ""
    team_id: str = ""
    # Why prr would never hear this channel's messages, or None; asked only before linking it.
    unheard: Callable[[], str | None] | None = None
    # Gives a review started here a channel of its own instead of this one (a bot that creates
    # channels), when the platform has one. Called in the start's transaction: it only queues.
    open_review_channel: Callable[[Review], None] | None = None


def ensure_channel_heard(channel: ChatChannel) -> None:
    """Refuse to link a channel whose messages the chat never sends prr."""
    reason = channel.unheard() if channel.unheard else None
    if reason:
        raise RuleViolation(reason)


@dataclass(frozen=True)
class StartedReview:
    review: Review
    opening_channel: bool  # True: its own channel is being opened; False: it is linked here


def start_review_in_channel(
    author: User, *, playbook: str, kind: str, title: str, channel: ChatChannel
) -> StartedReview:
    """Start a review of the latest version of `playbook` with `author` as DRI, tied to the
    chat: its own channel opened by the platform when it can, else `channel` linked to it.
    All or nothing: when the channel cannot be linked, no review is left started."""
    version = get_version(get_playbook(playbook))
    opener = channel.open_review_channel
    if opener is None:
        ensure_channel_heard(channel)
    with transaction.atomic():
        review = start_review(version=version, title=title, dri=author, kind=kind, by=author)
        if opener is None:
            link_channel(
                review,
                platform=channel.platform,
                channel_id=channel.channel_id,
                channel_name=channel.channel_name,
                team_id=channel.team_id,
                by=author,
            )
        else:
            opener(review)
    return StartedReview(review, opening_channel=opener is not None)


def unlink_channel(review: Review, *, platform: str, by: User | None) -> ChannelLink:
    """Stop sending a channel's messages to `review`; returns the link that was removed."""
    platform = clean_platform(platform)
    ensure_may_link(review, by, "unlink a channel from")
    chat = platform_name(platform)
    with transaction.atomic():
        review = lock_review(review)
        link = ChannelLink.objects.filter(review=review, platform=platform).first()
        if link is None:
            raise RuleViolation(f"{review.ref} has no {chat} channel linked.")
        link.delete()
        record(
            review,
            TimelineKind.CHAT_UNLINKED,
            f"{_who(by)} unlinked {chat} channel {link.label} from {review.ref}",
            actor=by,
            platform=platform,
            channel_id=link.channel_id,
        )
    return link


def linked_review(platform: str, channel_id: str) -> Review | None:
    link = (
        ChannelLink.objects.select_related("review", "review__dri")
        .filter(platform=platform, channel_id=channel_id)
        .first()
    )
    return link.review if link else None


def link_user(user: User, *, platform: str, external_id: str, by: User | None) -> ChatIdentity:
    """Let a chat account speak as `user` (an admin's or the operator's decision)."""
    platform = clean_platform(platform)
    external_id = clean_chat_id(external_id, f"{platform_name(platform)} user id")
    ensure_admin(by, "link chat accounts to people")
    if not user.is_active:
        raise RuleViolation(f"@{user.username} is deactivated.")
    taken = (
        ChatIdentity.objects.select_related("user")
        .filter(platform=platform, external_id=external_id)
        .first()
    )
    if taken is not None and taken.user_id != user.pk:
        raise RuleViolation(
            f"{platform_name(platform)} user {external_id} is already linked to "
            f"@{taken.user.username}; unlink it first."
        )
    try:
        with transaction.atomic():
            identity, _ = ChatIdentity.objects.update_or_create(
                platform=platform, user=user, defaults={"external_id": external_id}
            )
    except IntegrityError:
        raise RuleViolation("That account was linked at the same moment; try again.") from None
    return identity


def unlink_user(user: User, *, platform: str, by: User | None) -> ChatIdentity:
    platform = clean_platform(platform)
    ensure_admin(by, "unlink chat accounts")
    identity = ChatIdentity.objects.filter(platform=platform, user=user).first()
    if identity is None:
        raise NotFound(f"@{user.username} has no {platform_name(platform)} account linked.")
    identity.delete()
    return identity


def resolve_author(
    platform: str,
    external_id: str,
    username: str,
    *,
    verified_email: Callable[[], str] | None = None,
) -> User:
    """The prr user a chat account speaks as: its explicit link; else, with
    CHAT_USERNAME_FALLBACK (small teams), the prr user of the same username; else the one prr
    user with the address the chat verified for the account (`verified_email` asks the chat,
    only when needed).

    Neither fallback reaches a user who linked an account on this chat: a person with a link is
    reachable only through it, so nobody can take their name or address in the chat to approve.
    """
    identity = (
        ChatIdentity.objects.select_related("user")
        .filter(platform=platform, external_id=external_id)
        .first()
    )
    user = identity.user if identity else None
    fallback = bool(getattr(settings, "CHAT_USERNAME_FALLBACK", False))
    if user is None and fallback and username:
        candidate = User.objects.filter(username=username).first()
        if candidate is not None and not candidate.chat_identities.filter(platform=platform):
            user = candidate
    if user is None and verified_email is not None:
        email = verified_email().strip()
        found = list(User.objects.filter(email__iexact=email)[:2]) if email else []
        if len(found) == 1 and not found[0].chat_identities.filter(platform=platform):
            user = found[0]
    chat = platform_name(platform)
    if user is None:
        how = (
            "create your account with the same username, or to link it"
            if fallback
            else ("link your account")
        )
        raise NotFound(
            f"prr does not know the {chat} user @{username or external_id}. Ask a prr admin to "
            f"{how}: `prr user link USERNAME --{platform} {external_id}`."
        )
    if not user.is_active:
        raise PermissionDenied(f"The prr account @{user.username} is deactivated.")
    return user


def _who(by: User | None) -> str:
    return f"@{by.username}" if by else "The operator"
