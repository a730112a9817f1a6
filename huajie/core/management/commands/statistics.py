"""`huajie statistics`: gather the query planner's statistics now (core.planner)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from huajie.core.planner import gathers_statistics_itself, refresh_statistics


class Command(BaseCommand):
    help = (
        "重新统计各表和索引的行数，供数据库选择查询方式（ANALYZE）。"
        "SQLite 不会自行统计，后台任务每晚 03:00 执行一次；升级或大批导入后可立即执行。"
    )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        refresh_statistics()
        seconds = time.monotonic() - started
        self.stdout.write(f"已重新统计查询规划信息，用时 {seconds:.1f} 秒。")
        if gathers_statistics_itself():
            self.stdout.write("（PostgreSQL 由 autovacuum 自动统计，通常无需手动执行。）")
