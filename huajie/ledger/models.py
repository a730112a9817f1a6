"""An import of a ledger sheet (R22): the uploaded file (by its hash), who imports it for
which court and campaign, where it stands, and its report (the dry run's, then the import's).

The page of an import is scoped like everything else: by `court`, the importing account's
court, through the permission policy.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from huajie.cases.models import Campaign
from huajie.core import clock
from huajie.courts.models import Court
from huajie.worker.models import Job


class ImportStatus(models.TextChoices):
    CHECKING = "checking", "检查中"
    CHECKED = "checked", "检查通过，待确认导入"
    REFUSED = "refused", "未通过检查"
    APPLYING = "applying", "导入中"
    APPLIED = "applied", "已导入"
    FAILED = "failed", "处理失败"


RUNNING = (ImportStatus.CHECKING, ImportStatus.APPLYING)


class LedgerImport(models.Model):
    court = models.ForeignKey(
        Court, verbose_name="导入单位", on_delete=models.PROTECT, related_name="+"
    )
    campaign = models.ForeignKey(
        Campaign, verbose_name="专项活动", on_delete=models.PROTECT, related_name="+"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="导入人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    file_name = models.CharField("文件名", max_length=255)
    sha256 = models.CharField("SHA-256", max_length=64, db_index=True)
    size = models.PositiveBigIntegerField("大小（字节）")
    rows = models.PositiveIntegerField("行数（估计）", default=0)
    status = models.CharField(
        "状态", max_length=16, choices=ImportStatus.choices, default=ImportStatus.CHECKING
    )
    report = models.JSONField("结果", default=dict, blank=True)
    job = models.ForeignKey(Job, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("上传时间", default=clock.now, editable=False)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "台账导入"
        verbose_name_plural = "台账导入"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.file_name}（{self.get_status_display()}）"

    @property
    def is_running(self) -> bool:
        return self.status in RUNNING
