"""Supervision records (R16): the one-vote veto of a court, set and lifted with reasons.

Scores and ranks are not stored: they are computed from the cases (`assessment.py`). What a
person decides — that a court's work was poor or its data falsified — is stored here, with
who decided it and why, and audited.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from huajie.cases.models import Campaign
from huajie.courts.models import Court


class CourtVeto(models.Model):
    """一票否决: "工作不力、进展缓慢、完不成任务，甚至弄虚作假造成不良影响的要实行'一票否决'"."""

    campaign = models.ForeignKey(  # indexed by (campaign, court)
        Campaign,
        verbose_name="专项活动",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    court = models.ForeignKey(
        Court, verbose_name="法院", on_delete=models.PROTECT, related_name="vetoes"
    )
    reason = models.TextField("否决理由")
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="决定人", on_delete=models.PROTECT, related_name="+"
    )
    set_at = models.DateTimeField("决定时间")
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="撤销人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    lifted_at = models.DateTimeField("撤销时间", null=True, blank=True)
    lift_reason = models.TextField("撤销理由", blank=True)

    class Meta:
        verbose_name = "一票否决"
        verbose_name_plural = "一票否决"
        ordering = ["-set_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "court"],
                condition=Q(lifted_at__isnull=True),
                name="one_active_veto_per_court_and_campaign",
            )
        ]

    def __str__(self) -> str:
        return f"{self.court} 一票否决"

    @property
    def is_active(self) -> bool:
        return self.lifted_at is None


class ProgressMemo(models.Model):
    """A remembered point of the progress chart: a court's tasks and accepted tasks at the
    end of a past day, so that a dashboard does not rebuild every month of the year from the
    audit history on every view.

    A past day's figures never change once the day is over (docs/supervision.md), but a
    memo is still verified before use: `high_water` is the last audit event it has been
    checked against; an event recorded later with a time inside the day (only possible when
    the clock is moved, in tests and in the demo loader) makes it stale, and it is computed
    again. `huajie/supervision/metrics.py: progress_series` keeps it; deleting every row is
    always safe."""

    campaign = models.ForeignKey(  # indexed by (campaign, court, day)
        Campaign, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    court = models.ForeignKey(Court, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    tasks = models.PositiveIntegerField()
    accepted = models.PositiveIntegerField()
    high_water = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "court", "day"], name="progress_memo_unique_point"
            )
        ]

    def __str__(self) -> str:
        return f"{self.court_id} {self.day}: {self.accepted}/{self.tasks}"
