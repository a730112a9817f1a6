"""The error shapes of the JSON API, for every room's `response={...}` declarations.

Every error answer is `{"detail": "…"}` in Chinese; a 422 also lists what to fix field by
field. The handlers that produce them live in `huajie.api.errors`; the shapes live here, on
the lowest floor, so that each room's `api.py` can declare them without importing upward.
"""

from __future__ import annotations

from typing import Any

from ninja import Field, Schema
from ninja.errors import HttpError

# Status codes every request with a JSON body may get: unreadable JSON, too large, not JSON.
BODY = (400, 413, 415)


class ErrorOut(Schema):
    detail: str = Field(..., description="错误说明")


class FieldErrorOut(Schema):
    field: str = Field(..., description="出错的字段，如 visits[0].visited_on；整个请求时为空")
    message: str = Field(..., description="应如何修改")


class ValidationErrorOut(Schema):
    detail: str = Field(..., description="错误说明")
    errors: list[FieldErrorOut] = Field(default_factory=list, description="逐字段的错误")


class FieldInvalid(HttpError):
    """A 422 about one field of the request, found after validation (an id that names nothing
    the user can see, a value the service cannot take): answered like a validation error."""

    def __init__(self, field: str, reason: str) -> None:
        self.field = field
        self.reason = reason
        super().__init__(422, f"{field}：{reason}")


def errors(*codes: int) -> dict[int, Any]:
    """Error responses for an operation's `response={...}`: always 401 (no or a bad token) and
    422 (a parameter that cannot be read), plus `codes` (403, 404, 409, BODY…)."""
    wanted = sorted({401, 422, *codes})
    return {code: ValidationErrorOut if code == 422 else ErrorOut for code in wanted}
