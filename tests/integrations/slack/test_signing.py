"""prr accepts what Slack signed, and refuses forgeries and replays with the reason."""

from __future__ import annotations

import pytest
from slack_sdk.signature import Clock, SignatureVerifier

from prr.integrations.slack.signing import BadSignature, sign, signed_headers, verify

# The example of Slack's "Verifying requests from Slack".
DOC_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
DOC_TIMESTAMP = 1531420618
DOC_BODY = (
    b"token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&"
    b"channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&"
    b"command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2F"
    b"commands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&"
    b"trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
)
DOC_SIGNATURE = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"


def doc_headers(**changes: str) -> dict[str, str]:
    headers = {
        "X-Slack-Request-Timestamp": str(DOC_TIMESTAMP),
        "X-Slack-Signature": DOC_SIGNATURE,
    }
    return {**headers, **changes}


def test_the_signature_is_slacks_documented_example():
    assert sign(DOC_SECRET, DOC_TIMESTAMP, DOC_BODY) == DOC_SIGNATURE


def test_slacks_documented_request_verifies():
    verify(doc_headers(), DOC_BODY, [DOC_SECRET], now=DOC_TIMESTAMP + 10)


def test_header_names_are_case_insensitive():
    headers = {name.lower(): value for name, value in doc_headers().items()}
    verify(headers, DOC_BODY, [DOC_SECRET], now=DOC_TIMESTAMP)


def test_any_of_the_configured_secrets_verifies_while_one_is_rotated():
    verify(doc_headers(), DOC_BODY, ["the-new-secret-0123456789", DOC_SECRET], now=DOC_TIMESTAMP)


def test_a_changed_body_is_refused_with_what_to_check():
    with pytest.raises(BadSignature) as refused:
        verify(doc_headers(), DOC_BODY + b"&text=close", [DOC_SECRET], now=DOC_TIMESTAMP)
    assert refused.value.message == (
        "X-Slack-Signature does not match the body: check PRR_SLACK_SIGNING_SECRET "
        "(Basic Information → App Credentials → Signing Secret)."
    )


def test_another_secret_or_a_moved_timestamp_is_refused():
    with pytest.raises(BadSignature):
        verify(doc_headers(), DOC_BODY, ["another-secret-0123456789"], now=DOC_TIMESTAMP)
    moved = doc_headers(**{"X-Slack-Request-Timestamp": str(DOC_TIMESTAMP + 1)})
    with pytest.raises(BadSignature):
        verify(moved, DOC_BODY, [DOC_SECRET], now=DOC_TIMESTAMP)


def test_no_secret_configured_verifies_nothing():
    with pytest.raises(BadSignature):
        verify(doc_headers(), DOC_BODY, [], now=DOC_TIMESTAMP)


@pytest.mark.parametrize("missing", ["X-Slack-Request-Timestamp", "X-Slack-Signature"])
def test_an_unsigned_request_is_refused(missing):
    headers = doc_headers()
    del headers[missing]
    with pytest.raises(BadSignature) as refused:
        verify(headers, DOC_BODY, [DOC_SECRET], now=DOC_TIMESTAMP)
    assert refused.value.message == (
        "The request is not signed: it needs the X-Slack-Request-Timestamp and "
        "X-Slack-Signature headers that Slack sends."
    )


def test_a_request_signed_six_minutes_ago_is_refused_as_a_replay():
    with pytest.raises(BadSignature) as refused:
        verify(doc_headers(), DOC_BODY, [DOC_SECRET], now=DOC_TIMESTAMP + 360)
    assert refused.value.message == (
        "The request was signed 360 s from now, more than the 300 s allowed: refused as a "
        "possible replay (check the server's clock)."
    )


def test_a_request_from_six_minutes_in_the_future_is_refused_too():
    with pytest.raises(BadSignature, match="360 s from now"):
        verify(doc_headers(), DOC_BODY, [DOC_SECRET], now=DOC_TIMESTAMP - 360)


def test_five_minutes_either_way_is_still_accepted():
    verify(doc_headers(), DOC_BODY, [DOC_SECRET], now=DOC_TIMESTAMP + 300)
    verify(doc_headers(), DOC_BODY, [DOC_SECRET], now=DOC_TIMESTAMP - 300)


def test_a_timestamp_that_is_not_a_number_is_refused():
    headers = doc_headers(**{"X-Slack-Request-Timestamp": "yesterday"})
    with pytest.raises(BadSignature, match="'yesterday' is not a Unix time"):
        verify(headers, DOC_BODY, [DOC_SECRET], now=DOC_TIMESTAMP)


def test_a_signature_with_foreign_characters_is_refused_not_crashed():
    headers = doc_headers(**{"X-Slack-Signature": "v0=é" + "0" * 63})
    with pytest.raises(BadSignature):
        verify(headers, DOC_BODY, [DOC_SECRET], now=DOC_TIMESTAMP)


def test_signed_headers_are_what_slack_sends():
    headers = signed_headers(DOC_SECRET, DOC_BODY, timestamp=DOC_TIMESTAMP)
    assert headers == doc_headers()


def test_the_sdks_verifier_agrees_with_slacks_documented_example():
    # verify() hands the signature to slack_sdk's SignatureVerifier; sign() is prr's own.
    verifier = SignatureVerifier(DOC_SECRET, clock=FixedClock())
    assert verifier.is_valid(DOC_BODY, str(DOC_TIMESTAMP), DOC_SIGNATURE)
    assert verifier.generate_signature(timestamp=str(DOC_TIMESTAMP), body=DOC_BODY) == sign(
        DOC_SECRET, DOC_TIMESTAMP, DOC_BODY
    )


def test_a_body_that_is_not_utf8_is_refused_not_crashed():
    body = b"text=\xff\xfe"
    headers = signed_headers(DOC_SECRET, body, timestamp=DOC_TIMESTAMP)
    with pytest.raises(BadSignature) as refused:
        verify(headers, body, [DOC_SECRET], now=DOC_TIMESTAMP)
    assert refused.value.message == "The body is not UTF-8 text: Slack sends UTF-8."


def test_an_empty_secret_among_the_configured_ones_is_skipped():
    verify(doc_headers(), DOC_BODY, ["", DOC_SECRET], now=DOC_TIMESTAMP)


class FixedClock(Clock):
    def now(self) -> float:
        return float(DOC_TIMESTAMP)
