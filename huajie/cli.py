"""The `huajie` operations command: Django's management commands under one name.

`huajie` alone (or `huajie --help`) lists Huajie's own commands in Chinese; every subcommand
takes `--help`. Django's built-in commands (migrate, createsuperuser, …) work too.
"""

from __future__ import annotations

import os
import sys

# Huajie's own commands, in the order an operator meets them.
COMMANDS: dict[str, str] = {
    "demo": "载入演示省份数据并启动网站与后台任务（--load-only 只载入）",
    "serve": "启动网站服务",
    "worker": "启动后台任务进程",
    "bulletin": "双周通报：issue 发布（--as-of 日期 --out 目录），list 列出，export 导出",
    "tick": "执行每日时限规则：观察期届满、疑似挂名包案（--as-of 指定日期）",
    "ledger": "任务台账：import 导入 Excel 台账（--dry-run 只检查），export 导出",
    "audit": "审计记录：verify 校验哈希链，指出第一条被篡改的记录",
    "tally": "案件计数（看板实时数字）：check 按案件核对，rebuild 重写，compact 合并",
    "search": "案件检索列（列表搜索框所查）：check 按信访人与原审案件核对，rebuild 重写",
    "statistics": "重新统计各表行数供数据库选择查询方式（ANALYZE；SQLite 由后台任务每晚执行）",
    "synth": "生成全国合成数据集（--courts 法院数 --cases 案件数 --seed 种子），用于性能测试",
    "backup": "备份数据库与上传文件到一个文件（SQLite 或 PostgreSQL）",
    "restore": "从备份文件恢复数据库与上传文件（--yes 确认覆盖）",
}


def _usage() -> str:
    width = max(len(name) for name in COMMANDS)
    lines = ["用法：huajie <命令> [选项]", "", "命令："]
    lines += [f"  {name.ljust(width)}  {text}" for name, text in COMMANDS.items()]
    lines += ["", "每个命令都可加 --help 查看说明。Django 自带命令（如 migrate）同样可用。"]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if not args or args[0] in {"-h", "--help", "help"}:
        print(_usage())
        return
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["huajie", *args])


if __name__ == "__main__":
    main()
