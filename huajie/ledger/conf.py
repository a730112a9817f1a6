"""The ledger import's limits, each a Django setting with an environment default.

They are read here (not in config/settings.py) so that a deployment can set them in the
environment and a test can override them with the `settings` fixture; every reader asks at
call time, never at import time.
"""

from __future__ import annotations

from django.conf import settings

from huajie.core.env import env_int

MB = 1024 * 1024


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, env_int(name, default)))


def max_bytes() -> int:
    """The largest upload accepted (the .xlsx file itself)."""
    return _setting("HUAJIE_LEDGER_MAX_BYTES", 50 * MB)


def max_uncompressed_bytes() -> int:
    """The largest total the zip directory may declare: a 100,000-row ledger unpacks to
    about 150 MB, so 1 GB leaves room while refusing zip bombs before anything is opened."""
    return _setting("HUAJIE_LEDGER_MAX_UNCOMPRESSED_BYTES", 1024 * MB)


def max_ratio() -> int:
    """The largest compression ratio of one zip member (real sheets stay under about 30)."""
    return _setting("HUAJIE_LEDGER_MAX_RATIO", 200)


def max_rows() -> int:
    """The most data rows a sheet may have."""
    return _setting("HUAJIE_LEDGER_MAX_ROWS", 200_000)


def max_columns() -> int:
    return _setting("HUAJIE_LEDGER_MAX_COLUMNS", 200)


def background_rows() -> int:
    """Sheets with more rows than this are checked and imported by the worker, with a
    progress bar on the page, instead of inside the web request."""
    return _setting("HUAJIE_LEDGER_BACKGROUND_ROWS", 2000)


def annotate_in_place_rows() -> int:
    """Up to this many rows the marked copy is the user's own workbook with its formatting;
    beyond it the copy is streamed cell by cell (values only), so memory stays flat."""
    return _setting("HUAJIE_LEDGER_ANNOTATE_IN_PLACE_ROWS", 20_000)


def progress_rows() -> int:
    """The command line prints its progress every this many rows (a multiple of the
    500-row chunk), for sheets longer than that."""
    return _setting("HUAJIE_LEDGER_PROGRESS_ROWS", 5000)


def shown_rows() -> int:
    """Rows of the dry run listed one by one on the page and in the stored report."""
    return _setting("HUAJIE_LEDGER_SHOWN_ROWS", 2000)


def shown_problems() -> int:
    """Problems kept in the stored report; the command line and the marked copy have all."""
    return _setting("HUAJIE_LEDGER_SHOWN_PROBLEMS", 5000)


def bulk_new_cases() -> bool:
    """New cases are written in bulk (huajie/ledger/bulk.py); off, every row goes through
    the services one by one (the slow, reference path; the tests compare the two)."""
    return bool(_setting("HUAJIE_LEDGER_BULK", 1))
