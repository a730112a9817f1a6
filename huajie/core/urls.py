"""URLs a page writes many times, reversed once: `reverse()` costs ~15 µs a call, a
millisecond for a table of links."""

from __future__ import annotations

import functools
from collections.abc import Callable

from django.urls import get_script_prefix, reverse

_MARK = 987654321  # an id no page shows, to find where the id goes in the reversed path


def url_with_id(name: str) -> Callable[[int], str]:
    """The path of the URL `name` for an object's id, reversed once for every row of a
    page."""
    before, mark, after = reverse(name, args=[_MARK]).partition(str(_MARK))
    assert mark, f"{name} does not take an id"

    def url(pk: int) -> str:
        return f"{before}{pk}{after}"

    return url


def path_of(name: str) -> str:
    """`reverse(name)` of a URL without arguments, remembered for the script prefix in
    force (the site's mount point)."""
    return _path_under(get_script_prefix(), name)


@functools.cache
def _path_under(prefix: str, name: str) -> str:
    return reverse(name)  # under `prefix`, which reverse() reads itself
