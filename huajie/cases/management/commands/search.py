"""`huajie search check|rebuild`: the two columns the ledger list's search box reads."""

from __future__ import annotations

from itertools import islice
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from huajie.cases import search
from huajie.cases.models import OriginalCase, PetitionCase

SHOWN = 20  # differences listed in full; the rest are counted


class Command(BaseCommand):
    help = (
        "案件检索列（案件列表搜索框所查的台账编号、信访人姓名、身份证号、原审案号）："
        "check 按信访人和原审案件重新生成并报告每一处不符（有不符时以非零状态退出），"
        "rebuild 重写不符的案件"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, title="操作")
        sub.add_parser("check", help="重新生成检索列，与案件中保存的逐件核对")
        sub.add_parser("rebuild", help="重写与重新生成结果不符的案件（核对发现不符后使用）")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "rebuild":
            rewritten = search.rebuild(PetitionCase, OriginalCase)
            self.stdout.write(f"已重写检索列：{rewritten} 件案件。")
            return
        found = search.differences(PetitionCase, OriginalCase)
        listed = list(islice(found, SHOWN))
        if not listed:
            self.stdout.write("案件检索列与信访人、原审案件一致。")
            return
        rest = sum(1 for _ in found)
        lines = [f"  {d.ledger_no}（案件 {d.case_id}）" for d in listed]
        if rest:
            lines.append(f"……另有 {rest} 件")
        raise CommandError(
            f"案件检索列有 {len(listed) + rest} 件不符（可用 huajie search rebuild 重写）：\n"
            + "\n".join(lines)
        )
