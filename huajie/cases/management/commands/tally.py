"""`huajie tally check|rebuild|compact`: the case tally that the live dashboard reads."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from huajie.cases import tally
from huajie.cases.models import Campaign, CaseStatus, Origin, VisitLevel
from huajie.courts.models import Court

SHOWN = 20  # differences listed in full; the rest are counted


class Command(BaseCommand):
    help = (
        "案件计数（监控看板的实时数字）：check 按案件重新统计并报告每一处不符（有不符时以非零状态"
        "退出），rebuild 按案件重写计数，compact 合并计数记录（后台任务每小时执行一次）"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, title="操作")
        sub.add_parser("check", help="按案件重新统计，与计数逐项核对")
        sub.add_parser("rebuild", help="按案件重写计数（核对发现不符后使用）")
        sub.add_parser("compact", help="把计数的增减记录合并为每项一条")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "check":
            self._check()
        elif action == "rebuild":
            rows = tally.rebuild()
            self.stdout.write(f"已按案件重新统计：计数 {rows} 项。")
        else:
            before, after = tally.compact()
            self.stdout.write(f"已合并计数记录：{before} 条合并为 {after} 条。")

    def _check(self) -> None:
        found = tally.differences()
        if not found:
            self.stdout.write("案件计数与按案件重新统计的结果一致。")
            return
        courts = dict(Court.objects.values_list("pk", "short_name"))
        years = dict(Campaign.objects.values_list("pk", "year"))
        lines = [_describe(d, courts, years) for d in found[:SHOWN]]
        if len(found) > SHOWN:
            lines.append(f"……另有 {len(found) - SHOWN} 处")
        raise CommandError(
            f"案件计数有 {len(found)} 处不符（可用 huajie tally rebuild 按案件重写）：\n"
            + "\n".join(lines)
        )


def _describe(d: tally.Difference, courts: dict[int, str], years: dict[int, int]) -> str:
    campaign_id, court_id, *rest = d.key
    where = f"{years.get(campaign_id, campaign_id)}年活动 {courts.get(court_id, court_id)}"
    if len(rest) == 2:  # the visit tally: level, period
        level, period = rest
        bucket = "动员部署前" if period == -1 else ("动员部署" if period == 0 else f"第{period}期")
        label = f"{where} {VisitLevel(str(level)).label}信访 {bucket}"
        return f"  {label}：记录 {d.stored[0]} 次，实际 {d.counted[0]} 次"
    origin, status, current = rest
    label = f"{where} {Origin(str(origin)).label} {CaseStatus(str(status)).label}"
    label += "" if current else "（已结转）"

    def figures(values: tuple[int, ...]) -> str:
        cases, nominal, reopened = values
        return f"{cases} 件（疑似挂名 {nominal}，重新信访 {reopened}）"

    return f"  {label}：记录 {figures(d.stored)}，实际 {figures(d.counted)}"
