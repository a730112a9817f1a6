"""URLs of many objects of one kind on a page, reversed once."""

from __future__ import annotations

from collections.abc import Callable

from django.urls import reverse

_MARK = 987654321  # an id no page shows, to find where the id goes in the reversed path


def url_with_id(name: str) -> Callable[[int], str]:
    """The path of the URL `name` for an object's id, reversed once for every row of a
    page: `reverse()` costs ~15 µs a call, 0.75 ms for a list of 50."""
    before, mark, after = reverse(name, args=[_MARK]).partition(str(_MARK))
    assert mark, f"{name} does not take an id"

    def url(pk: int) -> str:
        return f"{before}{pk}{after}"

    return url
