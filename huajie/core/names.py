"""Deterministic, realistic Chinese personal names for seed and demo data.

Surnames are drawn by their real-world frequency (the ~100 most common single-character
surnames, weighted roughly by the national household-registration statistics, plus a few
two-character surnames at low weight and 孔/孟/颜 for a Shandong flavour). Given names are one
character (about 30%) or two characters, drawn from gendered pools of ordinary given-name
characters, with no doubled character except a short list of common ones (婷婷, 莉莉, 亮亮...).

Only the standard library is used; the same ``random.Random`` state or string seed always
yields the same names.
"""

from __future__ import annotations

import itertools
import random

# (surname, weight in hundredths of a percent of the population), most common first.
SURNAME_WEIGHTS: tuple[tuple[str, int], ...] = (
    ("王", 712),
    ("李", 700),
    ("张", 674),
    ("刘", 510),
    ("陈", 461),
    ("杨", 322),
    ("黄", 245),
    ("赵", 219),
    ("吴", 200),
    ("周", 195),
    ("徐", 145),
    ("孙", 138),
    ("马", 129),
    ("朱", 128),
    ("胡", 116),
    ("郭", 113),
    ("何", 106),
    ("林", 102),
    ("高", 100),
    ("罗", 95),
    ("郑", 93),
    ("梁", 86),
    ("谢", 76),
    ("宋", 70),
    ("唐", 69),
    ("许", 66),
    ("韩", 65),
    ("冯", 64),
    ("邓", 62),
    ("曹", 62),
    ("彭", 59),
    ("曾", 59),
    ("肖", 57),
    ("田", 54),
    ("董", 51),
    ("袁", 49),
    ("潘", 48),
    ("于", 48),
    ("蒋", 48),
    ("蔡", 46),
    ("余", 45),
    ("杜", 44),
    ("叶", 43),
    ("程", 43),
    ("苏", 41),
    ("魏", 41),
    ("吕", 40),
    ("丁", 40),
    ("任", 39),
    ("沈", 38),
    ("姚", 37),
    ("卢", 36),
    ("姜", 36),
    ("崔", 35),
    ("钟", 35),
    ("谭", 34),
    ("陆", 33),
    ("汪", 32),
    ("范", 32),
    ("金", 31),
    ("石", 31),
    ("廖", 30),
    ("贾", 30),
    ("夏", 29),
    ("韦", 29),
    ("付", 28),
    ("方", 28),
    ("白", 27),
    ("邹", 27),
    ("孟", 26),
    ("熊", 26),
    ("秦", 26),
    ("邱", 25),
    ("江", 25),
    ("尹", 24),
    ("薛", 24),
    ("闫", 23),
    ("段", 23),
    ("雷", 22),
    ("侯", 22),
    ("龙", 22),
    ("史", 21),
    ("陶", 21),
    ("黎", 20),
    ("贺", 20),
    ("顾", 20),
    ("毛", 19),
    ("郝", 19),
    ("龚", 19),
    ("邵", 18),
    ("万", 18),
    ("钱", 18),
    ("严", 17),
    ("覃", 17),
    ("武", 17),
    ("戴", 16),
    ("莫", 16),
    ("孔", 16),
    ("向", 15),
    ("汤", 15),
    ("常", 14),
    ("牛", 13),
    ("房", 9),
    ("颜", 6),
    ("欧阳", 3),
    ("上官", 1),
    ("司马", 1),
    ("诸葛", 1),
)

# Ordinary given-name characters. Each string has no repeated character, and no character
# appears in more than one pool.
MALE_GIVEN_CHARS = (
    "建国伟军强磊勇杰涛斌超波辉刚鹏飞峰亮东成志宇浩凯健俊帆帅旭龙兵鑫博毅彬庆祥福贵胜良民"
    "振忠德义仁智树森松柏瑞鸿宏宾彪达坤盛兴昌隆发财宝中正远光耀先广宗继承立力虎豪卫保康顺"
    "谦恒泽润源航铭睿哲轩翔昊锐晖鹤逸江山武利生泉林栋梁延峻岩石聪培钢铁锋奇彦晋朋钧炜煜"
    "琛舟楷瀚弘勤鸣俭骏驰壮堂甫贤"
)
FEMALE_GIVEN_CHARS = (
    "芳丽红敏静艳娟霞秀英玲燕萍梅兰娜婷雪琳莉倩颖慧怡瑶琪璐菲蕾薇悦妍洁晶晴凤翠珍珠琴芬莲"
    "香桂淑惠贞巧彩丹蓉媛嫣岚露冰爽姗婉婕娅娇茜萌梦诗璇珊莎茹蓓紫涵馨菁萱晗琦瑾钰沁依美"
    "俐雯霏婧姝月云秋霜娥素荷楠娴琼玫黛筱芸苗艺蕊"
)
NEUTRAL_GIVEN_CHARS = (
    "华明平文新宁安晨阳嘉佳欣思雨心若然清晓春青乐喜和玉金长兆天一子小永方家学海雅欢诚真彤卓韵"
)

# Doubled given names that are common enough to look natural.
ALLOWED_DOUBLED_GIVEN_NAMES: tuple[str, ...] = (
    "婷婷",
    "莉莉",
    "亮亮",
    "丹丹",
    "晶晶",
    "娜娜",
    "琳琳",
    "倩倩",
    "欢欢",
    "楠楠",
    "佳佳",
    "菲菲",
    "冰冰",
    "磊磊",
    "明明",
    "涛涛",
    "伟伟",
    "强强",
)

SINGLE_CHAR_GIVEN_NAME_SHARE = 0.30
DOUBLED_GIVEN_NAME_SHARE = 0.02  # of two-character given names


def _unique_chars(text: str) -> tuple[str, ...]:
    """Return the characters of ``text`` in order, without repeats."""
    return tuple(dict.fromkeys(text))


_SURNAMES: tuple[str, ...] = tuple(surname for surname, _ in SURNAME_WEIGHTS)
_SURNAME_CUM_WEIGHTS: tuple[int, ...] = tuple(
    itertools.accumulate(weight for _, weight in SURNAME_WEIGHTS)
)
_MALE_POOL: tuple[str, ...] = _unique_chars(MALE_GIVEN_CHARS + NEUTRAL_GIVEN_CHARS)
_FEMALE_POOL: tuple[str, ...] = _unique_chars(FEMALE_GIVEN_CHARS + NEUTRAL_GIVEN_CHARS)
_MALE_DOUBLED: tuple[str, ...] = tuple(
    name for name in ALLOWED_DOUBLED_GIVEN_NAMES if name[0] in _MALE_POOL
)
_FEMALE_DOUBLED: tuple[str, ...] = tuple(
    name for name in ALLOWED_DOUBLED_GIVEN_NAMES if name[0] in _FEMALE_POOL
)


def _given_char(rng: random.Random, pool: tuple[str, ...], avoid: str) -> str:
    """Draw one given-name character from ``pool`` that does not occur in ``avoid``."""
    while True:
        char = rng.choice(pool)
        if char not in avoid:
            return char


def _given_name(rng: random.Random, surname: str) -> str:
    """Draw a one- or two-character given name that reads naturally after ``surname``."""
    female = rng.random() < 0.5
    pool = _FEMALE_POOL if female else _MALE_POOL
    if rng.random() < SINGLE_CHAR_GIVEN_NAME_SHARE:
        return _given_char(rng, pool, surname)
    doubled = _FEMALE_DOUBLED if female else _MALE_DOUBLED
    if rng.random() < DOUBLED_GIVEN_NAME_SHARE:
        candidates = [name for name in doubled if name[0] not in surname]
        if candidates:
            return rng.choice(candidates)
    first = _given_char(rng, pool, surname)
    second = _given_char(rng, pool, surname + first)
    return first + second


def person_name(rng: random.Random) -> str:
    """Return one realistic Chinese personal name (surname + given name) drawn from ``rng``."""
    surname = rng.choices(_SURNAMES, cum_weights=_SURNAME_CUM_WEIGHTS)[0]
    return surname + _given_name(rng, surname)


def person_names(seed: str, count: int) -> list[str]:
    """Return ``count`` distinct personal names, always the same ones for the same ``seed``."""
    if count < 0:
        raise ValueError(f"count must be non-negative, got {count}")
    rng = random.Random(seed)  # noqa: S311 - demo data, not security
    names: dict[str, None] = {}
    attempts_left = count * 100 + 1000
    while len(names) < count:
        if attempts_left == 0:
            raise RuntimeError(f"could not draw {count} distinct names for seed {seed!r}")
        attempts_left -= 1
        names.setdefault(person_name(rng), None)
    return list(names)
