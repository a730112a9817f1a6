from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from huajie.audit.models import AuditEvent
from huajie.audit.services import audit_verify


class Command(BaseCommand):
    help = (
        "审计记录：verify 重新计算哈希链，发现被修改、删除或插入的记录时指出第一条并以非零状态退出"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, title="操作")
        sub.add_parser("verify", help="校验审计记录哈希链是否完整")

    def handle(self, *args: Any, **options: Any) -> None:
        total = AuditEvent.objects.count()
        broken = audit_verify()
        if broken is not None:
            event = AuditEvent.objects.filter(pk=broken.event_id).first()
            where = f"（{event.at:%Y-%m-%d %H:%M} {event.summary}）" if event else ""
            raise CommandError(
                f"审计记录链在第 {broken.event_id} 号记录处断裂{where}：{broken.reason}"
            )
        self.stdout.write(f"审计记录链完整：共 {total} 条记录，逐条校验通过。")
