"""`huajie tick [--as-of YYYY-MM-DD]`: run the day's time-driven rules by hand."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from huajie.cases.jobs import describe, run_tick
from huajie.core import clock


def parse_day(raw: str) -> dt.date:
    try:
        return dt.date.fromisoformat(raw.strip())
    except ValueError:
        raise CommandError(
            f"日期“{raw}”格式不对，应为 YYYY-MM-DD（年-月-日），例如 2019-07-15。"
        ) from None


class Command(BaseCommand):
    help = (
        "执行某一天的时限规则：口头承诺观察期届满的案件达到化解标准，"
        "包案领导长期无工作记录的案件标记为疑似挂名包案。同一天重复执行不会重复处理。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--as-of",
            metavar="YYYY-MM-DD",
            help="按哪一天执行（默认今天），例如 2019-07-15",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        raw = options["as_of"]
        day = parse_day(raw) if raw else clock.today()
        result = run_tick(day)
        self.stdout.write(describe(result))
