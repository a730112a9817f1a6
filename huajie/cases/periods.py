"""How long the observation period after an oral promise lasts (R9.2).

"口头承诺息诉罢访后1年内未再赴省进京上访": we count the year as the Civil Code counts periods
(民法典 第二百零一条、第二百零二条): the day of the promise is not counted; the period ends on
the corresponding day one year later; where that month has no corresponding day (a promise
on 29 February) the period ends on the last day of the month (28 February). A promise on
2019-03-15 is observed through 2020-03-15; on 2020-02-29, through 2021-02-28. A Beijing or
province visit on any day from the promise through the last day sends the case back; on the
day after the last day the case meets the standard by itself.
"""

from __future__ import annotations

import calendar
import datetime as dt
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from huajie.cases.models import Campaign


def observation_last_day(promise_on: dt.date) -> dt.date:
    year = promise_on.year + 1
    last = calendar.monthrange(year, promise_on.month)[1]
    return promise_on.replace(year=year, day=min(promise_on.day, last))


# --- bulletin periods (R17) ------------------------------------------------------------------

PERIOD_DAYS = 14  # R17: a bulletin every two weeks


def last_period_number(campaign: Campaign) -> int:
    days = (campaign.deadline - campaign.concentrated_start).days + 1
    return max(1, -(-days // PERIOD_DAYS))


def period_number(campaign: Campaign, day: dt.date) -> int:
    """The number of the period containing `day`; 0 before concentrated resolution starts,
    the last period's number after the deadline."""
    if day < campaign.concentrated_start:
        return 0
    number = (day - campaign.concentrated_start).days // PERIOD_DAYS + 1
    return min(number, last_period_number(campaign))
