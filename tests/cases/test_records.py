"""R3: case records, petitioners by ID number, original case numbers; R13 campaigns; R15."""

from __future__ import annotations

import io

import pytest

from huajie.audit.models import AuditEvent
from huajie.cases import services
from huajie.cases.attachments import storage_path
from huajie.cases.models import (
    AttachmentPurpose,
    CaseStatus,
    Petitioner,
    PetitionType,
    Stage,
)
from tests.cases.world import PDF, World, case_in, new_case

pytestmark = pytest.mark.django_db


def test_a_petitioner_is_unique_by_id_number_and_15_digits_are_upgraded() -> None:
    first = services.petitioner_upsert(
        data=services.PetitionerInput(name="王五", id_number="110105491231002")
    )
    assert first.id_number == "11010519491231002X"
    again = services.petitioner_upsert(
        data=services.PetitionerInput(
            name="王五", id_number="11010519491231002x", phone="13800001111"
        )
    )
    assert again.pk == first.pk
    assert again.phone == "13800001111"


def test_a_bad_id_number_is_refused_with_the_reason() -> None:
    with pytest.raises(services.Refused, match="身份证号有误"):
        services.petitioner_upsert(
            data=services.PetitionerInput(name="王五", id_number="110105194912310021")
        )


def test_one_id_number_cannot_belong_to_two_names() -> None:
    services.petitioner_upsert(
        data=services.PetitionerInput(name="王五", id_number="11010519491231002X")
    )
    with pytest.raises(services.Refused, match="已登记为"):
        services.petitioner_upsert(
            data=services.PetitionerInput(name="王六", id_number="11010519491231002X")
        )


def test_petitioners_without_id_numbers_are_never_merged_silently() -> None:
    a = services.petitioner_upsert(data=services.PetitionerInput(name="赵六", phone="139"))
    b = services.petitioner_upsert(data=services.PetitionerInput(name="赵六", phone="139"))
    assert a.pk != b.pk
    assert Petitioner.objects.filter(name="赵六").count() == 2


def test_original_case_numbers_are_parsed_and_linked(world: World) -> None:
    case = new_case(world, number="（2017）鲁0102民初1234号", judge=world.lixia.judge.name)
    original = case.original_cases.get()
    assert (original.year, original.court_code, original.type_code, original.serial) == (
        2017,
        "鲁0102",
        "民初",
        1234,
    )
    assert original.court == world.tree.lixia
    assert original.trial_judge == world.lixia.judge
    assert original.stage == Stage.TRIAL


def test_a_bad_case_number_is_refused(world: World) -> None:
    with pytest.raises(services.Refused, match="原审案号"):
        new_case(world, number="2017鲁0102民初")


def test_ledger_numbers_are_unique_in_a_campaign(world: World) -> None:
    new_case(world, ledger_no="JN-001")
    with pytest.raises(services.Refused, match="已存在"):
        new_case(world, ledger_no="JN-001")


def test_a_case_needs_a_petitioner(world: World) -> None:
    with pytest.raises(services.Refused, match="信访人"):
        services.case_create(
            actor=world.province_office,
            campaign=world.campaign,
            holding_court=world.tree.high,
            data=services.CaseInput(petition_type=PetitionType.BEIJING, petitioners=[]),
        )


def test_record_changes_are_audited_with_before_and_after(world: World) -> None:
    case = new_case(world)
    services.case_update_record(
        actor=world.province_office,
        case=case,
        changes={"risk_level": "high", "extreme_tendency": True},
    )
    event = AuditEvent.objects.get(case_id=case.pk, verb="case.update")
    assert event.before == {"risk_level": "normal", "extreme_tendency": False}
    assert event.after == {"risk_level": "high", "extreme_tendency": True}


def test_fields_outside_the_record_cannot_be_changed_this_way(world: World) -> None:
    case = new_case(world)
    with pytest.raises(services.Refused, match="不能通过此操作修改"):
        services.case_update_record(
            actor=world.province_office, case=case, changes={"status": "accepted"}
        )


def test_source_judge_and_flawed_judgment(world: World) -> None:
    case = case_in(world, CaseStatus.IN_RESOLUTION)
    services.source_judge_set(
        actor=world.lixia.office, case=case, judge=world.lixia.judge, stage=Stage.ENFORCEMENT
    )
    original = case.original_cases.get()
    with pytest.raises(services.Refused, match="理由"):
        services.original_case_flag(
            actor=world.lixia.office, original=original, flawed=True, note=""
        )
    services.original_case_flag(
        actor=world.lixia.office, original=original, flawed=True, note="认定事实不清"
    )
    original.refresh_from_db()
    case.refresh_from_db()
    assert original.is_flawed and case.source_judge == world.lixia.judge


def test_open_cases_carry_over_to_the_next_campaign(world: World) -> None:
    open_case = case_in(world, CaseStatus.IN_RESOLUTION)
    done = case_in(world, CaseStatus.ACCEPTED, ledger_no="2019-0999")
    later = services.campaign_create(year=2020)
    moved = services.campaign_carry_over(
        actor=world.province_office, source=world.campaign, target=later, province=world.tree.high
    )
    open_case.refresh_from_db()
    done.refresh_from_db()
    assert moved == 1
    assert open_case.campaign == later and open_case.first_campaign == world.campaign
    assert done.campaign == world.campaign


def test_carry_over_moves_only_the_provinces_own_cases(world: World) -> None:
    from tests.cases.world import staff_court

    mine = case_in(world, CaseStatus.IN_RESOLUTION)
    other_office = staff_court(world.tree.other_high).office
    theirs = services.case_create(
        actor=other_office,
        campaign=world.campaign,
        holding_court=world.tree.other_high,
        data=services.CaseInput(
            petition_type="beijing", petitioners=[services.PetitionerInput(name="外省")]
        ),
    )
    later = services.campaign_create(year=2020)
    services.campaign_carry_over(
        actor=world.province_office, source=world.campaign, target=later, province=world.tree.high
    )
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.campaign == later and theirs.campaign == world.campaign


def test_attachments_are_stored_by_hash_and_checked_by_content(world: World) -> None:
    case = new_case(world)
    attachment = services.attachment_add(
        actor=world.province_office,
        case=case,
        purpose=AttachmentPurpose.EVIDENCE,
        name="材料.pdf",
        stream=io.BytesIO(PDF),
    )
    assert attachment.content_type == "application/pdf"
    assert storage_path(attachment.sha256).read_bytes() == PDF
    with pytest.raises(services.Refused, match="不支持的文件类型"):
        services.attachment_add(
            actor=world.province_office,
            case=case,
            purpose=AttachmentPurpose.EVIDENCE,
            name="假装.pdf",
            stream=io.BytesIO(b"MZ\x90\x00 not a pdf"),
        )
    with pytest.raises(services.Refused, match="空的"):
        services.attachment_add(
            actor=world.province_office,
            case=case,
            purpose=AttachmentPurpose.EVIDENCE,
            name="空.pdf",
            stream=io.BytesIO(b""),
        )


def test_attachments_over_the_size_limit_are_refused(world: World, settings: object) -> None:
    settings.HUAJIE_ATTACHMENT_MAX_BYTES = 1024 * 1024  # type: ignore[attr-defined]
    case = new_case(world)
    with pytest.raises(services.Refused, match="大小上限"):
        services.attachment_add(
            actor=world.province_office,
            case=case,
            purpose=AttachmentPurpose.EVIDENCE,
            name="大.pdf",
            stream=io.BytesIO(PDF + b"0" * (1024 * 1024)),
        )


def test_an_uploaded_name_never_becomes_a_path(world: World, settings: object) -> None:
    """#8: the name the uploader gives is only a label; the file lives under its hash, and
    the download's filename header carries the label, not a path."""
    from pathlib import Path

    from django.test import Client

    case = new_case(world)
    hostile = "../../../../etc/cron.d/x\r\nSet-Cookie: a=b.pdf"
    attachment = services.attachment_add(
        actor=world.province_office,
        case=case,
        purpose=AttachmentPurpose.EVIDENCE,
        name=hostile,
        stream=io.BytesIO(PDF),
    )
    media = Path(settings.MEDIA_ROOT).resolve()  # type: ignore[attr-defined]
    stored = storage_path(attachment.sha256).resolve()
    assert stored.is_relative_to(media) and stored.name == attachment.sha256
    assert [p for p in media.rglob("*") if p.is_file()] == [stored]
    client = Client()
    client.force_login(world.province_office)
    response = client.get(f"/cases/{case.pk}/attachments/{attachment.pk}/")
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert "\r" not in disposition and "\n" not in disposition
    assert "a=b" not in response.cookies
    assert response["X-Content-Type-Options"] == "nosniff"
