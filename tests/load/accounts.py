"""The synthetic accounts the load test logs in with, grouped by kind of user (issue #7).

    python -m tests.load.accounts var/load/accounts.json

Reads the database named by DATABASE_URL (a `huajie synth` dataset) and writes a JSON object
{kind: [username, ...]} for tests/load/locustfile.py. Within a kind, the accounts that see
the most cases (their court, or its subtree for intermediate and high courts) come first: a
run of 100 users logs in where the work is, as in real use.
The locust processes never import Django; this file is their only knowledge of the data.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

# Kind of simulated user -> (court level, roles). The names match the locustfile's classes.
KINDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "basic_office": ("basic", ("petition_office",)),
    "basic_leader": ("basic", ("court_leader",)),
    "intermediate": ("intermediate", ("petition_office", "court_leader")),
    "province": ("high", ("province_office",)),
}


def accounts_by_kind() -> dict[str, list[str]]:
    """Usernames of the synth accounts (`<prefix>_xf`, `<prefix>_ld`) for each kind."""
    from huajie.accounts.models import User

    in_sight = _cases_in_subtree()
    result: dict[str, list[str]] = {}
    for kind, (level, roles) in KINDS.items():
        users = User.objects.filter(
            is_active=True, role__in=roles, person__court__level=level
        ).values_list("username", "person__court_id")
        # Most cases first; the username breaks ties so the order is deterministic.
        ordered = sorted(users, key=lambda row: (-in_sight.get(row[1], 0), row[0]))
        result[kind] = [username for username, _court in ordered]
    return result


def _cases_in_subtree() -> dict[int, int]:
    """Court id -> cases at the court and below it (each court's count added to its
    ancestors): what an account with subtree or province scope sees."""
    from django.db.models import Count

    from huajie.cases.models import PetitionCase
    from huajie.courts.models import Court

    parent: dict[int, int | None] = dict(Court.objects.values_list("id", "parent_id"))
    totals: dict[int, int] = {}
    per_court = PetitionCase.objects.values("court").annotate(n=Count("id"))
    for court, n in per_court.values_list("court", "n"):
        node: int | None = court
        while node is not None:
            totals[node] = totals.get(node, 0) + n
            node = parent[node]
    return totals


def write_accounts(path: Path) -> dict[str, list[str]]:
    accounts = accounts_by_kind()
    empty = [kind for kind, names in accounts.items() if not names]
    if empty:
        raise SystemExit(f"数据库中没有这些类型的账户：{'、'.join(empty)}（请先运行 huajie synth）")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(accounts, ensure_ascii=False, indent=1), encoding="utf-8")
    return accounts


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("用法：python -m tests.load.accounts 输出文件.json", file=sys.stderr)
        return 2
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    accounts: Any = write_accounts(Path(argv[0]))
    counts = "，".join(f"{kind} {len(names)}" for kind, names in accounts.items())
    print(f"已写入 {argv[0]}：{counts}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
