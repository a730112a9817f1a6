"""The bi-weekly bulletin (R17) as an immutable snapshot.

A bulletin freezes, at issue, its figures (JSON) and its three rendered files (Word, PDF,
Excel) with their SHA-256. Nothing updates a bulletin afterwards: `save()` refuses to change
an issued one, a period is issued once (a unique constraint), and downloads check each file
against its hash, so later changes to cases can never change what was published.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from huajie.cases.models import Campaign
from huajie.courts.models import Court

FORMATS: dict[str, tuple[str, str]] = {
    # format → (file name suffix, content type)
    "docx": (
        ".docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    "pdf": (".pdf", "application/pdf"),
    "xlsx": (".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}


class BulletinImmutable(Exception):
    """An issued bulletin is never changed."""


class Bulletin(models.Model):
    province = models.ForeignKey(  # indexed by the unique (province, campaign, number)
        Court,
        verbose_name="发布法院",
        on_delete=models.PROTECT,
        related_name="bulletins",
        db_index=False,
    )
    campaign = models.ForeignKey(
        Campaign, verbose_name="专项活动", on_delete=models.PROTECT, related_name="bulletins"
    )
    number = models.PositiveSmallIntegerField("期数")
    period_start = models.DateField("统计期间起")
    period_end = models.DateField("统计截至")
    issued_at = models.DateTimeField("发布时间")
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="发布人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    issued_by_name = models.CharField("发布人姓名", max_length=64)
    figures = models.JSONField("通报数据")
    docx_path = models.CharField(max_length=255)
    docx_sha256 = models.CharField("Word 文件 SHA-256", max_length=64)
    pdf_path = models.CharField(max_length=255)
    pdf_sha256 = models.CharField("PDF 文件 SHA-256", max_length=64)
    xlsx_path = models.CharField(max_length=255)
    xlsx_sha256 = models.CharField("Excel 文件 SHA-256", max_length=64)

    class Meta:
        verbose_name = "双周通报"
        verbose_name_plural = "双周通报"
        ordering = ["-period_end", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["province", "campaign", "number"], name="bulletin_number_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.campaign.year}年第{self.number}期通报"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None or not self._state.adding:
            raise BulletinImmutable("通报一经发布不得修改。")
        super().save(*args, **kwargs)

    @property
    def title(self) -> str:
        return f"关于防范和化解涉诉信访案件工作落实年活动进展情况的通报（第{self.number}期）"

    def file(self, fmt: str) -> tuple[str, str]:
        """(path under MEDIA_ROOT, sha256) of the file in format `fmt`."""
        return getattr(self, f"{fmt}_path"), getattr(self, f"{fmt}_sha256")
