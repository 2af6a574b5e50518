"""One way to page every list endpoint: ``limit`` and ``offset`` in, ``{items, total}`` out."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel
from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import Session

from yingji.core.errors import invalid
from yingji.core.validators import Offset

T = TypeVar("T")

MAX_LIMIT = 5000


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int


class PageParams(BaseModel):
    limit: int
    offset: int


def page_params(
    limit: int = Query(50, ge=1, le=MAX_LIMIT, description="每页条数 / page size"),
    offset: Annotated[Offset, Query(description="偏移 / rows to skip")] = 0,
) -> PageParams:
    return PageParams(limit=limit, offset=offset)


def paginate(db: Session, stmt: Select[Any], params: PageParams) -> tuple[list[Any], int]:
    """Rows of one page and the total count of the filtered statement."""
    total = db.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    rows = list(db.scalars(stmt.limit(params.limit).offset(params.offset)))
    return rows, int(total)


def apply_sort(
    stmt: Select[Any],
    sort: str | None,
    columns: Mapping[str, ColumnElement[Any]],
    *,
    tiebreak: ColumnElement[Any],
) -> Select[Any]:
    """Order a list by ``sort``: comma-separated field names, ``-`` before one for descending
    (``-level,occurred_at``). Unknown fields are a clear 422 naming the ones allowed.

    Without ``sort`` the statement keeps its own order. ``tiebreak`` (descending) always comes
    last so that pages never overlap or skip rows.
    """
    if not sort:
        return stmt
    order: list[Any] = []
    for raw in sort.split(","):
        name = raw.strip()
        descending = name.startswith("-")
        name = name.removeprefix("-").removeprefix("+")
        column = columns.get(name)
        if column is None:
            allowed = ", ".join(sorted(columns))
            raise invalid(
                "sort",
                f"不能按“{name}”排序；可用：{allowed}",
                f"Cannot sort by '{name}'; allowed: {allowed}",
                code="unknown_sort_field",
            )
        order.append(column.desc() if descending else column.asc())
    return stmt.order_by(None).order_by(*order, tiebreak.desc())


def sort_param(
    sort: str | None = Query(
        None,
        max_length=200,
        description="排序字段，逗号分隔，前加 - 为降序 / fields, comma-separated, - for descending",
    ),
) -> str | None:
    return sort
