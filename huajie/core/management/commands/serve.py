from __future__ import annotations

import os
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "启动网站服务（gunicorn，多进程）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8000, help="端口（默认 8000）")
        parser.add_argument("--host", default="127.0.0.1", help="监听地址（默认 127.0.0.1）")
        parser.add_argument(
            "--workers", type=int, default=2, help="进程数（默认 2，约等于 CPU 核数）"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        argv = [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "--config",
            "python:config.gunicorn",
            "--bind",
            f"{options['host']}:{options['port']}",
            "--workers",
            str(options["workers"]),
            "--threads",
            "4",
            "--access-logfile",
            "-",
            "--graceful-timeout",
            "20",
        ]
        os.execv(sys.executable, argv)  # noqa: S606  (replace this process with gunicorn)
