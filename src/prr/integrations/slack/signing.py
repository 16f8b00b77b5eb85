"""Slack's proof that a request comes from Slack ("Verifying requests from Slack").

`X-Slack-Signature` is `v0=` and the hex HMAC-SHA256 of `v0:{timestamp}:{raw body}` keyed with
the app's signing secret; `X-Slack-Request-Timestamp` is when Slack sent it. A request more
than five minutes from now either way is refused, so a captured one cannot be replayed later
(within those five minutes, see `prr.integrations.slack.replays`).

The signature itself is checked by slack_sdk's `SignatureVerifier` (one per secret, so a secret
can be rotated); prr checks the headers and the window first, to say what is wrong, since the
SDK only answers yes or no (and raises on a timestamp that is not a number). `sign` is prr's own,
so tests sign with code other than the one that verifies.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Iterable, Mapping

from slack_sdk.signature import Clock, SignatureVerifier

from prr.errors import PermissionDenied

VERSION = "v0"
TIMESTAMP_HEADER = "X-Slack-Request-Timestamp"
SIGNATURE_HEADER = "X-Slack-Signature"
TOLERANCE = 300


class BadSignature(PermissionDenied):
    """The request does not prove that Slack sent it; `message` says why."""

    code = "bad_signature"


def sign(secret: str, timestamp: int | str, body: bytes | str) -> str:
    """The `X-Slack-Signature` Slack would send for this body at this timestamp."""
    if isinstance(body, str):
        body = body.encode("utf-8")
    base = f"{VERSION}:{timestamp}:".encode() + body
    return f"{VERSION}=" + hmac.new(secret.encode("utf-8"), base, hashlib.sha256).hexdigest()


def signed_headers(
    secret: str, body: bytes | str, *, timestamp: int | None = None
) -> dict[str, str]:
    sent_at = int(time.time()) if timestamp is None else timestamp
    return {TIMESTAMP_HEADER: str(sent_at), SIGNATURE_HEADER: sign(secret, sent_at, body)}


def verify(
    headers: Mapping[str, str],
    body: bytes,
    secrets: Iterable[str],
    now: float | None = None,
) -> None:
    """Raise `BadSignature` unless one of `secrets` (several while one is rotated) signed it."""
    found = {name.lower(): value for name, value in headers.items()}
    timestamp = found.get(TIMESTAMP_HEADER.lower(), "").strip()
    signature = found.get(SIGNATURE_HEADER.lower(), "").strip()
    if not timestamp or not signature:
        raise BadSignature(
            f"The request is not signed: it needs the {TIMESTAMP_HEADER} and {SIGNATURE_HEADER} "
            "headers that Slack sends."
        )
    try:
        sent_at = int(timestamp)
    except ValueError:
        raise BadSignature(f"{TIMESTAMP_HEADER} '{timestamp[:40]}' is not a Unix time.") from None
    current = time.time() if now is None else now
    if abs(current - sent_at) > TOLERANCE:
        raise BadSignature(
            f"The request was signed {abs(round(current - sent_at))} s from now, more than the "
            f"{TOLERANCE} s allowed: refused as a possible replay (check the server's clock)."
        )
    matches: list[bool] = []
    # The SDK's hmac.compare_digest raises TypeError on non-ASCII text: refused, not crashed.
    if signature.isascii():
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            raise BadSignature("The body is not UTF-8 text: Slack sends UTF-8.") from None
        clock = _FixedClock(current)
        # Every secret is checked, so the time taken does not tell which one (or none) matched;
        # the SDK compares in constant time (hmac.compare_digest).
        matches = [
            SignatureVerifier(secret, clock).is_valid(text, timestamp, signature)
            for secret in secrets
            if secret.strip()  # the SDK refuses an empty secret with ValueError
        ]
    if not any(matches):
        raise BadSignature(
            f"{SIGNATURE_HEADER} does not match the body: check PRR_SLACK_SIGNING_SECRET "
            "(Basic Information → App Credentials → Signing Secret)."
        )


class _FixedClock(Clock):
    """The SDK checks the 5-minute window itself: against the same `now` as prr's check."""

    def __init__(self, now: float) -> None:
        self._now = now

    def now(self) -> float:
        return self._now
