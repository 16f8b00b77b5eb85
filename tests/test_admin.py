"""Django's admin is the site until the web UI lands: every page of it works for an admin."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from prr.reviews.answers import answer_section
from prr.reviews.channel import post_message
from prr.reviews.lifecycle import close_review
from prr.reviews.models import Answer, Message, Review, Snapshot, TimelineEvent


@pytest.fixture
def closed_review(review, dri, admin, sre_member):
    answer_section(review, "summary", "We launch the vault.", by=dri)
    post_message(review, author=sre_member, body="SRE review is completed")
    close_review(review, by=admin, force=True, reason="Admin test")
    return review


@pytest.fixture
def admin_client(admin):
    client = Client()
    client.force_login(admin)
    return client


MODELS = [
    ("accounts", "user"),
    ("teams", "team"),
    ("playbooks", "playbook"),
    ("playbooks", "playbookversion"),
    ("reviews", "review"),
    ("reviews", "answer"),
    ("reviews", "message"),
    ("reviews", "timelineevent"),
    ("reviews", "snapshot"),
]


@pytest.mark.parametrize(("app", "model"), MODELS)
def test_every_list_page_opens_for_an_admin(admin_client, closed_review, app, model):
    response = admin_client.get(reverse(f"admin:{app}_{model}_changelist"))
    assert response.status_code == 200


@pytest.mark.parametrize("model", [Review, Answer, Message, TimelineEvent, Snapshot])
def test_every_review_record_opens_for_an_admin(admin_client, closed_review, model):
    obj = model.objects.first()
    url = reverse(f"admin:reviews_{model._meta.model_name}_change", args=[obj.pk])
    assert admin_client.get(url).status_code == 200


def test_timeline_events_and_snapshots_cannot_be_changed_or_deleted(admin_client, closed_review):
    snapshot = Snapshot.objects.get()
    change = reverse("admin:reviews_snapshot_change", args=[snapshot.pk])
    delete = reverse("admin:reviews_snapshot_delete", args=[snapshot.pk])
    admin_client.post(change, {"markdown": "rewritten"})
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    snapshot.refresh_from_db()
    assert snapshot.markdown.startswith("# PRR-1")
    event = TimelineEvent.objects.first()
    url = reverse("admin:reviews_timelineevent_delete", args=[event.pk])
    assert admin_client.post(url, {"post": "yes"}).status_code == 403


def test_a_non_admin_is_sent_to_the_login_page(client, closed_review, dri):
    client.force_login(dri)
    response = client.get(reverse("admin:reviews_review_changelist"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
