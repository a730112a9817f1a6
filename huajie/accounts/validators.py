"""Password validators. Django's own are used as they are, except where their Chinese
translation is missing."""

from __future__ import annotations

from django.contrib.auth import password_validation


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django 5.2 reworded this message and its zh-hans catalogue has no translation of the new
    wording yet, so a too-short password was refused in English; say it in Chinese here."""

    def get_error_message(self) -> str:
        return f"这个密码太短了，至少需要 {self.min_length} 个字符。"
