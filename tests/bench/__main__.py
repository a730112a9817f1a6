"""`make bench`: the benchmarks, which print numbers and assert nothing about time.

python -m tests.bench            the ledger import/export, then the pages
python -m tests.bench ledger …   only the ledger (tests/bench/ledger.py)
python -m tests.bench pages …    only the pages (tests/bench/pages.py)
"""

from __future__ import annotations

import sys

from tests.bench import ledger, pages


def main() -> None:
    args = sys.argv[1:]
    if args and args[0] in {"ledger", "pages"}:
        {"ledger": ledger.main, "pages": pages.main}[args[0]](args[1:])
        return
    if args and args[0] in {"-h", "--help"}:
        print(__doc__)
        return
    ledger.main(args)
    pages.main([])


if __name__ == "__main__":
    main()
