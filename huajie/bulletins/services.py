"""Issuing a bulletin (R17): by the worker every 14 days, on demand by the high court's
petition office, or by `huajie bulletin issue`.

Issue = compute the figures as of the period's last day (exact for a past day, see
supervision.metrics), compare with the previous issued bulletin, render the three files,
store them under MEDIA_ROOT with their SHA-256, record the bulletin and an audit event. A
period is issued once: issuing it again is refused.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from huajie.accounts.models import User
from huajie.audit.services import audit_record
from huajie.bulletins import content, render
from huajie.bulletins.models import FORMATS, Bulletin
from huajie.cases.models import Campaign
from huajie.cases.transitions import Refused
from huajie.core import clock
from huajie.courts.models import Court, nation
from huajie.supervision import metrics


class AlreadyIssued(Refused):
    """The period's bulletin exists: an issued bulletin is never replaced."""


def media_path(relative: str) -> Path:
    return Path(settings.MEDIA_ROOT) / relative


def _store(
    province: Court, campaign: Campaign, number: int, files: dict[str, bytes]
) -> dict[str, tuple[str, str]]:
    """Write each file once under a fresh name; returns {fmt: (relative path, sha256)}."""
    token = secrets.token_hex(4)
    stored = {}
    for fmt, data in files.items():
        relative = f"bulletins/{province.pk}/{campaign.year}/{number:02d}-{token}{FORMATS[fmt][0]}"
        path = media_path(relative)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("xb") as handle:  # never overwrite
            handle.write(data)
        stored[fmt] = (relative, hashlib.sha256(data).hexdigest())
    return stored


def _period_of(campaign: Campaign, as_of: dt.date) -> tuple[metrics.Period, dt.date]:
    """The bulletin period containing `as_of` and its figures' day; refused before
    concentrated resolution, when there are no bulletins."""
    try:
        return content.period_end_for(campaign, as_of)
    except ValueError:
        raise Refused(
            f"{campaign.name}的集中化解阶段自{campaign.concentrated_start}开始，此前不发布通报。"
        ) from None


def existing(province: Court, campaign: Campaign, number: int) -> Bulletin | None:
    return Bulletin.objects.filter(province=province, campaign=campaign, number=number).first()


@transaction.atomic
def bulletin_issue(
    *,
    province: Court,
    campaign: Campaign,
    as_of: dt.date,
    actor: User | None,
    requirements: str = "",
) -> Bulletin:
    """Issue the bulletin of the period containing `as_of`, with figures as of the period's
    last day (or `as_of`, when the period is not over yet)."""
    if province.parent_id is not None:
        raise Refused("通报由高级人民法院发布。")
    if as_of > clock.today():
        raise Refused("统计截止日期不能晚于今天。")
    period, end = _period_of(campaign, as_of)
    found = existing(province, campaign, period.number)
    if found is not None:
        raise AlreadyIssued(
            f"第{period.number}期通报已于{timezone.localdate(found.issued_at)}发布，不能重复发布。"
        )
    previous = (
        Bulletin.objects.filter(province=province, campaign=campaign, number__lt=period.number)
        .order_by("-number")
        .first()
    )
    snap = metrics.snapshot(campaign, end, province, since=period.start)
    figures = content.compose(snap, period, previous.figures if previous else None, requirements)
    issued_at = clock.now()
    files = render.render_all(figures, clock.today())
    stored = _store(province, campaign, period.number, files)
    try:
        with transaction.atomic():
            bulletin = Bulletin.objects.create(
                province=province,
                campaign=campaign,
                number=period.number,
                period_start=period.start,
                period_end=end,
                issued_at=issued_at,
                issued_by=actor,
                issued_by_name=actor.display_name if actor else "系统（定时发布）",
                figures=figures,
                **{f"{fmt}_path": path for fmt, (path, _sha) in stored.items()},
                **{f"{fmt}_sha256": sha for fmt, (_path, sha) in stored.items()},
            )
    except IntegrityError:
        raise AlreadyIssued(f"第{period.number}期通报已经发布，不能重复发布。") from None
    audit_record(
        actor=actor,
        verb="bulletin.issue",
        obj=bulletin,
        court_id=province.pk,
        summary=f"发布{campaign.year}年第{period.number}期双周通报（{period.label}）",
        after={fmt: sha for fmt, (_path, sha) in stored.items()},
    )
    return bulletin


class FileTampered(RuntimeError):
    pass


def bulletin_file(bulletin: Bulletin, fmt: str) -> bytes:
    """The stored file, checked against the hash recorded at issue."""
    relative, sha256 = bulletin.file(fmt)
    data = media_path(relative).read_bytes()
    if hashlib.sha256(data).hexdigest() != sha256:
        raise FileTampered(f"{bulletin} 的 {fmt} 文件与发布时的校验值不符")
    return data


def download_name(bulletin: Bulletin, fmt: str) -> str:
    return f"{bulletin.campaign.year}年第{bulletin.number}期双周通报{FORMATS[fmt][0]}"


def national_bulletin(campaign: Campaign, as_of: dt.date, fmt: str) -> tuple[bytes, str]:
    """The national bulletin of the period containing `as_of` in `fmt`, made now (issue #7):
    the provinces ranked, figures as of the period's last day (or `as_of`). It is not issued
    or stored, so it is not compared with a previous issue. Refused before concentrated
    resolution."""
    period, end = _period_of(campaign, as_of)
    snap = metrics.snapshot(campaign, end, nation(), since=period.start)
    figures = content.compose(snap, period, None)
    data = render.render_one(figures, clock.today(), fmt)
    return data, f"{campaign.year}年第{period.number}期全国双周通报{FORMATS[fmt][0]}"
