"""The work on a case (R7, R8): classification, measures, the leader's own activity, attachments."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO

from django.db import transaction

from huajie.cases.attachments import store_file
from huajie.cases.casenumber import CaseNumberError, parse_case_number
from huajie.cases.models import (
    ActivityKind,
    Attachment,
    AttachmentPurpose,
    CaseStatus,
    LeaderActivity,
    Measure,
    MeasureKind,
    PetitionCase,
)
from huajie.cases.services._base import Actor, _audit, _lock, _save, _snapshot
from huajie.cases.transitions import Refused
from huajie.core import clock


def _require_allocated(case: PetitionCase) -> None:
    """Work on a case starts once it has a responsible court (R4)."""
    if case.status == CaseStatus.UNALLOCATED:
        raise Refused("案件尚未交办。")


@transaction.atomic
def case_classify(
    *, actor: Actor, case: PetitionCase, solve: bool, educate: bool, aid: bool, lawful: bool
) -> PetitionCase:
    if not (solve or educate or aid or lawful):
        raise Refused("请至少选择一种化解分类（解决、教育、救助、依法处理）。")
    case = _lock(case)
    _require_allocated(case)
    names = ["cls_solve", "cls_educate", "cls_aid", "cls_lawful"]
    before = _snapshot(case, names)
    case.cls_solve, case.cls_educate, case.cls_aid, case.cls_lawful = solve, educate, aid, lawful
    _save(case, names)
    _audit(
        actor,
        "case.classify",
        case,
        "分类：" + "、".join(case.classifications),
        before,
        _snapshot(case, names),
    )
    return case


PARTICIPANT_IDENTITIES = ("人大代表", "政协委员", "人民陪审员", "特邀监督员", "律师", "其他")


@dataclass(frozen=True)
class MeasureInput:
    kind: MeasureKind
    taken_on: dt.date
    summary: str
    participants: list[dict[str, str]] = field(default_factory=list)
    aid_amount: Decimal | None = None
    retrial_case_number: str = ""
    retrial_outcome: str = ""


def _check_measure(data: MeasureInput) -> None:
    if not data.summary.strip():
        raise Refused("请填写措施情况。")
    if data.taken_on > clock.today():
        raise Refused("措施日期不能晚于今天。")
    if data.kind == MeasureKind.PUBLIC_HEARING:
        if not data.participants:
            raise Refused("公开听证须登记参加的人大代表、政协委员、人民陪审员或特邀监督员。")
        for p in data.participants:
            if not p.get("name", "").strip() or p.get("identity") not in PARTICIPANT_IDENTITIES:
                raise Refused(
                    f"听证参加人员须有姓名和身份（{'、'.join(PARTICIPANT_IDENTITIES)}）。"
                )
    if data.kind == MeasureKind.JUDICIAL_AID and (data.aid_amount is None or data.aid_amount <= 0):
        raise Refused("司法救助须填写救助金额（元），且大于零。")
    if data.kind == MeasureKind.TRIAL_SUPERVISION and not data.retrial_case_number.strip():
        raise Refused("审判监督纠错须填写再审案号。")
    # Checked whatever the kind: a retrial number sent with another kind is still parsed below
    # (a malformed one was a 500, found by the API fuzzer).
    if data.retrial_case_number.strip():
        try:
            parse_case_number(data.retrial_case_number)
        except CaseNumberError as exc:
            raise Refused(f"再审案号有误：{exc}") from exc


@transaction.atomic
def measure_record(*, actor: Actor, case: PetitionCase, data: MeasureInput) -> Measure:
    case = _lock(case)
    _require_allocated(case)
    _check_measure(data)
    number = data.retrial_case_number.strip()
    retrial = str(parse_case_number(number)) if number else ""
    measure = Measure.objects.create(
        case=case,
        kind=data.kind,
        taken_on=data.taken_on,
        summary=data.summary.strip(),
        participants=data.participants,
        aid_amount=data.aid_amount,
        retrial_case_number=retrial,
        retrial_outcome=data.retrial_outcome.strip(),
        recorded_by=actor,
    )
    _audit(
        actor,
        "case.measure",
        case,
        f"{measure.get_kind_display()}：{data.summary[:60]}",
        None,
        {"kind": data.kind, "taken_on": data.taken_on, "aid_amount": data.aid_amount},
        obj=measure,
    )
    return measure


@transaction.atomic
def leader_activity_record(
    *, actor: Actor, case: PetitionCase, happened_on: dt.date, kind: ActivityKind, summary: str
) -> LeaderActivity:
    """R8: the case leader's own work on the case."""
    case = _lock(case)
    if case.leader is None:
        raise Refused("案件尚未确定包案领导。")
    if not summary.strip():
        raise Refused("请填写活动内容。")
    if happened_on > clock.today():
        raise Refused("活动日期不能晚于今天。")
    activity = LeaderActivity.objects.create(
        case=case,
        leader=case.leader,
        happened_on=happened_on,
        kind=kind,
        summary=summary.strip(),
        recorded_by=actor,
    )
    if case.leader_last_activity_on is None or happened_on > case.leader_last_activity_on:
        case.leader_last_activity_on = happened_on
    case.possibly_nominal = False
    _save(case, ["leader_last_activity_on", "possibly_nominal"])
    _audit(
        actor,
        "case.leader_activity",
        case,
        f"包案领导{case.leader.name}{activity.get_kind_display()}：{summary[:60]}",
        None,
        {"happened_on": happened_on, "kind": kind},
        obj=activity,
    )
    return activity


@transaction.atomic
def attachment_add(
    *, actor: Actor, case: PetitionCase, purpose: AttachmentPurpose, name: str, stream: IO[bytes]
) -> Attachment:
    sha256, size, content_type = store_file(stream)
    attachment = Attachment.objects.create(
        case=case,
        purpose=purpose,
        original_name=name[:255] or "附件",
        content_type=content_type,
        size=size,
        sha256=sha256,
        uploaded_by=actor,
    )
    _audit(
        actor,
        "case.attachment",
        case,
        f"上传{attachment.get_purpose_display()}：{name}",
        None,
        {"sha256": sha256, "size": size, "type": content_type},
        obj=attachment,
    )
    return attachment
