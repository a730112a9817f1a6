"""Court names as people write them in a ledger: full names, the system's short names, and
the customary short forms (历下法院, 历下区法院, 济南中院, 济南市中级法院, 省法院, 山东高院).

The customary forms are derived from the full names of one province's courts; a form that
would fit two courts is dropped, so a name resolves to one court or to none, never to a guess.
"""

from __future__ import annotations

from collections.abc import Iterable

from huajie.courts.models import Court, CourtLevel
from huajie.ledger.values import nfkc

_COURT = "人民法院"


def _key(text: str) -> str:
    return "".join(nfkc(text).split())


def _basic_aliases(region: str) -> set[str]:
    """济南市历下区 → 历下法院, 历下区法院, 历下区人民法院, 济南市历下区法院, 济南历下法院 …"""
    city, sep, district = region.partition("市")
    if not sep or not district:  # a county-level city: 龙口市
        city, district = "", region
    stem = district[:-1] if district[-1:] in "区县市" and len(district) > 2 else district
    names = {f"{region}法院", f"{district}法院", f"{district}{_COURT}", f"{stem}法院"}
    if city:
        names |= {f"{city}{stem}法院", f"{city}{district}法院", f"{city}市{district}法院"}
    return names


def _intermediate_aliases(region: str) -> set[str]:
    """济南市 → 济南中院, 济南市中院, 济南中级法院, 济南市中级人民法院 …"""
    city = region.removesuffix("市")
    return {
        f"{form}{suffix}"
        for form in (city, f"{city}市")
        for suffix in ("中院", "中级法院", "中级人民法院")
    }


def _high_aliases(province: str) -> set[str]:
    """山东省 → 省法院, 省高院, 山东高院, 山东省高院, 山东省高级法院 …"""
    short = province.removesuffix("省")
    return {"省法院", "省高院", "高院", f"{short}高院", f"{province}高院", f"{province}高级法院"}


def aliases_of(court: Court, province_prefix: str) -> set[str]:
    """Every customary name of `court` (`province_prefix`: 山东省)."""
    names = {court.name, court.short_name}
    region = court.name.removeprefix(province_prefix)
    if court.level == CourtLevel.HIGH:
        names |= _high_aliases(province_prefix)
    elif region.endswith("中级人民法院") and court.kind == "ordinary":
        names |= _intermediate_aliases(region.removesuffix("中级人民法院"))
    elif region.endswith(_COURT) and court.kind == "ordinary":
        names |= _basic_aliases(region.removesuffix(_COURT))
    return {_key(name) for name in names if name}


class CourtIndex:
    """Resolves names to courts of one province (or of every province for a superuser)."""

    def __init__(self, courts: Iterable[Court]) -> None:
        found: dict[str, set[int]] = {}
        self._courts: dict[int, Court] = {}
        roots: dict[str, str] = {}
        courts = list(courts)
        for court in courts:
            if court.level == CourtLevel.HIGH:
                roots[court.path] = court.name.removesuffix("高级人民法院")
        for court in courts:
            self._courts[court.pk] = court
            prefix = roots.get(court.root_path(), "")
            for name in aliases_of(court, prefix):
                found.setdefault(name, set()).add(court.pk)
            # The exact names always win over a customary form shared with another court.
        self._exact = {_key(c.name): c for c in courts} | {_key(c.short_name): c for c in courts}
        self._aliases = {
            name: self._courts[next(iter(ids))] for name, ids in found.items() if len(ids) == 1
        }
        self._ambiguous = {name for name, ids in found.items() if len(ids) > 1}

    @classmethod
    def for_province(cls, province: Court) -> CourtIndex:
        return cls(Court.objects.subtree_of(province))

    def resolve(self, name: str) -> Court | None:
        key = _key(name)
        return self._exact.get(key) or self._aliases.get(key)

    def is_ambiguous(self, name: str) -> bool:
        key = _key(name)
        return key not in self._exact and key in self._ambiguous
