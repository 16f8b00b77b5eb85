"""Every operation of the live OpenAPI document, fuzzed with schemathesis as a signed-in user.

No input may produce a 500, and every response must match the schema the document declares
(status code, content type, headers, body). Schema-invalid input must be refused.

One built-in check is left out: `positive_data_acceptance` expects every schema-valid request
to succeed, but the services enforce rules no schema can state (a title's words, a playbook's
teams, the process itself) and answer them with 409 or 422 and the reason.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from prr.accounts.models import User
from prr.accounts.tokens import create_token
from prr.reviews.models import Review
from prr.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@pytest.fixture
def in_test_transaction() -> Any:
    """Keep the test's connection open across requests, as Django's test client does.

    The WSGI app closes "old" connections at the end of each request, and a connection inside
    the test's transaction counts as one; on PostgreSQL that would end the test's transaction.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def token(in_test_transaction: None, review: Review, admin: User, sre_member: User) -> str:
    # A review to find (PRR-1), an admin token so that admin-only operations run for real.
    return create_token(admin, "schemathesis").secret


@schema.parametrize()
@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
@pytest.mark.django_db
def test_api_conforms_to_its_schema(case: Any, token: str) -> None:
    case.call_and_validate(
        headers={"Authorization": f"Bearer {token}"},
        excluded_checks=[schemathesis.checks.positive_data_acceptance],
    )
