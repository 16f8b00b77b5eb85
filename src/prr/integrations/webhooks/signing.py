"""How a request proves it comes from prr: HMAC-SHA256 of `{timestamp}.{body}` with the secret.

Receivers use `verify_signature`; docs/webhooks.md shows the same check in a few lines.
"""

from __future__ import annotations

import hashlib
import hmac
import time

from prr import __version__

SCHEME = "sha256"
USER_AGENT = f"prr-webhooks/{__version__}"
DEFAULT_TOLERANCE = 300


def sign(secret: str, timestamp: int | str, body: bytes | str) -> str:
    """The `X-PRR-Signature` value: `sha256=` and the hex HMAC of `{timestamp}.{body}`."""
    if isinstance(body, str):
        body = body.encode("utf-8")
    message = f"{timestamp}.".encode() + body
    digest = hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()
    return f"{SCHEME}={digest}"


def verify_signature(
    secret: str,
    timestamp: int | str,
    body: bytes | str,
    signature: str,
    tolerance: int = DEFAULT_TOLERANCE,
    *,
    now: float | None = None,
) -> bool:
    """True when `signature` signs this body at this timestamp, and the timestamp is recent.

    The tolerance (seconds, either way) stops a captured request from being replayed later.
    """
    try:
        sent_at = int(timestamp)
    except (TypeError, ValueError):
        return False
    current = time.time() if now is None else now
    if abs(current - sent_at) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, sent_at, body), signature.strip())


def signed_headers(
    *, secret: str, body: bytes, event_type: str, delivery_id: int, timestamp: int
) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-PRR-Event": event_type,
        "X-PRR-Delivery": str(delivery_id),
        "X-PRR-Timestamp": str(timestamp),
        "X-PRR-Signature": sign(secret, timestamp, body),
    }
