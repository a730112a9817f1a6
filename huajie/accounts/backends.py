"""The authentication backend: Django's, reading the signed-in user with their court.

Every page shows the user's name and court and asks the permission policy, which starts
from the court: Django's backend read the user, then their person, then the court, three
queries per request; this reads them in one.

A session names the backend that signed it in, so sessions begun under Django's own backend
(before 2026-11-25) end once: those users sign in again.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend

from huajie.accounts.models import User


class AccountBackend(ModelBackend):
    def get_user(self, user_id: Any) -> User | None:
        try:
            user = User.objects.select_related("person__court").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
