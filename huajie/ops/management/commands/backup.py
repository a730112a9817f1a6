from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from huajie.ops.backup import ENGINE_LABELS, BackupError, backup


class Command(BaseCommand):
    help = (
        "备份数据库与上传文件到一个文件：SQLite 用在线备份接口，PostgreSQL 用 pg_dump；"
        "文件内附清单（数据库类型、版本、迁移、时间、SHA-256 校验和）"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="备份文件路径，例如 /var/backups/huajie/2019-07-15.tar")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        try:
            result = backup(Path(options["file"]))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        size = result.path.stat().st_size
        self.stdout.write(
            f"备份完成：{result.path}（{_mb(size)}，用时 {time.monotonic() - started:.1f} 秒）\n"
            f"  数据库：{ENGINE_LABELS[result.engine]}，{_mb(result.database_bytes)}\n"
            f"  上传文件：{result.media_files} 个，{_mb(result.media_bytes)}"
        )


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"
