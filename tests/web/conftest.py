"""Signed-in browsers for each persona."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

HTMX: dict[str, Any] = {"HTTP_HX_REQUEST": "true"}


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def as_dri(dri) -> Client:
    return signed_in(dri)


@pytest.fixture
def as_sre(sre_member) -> Client:
    return signed_in(sre_member)


@pytest.fixture
def as_outsider(outsider) -> Client:
    return signed_in(outsider)


@pytest.fixture
def as_admin(admin) -> Client:
    return signed_in(admin)
