"""R16 assessment, R20 summary report, R21 exemplary cases: the figures, the Excel export, the
documents, and who may see (404 outside the scope) and act (403)."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from django.test import Client
from docx import Document
from openpyxl import load_workbook

from huajie.audit.models import AuditEvent
from huajie.cases import services
from huajie.cases.models import CaseStatus, OriginalCase, Stage
from huajie.cases.transitions import Refused
from huajie.core import clock
from huajie.supervision import assessment
from huajie.supervision.models import CourtVeto
from huajie.supervision.services import case_mark_exemplary, veto_set
from tests.bulletins.test_files import pdftotext
from tests.cases.world import World, case_in

pytestmark = pytest.mark.django_db

DAY = dt.date(2019, 3, 20)


def client_for(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def _cases(world: World) -> dict[str, object]:
    """At 历下法院: two accepted, one in resolution whose grievance came from a judge's flawed
    judgment; at 市南法院 one in resolution."""
    with clock.travel(DAY):
        accepted = [
            case_in(world, CaseStatus.ACCEPTED, number=f"(2017)鲁0102民初{n}号") for n in (1, 2)
        ]
        open_case = case_in(
            world,
            CaseStatus.IN_RESOLUTION,
            number="(2017)鲁0102民初3号",
            judge=world.lixia.judge.name,
        )
        services.source_judge_set(
            actor=world.lixia.office, case=open_case, judge=world.lixia.judge, stage=Stage.TRIAL
        )
        original = OriginalCase.objects.get(case=open_case)
        services.original_case_flag(
            actor=world.province_office, original=original, flawed=True, note="事实认定错误"
        )
        shinan = case_in(world, CaseStatus.IN_RESOLUTION, number="(2017)鲁0202民初4号")
    return {"accepted": accepted, "open": open_case, "shinan": shinan}


def test_leaders_judges_and_courts_are_assessed(world: World) -> None:
    _cases(world)
    sheet = assessment.assess(world.campaign, DAY, world.tree.high)
    leaders = {(line.name, line.court): (line.cases, line.accepted) for line in sheet.leaders}
    assert leaders[(world.lixia.leader.name, world.tree.lixia.short_name)] == (3, 2)
    assert leaders[(world.shinan.leader.name, world.tree.shinan.short_name)] == (1, 0)
    (judge,) = sheet.judges
    assert (judge.name, judge.source_cases, judge.flawed) == (world.lixia.judge.name, 1, 1)
    assert judge.deduction == assessment.SOURCE_DEDUCTION + assessment.FLAWED_DEDUCTION
    lines = {line.court: line for line in sheet.courts}
    lixia, shinan = lines[world.tree.lixia], lines[world.tree.shinan]
    assert lixia.score == pytest.approx(round(2 / 3 * 100, 1)) and lixia.rank == 1
    assert shinan.score == 0.0 and shinan.rank == 2
    assert lines[world.tree.jinan].score is None and lines[world.tree.jinan].rank is None
    assert {u.court for u in sheet.unfinished} == {world.tree.lixia, world.tree.shinan}
    assert lixia.president == world.lixia.president.name
    assert not sheet.year_end
    assert assessment.assess(world.campaign, dt.date(2020, 1, 2), world.tree.high).year_end


def test_a_veto_is_set_with_a_reason_audited_and_ranks_last(world: World) -> None:
    _cases(world)
    office = client_for(world.province_office)
    with clock.travel(DAY):
        refused = office.post("/supervision/assessment/veto/", {"court": world.tree.lixia.pk})
        assert refused.status_code == 302 and not CourtVeto.objects.exists()
        office.post(
            "/supervision/assessment/veto/",
            {"court": world.tree.lixia.pk, "reason": "验收材料弄虚作假"},
        )
    veto = CourtVeto.objects.get()
    assert veto.reason == "验收材料弄虚作假" and veto.set_by == world.province_office
    assert AuditEvent.objects.filter(verb="assessment.veto", court_id=world.tree.lixia.pk).exists()
    sheet = assessment.assess(world.campaign, DAY, world.tree.high)
    ranked = [line.court for line in sheet.courts if line.rank is not None]
    assert ranked[-1] == world.tree.lixia
    with clock.travel(DAY):
        page = office.get("/supervision/assessment/").content.decode()
        assert "一票否决" in page and "验收材料弄虚作假" in page
        with pytest.raises(Refused):
            veto_set(
                actor=world.province_office,
                campaign=world.campaign,
                court=world.tree.lixia,
                reason="再次",
            )
        office.post(f"/supervision/assessment/veto/{veto.pk}/lift/", {"reason": "经核查属实已整改"})
    veto.refresh_from_db()
    assert veto.lifted_at is not None and veto.lift_reason == "经核查属实已整改"
    assert AuditEvent.objects.filter(verb="assessment.veto_lift").exists()


def test_the_assessment_is_refused_outside_scope_and_to_those_who_may_not(world: World) -> None:
    _cases(world)
    with clock.travel(DAY):
        judge = client_for(world.lixia.judge_user)
        assert judge.get("/supervision/assessment/").status_code == 403
        assert judge.get("/supervision/assessment.xlsx").status_code == 403
        jinan = client_for(world.jinan.office)
        assert jinan.get("/supervision/assessment/").status_code == 200
        assert (
            jinan.get(f"/supervision/assessment/?court={world.tree.qingdao.pk}").status_code == 404
        )
        veto = {"court": world.tree.lixia.pk, "reason": "不力"}
        assert jinan.post("/supervision/assessment/veto/", veto).status_code == 403
        other = {"court": world.tree.xuanwu.pk, "reason": "不力"}
        office = client_for(world.province_office)
        assert office.post("/supervision/assessment/veto/", other).status_code == 404
    assert not CourtVeto.objects.exists()
    with clock.travel(DAY):
        veto = veto_set(
            actor=world.province_office,
            campaign=world.campaign,
            court=world.tree.lixia,
            reason="不力",
        )
    lift = {"reason": "撤销"}
    assert jinan.post(f"/supervision/assessment/veto/{veto.pk}/lift/", lift).status_code == 403
    outsider = client_for(world.shinan.office)
    assert outsider.post(f"/supervision/assessment/veto/{veto.pk}/lift/", lift).status_code == 404
    veto.refresh_from_db()
    assert veto.lifted_at is None


def test_the_assessment_exports_to_excel(world: World) -> None:
    _cases(world)
    with clock.travel(DAY):
        response = client_for(world.province_office).get("/supervision/assessment.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))  # type: ignore[attr-defined]
    assert book.sheetnames == ["法院考核", "包案领导", "法官扣分", "未完成任务法院"]
    courts = [row[0] for row in book["法院考核"].iter_rows(min_row=3, values_only=True) if row[0]]
    assert world.tree.lixia.short_name in courts
    judges = list(book["法官扣分"].iter_rows(min_row=3, values_only=True))
    assert judges[0][0] == world.lixia.judge.name and judges[0][4] == 3.0


def test_the_summary_report_for_a_region_and_a_court(world: World, tmp_path: Path) -> None:
    _cases(world)
    office = client_for(world.province_office)
    with clock.travel(DAY):
        word = office.get(f"/supervision/courts/{world.tree.high.pk}/report.docx")
        pdf = office.get(f"/supervision/courts/{world.tree.lixia.pk}/report.pdf?as_of=2019-03-20")
    assert word.status_code == 200 and pdf.status_code == 200
    document = Document(io.BytesIO(b"".join(word.streaming_content)))  # type: ignore[attr-defined]
    texts = [p.text for p in document.paragraphs if p.text.strip()]
    assert "关于全省法院防范和化解涉诉信访案件工作情况的报告" in texts
    assert "中共山东省委政法委员会：" in texts
    assert [p.text for p in document.paragraphs if p.style.name == "Heading 1"] == [
        "一、总体进展",
        "二、各单位进展",
        "三、存在的问题",
        "四、下一步工作",
    ]
    assert document.tables[0].rows[-1].cells[0].text == "合计"
    text = "".join(pdftotext(b"".join(pdf.streaming_content), tmp_path).split())  # type: ignore[attr-defined]
    assert f"关于{world.tree.lixia.short_name}防范和化解涉诉信访案件工作情况的报告" in text
    assert "中共历下区委政法委员会：" in text
    assert "共有化解任务（存量案件）3件" in text and "经验收化解2件" in text


def test_the_report_is_refused_outside_scope_and_to_judges(world: World) -> None:
    url = f"/supervision/courts/{world.tree.lixia.pk}/report.docx"
    assert client_for(world.shinan.office).get(url).status_code == 404
    assert client_for(world.lixia.judge_user).get(url).status_code == 403
    assert client_for(world.lixia.office).get(url).status_code == 200


def test_exemplary_cases_are_marked_by_the_high_court_and_audited(world: World) -> None:
    cases = _cases(world)
    accepted, open_case = cases["accepted"][0], cases["open"]  # type: ignore[index]
    with pytest.raises(Refused, match="只有已验收的案件"):
        case_mark_exemplary(actor=world.province_office, case=open_case, exemplary=True, note="好")
    with pytest.raises(Refused, match="请写明典型事迹"):
        case_mark_exemplary(actor=world.province_office, case=accepted, exemplary=True)
    url = f"/supervision/exemplary/{accepted.pk}/"
    note = {"exemplary": "1", "note": "公开听证，当场息诉"}
    assert client_for(world.lixia.office).post(url, note).status_code == 403  # sees, may not
    assert client_for(world.shinan.office).post(url, note).status_code == 404
    office = client_for(world.province_office)
    assert office.post(url, note).status_code == 302
    accepted.refresh_from_db()
    assert accepted.is_exemplary
    event = AuditEvent.objects.get(verb="case.exemplary", case_id=accepted.pk)
    assert event.after == {"is_exemplary": True, "note": "公开听证，当场息诉"}
    page = client_for(world.lixia.judge_user).get("/supervision/exemplary/").content.decode()
    assert accepted.ledger_no in page and "公开听证，当场息诉" in page
    assert "评为先进典型" not in page
    assert (
        client_for(world.shinan.office)
        .get("/supervision/exemplary/")
        .content.decode()
        .count(accepted.ledger_no)
        == 0
    )
