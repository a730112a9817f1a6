"""Every write to the ledger (R3-R15). One function per action: keyword-only arguments,
one transaction, the case row locked, the status moved only through the transitions table,
and an audit event with before and after.

Services check domain rules (state, eligibility, completeness) and raise `Refused` with a
Chinese message; who may call them is the permission policy's business, asked by the views.
This package re-exports every service so callers have one place to import from.
"""

from huajie.cases.services._base import accounts_of, notify
from huajie.cases.services.acceptance import acceptance_decide, acceptance_submit, reviewing_court
from huajie.cases.services.allocate import (
    CampaignAllocation,
    allocation_suggest,
    campaign_allocate,
    case_allocate,
)
from huajie.cases.services.campaigns import campaign_carry_over, campaign_create
from huajie.cases.services.escalation import (
    case_take_up,
    escalation_decide,
    escalation_request,
    guidance_add,
)
from huajie.cases.services.new_petitions import new_petition_register
from huajie.cases.services.notices import (
    identity_reveal,
    notification_mark_read,
    notifications_mark_all_read,
)
from huajie.cases.services.records import (
    RECORD_FIELDS,
    CaseInput,
    OriginalCaseInput,
    PetitionerInput,
    VisitInput,
    case_create,
    case_update_record,
    original_case_add,
    original_case_flag,
    petitioner_upsert,
    source_judge_set,
    visit_record,
)
from huajie.cases.services.resolution import (
    TERMINATION_STEPS,
    resolution_oral,
    resolution_written,
    termination_missing,
    termination_step,
)
from huajie.cases.services.team import team_assign
from huajie.cases.services.tick import TickResult, nominal_after_days, tick
from huajie.cases.services.work import (
    PARTICIPANT_IDENTITIES,
    MeasureInput,
    attachment_add,
    case_classify,
    leader_activity_record,
    measure_record,
)
from huajie.cases.transitions import Refused

__all__ = [
    "PARTICIPANT_IDENTITIES",
    "RECORD_FIELDS",
    "TERMINATION_STEPS",
    "CampaignAllocation",
    "CaseInput",
    "MeasureInput",
    "OriginalCaseInput",
    "PetitionerInput",
    "Refused",
    "TickResult",
    "VisitInput",
    "acceptance_decide",
    "acceptance_submit",
    "accounts_of",
    "allocation_suggest",
    "attachment_add",
    "campaign_allocate",
    "campaign_carry_over",
    "campaign_create",
    "case_allocate",
    "case_classify",
    "case_create",
    "case_take_up",
    "case_update_record",
    "escalation_decide",
    "escalation_request",
    "guidance_add",
    "identity_reveal",
    "leader_activity_record",
    "measure_record",
    "new_petition_register",
    "nominal_after_days",
    "notification_mark_read",
    "notifications_mark_all_read",
    "notify",
    "original_case_add",
    "original_case_flag",
    "petitioner_upsert",
    "resolution_oral",
    "resolution_written",
    "reviewing_court",
    "source_judge_set",
    "team_assign",
    "termination_missing",
    "termination_step",
    "tick",
    "visit_record",
]
