"""Email through a real SMTP server on 127.0.0.1, sent by the worker."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from prr.notifications import email, services
from prr.notifications.models import Email, EmailChoice
from prr.reviews.channel import post_message
from tests.integrations.conftest import run_until_settled
from tests.web.conftest import signed_in

# The worker runs in the test's thread and closes its connection: the changes must commit.
worker = pytest.mark.django_db(transaction=True)


def mention(review, author, text="@oscar can you check the dashboards?") -> None:
    post_message(review, author=author, body=text)


@worker
def test_a_mention_arrives_by_email_with_link_text_html_and_unsubscribe(
    review, dri, outsider, smtp, committing
) -> None:
    outsider.email = "oscar@example.com"
    outsider.save()

    with committing():
        mention(review, dri)
    (sent,) = run_until_settled(Email)

    assert sent.status == "delivered"
    ((recipients, message),) = smtp.received
    assert recipients == ["oscar@example.com"]
    assert message["To"] == "oscar@example.com"
    assert message["From"] == "prr <prr@example.com>"
    assert message["Subject"] == (
        f"[prr] @dana mentioned you in {review.ref}: @oscar can you check the dashboards?"
    )
    link = f"https://prr.example.com{review.path}#message-{review.messages.get().pk}"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert link in text
    assert f'href="{link}"' in html
    token = services.settings_of(outsider).unsubscribe_token
    unsubscribe = f"https://prr.example.com/inbox/unsubscribe/{token}/"
    assert f"Stop these emails: {unsubscribe}" in text
    assert message["List-Unsubscribe"].strip() == f"<{unsubscribe}>"


def test_no_email_without_an_address_a_server_or_the_wish(
    review, dri, outsider, sre_member, smtp, settings, committing
) -> None:
    sre_member.email = "sam@example.com"
    sre_member.save()
    services.set_email_choice(sre_member, EmailChoice.NONE)

    with committing():
        mention(review, dri, "@oscar (no address) and @sam (no email wanted)")
    settings.EMAIL_HOST = ""
    outsider.email = "oscar@example.com"
    outsider.save()
    with committing():
        mention(review, dri, "@oscar again, with an address, but prr sends no email")

    assert Email.objects.count() == 0
    assert services.unread_count(outsider) == 2  # the inbox has them all the same


@worker
def test_a_busy_server_is_tried_again(review, dri, outsider, smtp, committing) -> None:
    outsider.email = "oscar@example.com"
    outsider.save()
    smtp.refuse = 1  # 451: try again later

    with committing():
        mention(review, dri)
    (sent,) = run_until_settled(Email)

    assert (sent.status, sent.attempts) == ("delivered", 2)
    assert len(smtp.received) == 1


def test_the_unsubscribe_link_asks_then_stops_the_emails(review, dri, outsider, client) -> None:
    token = services.settings_of(outsider).unsubscribe_token
    asked = client.get(f"/inbox/unsubscribe/{token}/")
    assert asked.status_code == 200
    assert services.settings_of(outsider).email == "each"  # a GET changes nothing

    done = client.post(f"/inbox/unsubscribe/{token}/").content.decode()

    assert "prr sends no more email to @oscar" in done
    assert services.settings_of(outsider).email == "none"
    assert client.post("/inbox/unsubscribe/not-a-token/").status_code == 404


def test_the_account_page_sets_the_email_choice(outsider) -> None:
    browser = signed_in(outsider)
    assert "Save email choice" in browser.get("/account/").content.decode()

    saved = browser.post("/account/email/", {"email": "daily"}, follow=True).content.decode()
    assert "Email: one email a day with what is new." in saved
    assert services.settings_of(outsider).email == "daily"
    refused = browser.post("/account/email/", {"email": "hourly"})
    assert refused.status_code == 400
    assert "Unknown email choice &#x27;hourly&#x27;" in refused.content.decode()


@worker
def test_a_daily_digest_covers_what_is_new_once_a_day(
    review, dri, outsider, smtp, committing
) -> None:
    outsider.email = "oscar@example.com"
    outsider.save()
    services.set_email_choice(outsider, EmailChoice.DAILY)
    with committing():
        mention(review, dri, "@oscar first")
        mention(review, dri, "@oscar second")
    assert Email.objects.count() == 0  # nothing at once

    now = timezone.now()
    with committing():
        assert email.send_digests(now) == 1
        assert email.send_digests(now + timedelta(hours=3)) == 0  # once a day
    run_until_settled(Email)

    ((_, message),) = smtp.received
    assert message["Subject"] == "[prr] 2 new notifications for you"
    text = message.get_body(("plain",)).get_content()
    assert "@dana mentioned you in PRR-1: @oscar first" in text
    assert "@dana mentioned you in PRR-1: @oscar second" in text

    with committing():
        mention(review, dri, "@oscar third")
        assert email.send_digests(now + timedelta(hours=25)) == 1
    run_until_settled(Email)
    assert "third" in smtp.received[-1][1].get_body(("plain",)).get_content()
    assert "first" not in smtp.received[-1][1].get_body(("plain",)).get_content()
