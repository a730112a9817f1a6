from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from huajie.demo.synth import (
    ADMIN_USERNAME,
    NATION_USERNAME,
    Options,
    SynthError,
    generate,
    iter_summary,
)


def _date(raw: str) -> dt.date:
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise CommandError(f"日期“{raw}”格式不对，应为 YYYY-MM-DD，例如 2019-09-30。") from None


class Command(BaseCommand):
    help = (
        "生成全国合成数据集（约 3500 个法院、最多 100 万件案件），用于性能测试；"
        "同一 --seed 生成完全相同的数据"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--courts", type=int, default=3500, help="法院总数（默认 3500，至少 96）"
        )
        parser.add_argument("--cases", type=int, default=1_000_000, help="案件数（默认 100 万）")
        parser.add_argument("--seed", type=int, default=1, help="随机种子（默认 1）")
        parser.add_argument(
            "--campaign-year", type=int, default=2019, help="专项活动年度（默认 2019）"
        )
        parser.add_argument(
            "--as-of", type=_date, default=None, help="数据截止日（默认该年 9 月 30 日）"
        )
        parser.add_argument(
            "--batch", type=int, default=5000, help="每个事务写入的案件数（默认 5000）"
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help=(
                f"数据库由 huajie synth 生成（有 {ADMIN_USERNAME} 账户）时，先清空整个数据库再生成"
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["batch"] < 1:
            raise CommandError("--batch 应为正整数。")
        settings = Options(
            courts=options["courts"],
            cases=options["cases"],
            seed=options["seed"],
            year=options["campaign_year"],
            as_of=options["as_of"],
            batch=options["batch"],
        )
        try:
            result = generate(settings, reset=options["reset"], progress=self.stdout.write)
        except SynthError as exc:
            raise CommandError(str(exc)) from exc
        for line in iter_summary(result):
            self.stdout.write(line)
        self.stdout.write(
            "登录账户：每个法院两个，用户名为「省份拼音简称 + 法院代字数字 + _xf（信访办）或 _ld"
            "（院领导）」，如 sd_xf（山东高院信访办，全省）、sd03_xf（鲁03 中院，本院及下级）、"
            f"sd0312_ld（鲁0312 基层法院院领导）；全国督导 {NATION_USERNAME}（只看不改），"
            f"系统管理员 {ADMIN_USERNAME}。"
            "密码均为 HUAJIE_DEMO_PASSWORD。"
        )
