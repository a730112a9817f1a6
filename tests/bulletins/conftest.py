"""A generated province with two bulletins issued: 第1期 as of 14 March, 第2期 as of 28 March,
and the plain recounts of the case records taken on those days."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

import pytest

from huajie.bulletins.models import Bulletin
from huajie.bulletins.services import bulletin_issue
from huajie.cases.models import CaseStatus, PetitionCase
from huajie.core import clock
from huajie.supervision.services import case_mark_exemplary
from tests.cases.world import World
from tests.supervision.province import Province, build_province, play
from tests.supervision.recount import Count, accepted_between, recount, visits_between

P = dt.date(2019, 3, 14)  # end of period 1
E = dt.date(2019, 3, 28)  # end of period 2


@dataclass
class Issued:
    province: Province
    first: Bulletin
    second: Bulletin
    at_p: dict[int, Count]
    at_e: dict[int, Count]
    visits: dict[int, dict[str, int]]
    accepted: dict[int, int]
    seconds: float  # how long issuing 第2期 took


@pytest.fixture
def issued(world: World, settings: object) -> Issued:
    settings.HUAJIE_NOMINAL_AFTER_DAYS = 7  # type: ignore[attr-defined]
    province = build_province(world)
    play(province, dt.date(2019, 3, 1), P, share=0.15)
    at_p = recount()
    with clock.travel(P + dt.timedelta(days=1)):
        first = bulletin_issue(
            province=world.tree.high, campaign=world.campaign, as_of=P, actor=None
        )
    play(province, P + dt.timedelta(days=1), E, share=0.15)
    with clock.travel(E):
        for case in PetitionCase.objects.filter(status=CaseStatus.ACCEPTED).order_by("pk")[:2]:
            case_mark_exemplary(
                actor=world.province_office,
                case=case,
                exemplary=True,
                note="院长亲自接访，公开听证后息诉罢访",
            )
    at_e = recount()
    visits = visits_between(P + dt.timedelta(days=1), E)
    accepted = accepted_between(P + dt.timedelta(days=1), E)
    with clock.travel(E + dt.timedelta(days=1)):
        started = time.perf_counter()
        second = bulletin_issue(
            province=world.tree.high,
            campaign=world.campaign,
            as_of=E,
            actor=world.province_office,
            requirements="各中院要加强对辖区基层法院的指导。",
        )
        seconds = time.perf_counter() - started
    return Issued(province, first, second, at_p, at_e, visits, accepted, seconds)
