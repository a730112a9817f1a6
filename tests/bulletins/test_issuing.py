"""R17: who issues a bulletin and how — the worker every 14 days (a schedule keyed per
period), the high court's petition office on the page, `huajie bulletin` on the command line
— and who reads and downloads it (every court of the province, through the permission check)."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from huajie.audit.models import AuditEvent
from huajie.bulletins.jobs import bulletin_schedule
from huajie.bulletins.models import Bulletin
from huajie.bulletins.services import bulletin_issue
from huajie.cases import services
from huajie.core import clock
from huajie.worker.models import Job, JobStatus
from huajie.worker.queue import job_claim, job_run
from huajie.worker.schedule import schedules_enqueue
from tests.cases.world import World, new_case
from tests.factories import user_at

pytestmark = pytest.mark.django_db

MORNING = dt.datetime(2019, 3, 30, 10, tzinfo=dt.UTC)


def client_for(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def _with_a_case(world: World) -> None:
    with clock.travel(dt.date(2019, 3, 1)):
        services.case_allocate(actor=world.province_office, case=new_case(world))


def test_the_schedule_plans_one_job_per_ended_period(world: World) -> None:
    planned = list(bulletin_schedule(MORNING))
    ours = [p for p in planned if p.payload["province"] == world.tree.high.pk]
    assert [p.key for p in ours] == ["bulletin:鲁:2019:01", "bulletin:鲁:2019:02"]
    assert ours[0].run_at == clock.start_of_day(dt.date(2019, 3, 15)) + dt.timedelta(hours=8)
    with clock.travel(MORNING):
        schedules_enqueue(MORNING)
        schedules_enqueue(MORNING)
    assert Job.objects.filter(key__startswith="bulletin:鲁:2019:").count() == 2
    assert list(bulletin_schedule(dt.datetime(2019, 3, 1, 10, tzinfo=dt.UTC))) == []


def _issue(world: World, as_of: dt.date) -> Bulletin:
    """The province office issues the bulletin of `as_of`'s period on the next day."""
    with clock.travel(as_of + dt.timedelta(days=1)):
        return bulletin_issue(
            province=world.tree.high,
            campaign=world.campaign,
            as_of=as_of,
            actor=world.province_office,
        )


def test_the_worker_issues_each_period_once(world: World) -> None:
    _with_a_case(world)
    on_demand = _issue(world, dt.date(2019, 3, 28))
    with clock.travel(MORNING):
        schedules_enqueue(MORNING)
        while (job := job_claim(worker="test")) is not None:
            job_run(job)
    jobs = Job.objects.filter(kind="bulletin.issue")
    assert set(jobs.values_list("status", flat=True)) == {JobStatus.DONE}
    mine = Bulletin.objects.filter(province=world.tree.high).order_by("number")
    assert [(b.number, b.issued_by_name) for b in mine] == [
        (1, "系统（定时发布）"),
        (2, world.province_office.display_name),
    ]
    assert mine[1].pk == on_demand.pk
    assert jobs.get(key="bulletin:鲁:2019:02").result["skipped"] == "第2期已发布"
    assert mine[0].period_end == dt.date(2019, 3, 14)
    assert mine[0].figures["totals"]["tasks"] == 1
    assert (
        AuditEvent.objects.filter(verb="bulletin.issue", court_id=world.tree.high.pk).count() == 2
    )


def test_the_command_issues_and_writes_three_files(world: World, tmp_path: Path) -> None:
    _with_a_case(world)
    out = tmp_path / "out"
    with clock.travel(dt.date(2019, 3, 29)):
        call_command("bulletin", "issue", "--as-of", "2019-03-28", "--out", str(out))
        with pytest.raises(CommandError, match="第2期通报已于2019-03-29发布，不能重复发布"):
            call_command("bulletin", "issue", "--as-of", "2019-03-27")
    files = sorted(p.name for p in out.iterdir())
    assert files == [
        "2019年第2期双周通报.docx",
        "2019年第2期双周通报.pdf",
        "2019年第2期双周通报.xlsx",
    ]
    bulletin = Bulletin.objects.get()
    for path in out.iterdir():
        fmt = path.suffix.lstrip(".")
        assert hashlib.sha256(path.read_bytes()).hexdigest() == bulletin.file(fmt)[1]
    again = tmp_path / "again"
    call_command("bulletin", "export", "--number", "2", "--out", str(again))
    assert sorted(p.name for p in again.iterdir()) == files
    with pytest.raises(CommandError, match="日期格式"):
        call_command("bulletin", "issue", "--as-of", "2019-13-01")


@pytest.fixture
def published(world: World) -> Bulletin:
    _with_a_case(world)
    return _issue(world, dt.date(2019, 3, 28))


def test_every_court_of_the_province_reads_and_downloads(world: World, published: Bulletin) -> None:
    for user in (world.lixia.judge_user, world.shinan.office, world.jinan.office):
        client = client_for(user)
        assert "2019年第2期" in client.get("/bulletins/").content.decode()
        page = client.get(f"/bulletins/{published.pk}/").content.decode()
        assert "关于防范和化解涉诉信访案件工作落实年活动进展情况的通报（第2期）" in page
        for fmt in ("docx", "pdf", "xlsx"):
            response = client.get(f"/bulletins/{published.pk}/{fmt}/")
            assert response.status_code == 200
            assert response["X-Content-Type-Options"] == "nosniff"
            data = b"".join(response.streaming_content)  # type: ignore[attr-defined]
            assert hashlib.sha256(data).hexdigest() == published.file(fmt)[1]


def test_a_download_does_not_read_the_figures(world: World, published: Bulletin) -> None:
    """The stored file is sent; the bulletin's figures (a province's are some 70 KB of
    JSON) stay unread."""
    client = client_for(world.lixia.judge_user)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(f"/bulletins/{published.pk}/pdf/").status_code == 200
    read = [q["sql"] for q in ctx.captured_queries if "bulletins_bulletin" in q["sql"]]
    assert len(read) == 1 and '"figures"' not in read[0]


def test_the_bulletins_text_is_written_once_and_never_shown_for_another(
    world: World, published: Bulletin
) -> None:
    """An issued bulletin never changes: its page's text is written on the first view and
    kept; later views read neither its figures nor the template. Another bulletin, even
    under the same id, gets its own text."""
    client = client_for(world.lixia.judge_user)
    first = client.get(f"/bulletins/{published.pk}/").content.decode()
    with CaptureQueriesContext(connection) as ctx:
        again = client.get(f"/bulletins/{published.pk}/").content.decode()
    main = slice(first.index("<main"), first.index("</main>"))  # the header's token varies
    assert again[main] == first[main] and "（第2期）" in again
    assert all('"figures"' not in q["sql"] for q in ctx.captured_queries)
    later = _issue(world, dt.date(2019, 4, 11))
    page = client.get(f"/bulletins/{later.pk}/").content.decode()
    assert "（第3期）" in page and "（第2期）" not in page


def test_another_province_sees_nothing(world: World, published: Bulletin) -> None:
    outsider = client_for(user_at(world.tree.xuanwu))
    assert "第2期" not in outsider.get("/bulletins/").content.decode()
    assert outsider.get(f"/bulletins/{published.pk}/").status_code == 404
    assert outsider.get(f"/bulletins/{published.pk}/pdf/").status_code == 404
    # Its own province's issue page: seen, not allowed.
    assert outsider.get("/bulletins/issue/").status_code == 403


def test_only_the_high_court_office_issues(world: World) -> None:
    _with_a_case(world)
    with clock.travel(dt.date(2019, 3, 29)):
        for user in (world.lixia.office, world.jinan.office, world.high.leader_user):
            client = client_for(user)
            assert client.get("/bulletins/issue/").status_code == 403
            assert client.post("/bulletins/issue/", {"as_of": "2019-03-28"}).status_code == 403
            assert "/bulletins/issue/" not in client.get("/bulletins/").content.decode()
        assert not Bulletin.objects.exists()
        office = client_for(world.province_office)
        form = office.get("/bulletins/issue/").content.decode()
        assert "将发布2019年第2期通报" in form
        response = office.post(
            "/bulletins/issue/", {"as_of": "2019-03-28", "requirements": "加强督导。"}
        )
        bulletin = Bulletin.objects.get()
        assert response.status_code == 302 and response["Location"] == f"/bulletins/{bulletin.pk}/"
        assert "加强督导。" in bulletin.figures["requirements"]
        again = office.post("/bulletins/issue/", {"as_of": "2019-03-28"})
        assert again.status_code == 400 and "不能重复发布" in again.content.decode()


def test_a_changed_file_is_refused(world: World, published: Bulletin) -> None:
    path = Path(settings.MEDIA_ROOT) / published.file("pdf")[0]
    path.write_bytes(path.read_bytes() + b"%tampered")
    response = client_for(world.lixia.office).get(f"/bulletins/{published.pk}/pdf/")
    assert response.status_code == 500 and "校验值不符" in response.content.decode()
