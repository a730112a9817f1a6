from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from huajie.worker.loop import Worker


class Command(BaseCommand):
    help = "运行后台任务进程：定时任务与排队任务（收到 SIGTERM 后完成当前任务再退出）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--once", action="store_true", help="运行当前所有到期任务后退出，不常驻"
        )
        parser.add_argument("--name", help="本进程的名称（默认：主机名:进程号）")

    def handle(self, *args: Any, **options: Any) -> None:
        worker = Worker(name=options["name"]) if options["name"] else Worker()
        worker.install_signal_handlers()
        if options["once"]:
            ran = worker.run_pending()
            self.stdout.write(f"已执行 {ran} 个任务")
        else:
            self.stdout.write(f"后台任务进程 {worker.name} 已启动")
            worker.run_forever()
            self.stdout.write(f"后台任务进程已停止，共执行 {worker.jobs_run} 个任务")
