"""Times in the reader's time zone: the account's choice, else the browser's (cookie prr_tz,
set by static/web/timezone.js), else UTC; every page names the zone it shows times in."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.utils import timezone

from prr.accounts.tokens import create_token
from prr.reviews.models import Review
from prr.web.middleware import TIME_ZONE_COOKIE


def shown_start(html: str, review: Review) -> str:
    """The start time the dashboard's row of `review` shows (its Age cell's tooltip)."""
    found = re.search(
        rf'<tr data-review="{review.number}">.*?<time datetime="([^"]+)" title="([^"]+)">',
        html,
        re.S,
    )
    assert found, f"{review.ref} is not listed"
    return found.group(2)


def local(moment: datetime, zone: str) -> str:
    return moment.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M")


def test_without_a_choice_or_a_browser_zone_times_are_in_utc(as_dri, review):
    html = as_dri.get("/").content.decode()
    assert shown_start(html, review) == local(review.created_at, "UTC")
    assert "Times in UTC (the server's; your browser's is not known yet)." in html


def test_the_browsers_zone_is_used_when_the_account_has_none(as_dri, review):
    as_dri.cookies[TIME_ZONE_COOKIE] = "Asia/Tokyo"
    html = as_dri.get("/").content.decode()
    assert shown_start(html, review) == local(review.created_at, "Asia/Tokyo")
    assert "Times in Asia/Tokyo (your browser's)." in html
    assert html.count("Times in ") == 1


@pytest.mark.parametrize("cookie", ["Mars/Olympus_Mons", "../../etc/passwd", "", "asia/tokyo"])
def test_a_zone_the_server_does_not_know_is_ignored(as_dri, review, cookie):
    as_dri.cookies[TIME_ZONE_COOKIE] = cookie
    response = as_dri.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert shown_start(html, review) == local(review.created_at, "UTC")
    assert "Times in UTC" in html


def test_the_accounts_choice_wins_over_the_browser(as_dri, dri, review, outsider):
    dri.time_zone = "America/Sao_Paulo"
    dri.save()
    as_dri.cookies[TIME_ZONE_COOKIE] = "Asia/Tokyo"
    html = as_dri.get("/").content.decode()
    assert shown_start(html, review) == local(review.created_at, "America/Sao_Paulo")
    assert "Times in America/Sao_Paulo." in html

    oscar = Client()
    oscar.force_login(outsider)
    assert "Times in UTC" in oscar.get("/").content.decode()  # Dana's choice is hers


def test_the_zone_is_named_on_every_signed_in_page_but_not_on_sign_in(as_dri, client, review):
    as_dri.cookies[TIME_ZONE_COOKIE] = "Europe/Paris"
    for path in ("/", f"/reviews/{review.number}/", "/account/", "/teams/", "/playbooks/"):
        html = as_dri.get(path).content.decode()
        assert html.count("Times in Europe/Paris") == 1, path
    assert "Times in" not in client.get("/login/").content.decode()


def test_the_review_page_shows_its_times_in_the_zone(as_dri, review):
    as_dri.cookies[TIME_ZONE_COOKIE] = "Asia/Kolkata"
    html = as_dri.get(f"/reviews/{review.number}/").content.decode()
    offsets = set(re.findall(r'<time datetime="[^"]+([+-]\d\d:\d\d)"', html))
    assert offsets == {"+05:30"}


def test_the_zone_is_for_that_request_only(as_dri, review):
    as_dri.cookies[TIME_ZONE_COOKIE] = "Asia/Tokyo"
    as_dri.get("/")
    assert timezone.get_current_timezone_name() == "UTC"


def test_the_api_keeps_utc_whatever_the_cookie(review, dri):
    api = Client(headers={"Authorization": f"Bearer {create_token(dri, 'tz').secret}"})
    api.cookies[TIME_ZONE_COOKIE] = "Asia/Tokyo"
    created = api.get(f"/api/v1/reviews/{review.ref}").json()["created_at"]
    assert created.endswith(("Z", "+00:00")), created


# -- the account page --------------------------------------------------------------------------


def test_the_account_page_offers_every_zone_and_the_browsers(as_dri, db):
    as_dri.cookies[TIME_ZONE_COOKIE] = "Asia/Tokyo"
    html = as_dri.get("/account/").content.decode()
    assert '<label for="id_time_zone">Show times in</label>' in html
    assert '<option value="" selected>Browser&#x27;s (detected: Asia/Tokyo)</option>' in html
    zones = re.findall(r'<option value="([^"]+)">\1</option>', html)
    assert "Europe/Paris" in zones
    assert "America/Argentina/Buenos_Aires" in zones
    assert zones == sorted(zones)
    assert 'id="email"' in html  # the other settings stay


def test_choosing_a_zone_shows_times_in_it(as_dri, dri, review):
    response = as_dri.post("/account/time-zone/", {"time_zone": "Europe/Paris"}, follow=True)
    dri.refresh_from_db()
    assert dri.time_zone == "Europe/Paris"
    html = response.content.decode()
    assert "Times are shown in Europe/Paris." in html
    assert '<option value="Europe/Paris" selected>' in html
    dashboard = as_dri.get("/").content.decode()
    assert shown_start(dashboard, review) == local(review.created_at, "Europe/Paris")


def test_choosing_the_browsers_zone_again(as_dri, dri):
    dri.time_zone = "Europe/Paris"
    dri.save()
    as_dri.cookies[TIME_ZONE_COOKIE] = "Asia/Tokyo"
    response = as_dri.post("/account/time-zone/", {"time_zone": ""}, follow=True)
    dri.refresh_from_db()
    assert dri.time_zone == ""
    html = response.content.decode()
    assert "Times are shown in your browser&#x27;s time zone, Asia/Tokyo." in html
    assert "Times in Asia/Tokyo (your browser's)." in html


def test_an_unknown_zone_is_refused(as_dri, dri):
    response = as_dri.post("/account/time-zone/", {"time_zone": "Mars/Olympus_Mons"})
    assert response.status_code == 400
    assert "Select a valid choice. Mars/Olympus_Mons is not one of" in response.content.decode()
    dri.refresh_from_db()
    assert dri.time_zone == ""


def test_choosing_a_zone_needs_a_sign_in(client, db):
    response = client.post("/account/time-zone/", {"time_zone": "Europe/Paris"})
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


# -- the browser's part ------------------------------------------------------------------------


def test_every_page_loads_the_zone_script_as_a_file(client, db):
    html = client.get("/login/").content.decode()
    assert '<script src="/static/web/timezone.js" defer></script>' in html
    script = finders.find("web/timezone.js")
    assert isinstance(script, str)
    with open(script, encoding="utf-8") as source:
        text = source.read()
    assert "resolvedOptions().timeZone" in text
    assert f"{TIME_ZONE_COOKIE}=" in text
