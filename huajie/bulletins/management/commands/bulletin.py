"""`huajie bulletin`: issue the bi-weekly bulletin, list the issued ones, export their files.

huajie bulletin issue --as-of 2019-06-30 --out DIR   # issue the period's bulletin, write 3 files
huajie bulletin list
huajie bulletin export --number 8 --out DIR          # the files of an issued bulletin
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from huajie.bulletins import services
from huajie.bulletins.models import FORMATS, Bulletin
from huajie.cases.models import Campaign
from huajie.cases.transitions import Refused
from huajie.courts.models import Court
from huajie.supervision import metrics


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"日期格式应为 年-月-日，例如 2019-06-30：{value}") from None


class Command(BaseCommand):
    help = "双周通报：发布（issue）、列出（list）、导出文件（export）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["issue", "list", "export"], help="操作")
        parser.add_argument("--province", default="", help="高级法院的案号代字，如 鲁；默认第一个")
        parser.add_argument("--as-of", dest="as_of", default="", help="统计截至日期 YYYY-MM-DD")
        parser.add_argument("--year", type=int, default=0, help="活动年度（export），默认最近")
        parser.add_argument("--number", type=int, default=0, help="期数（export）")
        parser.add_argument("--out", default="", help="把 Word、PDF、Excel 三个文件写入此目录")
        parser.add_argument("--requirements", default="", help="下一阶段工作要求（附加，可多行）")

    def handle(self, *args: Any, **options: Any) -> None:
        province = self._province(options["province"])
        action = options["action"]
        if action == "list":
            self._list(province)
        elif action == "issue":
            self._issue(province, options)
        else:
            self._export(province, options)

    def _province(self, code: str) -> Court:
        courts = Court.objects.filter(parent__isnull=True).order_by("path")
        found = courts.filter(code=code).first() if code else courts.first()
        if found is None:
            raise CommandError(f"找不到高级法院{code}：请先载入法院")
        return found

    def _list(self, province: Court) -> None:
        bulletins = Bulletin.objects.filter(province=province).select_related("campaign")
        if not bulletins:
            self.stdout.write("尚未发布通报。")
        for b in bulletins.order_by("campaign__year", "number"):
            self.stdout.write(
                f"{b.campaign.year}年第{b.number:>2}期  {b.period_start}至{b.period_end}  "
                f"发布于 {b.issued_at:%Y-%m-%d %H:%M}  {b.issued_by_name}"
            )

    def _issue(self, province: Court, options: dict[str, Any]) -> None:
        if not options["as_of"]:
            raise CommandError("请用 --as-of YYYY-MM-DD 指定统计截至日期")
        as_of = _date(options["as_of"])
        campaign = metrics.campaign_on(as_of)
        if campaign is None:
            raise CommandError("尚未建立专项活动")
        try:
            bulletin = services.bulletin_issue(
                province=province,
                campaign=campaign,
                as_of=as_of,
                actor=None,
                requirements=options["requirements"],
            )
        except Refused as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"已发布{campaign.year}年第{bulletin.number}期通报"
            f"（{bulletin.period_start}至{bulletin.period_end}）"
        )
        if options["out"]:
            self._write(bulletin, Path(options["out"]))

    def _export(self, province: Court, options: dict[str, Any]) -> None:
        if not options["number"] or not options["out"]:
            raise CommandError("请用 --number 指定期数，用 --out 指定目录")
        campaigns = Campaign.objects.order_by("-year")
        campaign = (
            campaigns.filter(year=options["year"]).first() if options["year"] else campaigns.first()
        )
        bulletin = Bulletin.objects.filter(
            province=province, campaign=campaign, number=options["number"]
        ).first()
        if bulletin is None:
            raise CommandError(f"第{options['number']}期通报尚未发布")
        self._write(bulletin, Path(options["out"]))

    def _write(self, bulletin: Bulletin, out: Path) -> None:
        out.mkdir(parents=True, exist_ok=True)
        for fmt in FORMATS:
            try:
                data = services.bulletin_file(bulletin, fmt)
            except services.FileTampered as exc:
                raise CommandError(f"文件校验失败：{exc}") from None
            path = out / services.download_name(bulletin, fmt)
            path.write_bytes(data)
            self.stdout.write(f"  {path}")
