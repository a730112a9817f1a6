"""R17: every figure of an issued bulletin equals the same figure counted plainly from the case
records of that day, and an issued bulletin never changes afterwards."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from pathlib import Path

import pytest
from django.conf import settings

from huajie.bulletins.models import Bulletin, BulletinImmutable
from huajie.bulletins.services import AlreadyIssued, bulletin_issue
from huajie.cases.models import CaseStatus, PetitionCase
from huajie.core import clock
from huajie.courts.models import Court
from huajie.supervision.services import case_mark_exemplary
from tests.bulletins.conftest import E, Issued, P
from tests.supervision.province import play
from tests.supervision.recount import Count, area_total

pytestmark = pytest.mark.django_db


def _rate(c: Count) -> float | None:
    return c.accepted / c.tasks if c.tasks else None


def _plain_ranks(rates: dict[int, float | None]) -> dict[int, int | None]:
    """Competition ranking by rate, best first, written out the long way."""
    ranks: dict[int, int | None] = {}
    for court_id, rate in rates.items():
        if rate is None:
            ranks[court_id] = None
        else:
            better = sum(1 for other in rates.values() if other is not None and other > rate)
            ranks[court_id] = better + 1
    return ranks


def test_the_bulletin_says_what_the_records_said_that_day(issued: Issued) -> None:
    f = issued.second.figures
    world = issued.province.world
    high = world.tree.high
    at_e, at_p = issued.at_e, issued.at_p
    assert f["number"] == 2 and issued.second.number == 2 and issued.first.number == 1
    assert f["period"] == {
        "start": "2019-03-15",
        "end": "2019-03-28",
        "label": "2019年3月15日至3月28日",
    }
    expected = ((E - dt.date(2019, 3, 1)).days + 1) / (
        (dt.date(2019, 12, 31) - dt.date(2019, 3, 1)).days + 1
    )
    assert f["expected"] == pytest.approx(expected)

    # Province totals.
    total, before = area_total(at_e, high), area_total(at_p, high)
    t = f["totals"]
    assert (t["tasks"], t["met"], t["accepted"]) == (total.tasks, total.met, total.accepted)
    assert t["rate"] == _rate(total)
    assert (t["new"], t["new_accepted"], t["nominal"]) == (
        total.new,
        total.new_accepted,
        total.nominal,
    )
    assert t["reopened_period"] == total.reopen_events - before.reopen_events
    assert t["returned_period"] == total.return_events - before.return_events
    assert t["met_period"] == (
        total.met
        - before.met
        + total.stock_return_events
        - before.stock_return_events
        + total.stock_reopen_events
        - before.stock_reopen_events
    )
    assert t["accepted_period"] == sum(issued.accepted.values())
    assert t["visits_beijing_period"] == sum(v.get("beijing", 0) for v in issued.visits.values())
    assert t["visits_province_period"] == sum(v.get("province", 0) for v in issued.visits.values())
    assert t["overdue"] == 0  # before the deadline
    assert f["changes"] == {
        "met": total.met - before.met,
        "accepted": total.accepted - before.accepted,
        "rate": round(((_rate(total) or 0) - (_rate(before) or 0)) * 100, 1),
    }

    # The table by area, ranked by rate, with the change since 第1期.
    areas = [world.tree.jinan, world.tree.qingdao]
    rates = {a.pk: _rate(area_total(at_e, a)) for a in areas}
    rates_before = {a.pk: _rate(area_total(at_p, a)) for a in areas}
    ranks, ranks_before = _plain_ranks(rates), _plain_ranks(rates_before)
    rows = {a["court_id"]: a for a in f["areas"]}
    assert [a["court_id"] for a in f["areas"] if a["rank"]] == sorted(
        (a.pk for a in areas), key=lambda pk: (ranks[pk], Court.objects.get(pk=pk).path)
    )
    for area in areas:
        row, count = rows[area.pk], area_total(at_e, area)
        assert (row["tasks"], row["met"], row["accepted"]) == (
            count.tasks,
            count.met,
            count.accepted,
        )
        assert row["rate"] == rates[area.pk] and row["rank"] == ranks[area.pk]
        assert row["previous_rank"] == ranks_before[area.pk]
        assert row["rank_change"] == ranks_before[area.pk] - ranks[area.pk]  # type: ignore[operator]
        assert row["rate_change"] == round(
            ((rates[area.pk] or 0) - (rates_before[area.pk] or 0)) * 100, 1
        )
    own = rows[high.pk]
    assert own["own"] and own["rank"] is None and own["tasks"] == at_e[high.pk].tasks

    # Every court, by name, with its own figures; those behind pace named.
    by_name = {c["court_id"]: c for c in f["courts"]}
    behind = set()
    for court in issued.province.courts:
        count, line = at_e[court.pk], by_name[court.pk]
        assert (line["tasks"], line["accepted"], line["nominal"]) == (
            count.tasks,
            count.accepted,
            count.nominal,
        )
        assert line["returned_period"] == count.return_events - at_p[court.pk].return_events
        assert line["reopened_period"] == count.reopen_events - at_p[court.pk].reopen_events
        if count.tasks and count.accepted / count.tasks < expected:
            behind.add(court.short_name)
        assert line["behind"] == (court.short_name in behind)
    assert {b["name"] for b in f["behind_pace"]} == behind

    # Best and last three, problems with the courts named, exemplary cases.
    ordered = sorted((a for a in f["areas"] if a["rank"]), key=lambda a: a["rank"])
    assert f["best"] == [a["name"] for a in ordered[:3]]
    problems = defaultdict(dict)
    for court in issued.province.courts:
        count, old = at_e[court.pk], at_p[court.pk]
        for key, value in (
            ("nominal", count.nominal),
            ("returned", count.return_events - old.return_events),
            ("reopened", count.reopen_events - old.reopen_events),
        ):
            if value:
                problems[key][court.short_name] = value
    for key in ("nominal", "returned", "reopened"):
        assert {i["name"]: i["count"] for i in f["problems"][key]} == problems[key], key
        assert problems[key], f"the generated province should have {key} cases"
    assert f["problems"]["overdue"] == []
    exemplary = PetitionCase.objects.filter(is_exemplary=True).order_by("ledger_no")
    assert [e["ledger_no"] for e in f["exemplary"]] == [c.ledger_no for c in exemplary]
    assert (
        len(f["exemplary"]) == 2 and f["exemplary"][0]["note"] == "院长亲自接访，公开听证后息诉罢访"
    )
    assert "各中院要加强对辖区基层法院的指导。" in f["requirements"]
    # Issuing is quick enough for the worker and the page.
    assert issued.seconds < 10, issued.seconds


def _hashes(bulletin: Bulletin) -> dict[str, str]:
    return {
        fmt: hashlib.sha256(
            (Path(settings.MEDIA_ROOT) / bulletin.file(fmt)[0]).read_bytes()
        ).hexdigest()
        for fmt in ("docx", "pdf", "xlsx")
    }


def test_an_issued_bulletin_never_changes(issued: Issued) -> None:
    world = issued.province.world
    bulletin = issued.second
    figures, hashes = bulletin.figures, _hashes(bulletin)
    assert hashes == {fmt: bulletin.file(fmt)[1] for fmt in hashes}

    # The cases move on: more work, an exemplary mark taken back.
    play(issued.province, E + dt.timedelta(days=2), E + dt.timedelta(days=12), share=0.3)
    with clock.travel(E + dt.timedelta(days=12)):
        case = PetitionCase.objects.filter(is_exemplary=True).first()
        assert case is not None
        if case.status == CaseStatus.ACCEPTED:
            case_mark_exemplary(actor=world.province_office, case=case, exemplary=False)
        with pytest.raises(AlreadyIssued, match="第2期通报已于2019-03-29发布，不能重复发布"):
            bulletin_issue(province=world.tree.high, campaign=world.campaign, as_of=E, actor=None)
        third = bulletin_issue(
            province=world.tree.high, campaign=world.campaign, as_of=clock.today(), actor=None
        )
    stored = Bulletin.objects.get(pk=bulletin.pk)
    assert stored.figures == figures
    assert _hashes(stored) == hashes
    assert third.number == 3 and third.figures["previous"] == {"number": 2, "end": "2019-03-28"}
    assert third.figures["changes"]["accepted"] == (
        third.figures["totals"]["accepted"] - figures["totals"]["accepted"]
    )
    stored.figures = {}
    with pytest.raises(BulletinImmutable):
        stored.save()


def test_before_concentrated_resolution_there_is_no_bulletin(world: object) -> None:
    from huajie.cases.transitions import Refused

    with clock.travel(dt.date(2019, 2, 20)), pytest.raises(Refused, match="集中化解阶段"):
        bulletin_issue(
            province=world.tree.high,  # type: ignore[attr-defined]
            campaign=world.campaign,  # type: ignore[attr-defined]
            as_of=dt.date(2019, 2, 19),
            actor=None,
        )
    assert P < E
