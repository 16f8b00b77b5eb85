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
from hypothesis import HealthCheck, settings

from prr.accounts.models import User
from prr.accounts.tokens import create_token
from prr.reviews.models import Review
from prr.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@pytest.fixture
def token(review: Review, admin: User, sre_member: User) -> str:
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
