"""The benchmark's data: a generated ledger sheet, and cases seeded for the export."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from openpyxl import Workbook

from huajie.cases.identity import compute_check_char
from huajie.ledger.layout import COLUMNS

HEADERS = [c.header for c in COLUMNS]


def bench_id(index: int) -> str:
    born = dt.date(1950, 1, 1) + dt.timedelta(days=index // 900)
    body = f"370102{born:%Y%m%d}{index % 900 + 100:03d}"
    return body + compute_check_char(body)


def bench_row(
    index: int, team: list[str], court: str = "历下法院", judge: str = "李法官"
) -> dict[str, object]:
    """Varied rows: a third by 谁办案, a third by 属地, a third with 责任法院 and a team."""
    kind = index % 3
    row: dict[str, object] = {
        "row": index + 1,
        "ledger_no": f"B-{index:06d}",
        "petitioners": f"信访人{index}",
        "id_numbers": bench_id(index),
        "phones": f"138{index:08d}",
        "domicile": "山东省济南市历下区文化东路1号",
        "petition_type": ("进京", "赴省", "进京及赴省")[index % 3],
        "first_visit": dt.date(2017, 1, 1) + dt.timedelta(days=index % 300),
        "last_visit": dt.date(2018, 6, 1) + dt.timedelta(days=index % 200),
        "visit_count": 2 + index % 3,
        "claims": "要求重新审理，赔偿经济损失" * 2,
        "risk_level": ("一般", "较高", "高")[index % 3],
        "is_major": "否",
        "remarks": "基准测试",
    }
    if kind != 1:
        row |= {
            "original_courts": court,
            "original_numbers": f"(2017)鲁0102民初{index + 1}号",
            "trial_judges": judge,
            "causes": "民间借贷纠纷",
            "stage": "审判",
        }
    if kind == 2:
        row |= {
            "court": court,
            "leader": team[0],
            "division_leader": team[1],
            "staff": team[2],
            "petition_contact": team[3],
            "classification": "解决、教育",
        }
    return row


def write_bench_sheet(
    path: Path, rows: int, team: list[str], court: str = "历下法院", judge: str = "李法官"
) -> None:
    """`rows` rows (`bench_row`) whose team, original and responsible court and trial judge
    are `team`, `court` and `judge`."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("任务台账")
    sheet.append([f"{court}防范和化解涉诉信访案件任务台账（基准测试）"])
    sheet.append(HEADERS)
    keys = [c.key for c in COLUMNS]
    for index in range(rows):
        values = bench_row(index, team, court, judge)
        sheet.append([values.get(key) for key in keys])
    book.save(path)


def seed_cases(count: int) -> None:
    """`count` cases of a 2020 campaign with petitioners, visits and an original case each,
    bulk-inserted (the export is measured, not the services)."""
    from huajie.cases.models import Campaign, OriginalCase, PetitionCase, Petitioner, Visit
    from huajie.cases.services import campaign_create
    from huajie.courts.models import Court

    campaign = campaign_create(year=2020)
    court = Court.objects.get(code="鲁0102")
    batch = 5000
    for start in range(0, count, batch):
        size = min(batch, count - start)
        cases = PetitionCase.objects.bulk_create(
            PetitionCase(
                campaign=campaign,
                first_campaign=campaign,
                ledger_no=f"E-{start + i:06d}",
                origin="stock",
                petition_type="beijing",
                claims="要求重新审理",
                court=court,
                status="allocated",
                allocation_rule="manual",
            )
            for i in range(size)
        )
        people = Petitioner.objects.bulk_create(
            Petitioner(name=f"导出{start + i}", id_number=None, phone="13800000000")
            for i in range(size)
        )
        PetitionCase.petitioners.through.objects.bulk_create(
            PetitionCase.petitioners.through(petitioncase_id=c.pk, petitioner_id=p.pk)
            for c, p in zip(cases, people, strict=True)
        )
        Visit.objects.bulk_create(
            Visit(case=c, visited_on=dt.date(2019, 1, 1), level="beijing") for c in cases
        )
        OriginalCase.objects.bulk_create(
            OriginalCase(
                case=c,
                number=f"(2018)鲁0102民初{start + i + 1}号",
                year=2018,
                court_code="鲁0102",
                type_code="民初",
                serial=start + i + 1,
                court=court,
            )
            for i, c in enumerate(cases)
        )
    assert Campaign.objects.filter(year=2020).exists()
