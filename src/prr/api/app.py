"""The REST API: one NinjaAPI under /api/v1/, its routers, auth and error shape."""

from __future__ import annotations

from ninja import NinjaAPI

import prr

api = NinjaAPI(title="prr API", version=prr.__version__, urls_namespace="api")
