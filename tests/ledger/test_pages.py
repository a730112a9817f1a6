"""The import in the browser: upload, dry-run preview, confirm, the marked copy; big
sheets in the worker with a progress bar; who may see and do what."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.test import Client

from huajie.cases.models import AllocationRule, PetitionCase
from huajie.ledger.models import ImportStatus, LedgerImport
from huajie.worker.loop import Worker
from huajie.worker.models import Job, JobStatus
from tests.cases.world import World
from tests.ledger.helpers import counts
from tests.ledger.sheets import row, team_of, write_sheet

pytestmark = pytest.mark.django_db


def client_for(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def upload(client: Client, path: Path, campaign: int) -> Any:
    with path.open("rb") as handle:
        return client.post("/ledger/import/", {"file": handle, "campaign": campaign})


def good_sheet(world: World, tmp_path: Path) -> Path:
    return write_sheet(
        tmp_path / "历下台账.xlsx",
        [
            row(信访人="甲"),
            row(信访人="乙", 台账编号="2019-0801", 责任法院="历下法院", **team_of(world)),
        ],
    )


def test_upload_preview_confirm(world: World, tmp_path: Path) -> None:
    client = client_for(world.lixia.office)
    page = client.get("/ledger/import/")
    assert page.status_code == 200 and "导入任务台账" in page.content.decode()
    before = counts()
    response = upload(client, good_sheet(world, tmp_path), world.campaign.pk)
    assert response.status_code == 302
    record = LedgerImport.objects.get()
    assert record.status == ImportStatus.CHECKED and record.court == world.tree.lixia
    assert counts() == before  # the dry run changed nothing
    preview = client.get(response["Location"]).content.decode()
    for text in (
        "检查结果（试导入）",
        "将新建 2 件",
        "谁办案、谁负责",
        "人工指定（台账导入指定）",
        "确认导入",
    ):
        assert text in preview, text
    applied = client.post(f"/ledger/imports/{record.pk}/apply/")
    assert applied.status_code == 302
    record.refresh_from_db()
    assert record.status == ImportStatus.APPLIED
    assert PetitionCase.objects.count() == 2
    assert PetitionCase.objects.get(ledger_no="2019-0801").allocation_rule == AllocationRule.MANUAL
    again = client.post(f"/ledger/imports/{record.pk}/apply/")
    assert again.status_code == 302 and PetitionCase.objects.count() == 2
    assert "已导入" in client.get(f"/ledger/imports/{record.pk}/").content.decode()


def test_a_refused_sheet_lists_every_problem_and_offers_the_marked_copy(
    world: World, tmp_path: Path
) -> None:
    client = client_for(world.lixia.office)
    path = write_sheet(
        tmp_path / "t.xlsx", [row(身份证号="110105194912310021"), row(风险等级="极高")]
    )
    response = upload(client, path, world.campaign.pk)
    record = LedgerImport.objects.get()
    assert record.status == ImportStatus.REFUSED
    page = client.get(response["Location"]).content.decode()
    assert "第3行“身份证号”列" in page and "第4行“风险等级”列" in page
    assert "整张表未导入" in page and "下载标注了问题的台账副本" in page
    assert client.post(f"/ledger/imports/{record.pk}/apply/").status_code == 302
    assert PetitionCase.objects.count() == 0
    copy = client.get(f"/ledger/imports/{record.pk}/marked.xlsx")
    assert copy.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(b"".join(copy.streaming_content)))  # type: ignore[attr-defined]
    sheet = book["任务台账"]
    headers = [c.value for c in sheet[2]]
    ids = openpyxl.utils.get_column_letter(headers.index("身份证号") + 1)
    assert "校验位" in sheet[f"{ids}3"].comment.text


def test_what_is_not_a_spreadsheet_is_refused_on_the_form(
    world: World, tmp_path: Path, settings: Any
) -> None:
    path = tmp_path / "台账.xlsx"
    path.write_bytes(b"%PDF-1.4 not a sheet")
    response = upload(client_for(world.lixia.office), path, world.campaign.pk)
    assert response.status_code == 400
    assert "这不是 Excel 表格文件" in response.content.decode()
    assert not LedgerImport.objects.exists()
    assert not any(settings.MEDIA_ROOT.glob("imports/*/*.xlsx"))  # not kept


def test_who_may_see_and_do_what(world: World, tmp_path: Path) -> None:
    upload(client_for(world.lixia.office), good_sheet(world, tmp_path), world.campaign.pk)
    record = LedgerImport.objects.get()
    url = f"/ledger/imports/{record.pk}/"
    assert client_for(world.lixia.judge_user).get("/ledger/import/").status_code == 403
    assert client_for(world.lixia.judge_user).get(url).status_code == 403
    assert client_for(world.shinan.office).get(url).status_code == 404  # another city
    assert client_for(world.shinan.office).post(f"{url}apply/").status_code == 404
    assert client_for(world.jinan.office).get(url).status_code == 200  # the supervising court
    assert client_for(world.province_office).get(url).status_code == 200
    assert Client().get(url).status_code == 302  # to the login page
    office_nav = client_for(world.lixia.office).get("/cases/").content.decode()
    judge_nav = client_for(world.lixia.judge_user).get("/cases/").content.decode()
    assert "台账导入" in office_nav and "台账导入" not in judge_nav


def test_a_big_sheet_is_checked_and_imported_by_the_worker(
    world: World, tmp_path: Path, settings: Any
) -> None:
    settings.HUAJIE_LEDGER_BACKGROUND_ROWS = 1
    client = client_for(world.lixia.office)
    response = upload(client, good_sheet(world, tmp_path), world.campaign.pk)
    record = LedgerImport.objects.get()
    assert record.status == ImportStatus.CHECKING and record.job is not None
    page = client.get(response["Location"]).content.decode()
    assert "正在检查" in page and 'hx-trigger="every 1s"' in page
    progress = client.get(f"/ledger/imports/{record.pk}/progress/")
    assert progress.status_code == 200 and "HX-Refresh" not in progress
    Worker(name="test").run_pending()  # also plans the daily jobs; ours runs among them
    record.refresh_from_db()
    assert record.status == ImportStatus.CHECKED
    assert Job.objects.get(pk=record.job.pk).status == JobStatus.DONE
    assert client.get(f"/ledger/imports/{record.pk}/progress/")["HX-Refresh"] == "true"
    assert PetitionCase.objects.count() == 0
    client.post(f"/ledger/imports/{record.pk}/apply/")
    record.refresh_from_db()
    assert record.status == ImportStatus.APPLYING
    assert "正在导入" in client.get(f"/ledger/imports/{record.pk}/").content.decode()
    Worker(name="test").run_pending()
    record.refresh_from_db()
    assert record.status == ImportStatus.APPLIED
    assert Job.objects.get(pk=record.job.pk).result["created"] == 2
    assert PetitionCase.objects.count() == 2
    assert record.report["counts"] == {"create": 2}
