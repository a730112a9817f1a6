"""The job queue lives in the database: no broker to install in a court's closed network.

A job is due when `status` is queued and `run_at` has come. A worker claims it by moving it
to running with a conditional UPDATE (or SKIP LOCKED on PostgreSQL), so two workers never
run the same job. `key` makes scheduling idempotent: "tick:2019-05-01" is queued once.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class JobStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "执行中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"


class Job(models.Model):
    kind = models.CharField("类别", max_length=64)
    key = models.CharField("去重键", max_length=128, null=True, blank=True, unique=True)
    payload = models.JSONField("参数", default=dict, blank=True)
    status = models.CharField(
        "状态", max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    run_at = models.DateTimeField("计划时间")
    attempts = models.PositiveSmallIntegerField("已尝试次数", default=0)
    max_attempts = models.PositiveSmallIntegerField("最多尝试次数", default=3)
    locked_by = models.CharField("执行者", max_length=64, blank=True)
    locked_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    result = models.JSONField("结果", default=dict, blank=True)
    last_error = models.TextField("错误信息", blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "后台任务"
        verbose_name_plural = "后台任务"
        indexes = [
            models.Index(fields=["run_at", "id"], name="job_due_idx", condition=Q(status="queued")),
            models.Index(fields=["status", "locked_at"], name="job_status_locked_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}#{self.pk}"
