from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from huajie.cases.models import CaseStatus
from huajie.demo.cases import DEMO_DAY
from huajie.demo.province import DEMO_ACCOUNTS, load_demo_province


class Command(BaseCommand):
    help = "载入演示省份（山东省法院）并启动网站与后台任务；重复运行保留已有数据"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--load-only", action="store_true", help="只载入演示数据，然后退出")
        parser.add_argument("--port", type=int, default=8000, help="网站端口（默认 8000）")

    def handle(self, *args: Any, **options: Any) -> None:
        settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
        call_command("migrate", interactive=False, verbosity=0)
        password = settings.HUAJIE_DEMO_PASSWORD
        summary = load_demo_province(password)
        self.stdout.write(
            f"演示省份已就绪：法院 {summary['courts']} 个，"
            f"本次新增人员 {summary['people_added']} 人，演示账户 {summary['accounts']} 个。"
        )
        self.stdout.write(self._campaign(summary))
        if options["load_only"]:
            return
        self._run_services(options["port"], password)

    def _run_services(self, port: int, password: str) -> None:
        huajie = [sys.executable, "-m", "huajie.cli"]
        # The demo campaign stands on DEMO_DATE: serve and tick that day, not the real one,
        # or the first tick would end every observation period at once.
        env = {
            **os.environ,
            "HUAJIE_DEMO_DATE": os.environ.get("HUAJIE_DEMO_DATE", DEMO_DAY.isoformat()),
        }
        children = [
            subprocess.Popen([*huajie, "serve", "--port", str(port)], env=env),  # noqa: S603
            subprocess.Popen([*huajie, "worker"], env=env),  # noqa: S603
        ]
        self.stdout.write(self._banner(port, password))
        stopping = False

        def stop(signum: int, frame: object) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        try:
            while not stopping and all(child.poll() is None for child in children):
                time.sleep(0.5)
        finally:
            for child in children:
                if child.poll() is None:
                    child.terminate()
            for child in children:
                child.wait(timeout=30)
        if not stopping:
            raise SystemExit("网站或后台任务进程意外退出，请查看上方日志。")

    @staticmethod
    def _campaign(summary: dict[str, int]) -> str:
        statuses = "，".join(
            f"{status.label} {summary.get(f'status_{status.value}', 0)}" for status in CaseStatus
        )
        return (
            f"2019年专项活动：存量案件 {summary['stock_cases']} 件，"
            f"新发信访 {summary['new_petitions']} 件（本次新增 {summary['cases_added']} 件）。\n"
            f"  截至2019年7月15日：{statuses}。"
        )

    @staticmethod
    def _banner(port: int, password: str) -> str:
        width = max(len(a.username) for a in DEMO_ACCOUNTS)
        lines = [
            "",
            f"化解 演示已启动：http://127.0.0.1:{port}/   （按 Ctrl-C 停止）",
            f"演示账户（密码均为 {password}）：",
            *(f"  {a.username.ljust(width)}  {a.what}" for a in DEMO_ACCOUNTS),
            "",
        ]
        return "\n".join(lines)
