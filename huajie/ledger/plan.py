"""The import's vocabulary: who imports (`Importer`) and what one row will do (`RowPlan`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from huajie.accounts.models import User
from huajie.accounts.policy import Action, can
from huajie.cases import services
from huajie.cases.allocation import Suggestion
from huajie.cases.models import Campaign, PetitionCase
from huajie.courts.models import Court, Person
from huajie.ledger.layout import COLUMNS
from huajie.ledger.parser import ParsedRow
from huajie.ledger.report import Problem, RowLine
from huajie.ledger.values import is_placeholder, split_values, text_of

MANUAL_REASON = "台账导入指定"
HEADERS = {c.key: c.header for c in COLUMNS}


@dataclass
class Importer:
    """Who imports, into which campaign, and which courts' cases the import may touch.

    New cases are held by `holding_court` until allocated: the high court for the province
    office and the command line, the user's own court for a court's petition office."""

    actor: User | None
    campaign: Campaign
    province: Court
    holding_court: Court

    def may_touch(self, court: Court) -> bool:
        if not court.is_within(self.province):
            return False
        return self.actor is None or can(self.actor, Action.LEDGER_IMPORT, court)

    @classmethod
    def for_user(cls, user: User, campaign: Campaign) -> Importer:
        court = user.court
        if court is None:
            raise ValueError("an importing account belongs to a court")
        province = Court.objects.get(path=court.root_path())
        whole = can(user, Action.CAMPAIGN_MANAGE, province)  # the province office
        return cls(user, campaign, province, province if whole else court)

    @classmethod
    def operator(cls, campaign: Campaign, province: Court) -> Importer:
        """The command line without --as: the whole province, recorded as 系统."""
        return cls(None, campaign, province, province)


@dataclass
class RowPlan:
    """What importing one row will do, step by step, in the order the services need."""

    parsed: ParsedRow
    line: RowLine
    case: PetitionCase | None = None
    create: services.CaseInput | None = None
    allocate: tuple[Court | None, str] | None = None  # (court, reason); None court: the rules
    suggestion: Suggestion | None = None  # the rules' answer for a new case, as planned
    record: dict[str, Any] = field(default_factory=dict)
    record_first: bool = False  # before the team: a case stops being major first
    team: dict[str, Person] = field(default_factory=dict)
    originals: list[services.OriginalCaseInput] = field(default_factory=list)
    classify: dict[str, bool] | None = None
    oral_on: dt.date | None = None
    problems: list[Problem] = field(default_factory=list)

    @property
    def has_errors(self) -> bool:
        return any(p.is_error for p in self.problems)

    @property
    def has_steps(self) -> bool:
        return bool(
            self.create
            or self.allocate
            or self.record
            or self.team
            or self.originals
            or self.classify
            or self.oral_on
        )

    def change(self, text: str) -> None:
        self.line.changes.append(text)


def shorten(value: Any, limit: int = 30) -> str:
    text = shown(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def shown(value: Any) -> str:
    """A parsed value as a person reads it."""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, tuple | list):
        return "、".join(str(v) for v in value)
    return text_of(value)


def per_petitioner(text: str, count: int) -> list[str] | None:
    """One value per petitioner: the whole cell for one petitioner; for several, one value
    each in name order ("无" for none) or one value shared by all (a family's address).
    None when the values cannot be matched to the names."""
    if count <= 1:
        return [text]
    pieces = ["" if is_placeholder(p) else p for p in split_values(text)]
    if len(pieces) == count:
        return pieces
    if len(pieces) <= 1:
        return [pieces[0] if pieces else ""] * count
    return None


def per_petitioner_pieces(
    pieces: tuple[str, ...], count: int, *, several_each: bool = False
) -> list[str] | None:
    """ID or phone numbers matched to the names: one each, or none. With `several_each`
    one petitioner may have several (two phone numbers of one person, kept together)."""
    if not pieces:
        return [""] * max(count, 1)
    if count <= 1 and several_each:
        return ["，".join(p for p in pieces if p)]
    return list(pieces) if len(pieces) == max(count, 1) else None


def aligned(values: tuple[str, ...], count: int) -> list[str] | None:
    """Judges or causes matched to `count` case numbers: one each, one for all, or none."""
    if len(values) == count:
        return list(values)
    if len(values) <= 1:
        return [values[0] if values else ""] * count
    return None
