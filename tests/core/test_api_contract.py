"""The API's contract as the spec states it: every route typed, every refusal declared.

Other systems code against ``/openapi.json`` and the dashboard's types are generated from it,
so a route that answers an untyped dict, or a status its spec does not list, breaks them.
The statuses a route can give are found by reading its code: the error helpers it calls
(``not_found`` → 404, ``conflict`` → 409, ``forbidden`` → 403, ``invalid`` → 422,
``ApiError(4xx, …)``), followed through every yingji function it calls, its guards too.
"""

from __future__ import annotations

import ast
import inspect
import json
import re
import textwrap
import types
import typing
from collections.abc import Callable, Iterator
from functools import cache
from typing import Any

import pytest
from fastapi.routing import APIRoute, iter_route_contexts
from openapi_spec_validator import validate
from pydantic import BaseModel

from yingji.core.responses import ErrorBody, errors

HELPER_STATUS = {"not_found": 404, "conflict": 409, "forbidden": 403, "invalid": 422}
# Answers that are not JSON: a file, an XML document, the live stream, or nothing (204).
NON_JSON_OK = {"application/pdf", "application/yaml", "text/event-stream"}


def api_routes(app: Any) -> Iterator[APIRoute]:
    for ctx in iter_route_contexts(app.routes):
        route = ctx.original_route
        if isinstance(route, APIRoute) and route.include_in_schema:
            yield route


def _typed(model: Any) -> bool:
    """A pydantic model, or a list / union / Page of them; never a bare dict or Any."""
    if isinstance(model, type) and issubclass(model, BaseModel):
        return True
    origin, args = typing.get_origin(model), typing.get_args(model)
    if origin is typing.Annotated:
        return _typed(args[0])
    if origin in (list, tuple, typing.Union, types.UnionType):
        return all(a is type(None) or _typed(a) for a in args)
    return model in (str, int, float, bool)


# ------------------------------------------------------------------ what code can raise
def _resolve(node: ast.expr, scope: dict[str, Any]) -> Any:
    if isinstance(node, ast.Name):
        return scope.get(node.id)
    if isinstance(node, ast.Attribute):
        base = _resolve(node.value, scope)
        return getattr(base, node.attr, None) if base is not None else None
    return None


def _own(func: Any) -> Callable[..., Any] | None:
    func = inspect.unwrap(func) if callable(func) else func
    if isinstance(func, (types.FunctionType, types.MethodType)):
        func = getattr(func, "__func__", func)
        if getattr(func, "__module__", "").startswith("yingji."):
            return func
    return None


@cache
def raised_by(func: Callable[..., Any]) -> frozenset[int]:
    """Every 4xx status ``func`` or a yingji function it calls can raise (a fixed point over
    the call graph; a cycle contributes what is known so far)."""
    return frozenset(_walk(func, set()))


def _walk(func: Callable[..., Any], seen: set[Any]) -> set[int]:
    if func in seen:
        return set()
    seen.add(func)
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(func)))
    except (OSError, TypeError, SyntaxError):
        return set()
    scope = {**getattr(func, "__globals__", {})}
    if func.__closure__:
        cells = zip(func.__code__.co_freevars, func.__closure__, strict=True)
        scope.update({name: c.cell_contents for name, c in cells if _cell_ok(c)})
    codes: set[int] = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = (
            node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        )
        if name in HELPER_STATUS:
            codes.add(HELPER_STATUS[name])
            continue
        if name == "ApiError" and node.args and isinstance(node.args[0], ast.Constant):
            status = node.args[0].value
            if isinstance(status, int) and 400 <= status < 500:
                codes.add(status)
            continue
        target = _own(_resolve(node.func, scope))
        if target is not None:
            codes |= _walk(target, seen)
    return codes


def _cell_ok(cell: Any) -> bool:
    try:
        cell.cell_contents  # noqa: B018
    except ValueError:
        return False
    return True


def route_raises(route: APIRoute) -> set[int]:
    codes = set(raised_by(route.endpoint))
    stack = list(route.dependant.dependencies)
    while stack:
        dep = stack.pop()
        if dep.call is not None and _own(dep.call) is not None:
            codes |= raised_by(_own(dep.call))
        stack.extend(dep.dependencies)
    return codes


# ------------------------------------------------------------------ the tests
def test_every_route_declares_a_typed_response(app):
    untyped = []
    for route in api_routes(app):
        if route.response_model is not None:
            if not _typed(route.response_model):
                untyped.append(f"{sorted(route.methods)} {route.path}: {route.response_model}")
            continue
        declared = route.responses.get(200, {}).get("content") or route.responses.get(
            "200", {}
        ).get("content")
        if route.status_code == 204 or declared:
            continue  # no body, or a file / XML / stream whose media type the spec names
        untyped.append(f"{sorted(route.methods)} {route.path}: no response model")
    assert not untyped, "routes without a typed response model:\n" + "\n".join(untyped)


def test_every_status_a_route_can_raise_is_declared(app):
    spec = app.openapi()
    missing = []
    for route in api_routes(app):
        for method in route.methods:
            op = spec["paths"][route.path_format][method.lower()]
            declared = {int(s) for s in op["responses"] if str(s).isdigit()}
            lacking = route_raises(route) - declared
            if lacking:
                missing.append(f"{method} {route.path}: {sorted(lacking)}")
    assert not missing, "statuses raised but not in the spec:\n" + "\n".join(sorted(missing))


def test_every_error_response_has_the_one_error_shape(app):
    spec = app.openapi()
    ref = "#/components/schemas/ErrorBody"
    wrong = []
    for path, item in spec["paths"].items():
        for method, op in item.items():
            for status, resp in op["responses"].items():
                if str(status).startswith("4"):
                    schema = resp.get("content", {}).get("application/json", {}).get("schema", {})
                    if schema.get("$ref") != ref:
                        wrong.append(f"{method.upper()} {path} {status}")
    assert not wrong, "error responses without the ErrorBody shape:\n" + "\n".join(wrong)
    assert "HTTPValidationError" not in spec["components"]["schemas"]


def test_guarded_routes_declare_401_and_403(app, client):
    spec = app.openapi()
    op = spec["paths"]["/api/v1/tasks/{task_id}"]["get"]
    assert {"401", "403", "404", "422"} <= set(op["responses"])
    # and the body really is that shape
    resp = client.get("/api/v1/tasks/1")
    assert resp.status_code == 401
    ErrorBody.model_validate(resp.json())


def test_body_routes_declare_400_and_413(app, client, admin_headers):
    op = app.openapi()["paths"]["/api/v1/duty/sessions"]["post"]
    assert {"400", "401", "403", "413", "422"} <= set(op["responses"])
    resp = client.post(
        "/api/v1/duty/sessions",
        content=b"{not json",
        headers={**admin_headers, "content-type": "application/json"},
    )
    assert resp.status_code == 400
    ErrorBody.model_validate(resp.json())


def test_the_spec_is_valid_openapi_3_1(client):
    spec = client.get("/openapi.json").json()
    assert spec["openapi"].startswith("3.1")
    validate(spec)  # openapi-spec-validator picks the 3.1 validator from the version field
    # and every $ref names a schema that is there (the validator does not follow them all)
    names = set(spec["components"]["schemas"])
    refs = set(re.findall(r'"\$ref": "#/components/schemas/([^"]+)"', json.dumps(spec)))
    assert refs <= names, f"unresolved $ref: {sorted(refs - names)}"


def test_the_report_fast_path_is_in_the_spec(app):
    op = app.openapi()["paths"]["/api/v1/reports"]["post"]
    assert {"201", "401", "403", "413", "422"} <= set(op["responses"])


def test_errors_refuses_an_undescribed_status():
    with pytest.raises(ValueError):
        errors(418)
    assert set(errors(404, 409)) == {404, 409}


def test_the_raise_walker_sees_through_calls():
    from yingji.command.tasks import service as tasks

    assert 404 in raised_by(tasks.get_task)
