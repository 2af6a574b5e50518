"""One error shape for the whole API: a machine code, Chinese and English messages, the field.

Every error body looks like::

    {"code": "not_found", "message": "对象不存在", "message_en": "Not found",
     "field": "subdistrict", "errors": [...]}

``errors`` lists each field at fault: every 422 names at least one there, the same
``{field, code, message, message_en}`` item the single-field refusal (:func:`invalid`) gives, so a
client reads the fields at fault from one place whichever check refused.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException


class ApiError(Exception):
    """An error a client can act on; raised by services and views, rendered by the handler."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        message_en: str,
        *,
        field: str | None = None,
        errors: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message_en)
        self.status = status
        self.code = code
        self.message = message
        self.message_en = message_en
        self.field = field
        # a 422 always lists what is at fault: the error itself when no items were given
        self.errors = errors or (
            [field_item(field, code, message, message_en)] if status == 422 else []
        )
        self.headers = headers

    def body(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "message": self.message,
            "message_en": self.message_en,
            "field": self.field,
            "errors": self.errors,
        }


def not_found(what_zh: str, what_en: str, field: str | None = None) -> ApiError:
    return ApiError(404, "not_found", f"{what_zh}不存在", f"{what_en} not found", field=field)


def forbidden(
    message: str = "无权执行此操作",
    message_en: str = "Not allowed for your role or scope",
    field: str | None = None,
) -> ApiError:
    return ApiError(403, "forbidden", message, message_en, field=field)


def field_item(field: str | None, code: str, message: str, message_en: str) -> dict[str, Any]:
    """One entry of ``errors``: the field at fault and why, in both languages."""
    return {"field": field, "code": code, "message": message, "message_en": message_en}


def invalid(field: str, message: str, message_en: str, code: str = "invalid") -> ApiError:
    """A single bad field (422), listed in ``errors`` as well."""
    return ApiError(422, code, message, message_en, field=field)


def conflict(code: str, message: str, message_en: str, field: str | None = None) -> ApiError:
    return ApiError(409, code, message, message_en, field=field)


# Chinese wording for pydantic's error types; the English comes from pydantic itself.
_PYDANTIC_ZH: dict[str, str] = {
    "missing": "缺少必填字段",
    "extra_forbidden": "不允许的字段",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "int_from_float": "应为整数，不能有小数",
    "float_parsing": "应为数字",
    "float_type": "应为数字",
    "bool_parsing": "应为布尔值",
    "bool_type": "应为布尔值",
    "string_type": "应为字符串",
    "string_too_short": "字符串太短",
    "string_too_long": "字符串太长",
    "string_pattern_mismatch": "格式不正确",
    "greater_than": "数值太小",
    "greater_than_equal": "数值太小",
    "less_than": "数值太大",
    "less_than_equal": "数值太大",
    "literal_error": "取值不在允许范围内",
    "enum": "取值不在允许范围内",
    "datetime_parsing": "日期时间格式不正确",
    "datetime_type": "应为日期时间",
    "datetime_from_date_parsing": "日期时间格式不正确",
    "timezone_aware": "日期时间须带时区",
    "date_parsing": "日期格式不正确",
    "list_type": "应为数组",
    "dict_type": "应为对象",
    "model_type": "应为对象",
    "json_invalid": "JSON 格式错误",
    "too_long": "元素太多",
    "too_short": "元素太少",
    "value_error": "取值不正确",
    "uuid_parsing": "应为 UUID",
    "url_parsing": "网址格式不正确",
    "finite_number": "应为有限数字",
}


def _field_path(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "form")]
    return ".".join(parts) or ".".join(str(p) for p in loc)


def validation_items(exc_errors: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Pydantic's error list rendered as our per-field items, in both languages."""
    items = []
    for err in exc_errors:
        kind = err.get("type", "value_error")
        msg_en = str(err.get("msg", "Invalid value"))
        if msg_en.startswith("Value error, "):
            msg_en = msg_en.removeprefix("Value error, ")
        ctx = err.get("ctx") or {}
        zh = ctx.get("zh") if isinstance(ctx, dict) else None
        if not zh:
            zh = _PYDANTIC_ZH.get(kind, "取值不正确")
            if kind == "value_error" and isinstance(ctx.get("error"), ZhValueError):
                zh = ctx["error"].zh
            elif kind in ("enum", "literal_error") and ctx.get("expected"):
                # the same list pydantic gives in English: "'wgs84', 'gcj02' or 'bd09'"
                zh = f"{zh}，应为 {str(ctx['expected']).replace(' or ', ' 或 ')}"
        items.append(
            {
                "field": _field_path(tuple(err.get("loc", ()))),
                "code": kind,
                "message": zh,
                "message_en": msg_en,
            }
        )
    return items


class ZhValueError(ValueError):
    """A ValueError raised in a validator, carrying a Chinese message beside the English one."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(en)
        self.zh = zh


def internal_error() -> ApiError:
    """What a request that failed unexpectedly answers (the error itself goes to the log)."""
    return ApiError(
        500,
        "internal_error",
        "服务器内部错误，请稍后重试或联系管理员",
        "Internal server error: try again later or contact the administrator",
    )


def render(exc: ApiError) -> JSONResponse:
    """The response every refusal takes: ``{code, message, message_en, field, errors}``."""
    return JSONResponse(exc.body(), status_code=exc.status, headers=exc.headers)


_STATUS_TEXT: dict[int, tuple[str, str, str]] = {
    400: ("bad_request", "请求格式错误", "Bad request"),
    401: ("unauthorized", "未登录或登录已过期", "Not authenticated"),
    403: ("forbidden", "无权执行此操作", "Forbidden"),
    404: ("not_found", "资源不存在", "Not found"),
    405: ("method_not_allowed", "不支持该请求方法", "Method not allowed"),
    409: ("conflict", "与现有数据冲突", "Conflict"),
    413: ("body_too_large", "请求体过大", "Request body too large"),
    415: ("unsupported_media_type", "不支持的内容类型", "Unsupported media type"),
    429: ("too_many_requests", "请求过于频繁", "Too many requests"),
}


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(_request: Request, exc: ApiError) -> JSONResponse:
        return render(exc)

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
        items = validation_items(list(exc.errors()))
        first = items[0] if items else {"field": None, "message": "请求参数错误"}
        json_bad = any(i["code"] == "json_invalid" for i in items)
        err = ApiError(
            400 if json_bad else 422,
            "malformed_json" if json_bad else "validation_error",
            f"{first['field']}: {first['message']}" if first.get("field") else first["message"],  # type: ignore[arg-type]  # validation_items always gives both messages
            f"{first['field']}: {first.get('message_en', 'Invalid request')}"  # type: ignore[arg-type]  # as above
            if first.get("field")
            else first.get("message_en", "Invalid request"),
            field=first.get("field"),
            errors=items,
        )
        return render(err)

    @app.exception_handler(Exception)
    async def _unexpected(_request: Request, _exc: Exception) -> JSONResponse:
        # Starlette's server-error middleware sends this, then raises the error on to the log
        return render(internal_error())

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code, zh, en = _STATUS_TEXT.get(exc.status_code, ("error", "请求失败", "Request failed"))
        if isinstance(exc.detail, str) and exc.detail and exc.status_code not in _STATUS_TEXT:
            en = exc.detail
        return render(
            ApiError(exc.status_code, code, zh, en, headers=getattr(exc, "headers", None))
        )
