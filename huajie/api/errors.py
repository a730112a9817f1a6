"""How the API answers what goes wrong: always JSON, always Chinese, never a 500 for bad input.

- a request that does not fit the declared parameters (ninja's ValidationError, from pydantic)
  is 422 with {"detail": "请求内容有误", "errors": [{"field": …, "message": …}]}, one entry per
  field, saying what to fix;
- a body that is not JSON is 400, a body of another content type 415, a body over Django's
  DATA_UPLOAD_MAX_MEMORY_SIZE 413;
- ninja's own English messages (no or a bad token, the CSRF check) are replaced by Chinese.

The shapes are declared in `huajie.core.api_errors` so the OpenAPI document says all this.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation, TooManyFieldsSent
from django.http import HttpRequest, HttpResponse
from django.utils.datastructures import MultiValueDict
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser

from huajie.core.api_errors import FieldInvalid

INVALID = "请求内容有误"
DATE_FORMAT = "日期格式应为 YYYY-MM-DD，且须是真实存在的日期"
DATETIME_FORMAT = "日期时间格式应为 YYYY-MM-DDTHH:MM:SS"

# --- request parsing -----------------------------------------------------------------------


class BodyNotJson(Exception):
    """The body could not be read as JSON; the message says where."""


class WrongContentType(Exception):
    pass


class NulCharacter(Exception):
    """A NUL character in a text value: no database column can hold it (PostgreSQL refuses
    it outright), so it is bad input, not a server error."""

    def __init__(self, field: str) -> None:
        self.field = field
        super().__init__(field)


def _is_json(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (
        media.startswith("application/") and media.endswith("+json")
    )


def _reject_nul(value: Any, path: str = "") -> None:
    if isinstance(value, str):
        if "\x00" in value:
            raise NulCharacter(path)
    elif isinstance(value, Mapping):
        for key, item in value.items():
            _reject_nul(key, path)
            _reject_nul(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _reject_nul(item, f"{path}[{index}]")


class JsonParser(Parser):
    """ninja's parser, strict about what a JSON body is. ninja wraps whatever this raises in
    a 400; the handler below reads the cause and answers in Chinese."""

    def parse_body(self, request: HttpRequest) -> Any:
        if not _is_json(request.content_type or ""):
            raise WrongContentType(request.content_type)
        try:
            data = json.loads(request.body)
        except json.JSONDecodeError as exc:
            raise BodyNotJson(f"第{exc.lineno}行第{exc.colno}列附近") from exc
        except UnicodeDecodeError as exc:
            raise BodyNotJson("不是 UTF-8 编码") from exc
        _reject_nul(data)
        return data

    def parse_querydict(
        self, data: MultiValueDict[str, Any], list_fields: list[str], request: HttpRequest
    ) -> dict[str, Any]:
        parsed = super().parse_querydict(data, list_fields, request)
        _reject_nul({key: value for key, value in parsed.items() if isinstance(value, str | list)})
        return parsed


# --- 422: what to fix, field by field ------------------------------------------------------


def _choices(expected: str) -> str:
    """pydantic's "'a', 'b' or 'c'" as 'a'、'b'、'c'."""
    return "、".join(part for part in re.split(r", | or ", expected) if part)


def _size(ctx: Mapping[str, Any], key: str, unit: str) -> str:
    return f"{ctx.get(key)}{unit}"


# pydantic error type → the Chinese message, given the error's ctx.
MESSAGES: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "missing": lambda ctx: "必填",
    "string_type": lambda ctx: "应为文字",
    "string_unicode": lambda ctx: "应为有效的文字",
    "string_too_long": lambda ctx: f"最多{_size(ctx, 'max_length', '个字符')}",
    "string_too_short": lambda ctx: f"至少{_size(ctx, 'min_length', '个字符')}",
    "too_long": lambda ctx: f"最多{_size(ctx, 'max_length', '项')}",
    "too_short": lambda ctx: f"至少{_size(ctx, 'min_length', '项')}",
    "int_type": lambda ctx: "应为整数",
    "int_parsing": lambda ctx: "应为整数",
    "int_from_float": lambda ctx: "应为整数，不能有小数",
    "int_parsing_size": lambda ctx: "数值过大",
    "float_type": lambda ctx: "应为数字",
    "float_parsing": lambda ctx: "应为数字",
    "finite_number": lambda ctx: "应为有限的数字",
    "decimal_type": lambda ctx: "应为数字",
    "decimal_parsing": lambda ctx: "应为数字",
    "decimal_max_digits": lambda ctx: f"最多{ctx.get('max_digits')}位数字",
    "decimal_max_places": lambda ctx: f"最多{ctx.get('decimal_places')}位小数",
    "decimal_whole_digits": lambda ctx: f"整数部分最多{ctx.get('whole_digits')}位",
    "bool_type": lambda ctx: "应为 true 或 false",
    "bool_parsing": lambda ctx: "应为 true 或 false",
    "date_type": lambda ctx: DATE_FORMAT,
    "date_parsing": lambda ctx: DATE_FORMAT,
    "date_from_datetime_parsing": lambda ctx: DATE_FORMAT,
    "date_from_datetime_inexact": lambda ctx: "应为日期，不能带时刻（YYYY-MM-DD）",
    "datetime_type": lambda ctx: DATETIME_FORMAT,
    "datetime_parsing": lambda ctx: DATETIME_FORMAT,
    "datetime_from_date_parsing": lambda ctx: DATETIME_FORMAT,
    "literal_error": lambda ctx: f"应为以下之一：{_choices(str(ctx.get('expected', '')))}",
    "enum": lambda ctx: f"应为以下之一：{_choices(str(ctx.get('expected', '')))}",
    "greater_than": lambda ctx: f"应大于{ctx.get('gt')}",
    "greater_than_equal": lambda ctx: f"应不小于{ctx.get('ge')}",
    "less_than": lambda ctx: f"应小于{ctx.get('lt')}",
    "less_than_equal": lambda ctx: f"应不大于{ctx.get('le')}",
    "list_type": lambda ctx: "应为列表",
    "dict_type": lambda ctx: "应为对象",
    "model_type": lambda ctx: "应为对象",
    "model_attributes_type": lambda ctx: "应为对象",
    "json_invalid": lambda ctx: "不是有效的 JSON",
    "json_type": lambda ctx: "应为 JSON 文本",
    "extra_forbidden": lambda ctx: "不接受此字段",
    "none_required": lambda ctx: "应为空",
    "value_error": lambda ctx: "取值无效",
}

# The name every operation gives its JSON body argument (a house convention): ninja puts it
# in `loc`, but "payload.visited_on" is just "visited_on" to the client.
BODY_PARAMS = ("payload",)

# Where a parameter comes from: the first element of ninja's `loc`.
SOURCES = {"path", "query", "header", "cookie", "body", "form", "file"}


def field_name(loc: Iterable[Any], *, param_names: Iterable[str] = BODY_PARAMS) -> str:
    """ninja's loc ("body", "payload", "visits", 0, "visited_on") as "visits[0].visited_on":
    without the source and without the name of the function argument holding the body."""
    parts = list(loc)
    if parts and parts[0] in SOURCES:
        source = parts.pop(0)
        if source in {"body", "form"} and len(parts) > 1 and parts[0] in set(param_names):
            parts.pop(0)
    name = ""
    for part in parts:
        if isinstance(part, int):
            name += f"[{part}]"
        else:
            name += f".{part}" if name else str(part)
    return name


def field_message(error: Mapping[str, Any]) -> str:
    kind = str(error.get("type", ""))
    ctx = error.get("ctx") or {}
    translate = MESSAGES.get(kind)
    if translate is not None:
        return translate(ctx)
    return "取值无效"


def translate(
    errors: Iterable[Mapping[str, Any]], *, param_names: Iterable[str] = BODY_PARAMS
) -> list[dict[str, str]]:
    """One entry per field, in the order pydantic found them; duplicates dropped (a union
    type reports each member)."""
    names = tuple(param_names)
    seen: set[tuple[str, str]] = set()
    out: list[dict[str, str]] = []
    for error in errors:
        entry = (field_name(error.get("loc", ()), param_names=names), field_message(error))
        if entry not in seen:
            seen.add(entry)
            out.append({"field": entry[0], "message": entry[1]})
    return out


# --- the handlers --------------------------------------------------------------------------


def _answer(
    api: NinjaAPI, request: HttpRequest, status: int, detail: str, **extra: Any
) -> HttpResponse:
    return api.create_response(request, {"detail": detail, **extra}, status=status)


def install(api: NinjaAPI) -> None:
    """Register the handlers on `api` (after ninja's defaults, which they replace)."""

    @api.exception_handler(ValidationError)
    def _validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        errors = translate(exc.errors)
        return _answer(api, request, 422, INVALID, errors=errors)

    @api.exception_handler(FieldInvalid)
    def _field_invalid(request: HttpRequest, exc: FieldInvalid) -> HttpResponse:
        errors = [{"field": exc.field, "message": exc.reason}]
        return _answer(api, request, 422, str(exc), errors=errors)

    @api.exception_handler(AuthenticationError)
    def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return _answer(api, request, 401, "未登录或接口令牌无效，请先以用户名和密码换取令牌")

    @api.exception_handler(HttpError)
    def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        cause = exc.__cause__
        if isinstance(cause, WrongContentType):
            return _answer(api, request, 415, "请求内容须为 JSON（Content-Type: application/json）")
        if isinstance(cause, BodyNotJson):
            return _answer(api, request, 400, f"请求内容不是有效的 JSON（{cause}）")
        if isinstance(cause, NulCharacter):
            return _nul(request, cause)
        if isinstance(cause, RequestDataTooBig):
            return _too_big(request, cause)
        return _answer(api, request, exc.status_code, _chinese(exc))

    @api.exception_handler(NulCharacter)
    def _nul(request: HttpRequest, exc: NulCharacter) -> HttpResponse:
        errors = [{"field": exc.field, "message": "不能含有空字符（\\u0000）"}]
        return _answer(api, request, 422, INVALID, errors=errors)

    @api.exception_handler(RequestDataTooBig)
    def _too_big(request: HttpRequest, exc: Exception) -> HttpResponse:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        size = f"（上限 {limit // 1024} KB）" if limit else ""
        return _answer(api, request, 413, f"请求内容过大{size}")

    @api.exception_handler(TooManyFieldsSent)
    def _too_many_fields(request: HttpRequest, exc: TooManyFieldsSent) -> HttpResponse:
        return _answer(api, request, 413, "提交的字段过多")

    @api.exception_handler(SuspiciousOperation)
    def _suspicious(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
        return _answer(api, request, 400, "请求无效")


# ninja's own messages, by status code; ours are Chinese already and pass through.
NINJA_MESSAGES = {
    400: "请求无效",
    401: "未登录或接口令牌无效，请先以用户名和密码换取令牌",
    403: "您没有执行此操作的权限（使用登录会话时须带 CSRF 令牌）",
    404: "不存在或无权查看",
    429: "请求过于频繁，请稍后再试",
}


def _chinese(exc: HttpError) -> str:
    message = str(exc)
    if message.isascii():
        return NINJA_MESSAGES.get(exc.status_code, "请求无法处理")
    return message
