"""Accounts. An account maps to a person of a court (R2); what it may see is its scope,
what it may do is its role. Both are read only by `huajie.accounts.policy`."""

from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models

from huajie.courts.models import Court, Person


class Scope(models.TextChoices):
    COURT = "court", "本院"
    SUBTREE = "subtree", "本院及下级法院"
    PROVINCE = "province", "全省"
    NATION = "nation", "全国"  # every court of every province; needs no court of its own


class Role(models.TextChoices):
    """What an account does in the system; what it sees is its Scope."""

    PETITION_OFFICE = "petition_office", "信访部门工作人员"
    COURT_LEADER = "court_leader", "院领导"
    DIVISION_LEADER = "division_leader", "庭领导"
    JUDGE = "judge", "法官/工作人员"
    COURT_ADMIN = "court_admin", "本院管理员"
    PROVINCE_OFFICE = "province_office", "省法院信访办"
    # National supervision (issue #7): watches every province, reads figures and reports,
    # changes nothing in any case.
    NATION_OFFICE = "nation_office", "全国督导"
    ADMIN = "admin", "系统管理员"


class User(AbstractUser):
    person = models.OneToOneField(
        Person,
        verbose_name="对应人员",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="account",
    )
    role = models.CharField("角色", max_length=24, choices=Role.choices, default=Role.JUDGE)
    scope = models.CharField("可见范围", max_length=16, choices=Scope.choices, default=Scope.COURT)

    class Meta:
        verbose_name = "账户"
        verbose_name_plural = "账户"

    @property
    def court(self) -> Court | None:
        return self.person.court if self.person_id else None  # type: ignore[union-attr]

    @property
    def display_name(self) -> str:
        return self.person.name if self.person_id else self.username  # type: ignore[union-attr]


class ApiToken(models.Model):
    """A bearer token for the JSON API. Only its SHA-256 is stored: a leaked database does
    not leak usable tokens."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "接口令牌"
        verbose_name_plural = "接口令牌"

    def __str__(self) -> str:
        return f"{self.user} 的接口令牌"

    @staticmethod
    def digest_of(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()

    @classmethod
    def issue(cls, user: User) -> str:
        """Create a token for `user` and return its raw value (shown once, never stored)."""
        raw = secrets.token_urlsafe(32)
        cls.objects.create(user=user, digest=cls.digest_of(raw))
        return raw
