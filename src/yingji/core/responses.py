"""The error responses of every route, declared once: the one error shape and the codes.

Every refusal the API gives has the body :class:`ErrorBody` (rendered by
:mod:`yingji.core.errors`). A route's OpenAPI entry lists each 4xx status it can give with
that body, so a client generated from the spec (the dashboard's ``web/src/api/schema.d.ts``)
and a fuzzer checking status-code conformance (schemathesis) see what really comes back.

Two sources fill a route's ``responses``:

* what follows from the route's shape, added by :class:`TypedRoute` (every router's
  ``route_class``): any parameter or body → 422 (FastAPI's own 422 entry, with its
  different body, is replaced); a body → 400 (malformed JSON) and 413 (the body limit,
  :mod:`yingji.core.bodylimit`); a dependency marked with :func:`raises` (the login guards
  mark 401 and 403) → its codes;
* what the route's own code raises — 404 for an unknown id, 409 for a conflict, 429 —
  given per route with :func:`errors`::

      @router.get("/plans/{plan_id}", response_model=PlanRead, responses=errors(404))

``tests/core/test_api_contract.py`` walks every route and fails when a status its code
can raise (``not_found``, ``conflict``, ``forbidden``, ``invalid``, ``ApiError(4xx…)``,
followed through the yingji functions it calls) is not declared.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from fastapi.routing import APIRoute
from pydantic import BaseModel, Field

# The statuses a route may declare, with the description the spec gives each (both languages).
ERROR_DESCRIPTIONS: dict[int, str] = {
    400: "请求格式错误（如 JSON 无法解析）/ Bad request (e.g. malformed JSON)",
    401: "未登录或令牌无效、已过期 / Not authenticated, or the token is invalid or expired",
    403: "角色或范围无权执行 / Not allowed for the caller's role or scope",
    404: "对象不存在 / Not found",
    409: "与现有数据或当前状态冲突 / Conflicts with existing data or the current state",
    413: "请求体过大 / Request body too large",
    415: "不支持的内容类型 / Unsupported media type",
    422: "输入不合法（逐字段列出）/ Invalid input (each field at fault is listed)",
    429: "请求过于频繁，请稍后重试 / Too many requests: try again later",
    503: "服务暂不可用 / Service unavailable",
}


class ErrorItem(BaseModel):
    """One field at fault (validation errors list each)."""

    field: str | None = Field(description="出错字段（点分路径）/ the field, as a dotted path")
    code: str = Field(description="机器可读的错误码 / machine-readable code")
    message: str = Field(description="中文说明 / message in Chinese")
    message_en: str = Field(description="英文说明 / message in English")


class ErrorBody(BaseModel):
    """The platform's one error shape: ``{code, message, message_en, field, errors}``."""

    code: str = Field(description="机器可读的错误码 / machine-readable code, e.g. not_found")
    message: str = Field(description="中文说明 / message in Chinese")
    message_en: str = Field(description="英文说明 / message in English")
    field: str | None = Field(description="出错字段，若有 / the field at fault, if one")
    errors: list[ErrorItem] = Field(description="各出错字段 / each field at fault")


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """``responses={...}`` for the given error statuses, each with the one error body."""
    unknown = [s for s in statuses if s not in ERROR_DESCRIPTIONS]
    if unknown:
        raise ValueError(f"no description for status {unknown}: add it to ERROR_DESCRIPTIONS")
    return {
        status: {"model": ErrorBody, "description": ERROR_DESCRIPTIONS[status]}
        for status in sorted(set(statuses))
    }


F = TypeVar("F", bound=Callable[..., Any])

RAISES_ATTR = "__yingji_raises__"


def raises(*statuses: int) -> Callable[[F], F]:
    """Mark a dependency with the error statuses it gives; every route using it declares them.

    ``current_principal`` is marked ``raises(401)`` and each role guard ``raises(403)``, so a
    route behind a guard declares 401 and 403 without saying so itself.
    """

    def mark(func: F) -> F:
        setattr(
            func, RAISES_ATTR, tuple(sorted(set(getattr(func, RAISES_ATTR, ())) | set(statuses)))
        )
        return func

    return mark


def _dependency_codes(dependant: Any) -> set[int]:
    codes: set[int] = set()
    stack = list(dependant.dependencies)
    while stack:
        dep = stack.pop()
        codes.update(getattr(dep.call, RAISES_ATTR, ()))
        stack.extend(dep.dependencies)
    return codes


def shape_codes(route: APIRoute) -> set[int]:
    """The error statuses that follow from a route's shape and its marked dependencies."""
    codes = _dependency_codes(route.dependant)
    dep = route.dependant
    params = [
        *dep.path_params,
        *dep.query_params,
        *dep.header_params,
        *dep.cookie_params,
        *dep.body_params,
    ]
    stack = list(dep.dependencies)
    while stack:
        sub = stack.pop()
        params += [*sub.path_params, *sub.query_params, *sub.header_params, *sub.body_params]
        stack.extend(sub.dependencies)
    if params or route.body_field is not None:
        codes.add(422)
    if route.body_field is not None:
        codes.update((400, 413))
    return codes


def _merged(
    declared: dict[int | str, dict[str, Any]] | None, codes: Iterable[int]
) -> dict[int | str, dict[str, Any]]:
    merged: dict[int | str, dict[str, Any]] = dict(declared or {})
    for status, entry in errors(*codes).items():
        current = merged.get(status) or merged.get(str(status))
        if current is None:
            merged[status] = entry
        elif "model" not in current and "content" not in current:
            merged[status] = {**entry, **current, "model": ErrorBody}
    return merged


class TypedRoute(APIRoute):
    """An ``APIRoute`` whose spec lists the error statuses its shape and guards imply.

    Every router passes it: ``APIRouter(prefix=..., tags=[...], route_class=TypedRoute)``.
    """

    def __init__(
        self,
        path: str,
        endpoint: Callable[..., Any],
        *,
        responses: dict[int | str, dict[str, Any]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(path, endpoint, responses=responses, **kwargs)
        merged = _merged(responses, shape_codes(self))
        if merged != (responses or {}):
            # built again so FastAPI makes the response fields of the added entries
            super().__init__(path, endpoint, responses=merged, **kwargs)
