"""The REST API: one NinjaAPI under /api/v1/, its routers, auth and error shape."""

from __future__ import annotations

from ninja import NinjaAPI

import prr
from prr.api import catalog, chat, errors, inbox, people, reviews, webhooks
from prr.api.auth import AUTH

api = NinjaAPI(
    title="prr API",
    version=prr.__version__,
    description=(
        "Production Readiness Reviews over HTTP. Authenticate with a personal token "
        "(`Authorization: Bearer …`, created with `prr token create`) or a web session "
        "(with its CSRF token). Errors always have the shape "
        '`{"error": code, "message": text, "details": …}`. See docs/api.md.'
    ),
    auth=AUTH,
    urls_namespace="api",
)
errors.install(api)
api.add_router("", people.router)
api.add_router("", reviews.router)
api.add_router("", catalog.router)
api.add_router("", webhooks.router)
api.add_router("", chat.router)
api.add_router("", inbox.router)
