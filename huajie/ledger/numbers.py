"""The ledger numbers of the import's campaign, as far as the import needs them (issue #7).

The batch gives out numbers for new cases by `records.case_create`'s rule: one more than
the count of numbers with the campaign's prefix (2019-), skipping any taken. So the numbers
with that prefix are read once, and those of the system's own form (2019-0001, 2019-12345)
are kept as bits by their serial: a million of them take 125 KB instead of 130 MB of
strings. Other numbers (a court's own, 2019川-000001, B-000001) matter only when a row gives
one: the planner asks the database about each chunk's numbers (`to_look_up`, then
`looked_up` with what it found), so a campaign of a million cases costs no memory here.

Cases the services create during the import are read back when `stale()` says they may
have written (`refresh`); the batch's own are taken as it gives them out.
"""

from __future__ import annotations

from django.db.models import Max

from huajie.cases.models import Campaign, PetitionCase
from huajie.cases.transitions import Refused

# Serials kept as bits up to here (a 16 MB bitmap at most); a number of the system's form
# beyond it is kept as a string, so no sheet can make the bitmap huge.
MAX_SERIAL_BIT = 1 << 27


class LedgerNumbers:
    def __init__(self, campaign: Campaign) -> None:
        self.campaign = campaign
        self._prefix = f"{campaign.year}-"  # of generated numbers (stock cases)
        self._serials = bytearray()  # bit n: f"{prefix}{n:04d}" is taken
        self._others: set[str] = set()  # other numbers known to be taken
        self._free: set[str] = set()  # numbers the database did not have when asked
        self._prefixed = 0  # numbers taken with the prefix
        self._seen_pk = 0  # the last case read back
        self._first_read = True  # of the numbers with the prefix only
        self._stale = True  # cases may have been created since they were read

    def stale(self) -> None:
        """Cases may have been created outside `give`: read them before the next use."""
        self._stale = True

    def to_look_up(self, given: set[str]) -> set[str]:
        """Of a chunk's given numbers, those the database must be asked about: every one
        that is or may be taken. A sheet of new cases in the system's numbering asks
        nothing."""
        self.refresh()
        return {number for number in given if self._known(number) is not False}

    def looked_up(self, asked: set[str], found: set[str]) -> None:
        """What the database said of `asked` (from `to_look_up`): `found` are taken."""
        for number in asked:
            if number in found:
                self._take(number)
            else:
                self._free.add(number)

    def taken(self, number: str) -> bool:
        self.refresh()
        known = self._known(number)
        if known is None:
            raise LookupError(f"ledger number {number!r} was not looked up (to_look_up)")
        return known

    def give(self, given: str) -> str:
        """The given number, else `_next_ledger_no` (one more than those of the prefix,
        skipping any taken); refused when it is taken in the campaign."""
        self.refresh()
        number = given.strip()
        if not number:
            serial = self._prefixed + 1
            while self._known(f"{self._prefix}{serial:04d}"):
                serial += 1
            number = f"{self._prefix}{serial:04d}"
        if self.taken(number):
            raise Refused(f"台账编号{number}在{self.campaign.year}年活动中已存在。")
        self._take(number)
        return number

    def refresh(self) -> None:
        """Read the campaign's numbers with the prefix at first, and every case created
        since then (the import's own and the services') when they may have changed; the
        batch calls it before a stream, which may not query."""
        if not self._stale:
            return
        rows = PetitionCase.objects.filter(campaign=self.campaign, pk__gt=self._seen_pk)
        if self._first_read:
            last = PetitionCase.objects.aggregate(last=Max("pk"))["last"] or 0
            rows = rows.filter(pk__lte=last, ledger_no__startswith=self._prefix)
            self._seen_pk, self._first_read = last, False
        for pk, number in rows.values_list("pk", "ledger_no").order_by("pk").iterator(5000):
            self._take(number)
            self._seen_pk = max(self._seen_pk, pk)
        self._stale = False

    # --- what is known ------------------------------------------------------------------

    def _serial(self, number: str) -> int | None:
        """The serial of a number of the system's own form (prefix, then at least four
        digits without a superfluous leading zero), else None."""
        if not number.startswith(self._prefix):
            return None
        digits = number[len(self._prefix) :]
        if not (digits.isascii() and digits.isdigit()) or f"{int(digits):04d}" != digits:
            return None
        serial = int(digits)
        return serial if serial < MAX_SERIAL_BIT else None

    def _known(self, number: str) -> bool | None:
        """Whether `number` is taken: True, False, or None when only the database knows."""
        serial = self._serial(number)
        if serial is not None:
            byte = serial >> 3
            return byte < len(self._serials) and bool(self._serials[byte] & (1 << (serial & 7)))
        if number in self._others:
            return True
        if number in self._free or number.startswith(self._prefix):
            return False  # all numbers with the prefix were read
        return None

    def _take(self, number: str) -> None:
        if self._known(number):
            return  # the batch's own cases are read back too
        serial = self._serial(number)
        if serial is None:
            self._others.add(number)
            self._free.discard(number)
        else:
            byte = serial >> 3
            if byte >= len(self._serials):
                self._serials.extend(bytes(byte + 1 - len(self._serials)))
            self._serials[byte] |= 1 << (serial & 7)
        self._prefixed += number.startswith(self._prefix)
