"""Which court is responsible for a case (R4): 谁办案、谁负责, else 属地管理, else manual.

The rules only suggest; `services.case_allocate` applies a suggestion and records which rule
decided it and why, in words.
"""

from __future__ import annotations

from dataclasses import dataclass

from huajie.cases.models import AllocationRule, OriginalCase, PetitionCase
from huajie.courts.models import Court, CourtLevel

STAGE_RANK = {"申": 3, "再": 3, "监": 3, "终": 2, "初": 1}


@dataclass(frozen=True)
class Suggestion:
    court: Court | None
    rule: AllocationRule
    reason: str


def _recency(original: OriginalCase) -> tuple[int, int, int]:
    rank = max((r for mark, r in STAGE_RANK.items() if mark in original.type_code), default=0)
    return (original.year, rank, original.serial)


def latest_original_case(originals: list[OriginalCase]) -> OriginalCase | None:
    known = [o for o in originals if o.court_id is not None]
    return max(known, key=_recency, default=None)


class DomicileIndex:
    """Finds the basic court of a domicile address ("山东省济南市历下区…" → 历下法院).

    Built once per allocation run from the basic courts of one province: the region part of
    each court's name (济南市历下区) is matched first, then the district alone (历下区) where
    that is unambiguous in the province."""

    def __init__(self, province: Court) -> None:
        prefix = province.name.removesuffix("高级人民法院")  # 山东省
        courts = Court.objects.subtree_of(province).filter(level=CourtLevel.BASIC, kind="ordinary")
        self._full: dict[str, Court] = {}
        by_district: dict[str, list[Court]] = {}
        for court in courts:
            region = court.name.removeprefix(prefix).removesuffix("人民法院")  # 济南市历下区
            self._full[region] = court
            by_district.setdefault(_district_of(region), []).append(court)
        self._district = {name: found[0] for name, found in by_district.items() if len(found) == 1}

    def court_for(self, address: str) -> Court | None:
        text = address.replace(" ", "")
        for names in (self._full, self._district):
            matches = [(len(name), court) for name, court in names.items() if name in text]
            if matches:
                return max(matches, key=lambda pair: pair[0])[1]
        return None


def _district_of(region: str) -> str:
    """济南市历下区 → 历下区; 临沂市费县 → 费县; 龙口市 → 龙口市."""
    _city, sep, rest = region.partition("市")
    return rest if sep and rest else region


def suggest(case: PetitionCase, domiciles: DomicileIndex) -> Suggestion:
    latest = latest_original_case(list(case.original_cases.all()))
    if latest is not None and latest.court is not None:
        return Suggestion(
            latest.court,
            AllocationRule.WHO_HANDLED,
            f"最近的原审案件{latest.number}由{latest.court.short_name}办理（谁办案、谁负责）",
        )
    for petitioner in case.petitioners.all():
        for address in (petitioner.domicile, petitioner.residence):
            court = domiciles.court_for(address) if address else None
            if court is not None:
                return Suggestion(
                    court,
                    AllocationRule.DOMICILE,
                    f"信访人{petitioner.name}户籍地/居住地“{address}”属{court.short_name}辖区"
                    "（属地管理）",
                )
    return Suggestion(None, AllocationRule.MANUAL, "无可识别的原审法院和户籍地，需人工指定")
