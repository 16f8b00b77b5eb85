"""A receiver can tell prr's requests from forgeries and replays."""

from __future__ import annotations

import hashlib
import hmac

from prr.integrations.webhooks.signing import sign, signed_headers, verify_signature

SECRET = "s3cret-for-the-tests-0123456789"
BODY = b'{"type":"review.closed"}'


def test_the_signature_is_the_hmac_of_timestamp_dot_body():
    expected = hmac.new(SECRET.encode(), b"1700000000." + BODY, hashlib.sha256).hexdigest()
    assert sign(SECRET, 1700000000, BODY) == f"sha256={expected}"


def test_a_fresh_signature_verifies():
    signature = sign(SECRET, 1700000000, BODY)
    assert verify_signature(SECRET, "1700000000", BODY, signature, now=1700000010)
    assert verify_signature(SECRET, 1700000000, BODY.decode(), signature, now=1700000010)


def test_a_changed_body_secret_or_timestamp_does_not_verify():
    signature = sign(SECRET, 1700000000, BODY)
    now = 1700000000
    assert not verify_signature(SECRET, 1700000000, BODY + b" ", signature, now=now)
    assert not verify_signature("another-secret-0123456", 1700000000, BODY, signature, now=now)
    assert not verify_signature(SECRET, 1700000001, BODY, signature, now=now)
    assert not verify_signature(SECRET, "not a number", BODY, signature, now=now)


def test_an_old_request_is_refused_as_a_replay():
    signature = sign(SECRET, 1700000000, BODY)
    assert not verify_signature(SECRET, 1700000000, BODY, signature, now=1700000301)
    assert verify_signature(SECRET, 1700000000, BODY, signature, tolerance=600, now=1700000301)


def test_the_headers_name_the_event_and_the_delivery():
    headers = signed_headers(
        secret=SECRET, body=BODY, event_type="review.closed", delivery_id=7, timestamp=1700000000
    )
    assert headers["X-PRR-Event"] == "review.closed"
    assert headers["X-PRR-Delivery"] == "7"
    assert headers["X-PRR-Timestamp"] == "1700000000"
    assert headers["X-PRR-Signature"] == sign(SECRET, 1700000000, BODY)
    assert headers["Content-Type"] == "application/json"
    assert headers["User-Agent"].startswith("prr-webhooks/")
