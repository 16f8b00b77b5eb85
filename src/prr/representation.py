"""What every schema of prr's objects shares (`prr.reviews.schemas`, …): one way to write a
timestamp, and one way to turn a schema into the JSON data the REST API sends.

Needs no Django setup, so the CLI can use it before it touches the database.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Any

from django.core.serializers.json import DjangoJSONEncoder
from pydantic import BaseModel, PlainSerializer, WithJsonSchema


def _timestamp(value: datetime) -> str:
    # The REST API's own encoding (Django's), so a timestamp reads the same from every face.
    text: str = DjangoJSONEncoder().default(value)
    return text


# ISO 8601 in UTC, milliseconds, `Z`: `2026-12-03T11:36:14.123Z`, from the API, `--json` and
# webhook payloads alike.
Timestamp = Annotated[
    datetime,
    PlainSerializer(_timestamp, return_type=str),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]


def as_json(data: BaseModel | Sequence[BaseModel] | Any) -> Any:
    """Plain JSON data of a schema (or a list of them), as the REST API would send it."""
    if isinstance(data, BaseModel):
        return data.model_dump(mode="json", by_alias=True)
    if isinstance(data, list | tuple):
        return [as_json(row) for row in data]
    return data
