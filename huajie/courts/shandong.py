"""Shandong Province's court tree as it stood in early 2019.

Reference data for seeding: the provincial high court, the 17 city intermediate courts
(鲁01..鲁17, Laiwu still separate from Jinan), one basic court per county-level division
(市辖区, 县, 县级市) under each, plus the Jinan railway transport courts and the Qingdao
maritime court. Court codes are the ones used in case numbers, e.g. "(2019)鲁0102民初1号".

The county-level divisions follow the administrative division codes in force at the end of
2018, i.e. after 章丘 (2016), 即墨 (2017), 济阳 (2018) became districts and 邹平 became a
county-level city (2018), and before 莱芜 was merged into 济南 (2019).

Run ``python3 huajie/courts/shandong.py`` to validate the table and print counts.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

PROVINCE_NAME = "山东省"
PROVINCE_DIVISION_PREFIX = "37"

HIGH_COURT_NAME = "山东省高级人民法院"
HIGH_COURT_SHORT_NAME = "省法院"
HIGH_COURT_CODE = "鲁"

KIND_ORDINARY = "ordinary"
KIND_RAILWAY = "railway"
KIND_MARITIME = "maritime"
KINDS: tuple[str, ...] = (KIND_ORDINARY, KIND_RAILWAY, KIND_MARITIME)


@dataclass(frozen=True)
class BasicCourtSpec:
    """A basic people's court (基层人民法院)."""

    name: str  # full name, e.g. "山东省济南市历下区人民法院"
    short_name: str  # e.g. "历下法院"
    code: str  # case-number court code, e.g. "鲁0102"
    division_code: str  # 6-digit administrative division code, e.g. "370102"; "" if none


@dataclass(frozen=True)
class IntermediateCourtSpec:
    """An intermediate people's court (中级人民法院) or a special court at that level."""

    name: str  # "山东省济南市中级人民法院"
    short_name: str  # "济南中院"
    code: str  # "鲁01"
    kind: str  # "ordinary" | "railway" | "maritime"
    city: str  # "济南市" ("" for the special courts)
    basic_courts: tuple[BasicCourtSpec, ...]


# Prefecture-level cities in division-code order: (prefecture code, city name, county-level
# divisions as (6-digit division code, division name)).
_CITIES: tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...] = (
    (
        "3701",
        "济南市",
        (
            ("370102", "历下区"),
            ("370103", "市中区"),
            ("370104", "槐荫区"),
            ("370105", "天桥区"),
            ("370112", "历城区"),
            ("370113", "长清区"),
            ("370114", "章丘区"),
            ("370115", "济阳区"),
            ("370124", "平阴县"),
            ("370126", "商河县"),
        ),
    ),
    (
        "3702",
        "青岛市",
        (
            ("370202", "市南区"),
            ("370203", "市北区"),
            ("370211", "黄岛区"),
            ("370212", "崂山区"),
            ("370213", "李沧区"),
            ("370214", "城阳区"),
            ("370215", "即墨区"),
            ("370281", "胶州市"),
            ("370283", "平度市"),
            ("370285", "莱西市"),
        ),
    ),
    (
        "3703",
        "淄博市",
        (
            ("370302", "淄川区"),
            ("370303", "张店区"),
            ("370304", "博山区"),
            ("370305", "临淄区"),
            ("370306", "周村区"),
            ("370321", "桓台县"),
            ("370322", "高青县"),
            ("370323", "沂源县"),
        ),
    ),
    (
        "3704",
        "枣庄市",
        (
            ("370402", "市中区"),
            ("370403", "薛城区"),
            ("370404", "峄城区"),
            ("370405", "台儿庄区"),
            ("370406", "山亭区"),
            ("370481", "滕州市"),
        ),
    ),
    (
        "3705",
        "东营市",
        (
            ("370502", "东营区"),
            ("370503", "河口区"),
            ("370505", "垦利区"),
            ("370522", "利津县"),
            ("370523", "广饶县"),
        ),
    ),
    (
        "3706",
        "烟台市",
        (
            ("370602", "芝罘区"),
            ("370611", "福山区"),
            ("370612", "牟平区"),
            ("370613", "莱山区"),
            ("370634", "长岛县"),
            ("370681", "龙口市"),
            ("370682", "莱阳市"),
            ("370683", "莱州市"),
            ("370684", "蓬莱市"),
            ("370685", "招远市"),
            ("370686", "栖霞市"),
            ("370687", "海阳市"),
        ),
    ),
    (
        "3707",
        "潍坊市",
        (
            ("370702", "潍城区"),
            ("370703", "寒亭区"),
            ("370704", "坊子区"),
            ("370705", "奎文区"),
            ("370724", "临朐县"),
            ("370725", "昌乐县"),
            ("370781", "青州市"),
            ("370782", "诸城市"),
            ("370783", "寿光市"),
            ("370784", "安丘市"),
            ("370785", "高密市"),
            ("370786", "昌邑市"),
        ),
    ),
    (
        "3708",
        "济宁市",
        (
            ("370811", "任城区"),
            ("370812", "兖州区"),
            ("370826", "微山县"),
            ("370827", "鱼台县"),
            ("370828", "金乡县"),
            ("370829", "嘉祥县"),
            ("370830", "汶上县"),
            ("370831", "泗水县"),
            ("370832", "梁山县"),
            ("370881", "曲阜市"),
            ("370883", "邹城市"),
        ),
    ),
    (
        "3709",
        "泰安市",
        (
            ("370902", "泰山区"),
            ("370911", "岱岳区"),
            ("370921", "宁阳县"),
            ("370923", "东平县"),
            ("370982", "新泰市"),
            ("370983", "肥城市"),
        ),
    ),
    (
        "3710",
        "威海市",
        (
            ("371002", "环翠区"),
            ("371003", "文登区"),
            ("371082", "荣成市"),
            ("371083", "乳山市"),
        ),
    ),
    (
        "3711",
        "日照市",
        (
            ("371102", "东港区"),
            ("371103", "岚山区"),
            ("371121", "五莲县"),
            ("371122", "莒县"),
        ),
    ),
    (
        "3712",
        "莱芜市",
        (
            ("371202", "莱城区"),
            ("371203", "钢城区"),
        ),
    ),
    (
        "3713",
        "临沂市",
        (
            ("371302", "兰山区"),
            ("371311", "罗庄区"),
            ("371312", "河东区"),
            ("371321", "沂南县"),
            ("371322", "郯城县"),
            ("371323", "沂水县"),
            ("371324", "兰陵县"),
            ("371325", "费县"),
            ("371326", "平邑县"),
            ("371327", "莒南县"),
            ("371328", "蒙阴县"),
            ("371329", "临沭县"),
        ),
    ),
    (
        "3714",
        "德州市",
        (
            ("371402", "德城区"),
            ("371403", "陵城区"),
            ("371422", "宁津县"),
            ("371423", "庆云县"),
            ("371424", "临邑县"),
            ("371425", "齐河县"),
            ("371426", "平原县"),
            ("371427", "夏津县"),
            ("371428", "武城县"),
            ("371481", "乐陵市"),
            ("371482", "禹城市"),
        ),
    ),
    (
        "3715",
        "聊城市",
        (
            ("371502", "东昌府区"),
            ("371521", "阳谷县"),
            ("371522", "莘县"),
            ("371523", "茌平县"),
            ("371524", "东阿县"),
            ("371525", "冠县"),
            ("371526", "高唐县"),
            ("371581", "临清市"),
        ),
    ),
    (
        "3716",
        "滨州市",
        (
            ("371602", "滨城区"),
            ("371603", "沾化区"),
            ("371621", "惠民县"),
            ("371622", "阳信县"),
            ("371623", "无棣县"),
            ("371625", "博兴县"),
            ("371681", "邹平市"),
        ),
    ),
    (
        "3717",
        "菏泽市",
        (
            ("371702", "牡丹区"),
            ("371703", "定陶区"),
            ("371721", "曹县"),
            ("371722", "单县"),
            ("371723", "成武县"),
            ("371724", "巨野县"),
            ("371725", "郓城县"),
            ("371726", "鄄城县"),
            ("371728", "东明县"),
        ),
    ),
)

# Division names that occur more than once in the province; their short names get the city
# prefix (济南市中法院 / 枣庄市中法院).
_SHORT_NAME_OVERRIDES: dict[str, str] = {
    "370103": "济南市中法院",
    "370402": "枣庄市中法院",
}


def _strip_city(city: str) -> str:
    """Return a prefecture-level city's name without its "市" suffix."""
    return city.removesuffix("市")


def _basic_court_code(division_code: str) -> str:
    """Return the case-number court code for a county-level division code."""
    return HIGH_COURT_CODE + division_code[2:]


def _basic_court(city: str, division_code: str, division: str) -> BasicCourtSpec:
    """Build the basic court of one county-level division of ``city``."""
    if division.endswith("市"):
        # County-level city: "山东省龙口市人民法院".
        name = f"{PROVINCE_NAME}{division}人民法院"
    else:
        # District or county: "山东省济南市历下区人民法院", "山东省济南市平阴县人民法院".
        name = f"{PROVINCE_NAME}{city}{division}人民法院"
    stem = division[:-1]
    # Single-character names keep their suffix: 莒县法院, 费县法院, 单县法院.
    short_name = f"{division if len(stem) < 2 else stem}法院"
    short_name = _SHORT_NAME_OVERRIDES.get(division_code, short_name)
    return BasicCourtSpec(
        name=name,
        short_name=short_name,
        code=_basic_court_code(division_code),
        division_code=division_code,
    )


def _city_intermediate_court(
    prefecture_code: str, city: str, divisions: tuple[tuple[str, str], ...]
) -> IntermediateCourtSpec:
    """Build a city intermediate court with its basic courts."""
    return IntermediateCourtSpec(
        name=f"{PROVINCE_NAME}{city}中级人民法院",
        short_name=f"{_strip_city(city)}中院",
        code=HIGH_COURT_CODE + prefecture_code[2:],
        kind=KIND_ORDINARY,
        city=city,
        basic_courts=tuple(_basic_court(city, code, name) for code, name in divisions),
    )


RAILWAY_INTERMEDIATE_COURT = IntermediateCourtSpec(
    name="济南铁路运输中级法院",
    short_name="济南铁中院",
    code="鲁71",
    kind=KIND_RAILWAY,
    city="",
    basic_courts=(
        BasicCourtSpec(
            name="济南铁路运输法院",
            short_name="济南铁路法院",
            code="鲁7101",
            division_code="",
        ),
        BasicCourtSpec(
            name="青岛铁路运输法院",
            short_name="青岛铁路法院",
            code="鲁7102",
            division_code="",
        ),
    ),
)

MARITIME_COURT = IntermediateCourtSpec(
    name="青岛海事法院",
    short_name="青岛海事法院",
    code="鲁72",
    kind=KIND_MARITIME,
    city="",
    basic_courts=(),
)

INTERMEDIATE_COURTS: tuple[IntermediateCourtSpec, ...] = (
    *(_city_intermediate_court(prefix, city, divisions) for prefix, city, divisions in _CITIES),
    RAILWAY_INTERMEDIATE_COURT,
    MARITIME_COURT,
)


def all_basic_courts() -> tuple[BasicCourtSpec, ...]:
    """Return every basic court in the province, in table order."""
    return tuple(basic for court in INTERMEDIATE_COURTS for basic in court.basic_courts)


def _check(condition: bool, message: str) -> None:
    """Raise AssertionError with ``message`` unless ``condition`` holds (survives ``-O``)."""
    if not condition:
        raise AssertionError(message)


def _check_unique(values: list[str], what: str) -> None:
    """Assert that ``values`` has no duplicates."""
    duplicates = sorted(value for value, count in Counter(values).items() if count > 1)
    _check(not duplicates, f"duplicate {what}: {', '.join(duplicates)}")


def validate() -> None:
    """Assert the table's invariants: unique names, short names and codes; codes that match
    their division codes; sane kinds and cities."""
    basics = all_basic_courts()
    names = [HIGH_COURT_NAME, *(c.name for c in INTERMEDIATE_COURTS), *(b.name for b in basics)]
    short_names = [
        HIGH_COURT_SHORT_NAME,
        *(c.short_name for c in INTERMEDIATE_COURTS),
        *(b.short_name for b in basics),
    ]
    codes = [HIGH_COURT_CODE, *(c.code for c in INTERMEDIATE_COURTS), *(b.code for b in basics)]
    _check_unique(names, "court names")
    _check_unique(short_names, "court short names")
    _check_unique(codes, "court codes")
    _check_unique([b.division_code for b in basics if b.division_code], "division codes")

    for court in INTERMEDIATE_COURTS:
        _check(court.kind in KINDS, f"{court.name}: unknown kind {court.kind!r}")
        _check(
            len(court.code) == 3 and court.code.startswith(HIGH_COURT_CODE),
            f"{court.name}: bad code {court.code!r}",
        )
        if court.kind == KIND_ORDINARY:
            _check(court.city.endswith("市"), f"{court.name}: bad city {court.city!r}")
            _check(court.city in court.name, f"{court.name}: city not in name")
            _check(bool(court.basic_courts), f"{court.name}: no basic courts")
            prefecture = PROVINCE_DIVISION_PREFIX + court.code[1:]
            for basic in court.basic_courts:
                code = basic.division_code
                _check(
                    len(code) == 6 and code.isdigit() and code.startswith(prefecture),
                    f"{basic.name}: division code {code!r} not under {prefecture}",
                )
                _check(
                    basic.code == _basic_court_code(code),
                    f"{basic.name}: code {basic.code!r} does not match division {code}",
                )
                _check(
                    basic.name.startswith(PROVINCE_NAME) and basic.name.endswith("人民法院"),
                    f"{basic.name}: bad full name",
                )
        else:
            _check(court.city == "", f"{court.name}: special court with a city")
            for basic in court.basic_courts:
                _check(basic.division_code == "", f"{basic.name}: unexpected division code")
                _check(
                    basic.code.startswith(court.code) and len(basic.code) == len(court.code) + 2,
                    f"{basic.name}: code {basic.code!r} not under {court.code}",
                )


if __name__ == "__main__":
    validate()
    basic_total = 0
    for court in INTERMEDIATE_COURTS:
        basic_total += len(court.basic_courts)
        print(f"{court.code}\t{court.short_name}\t{len(court.basic_courts)} basic courts")
    print(f"high courts: 1, intermediate courts: {len(INTERMEDIATE_COURTS)}, ", end="")
    print(f"basic courts: {basic_total}, total: {1 + len(INTERMEDIATE_COURTS) + basic_total}")
