"""The single permission policy. Every view and API endpoint asks here, nowhere else.

Two questions, answered separately (the Zulip/Healthchecks pattern):
- *May the user see it?*  `scope_q`, `scope_filter`, `scope_courts`, `scope_ids_q`,
  `is_visible`. Anything outside the user's scope is answered exactly as "does not exist"
  (404), so scoping leaks nothing.
- *May the user do this to it?*  `can(user, action, obj)`. Visible but not allowed is 403.

An object is placed in the tree by the court it belongs to (`court_of`), so one rule covers
courts, people, cases and everything hung below them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol, TypeVar

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.http import Http404, HttpRequest

from huajie.accounts.models import Role, Scope, User
from huajie.courts.models import Court, CourtQuerySet, nation

# What request.user can be: the policy answers for anonymous visitors too (they see nothing).
AnyUser = User | AnonymousUser

NOT_FOUND = "不存在或无权查看"
FORBIDDEN = "您没有执行此操作的权限"


class Action(StrEnum):
    VIEW = "view"
    PERSON_MANAGE = "person.manage"
    # The ledger (R3-R15). The object is a case, or anything with `.court` for creation.
    CASE_CREATE = "case.create"  # enter a case or a new petition at this court
    CASE_EDIT = "case.edit"  # records: petitioners, visits, original cases, claims, risk
    CASE_ALLOCATE = "case.allocate"  # decide the responsible court (R4)
    TEAM_ASSIGN = "case.team"  # R5, R6
    CASE_WORK = "case.work"  # classification, measures, resolution steps, attachments
    LEADER_ACTIVITY = "case.leader_activity"  # R8
    ACCEPTANCE_SUBMIT = "case.acceptance_submit"  # R11
    ACCEPTANCE_DECIDE = "case.acceptance_decide"
    ESCALATION_REQUEST = "case.escalation_request"  # R12
    ESCALATION_DECIDE = "case.escalation_decide"  # also: take a case up
    GUIDANCE = "case.guidance"
    REVEAL_IDENTITY = "case.reveal_identity"  # full ID-card and phone numbers
    CAMPAIGN_MANAGE = "campaign.manage"  # allocate a whole campaign, carry over
    NEW_PETITION = "case.new_petition"  # R14: register a new petition at this court
    # Supervision (R16-R18, R20, R21). The object is a court (the high court for bulletins).
    BULLETIN_ISSUE = "bulletin.issue"  # issue the bi-weekly bulletin now (R17)
    ASSESSMENT_VIEW = "assessment.view"  # scores of courts, leaders and judges (R16)
    ASSESSMENT_VETO = "assessment.veto"  # set or lift a court's one-vote veto (R16)
    CASE_EXEMPLARY = "case.exemplary"  # mark a resolved case exemplary (R21)
    REPORT_MAKE = "supervision.report"  # the summary report for a region or court (R20)
    LEDGER_IMPORT = "ledger.import"  # R22: import a ledger sheet for cases of this court


class HasCourt(Protocol):
    @property
    def court(self) -> Court: ...


def court_of(obj: Court | HasCourt) -> Court:
    return obj if isinstance(obj, Court) else obj.court


def user_of(request: HttpRequest) -> User:
    """The signed-in account of a request that login_required (or API auth) let through."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied("请先登录")
    return user


# --- seeing ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sight:
    """What one active account sees: everything, one court exactly, or a tree-path prefix."""

    user: User
    everything: bool = False
    court_id: int | None = None  # exactly this court
    prefix: str | None = None  # this court path and everything below it

    def sees(self, court: Court) -> bool:
        if self.everything:
            return True
        if self.court_id is not None:
            return court.pk == self.court_id
        return self.prefix is not None and court.path.startswith(self.prefix)


def sight_of(user: AnyUser) -> Sight | None:
    """None for anyone who sees nothing: anonymous, inactive, or not linked to a court."""
    if not isinstance(user, User) or not user.is_active:
        return None
    if user.is_superuser or user.scope == Scope.NATION:
        return Sight(user, everything=True)
    court = user.court
    if court is None:
        return None
    if user.scope == Scope.COURT:
        return Sight(user, court_id=court.pk)
    if user.scope == Scope.PROVINCE:
        return Sight(user, prefix=court.root_path())
    return Sight(user, prefix=court.path)


def scope_q(user: AnyUser, court_field: str | None = "court") -> Q:
    """A filter for objects whose court the user sees.

    `court_field` names the path from the object to its court; None when the objects are
    courts themselves."""
    sight = sight_of(user)
    if sight is None:
        return Q(pk__in=[])
    if sight.everything:
        return Q()
    field = f"{court_field}__" if court_field else ""
    if sight.court_id is not None:
        return Q(**{f"{field}pk": sight.court_id})
    return Q(**{f"{field}path__startswith": sight.prefix})


M = TypeVar("M", bound=Model)


def scope_filter(user: AnyUser, qs: QuerySet[M], court_field: str | None = "court") -> QuerySet[M]:
    return qs.filter(scope_q(user, court_field))


def scope_courts(user: AnyUser) -> CourtQuerySet:
    return Court.objects.filter(scope_q(user, court_field=None))


def scope_ids_q(
    user: AnyUser,
    under: Court | None = None,
    *,
    subordinates: bool = True,
    read_in_sight: Callable[[], list[int]] | None = None,
) -> Q:
    """`scope_q` for objects with a `court`, narrowed to `under` (with its subordinates, or
    alone), naming the courts by id: one more query for a subtree's ids, and then the
    database knows how many cases those courts hold. Through the join on the court path it
    guesses, and for a search of a province's cases it chose to read the whole table
    (280 ms for 80 at a million cases, docs/performance.md).

    `read_in_sight`: gives the ids of `scope_courts(user)`, for a caller that reads those
    courts anyway (the case list's court choices); called only when they are needed."""
    sight = sight_of(user)
    if sight is None or (under is not None and not sight.sees(under)):
        return Q(pk__in=[])
    if under is not None and not subordinates:
        return Q(court_id=under.pk)
    if under is None and sight.everything:
        return Q()
    if under is None and sight.court_id is not None:
        return Q(court_id=sight.court_id)
    if under is None and read_in_sight is not None:
        return Q(court_id__any_of=read_in_sight())
    courts = scope_courts(user)
    if under is not None:
        courts = courts.filter(path__startswith=under.path)
    return Q(court_id__any_of=list(courts.values_list("pk", flat=True)))


def is_visible(user: AnyUser, obj: Court | HasCourt) -> bool:
    sight = sight_of(user)
    return sight is not None and sight.sees(court_of(obj))


# --- acting ------------------------------------------------------------------------------

# A rule answers for a user who already sees the object; it gets the object's court and the
# object itself (for rules that look at a case's team).
Rule = Callable[[User, Court, Any], bool]


def _anyone_who_sees(user: User, court: Court, obj: Any) -> bool:
    return True


def _manages_people(user: User, court: Court, obj: Any) -> bool:
    if user.is_superuser or user.role == Role.ADMIN:
        return True
    return user.role == Role.COURT_ADMIN and court == user.court


def _province_office(user: User) -> bool:
    return user.is_superuser or (
        user.role in (Role.PROVINCE_OFFICE, Role.ADMIN) and user.scope == Scope.PROVINCE
    )


def _at(user: User, court: Court, *roles: Role) -> bool:
    """The user works at `court` itself in one of `roles`."""
    return court == user.court and user.role in roles


def _above(user: User, court: Court) -> bool:
    """The user's court is strictly above `court` (a superior of it)."""
    own = user.court
    return own is not None and own != court and court.is_within(own)


def _on_team(user: User, case: Any) -> bool:
    person_id = user.person_id
    return person_id is not None and person_id in case.team_member_ids()


def _enters_cases(user: User, court: Court, obj: Any) -> bool:
    return _province_office(user) or _at(user, court, Role.PETITION_OFFICE)


def _edits_records(user: User, court: Court, case: Any) -> bool:
    return _province_office(user) or _at(user, court, Role.PETITION_OFFICE) or _on_team(user, case)


def _allocates(user: User, court: Court, case: Any) -> bool:
    return _province_office(user)


def _assigns_team(user: User, court: Court, case: Any) -> bool:
    return _province_office(user) or _at(user, court, Role.PETITION_OFFICE, Role.COURT_LEADER)


def _works_case(user: User, court: Court, case: Any) -> bool:
    return _at(user, court, Role.PETITION_OFFICE) or _on_team(user, case) or _province_office(user)


def _logs_leader_activity(user: User, court: Court, case: Any) -> bool:
    is_leader = user.person_id is not None and user.person_id == case.leader_id
    return is_leader or _at(user, court, Role.PETITION_OFFICE)


def _submits_acceptance(user: User, court: Court, case: Any) -> bool:
    is_leader = user.person_id is not None and user.person_id == case.leader_id
    return is_leader or _at(user, court, Role.PETITION_OFFICE)


def _reviews(user: User, court: Court, case: Any) -> bool:
    """The reviewing court is the superior court; the high court reviews its own cases."""
    reviewer = court.parent or court
    if _province_office(user):
        return True
    return user.court == reviewer and user.role in (
        Role.PETITION_OFFICE,
        Role.COURT_LEADER,
        Role.PROVINCE_OFFICE,
    )


def _requests_escalation(user: User, court: Court, case: Any) -> bool:
    return court.parent is not None and _at(user, court, Role.PETITION_OFFICE, Role.COURT_LEADER)


def _decides_escalation(user: User, court: Court, case: Any) -> bool:
    if court.parent is None:
        return False
    return _province_office(user) or (
        user.court == court.parent
        and user.role in (Role.PETITION_OFFICE, Role.COURT_LEADER, Role.PROVINCE_OFFICE)
    )


def _guides(user: User, court: Court, case: Any) -> bool:
    return _above(user, court) and user.role in (
        Role.PETITION_OFFICE,
        Role.COURT_LEADER,
        Role.PROVINCE_OFFICE,
        Role.ADMIN,
    )


def _reveals_identity(user: User, court: Court, case: Any) -> bool:
    return _province_office(user) or _at(user, court, Role.PETITION_OFFICE) or _on_team(user, case)


def _registers_new_petitions(user: User, court: Court, obj: Any) -> bool:
    """R14: the petition office, or the president or division head who received it."""
    return _enters_cases(user, court, obj) or _at(
        user, court, Role.COURT_LEADER, Role.DIVISION_LEADER
    )


def _manages_campaign(user: User, court: Court, obj: Any) -> bool:
    return _province_office(user)


RULES: dict[Action, Rule] = {
    Action.VIEW: _anyone_who_sees,
    Action.PERSON_MANAGE: _manages_people,
    Action.CASE_CREATE: _enters_cases,
    Action.CASE_EDIT: _edits_records,
    Action.CASE_ALLOCATE: _allocates,
    Action.TEAM_ASSIGN: _assigns_team,
    Action.CASE_WORK: _works_case,
    Action.LEADER_ACTIVITY: _logs_leader_activity,
    Action.ACCEPTANCE_SUBMIT: _submits_acceptance,
    Action.ACCEPTANCE_DECIDE: _reviews,
    Action.ESCALATION_REQUEST: _requests_escalation,
    Action.ESCALATION_DECIDE: _decides_escalation,
    Action.GUIDANCE: _guides,
    Action.REVEAL_IDENTITY: _reveals_identity,
    Action.CAMPAIGN_MANAGE: _manages_campaign,
    Action.NEW_PETITION: _registers_new_petitions,
}


def can(user: AnyUser, action: Action, obj: Court | HasCourt) -> bool:
    """May `user` do `action` to `obj`? Never true for an object the user cannot see."""
    sight = sight_of(user)
    court = court_of(obj)
    return sight is not None and sight.sees(court) and RULES[action](sight.user, court, obj)


def require(
    user: AnyUser, action: Action, obj: Court | HasCourt | Any, court: Court | None = None
) -> None:
    """Raise 404 when `obj` is out of the user's sight, 403 when seen but not allowed.

    `court` is the object's court when it is not `obj.court` (e.g. an acceptance request's
    court is its case's)."""
    sight = sight_of(user)
    court = court or court_of(obj)
    if sight is None or not sight.sees(court):
        raise Http404(NOT_FOUND)
    if not RULES[action](sight.user, court, obj):
        raise PermissionDenied(FORBIDDEN)


def _court_through(obj: Any, court_field: str | None) -> Court:
    """Follow `court_field` ("case__court") from `obj` to its court."""
    for name in court_field.split("__") if court_field else ():
        obj = getattr(obj, name)
    return obj


def get_for_user(
    user: AnyUser,
    qs: QuerySet[M],
    *,
    action: Action = Action.VIEW,
    court_field: str | None = "court",
    **lookup: Any,
) -> M:
    """Fetch one object the way every view must: scoped first, then checked for `action`.

    The scoped query makes an out-of-scope object indistinguishable from a missing one."""
    found = scope_filter(user, qs, court_field).filter(**lookup).first()
    if found is None:
        raise Http404(NOT_FOUND)
    require(user, action, found, _court_through(found, court_field))
    return found


# --- supervision and bulletins (R16-R18, R20, R21) ---------------------------------------


def _issues_bulletins(user: User, court: Court, obj: Any) -> bool:
    """The high court's petition office issues the bulletin of its province (R17)."""
    return _province_office(user) and court.parent_id is None


def _supervises(user: User, court: Court, obj: Any) -> bool:
    """Assessment figures and reports: court leaders, the petition offices and national
    supervision, not judges."""
    return user.is_superuser or user.role in (
        Role.PETITION_OFFICE,
        Role.COURT_LEADER,
        Role.PROVINCE_OFFICE,
        Role.NATION_OFFICE,
        Role.ADMIN,
    )


def _judges_courts(user: User, court: Court, obj: Any) -> bool:
    """A one-vote veto, and exemplary cases, are the high court's petition office's call."""
    return _province_office(user)


RULES.update(
    {
        Action.BULLETIN_ISSUE: _issues_bulletins,
        Action.ASSESSMENT_VIEW: _supervises,
        Action.ASSESSMENT_VETO: _judges_courts,
        Action.CASE_EXEMPLARY: _judges_courts,
        Action.REPORT_MAKE: _supervises,
    }
)


def reads_publications_of(user: AnyUser, province: Court) -> bool:
    """Bulletins are published to every court of their province (R17): every active account
    of a court in `province`'s tree reads them, whatever its scope; nobody else does."""
    sight = sight_of(user)
    if sight is None:
        return False
    own = sight.user.court
    return sight.everything or (own is not None and own.root_path() == province.root_path())


def publications_filter(user: AnyUser, qs: QuerySet[M], province_field: str) -> QuerySet[M]:
    """The objects published to the user's province (`province_field` names its high court)."""
    sight = sight_of(user)
    if sight is None:
        return qs.none()
    if sight.everything:
        return qs
    own = sight.user.court
    if own is None:
        return qs.none()
    return qs.filter(**{f"{province_field}__path": own.root_path()})


def sight_root(user: AnyUser) -> Court | None:
    """The top of what the user sees: the nation for national supervision and superusers,
    the high court for the province office, the own court for the others (an ancestor's
    path sorts before its descendants')."""
    sight = sight_of(user)
    if sight is None:
        return None
    if sight.everything:
        return nation()
    # Usually the user's own court, read with the user: no query.
    own = sight.user.court
    if own is not None and (own.pk == sight.court_id or own.path == sight.prefix):
        return own
    return scope_courts(user).order_by("path").first()


def sees_nation(user: AnyUser) -> bool:
    """Whether the user sees every province (a superuser, or national supervision)."""
    sight = sight_of(user)
    return sight is not None and sight.everything


# --- the ledger import (R22) -------------------------------------------------------------


def _imports_ledger(user: User, court: Court, obj: Any) -> bool:
    """R22: the petition office imports the ledger of the courts it sees (its own court; with
    a subtree scope its subordinate courts too); the province office the whole province."""
    return _province_office(user) or user.role == Role.PETITION_OFFICE


RULES[Action.LEDGER_IMPORT] = _imports_ledger
