"""Page-number pagination with one shape for every list: items, total, page, per_page, pages."""

from __future__ import annotations

from collections.abc import Callable
from math import ceil
from typing import Any, Generic, TypeVar

from django.db.models import QuerySet
from ninja import Field, Schema
from pydantic import BaseModel

T = TypeVar("T")
MAX_PER_PAGE = 100


class PageParams(Schema):
    page: int = Field(1, ge=1, le=1_000_000, description="Page number, from 1.")
    per_page: int = Field(25, ge=1, le=MAX_PER_PAGE, description="Items per page (1-100).")


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    page: int
    per_page: int
    pages: int


def paginate(
    queryset: QuerySet[Any],
    params: PageParams,
    render: Callable[[list[Any]], list[T]],
) -> Page[T]:
    """One page of a queryset: a COUNT and one query for the rows (plus what `render` reads)."""
    total = queryset.count()
    start = (params.page - 1) * params.per_page
    rows = list(queryset[start : start + params.per_page])
    return Page(
        items=render(rows),
        total=total,
        page=params.page,
        per_page=params.per_page,
        pages=max(1, ceil(total / params.per_page)),
    )
