from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from huajie.audit.models import AuditEvent
from huajie.audit.services import audit_verify
from huajie.ops.backup import ENGINE_LABELS, BackupError, restore, unapplied_migrations


class Command(BaseCommand):
    help = (
        "从备份文件恢复数据库与上传文件：先校验整个文件（数据库类型、校验和、版本），"
        "数据库中已有数据时须确认（--yes）；恢复后校验审计记录链"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="由 huajie backup 生成的备份文件")
        parser.add_argument(
            "--yes", action="store_true", help="数据库中已有数据时，不再询问，直接覆盖"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        try:
            result = restore(Path(options["file"]), confirm=lambda: self._confirm(options))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"恢复完成：{ENGINE_LABELS[result.engine]} 数据库已恢复到 {result.created_at}（UTC）"
            f"的状态，用时 {time.monotonic() - started:.1f} 秒。\n"
            f"  上传文件：写回 {result.media_written} 个，"
            f"已存在且相同 {result.media_unchanged} 个。"
        )
        pending = unapplied_migrations()
        if pending:
            self.stdout.write(
                f"  备份来自较早的版本，尚有 {len(pending)} 个数据库迁移未执行："
                "请运行 huajie migrate。"
            )
        self._verify_audit()

    def _confirm(self, options: dict[str, Any]) -> bool:
        if options["yes"]:
            return True
        if not sys.stdin.isatty():
            raise BackupError(
                "当前数据库中已有数据，恢复将覆盖全部数据：请加 --yes 确认。什么也没有改动。"
            )
        self.stdout.write("当前数据库中已有数据，恢复将覆盖全部数据。输入 yes 确认：", ending="")
        self.stdout.flush()
        return sys.stdin.readline().strip().lower() == "yes"

    def _verify_audit(self) -> None:
        broken = audit_verify()
        if broken is not None:
            raise CommandError(
                f"数据已恢复，但审计记录链在第 {broken.event_id} 号记录处断裂：{broken.reason}"
                "（备份前数据库中的记录已被改动）。"
            )
        total = AuditEvent.objects.count()
        self.stdout.write(f"  审计记录链完整：共 {total} 条记录，逐条校验通过。")
