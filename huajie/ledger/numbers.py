"""The ledger numbers of the import's campaign, in memory (issue #7).

The batch gives out numbers for new cases (`records.case_create`'s rule over the numbers in
memory), and the planner asks the database for a row's case only when its number is taken:
a sheet of new cases then asks nothing, however long. Cases the services create during the
import are read back when `stale()` says they may have written (`refresh`); the batch's own
are taken as it gives them out.
"""

from __future__ import annotations

from huajie.cases.models import Campaign, PetitionCase
from huajie.cases.transitions import Refused


class LedgerNumbers:
    def __init__(self, campaign: Campaign) -> None:
        self.campaign = campaign
        self._taken: set[str] = set()
        self._prefix = f"{campaign.year}-"  # of generated numbers (stock cases)
        self._prefixed = 0  # numbers taken with that prefix
        self._seen_pk = 0  # the last case read back
        self._stale = True  # cases may have been created since they were read

    def stale(self) -> None:
        """Cases may have been created outside `give`: read them before the next use."""
        self._stale = True

    def taken(self, number: str) -> bool:
        self.refresh()
        return number in self._taken

    def give(self, given: str) -> str:
        """The given number, else `_next_ledger_no` (one more than those of the prefix,
        skipping any taken); refused when it is taken in the campaign."""
        self.refresh()
        number = given.strip()
        if not number:
            serial = self._prefixed + 1
            while f"{self._prefix}{serial:04d}" in self._taken:
                serial += 1
            number = f"{self._prefix}{serial:04d}"
        if number in self._taken:
            raise Refused(f"台账编号{number}在{self.campaign.year}年活动中已存在。")
        self._take(number)
        return number

    def refresh(self) -> None:
        """Read the campaign's cases created since the last read (all of them at first),
        if any may have been; the batch calls it before a stream, which may not query."""
        if not self._stale:
            return
        rows = PetitionCase.objects.filter(campaign=self.campaign, pk__gt=self._seen_pk)
        for pk, number in rows.values_list("pk", "ledger_no").order_by("pk").iterator(5000):
            self._take(number)
            self._seen_pk = max(self._seen_pk, pk)
        self._stale = False

    def _take(self, number: str) -> None:
        if number not in self._taken:  # the batch's own cases are read back too
            self._taken.add(number)
            self._prefixed += number.startswith(self._prefix)
