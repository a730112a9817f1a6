"""`huajie ledger import|export`: the task ledger (R22) at the command line.

The command is an operator's tool. Without `--as` it acts for the whole province: import
may touch every court's cases (new cases are held by the high court, the audit records the
actor as 系统), and export writes every ID and phone number in full. With `--as USERNAME` it
acts exactly as that account would in the browser: its scope, its rights, its masking.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from huajie.accounts.models import User
from huajie.accounts.policy import Action, can, scope_filter
from huajie.cases.models import Campaign, PetitionCase
from huajie.courts.models import Court, CourtLevel
from huajie.ledger import conf
from huajie.ledger.annotate import write_marked_copy
from huajie.ledger.courtnames import CourtIndex
from huajie.ledger.export import write_ledger
from huajie.ledger.importing import import_sheet
from huajie.ledger.plan import Importer
from huajie.ledger.planner import Planner
from huajie.ledger.report import ImportReport


class Command(BaseCommand):
    help = (
        "任务台账（R22）：import 导入 Excel 台账（先检查，任何一行有错误则整表不导入），"
        "export 导出 Excel 台账。不加 --as 时以运维人员身份操作全省数据，"
        "导出完整的身份证号和电话；加 --as 用户名 时按该账户的权限操作。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, title="操作")
        load = sub.add_parser("import", help="导入任务台账（.xlsx）")
        load.add_argument("file", type=Path, help="台账文件（.xlsx）")
        load.add_argument("--campaign", type=int, required=True, help="专项活动年度，如 2019")
        load.add_argument(
            "--dry-run", action="store_true", help="只检查、列出将要做的改动，不改动系统"
        )
        load.add_argument("--as", dest="username", help="以此账户的身份和权限导入")
        load.add_argument("--province", help="省高级法院名称（系统中有多个省时必填）")
        load.add_argument(
            "--errors-copy",
            type=Path,
            help="有错误时，标注问题单元格的台账副本写到此处（默认：原文件旁的 *.问题标注.xlsx）",
        )
        dump = sub.add_parser("export", help="导出任务台账（.xlsx）")
        dump.add_argument("file", type=Path, help="写入的文件（.xlsx）")
        dump.add_argument("--court", help="只导出此法院的案件（全称或简称，如 历下法院）")
        dump.add_argument("--with-subordinates", action="store_true", help="连同下级法院的案件")
        dump.add_argument("--campaign", type=int, help="专项活动年度（默认：最近的一次）")
        dump.add_argument("--as", dest="username", help="以此账户的可见范围导出（按权限隐去号码）")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "import":
            self._import(options)
        else:
            self._export(options)

    # --- import ---------------------------------------------------------------------------

    def _import(self, options: dict[str, Any]) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"找不到文件：{path}")
        campaign = _campaign(options["campaign"])
        user = _user(options["username"])
        if user is not None:
            if user.court is None or not can(user, Action.LEDGER_IMPORT, user.court):
                raise CommandError(f"账户 {user.username} 没有导入任务台账的权限。")
            importer = Importer.for_user(user, campaign)
        else:
            importer = Importer.operator(campaign, _province(options["province"]))
        report = import_sheet(
            path, importer, dry_run=options["dry_run"], file_name=path.name, progress=self._progress
        )
        self._print(report)
        if report.refused:
            self._marked_copy(path, report, options["errors_copy"])
            raise CommandError(
                f"台账未导入：{report.refusal or f'发现 {report.error_count} 个错误'}。"
            )

    def _progress(self, done: int, total: int) -> None:
        # Called once per chunk; `done` is a multiple of the chunk until the last one.
        every = conf.progress_rows()
        if total > every and (done % every < Planner.CHUNK or done == total):
            self.stderr.write(f"已处理 {done}/{total} 行……")

    def _print(self, report: ImportReport) -> None:
        for line in report.summary_lines():
            self.stdout.write(line)
        if report.lines and not report.refused:
            self.stdout.write("")
            for item in report.lines:
                if item.action == "unchanged":
                    continue
                what = "；".join(item.changes) or item.allocation
                number = item.ledger_no or "（系统编号）"
                self.stdout.write(
                    f"第{item.row}行 {number} {item.petitioner}：{item.action_label}。{what}"
                )
            if report.lines_left_out:
                self.stdout.write(f"……另有 {report.lines_left_out} 行未逐行列出。")
        for title, problems in (("错误", report.errors), ("提示", report.warnings)):
            if problems:
                self.stdout.write("")
                self.stdout.write(f"{title}（{len(problems)}）：")
                for problem in problems:
                    self.stdout.write(f"  {problem.text()}")

    def _marked_copy(self, path: Path, report: ImportReport, target: Path | None) -> None:
        if not any(p.cell for p in report.errors):
            return
        target = target or path.with_name(f"{path.stem}.问题标注.xlsx")
        write_marked_copy(path, target, report, report.rows_read)
        self.stdout.write("")
        self.stdout.write(f"已把标注了问题单元格的台账副本写到：{target}")

    # --- export ---------------------------------------------------------------------------

    def _export(self, options: dict[str, Any]) -> None:
        user = _user(options["username"])
        campaign = _campaign(options["campaign"])
        cases = PetitionCase.objects.filter(campaign=campaign)
        if user is not None:
            cases = scope_filter(user, cases)
        owner = "全省"
        if options["court"]:
            court = _court(options["court"])
            owner = court.short_name
            if options["with_subordinates"]:
                cases = cases.filter(court__path__startswith=court.path)
            else:
                cases = cases.filter(court=court)
        title = f"{owner}防范和化解涉诉信访案件任务台账（{campaign.year}年）"
        count = write_ledger(cases.order_by("ledger_no"), user, options["file"], title)
        self.stdout.write(f"已导出 {count} 件案件到 {options['file']}。")


def _campaign(year: int | None) -> Campaign:
    campaigns = Campaign.objects.order_by("-year")
    campaign = campaigns.filter(year=year).first() if year else campaigns.first()
    if campaign is None:
        raise CommandError(f"没有{year or ''}年的专项活动，请先建立专项活动。")
    return campaign


def _user(username: str | None) -> User | None:
    if not username:
        return None
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(f"没有启用的账户 {username}。")
    return user


def _province(name: str | None) -> Court:
    provinces = Court.objects.filter(level=CourtLevel.HIGH)
    if name:
        found = CourtIndex(provinces).resolve(name)
        if found is None:
            raise CommandError(f"找不到省高级法院“{name}”。")
        return found
    if provinces.count() != 1:
        raise CommandError("系统中有多个省（或没有省），请用 --province 指定省高级法院。")
    province = provinces.get()
    return province


def _court(name: str) -> Court:
    court = CourtIndex(Court.objects.all()).resolve(name)
    if court is None:
        raise CommandError(f"找不到法院“{name}”。")
    return court
