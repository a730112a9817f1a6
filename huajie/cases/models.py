"""The ledger: campaigns, petition cases and everything recorded about them (R3–R15).

A case always has exactly one responsible court (`court`); before allocation that is the
court that holds the ledger (the high court for the province's stock). Status changes only
through `huajie.cases.transitions`; every write goes through `huajie.cases.services`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.utils.functional import cached_property

from huajie.core import clock
from huajie.courts.models import Court, Person


class Campaign(models.Model):
    """R13: one year's campaign and its phases."""

    year = models.PositiveSmallIntegerField("年度", unique=True)
    name = models.CharField("名称", max_length=64)
    mobilization_start = models.DateField("动员部署开始")
    concentrated_start = models.DateField("集中化解开始")
    deadline = models.DateField("完成期限")

    class Meta:
        verbose_name = "专项活动"
        verbose_name_plural = "专项活动"
        ordering = ["-year"]

    def __str__(self) -> str:
        return self.name

    def phase_on(self, day: dt.date) -> str:
        if day < self.mobilization_start:
            return "未开始"
        if day < self.concentrated_start:
            return "动员部署"
        if day <= self.deadline:
            return "集中化解"
        return "已截止"


class Petitioner(models.Model):
    """R3: a petitioner, unique by ID-card number where one is known."""

    name = models.CharField("姓名", max_length=64)
    # Unique by a constraint, not `unique=True`: that also makes a LIKE index on
    # PostgreSQL, and nothing searches ID numbers by prefix. NULL, not "", when unknown:
    # petitioners without a number must not collide in the constraint.
    id_number = models.CharField("身份证号", max_length=18, null=True, blank=True)  # noqa: DJ001
    phone = models.CharField("联系电话", max_length=32, blank=True)
    domicile = models.CharField("户籍地", max_length=128, blank=True)
    residence = models.CharField("实际居住地", max_length=128, blank=True)
    domicile_court = models.ForeignKey(
        Court,
        verbose_name="户籍地基层法院",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        verbose_name = "信访人"
        verbose_name_plural = "信访人"
        indexes = [models.Index(fields=["name", "phone"])]  # also serves the name alone
        constraints = [
            models.UniqueConstraint(fields=["id_number"], name="petitioner_id_number_unique")
        ]

    def __str__(self) -> str:
        return self.name


class CaseStatus(models.TextChoices):
    UNALLOCATED = "unallocated", "待交办"
    ALLOCATED = "allocated", "待组建专班"
    IN_RESOLUTION = "in_resolution", "化解中"
    OBSERVATION = "observation", "观察期"
    MET_STANDARD = "met_standard", "已达化解标准"
    SUBMITTED = "submitted", "待验收"
    ACCEPTED = "accepted", "已验收"


OPEN_STATUSES = (
    CaseStatus.UNALLOCATED,
    CaseStatus.ALLOCATED,
    CaseStatus.IN_RESOLUTION,
    CaseStatus.OBSERVATION,
    CaseStatus.MET_STANDARD,
    CaseStatus.SUBMITTED,
)


class Origin(models.TextChoices):
    STOCK = "stock", "存量"
    NEW = "new", "增量"


class PetitionType(models.TextChoices):
    BEIJING = "beijing", "进京"
    PROVINCE = "province", "赴省"
    BOTH = "both", "进京及赴省"


class RiskLevel(models.TextChoices):
    NORMAL = "normal", "一般"
    ELEVATED = "elevated", "较高"
    HIGH = "high", "高"


class Stage(models.TextChoices):
    FILING = "filing", "立案"
    TRIAL = "trial", "审判"
    ENFORCEMENT = "enforcement", "执行"


class AllocationRule(models.TextChoices):
    NONE = "", "未交办"
    WHO_HANDLED = "who_handled", "谁办案、谁负责"
    DOMICILE = "domicile", "属地管理"
    MANUAL = "manual", "人工指定"
    FIRST_RECEIPT = "first_receipt", "首接负责"
    ESCALATED = "escalated", "提级办理"


class ResolutionMethod(models.TextChoices):
    NONE = "", "未化解"
    WRITTEN = "written", "书面承诺息诉罢访"
    ORAL = "oral", "口头承诺且一年内未赴省进京"
    TERMINATION = "termination", "依法终结"


# The ledger list's index (below): what it filters and sorts on, after the page order.
LIST_INDEX_FIELDS = [
    "court",
    "status",
    "ledger_no",
    "id",
    "origin",
    "petition_type",
    "risk_level",
    "is_major",
    "reopen_count",
    "possibly_nominal",
    "updated_at",
    "leader",
    "campaign",
]


class PetitionCase(models.Model):
    # No single-column indexes on campaign, first_campaign and court: the composite indexes
    # below lead with them, and every index is written on every save and imported row.
    campaign = models.ForeignKey(
        Campaign,
        verbose_name="所属活动",
        on_delete=models.PROTECT,
        related_name="cases",
        db_index=False,
    )
    first_campaign = models.ForeignKey(
        Campaign,
        verbose_name="首次列入活动",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    ledger_no = models.CharField("台账编号", max_length=32)
    origin = models.CharField("存量/增量", max_length=8, choices=Origin.choices)
    petition_type = models.CharField("信访类型", max_length=16, choices=PetitionType.choices)
    petitioners = models.ManyToManyField(
        Petitioner, verbose_name="信访人", related_name="cases", blank=True
    )
    claims = models.TextField("信访诉求", blank=True)
    risk_level = models.CharField(
        "风险等级", max_length=16, choices=RiskLevel.choices, default=RiskLevel.NORMAL
    )
    extreme_tendency = models.BooleanField("极端上访倾向", default=False)
    is_major = models.BooleanField("重大疑难", default=False)
    remarks = models.TextField("备注", blank=True)

    # Responsibility (R4, R12)
    court = models.ForeignKey(
        Court,
        verbose_name="责任法院",
        on_delete=models.PROTECT,
        related_name="petition_cases",
        db_index=False,
    )
    allocation_rule = models.CharField(
        "交办依据", max_length=16, choices=AllocationRule.choices, blank=True
    )
    allocation_reason = models.CharField("交办理由", max_length=255, blank=True)
    allocated_at = models.DateTimeField("交办时间", null=True, blank=True)

    # Team (R5, R6)
    leader = models.ForeignKey(
        Person,
        verbose_name="包案领导",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="led_cases",
    )
    division_leader = models.ForeignKey(
        Person,
        verbose_name="庭领导",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    staff = models.ForeignKey(
        Person,
        verbose_name="工作人员",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    petition_contact = models.ForeignKey(
        Person,
        verbose_name="信访联系人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    team_since = models.DateField("专班组建日期", null=True, blank=True)
    leader_since = models.DateField("包案领导接手日期", null=True, blank=True)

    # Classification (R7)
    cls_solve = models.BooleanField("诉求合理·解决到位", default=False)
    cls_educate = models.BooleanField("诉求无理·思想教育到位", default=False)
    cls_aid = models.BooleanField("生活困难·帮扶救助到位", default=False)
    cls_lawful = models.BooleanField("行为违法·依法处理", default=False)

    # Source prevention (R15)
    source_stage = models.CharField("问题环节", max_length=16, choices=Stage.choices, blank=True)
    source_judge = models.ForeignKey(
        Person,
        verbose_name="引发信访的承办法官",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    # New petitions (R14)
    first_receipt_owner = models.ForeignKey(
        Person,
        verbose_name="首接负责人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    received_on = models.DateField("首次接访日期", null=True, blank=True)

    # Status and resolution (R9–R11)
    status = models.CharField(
        "状态", max_length=16, choices=CaseStatus.choices, default=CaseStatus.UNALLOCATED
    )
    resolution_method = models.CharField(
        "化解方式", max_length=16, choices=ResolutionMethod.choices, blank=True
    )
    promise_on = models.DateField("承诺日期", null=True, blank=True)
    observation_last_day = models.DateField("观察期最后一日", null=True, blank=True)
    termination_reviewed_on = models.DateField("终结审查完成", null=True, blank=True)
    termination_filed_on = models.DateField("终结报备完成", null=True, blank=True)
    handover_department = models.CharField("稳控责任移交部门", max_length=128, blank=True)
    handover_on = models.DateField("移交日期", null=True, blank=True)
    met_standard_on = models.DateField("达到化解标准日期", null=True, blank=True)
    accepted_on = models.DateField("验收日期", null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField("重新信访次数", default=0)
    return_count = models.PositiveSmallIntegerField("验收退回次数", default=0)
    last_returned_reason = models.CharField("最近退回理由", max_length=255, blank=True)

    # R8: kept current by the services so the nominal-leadership flag is one indexed query.
    leader_last_activity_on = models.DateField("包案领导最近活动", null=True, blank=True)
    possibly_nominal = models.BooleanField("疑似挂名包案", default=False)

    is_exemplary = models.BooleanField("先进典型", default=False)
    # The list's search box reads these (cases/search.py, which keeps them).
    search_text = models.TextField(
        "检索文本", default="", editable=False, help_text="台账编号、信访人姓名、原审案号"
    )
    search_id_tails = models.TextField("检索身份证号", default="", editable=False)
    # The two above when both are short (nearly every case), for the search index; NULL, not
    # "", when a case's are too long for an index entry (search.SHORT): "" is a case's
    # empty ID tails, NULL says "read the whole columns".
    search_text_short = models.TextField("检索文本（索引）", null=True, editable=False)  # noqa: DJ001
    search_id_tails_short = models.TextField("检索身份证号（索引）", null=True, editable=False)  # noqa: DJ001
    version = models.PositiveIntegerField("版本", default=1)
    created_at = models.DateTimeField("创建时间", default=clock.now, editable=False)
    updated_at = models.DateTimeField("更新时间", default=clock.now, editable=False)

    class Meta:
        verbose_name = "信访案件"
        verbose_name_plural = "信访案件"
        ordering = ["campaign", "ledger_no"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "ledger_no"], name="case_ledger_no_unique_in_campaign"
            ),
        ]
        indexes = [
            # A court's cases by status, and the ledger list's pages: a page's ids are found
            # from this index alone, without the table, for every filter and sort of the
            # list but the search (keyset._rows; a province's 52,000 cases: docs/
            # performance.md). The columns after the id only ride along (key columns, not
            # INCLUDE, so that SQLite has them too); each save writes every index anyway,
            # since updated_at, in indexes already, changes on every save.
            models.Index(fields=LIST_INDEX_FIELDS, name="case_list_by_court"),
            # The list's search box in the list's default order, from this index alone
            # (cases/search.py): a province's search reads its cases' entries, not their rows.
            models.Index(
                fields=[
                    "court",
                    "status",
                    "ledger_no",
                    "id",
                    "search_text_short",
                    "search_id_tails_short",
                ],
                name="case_search_by_court",
            ),
            # The few cases too long for it, searched in their whole columns.
            models.Index(
                fields=["id"], condition=Q(search_text_short__isnull=True), name="case_search_long"
            ),
            models.Index(fields=["status", "observation_last_day"]),
            models.Index(fields=["campaign", "status"]),
            # A province's tasks of a campaign (the supervision figures) without reading the
            # other provinces' cases of the same year.
            models.Index(fields=["first_campaign", "court", "status"]),
            # The dashboard's "no progress for N days" warning: the open cases of a court
            # not touched since a day, without reading the rest.
            models.Index(
                fields=["court", "updated_at"],
                condition=Q(status__in=OPEN_STATUSES),
                name="case_open_by_update",
            ),
            # The ledger list in its default order, for a province or the nation: read in
            # order until a page is full, instead of sorting every case of the scope
            # (with keyset.py's `key >= k`, the same for a deep page as for the first).
            models.Index(fields=["ledger_no", "id"], name="case_by_ledger_no"),
            # The workbench's "possibly nominal leadership" list: the few flagged cases of a
            # scope, without reading every case of it (a whole-table scan for a province).
            models.Index(
                fields=["court", "updated_at"],
                condition=Q(possibly_nominal=True),
                name="case_nominal_by_update",
            ),
            # Its "returned by the acceptance" and "petitioned again" lists likewise, each
            # holding exactly its list's cases: with the status outside the condition,
            # PostgreSQL ANDed the index with the status index's 390,000 entries (7 ms a
            # query for a province at a million cases).
            models.Index(
                fields=["court", "updated_at"],
                condition=Q(return_count__gt=0, status=CaseStatus.IN_RESOLUTION),
                name="case_returned_by_update",
            ),
            models.Index(
                fields=["court", "updated_at"],
                condition=Q(reopen_count__gt=0, status=CaseStatus.IN_RESOLUTION),
                name="case_reopened_by_update",
            ),
            # The exemplary cases (supervision's 先进典型 page): a few, found without
            # reading the table (178 ms for a province at a million cases).
            models.Index(
                fields=["court", "ledger_no"], condition=Q(is_exemplary=True), name="case_exemplary"
            ),
        ]

    def __str__(self) -> str:
        return self.ledger_no

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Save, and keep the case tallies exact in the same transaction (cases.tally)."""
        from huajie.cases import tally

        update_fields = kwargs.get("update_fields")
        if update_fields is not None and not tally.touches(update_fields):
            super().save(*args, **kwargs)
            return
        with transaction.atomic():
            before = None if self._state.adding else tally.stored_state(self.pk)
            super().save(*args, **kwargs)
            tally.record_change(before, tally.state_after(self, before, update_fields))

    @property
    def team(self) -> dict[str, Person | None]:
        return {
            "leader": self.leader,
            "division_leader": self.division_leader,
            "staff": self.staff,
            "petition_contact": self.petition_contact,
        }

    @property
    def is_resolved(self) -> bool:
        """R11: only an accepted case counts as resolved (a re-petition reopens it)."""
        return self.status == CaseStatus.ACCEPTED

    @property
    def classifications(self) -> list[str]:
        return [
            str(field.verbose_name)
            for field in self._meta.fields
            if field.name.startswith("cls_") and getattr(self, field.name)
        ]

    @cached_property
    def has_pending_escalation(self) -> bool:
        """Whether an escalation request waits for its decision (R12). The case page, which
        reads the requests anyway, sets it from them instead of asking again."""
        return self.escalations.filter(decision=Decision.PENDING).exists()

    def team_member_ids(self) -> set[int]:
        return {
            pk
            for pk in (
                self.leader_id,
                self.division_leader_id,
                self.staff_id,
                self.petition_contact_id,
            )
            if pk is not None
        }


class VisitLevel(models.TextChoices):
    BEIJING = "beijing", "进京"
    PROVINCE = "province", "赴省"
    LOCAL = "local", "本地"


class Visit(models.Model):
    """R3, R10: one petition visit; Beijing and province visits can reopen a case."""

    case = models.ForeignKey(PetitionCase, on_delete=models.CASCADE, related_name="visits")
    petitioner = models.ForeignKey(
        Petitioner, null=True, blank=True, on_delete=models.SET_NULL, related_name="visits"
    )
    visited_on = models.DateField("信访日期")
    level = models.CharField("层级", max_length=16, choices=VisitLevel.choices)
    receiving_body = models.CharField("接待机关", max_length=128, blank=True)
    summary = models.CharField("情况", max_length=255, blank=True)
    reopened_case = models.BooleanField("引起重新化解", default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        verbose_name = "信访记录"
        verbose_name_plural = "信访记录"
        ordering = ["visited_on", "id"]
        indexes = [models.Index(fields=["level", "visited_on"])]

    def __str__(self) -> str:
        return f"{self.visited_on} {self.get_level_display()}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Save, and keep the visit tally exact in the same transaction (cases.tally)."""
        from huajie.cases import tally

        update_fields = kwargs.get("update_fields")
        if update_fields is not None and not tally.touches_visit(update_fields):
            super().save(*args, **kwargs)
            return
        with transaction.atomic():
            before = None if self._state.adding else tally.stored_visit(self.pk)
            super().save(*args, **kwargs)
            tally.record_visit_change(before, tally.stored_visit(self.pk))

    @property
    def counts_upward(self) -> bool:
        return self.level in (VisitLevel.BEIJING, VisitLevel.PROVINCE)


class OriginalCase(models.Model):
    """R3: a court case the petition is about, with its parsed number."""

    case = models.ForeignKey(  # indexed by the unique (case, number)
        PetitionCase, on_delete=models.CASCADE, related_name="original_cases", db_index=False
    )
    number = models.CharField("案号", max_length=64)
    year = models.PositiveSmallIntegerField("年份")
    court_code = models.CharField("法院代字", max_length=16)
    type_code = models.CharField("类型代字", max_length=16)
    serial = models.PositiveIntegerField("序号")
    court = models.ForeignKey(
        Court,
        verbose_name="原审法院",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    trial_judge_name = models.CharField("原审法官", max_length=64, blank=True)
    trial_judge = models.ForeignKey(
        Person,
        verbose_name="原审法官（本系统人员）",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    cause = models.CharField("案由", max_length=128, blank=True)
    stage = models.CharField("环节", max_length=16, choices=Stage.choices, blank=True)
    is_flawed = models.BooleanField("错案/瑕疵案", default=False)
    flaw_note = models.CharField("错案/瑕疵说明", max_length=255, blank=True)

    class Meta:
        verbose_name = "原审案件"
        verbose_name_plural = "原审案件"
        ordering = ["year", "serial", "id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "number"], name="original_case_once_per_case")
        ]
        indexes = [
            # The assessment's judges (supervision.assessment.judges): the few judgments
            # flagged wrong or flawed, by judge, without probing every judge's cases
            # (a province's 2,800 judges: 42 ms at a million cases).
            models.Index(
                fields=["trial_judge"], condition=Q(is_flawed=True), name="original_flawed_by_judge"
            ),
        ]

    def __str__(self) -> str:
        return self.number


class MeasureKind(models.TextChoices):
    RECEPTION = "reception", "接谈/接访"
    PUBLIC_HEARING = "public_hearing", "公开听证"
    JUDICIAL_AID = "judicial_aid", "司法救助"
    TRIAL_SUPERVISION = "trial_supervision", "审判监督纠错"
    SOCIAL_MANAGEMENT = "social_management", "纳入社会管理综合治理"
    POLICE_COORDINATION = "police_coordination", "公安检察协调联动"
    MEDIA = "media", "新闻媒体公开"
    OTHER = "other", "其他"


class Measure(models.Model):
    """R7: a measure taken on a case."""

    case = models.ForeignKey(PetitionCase, on_delete=models.CASCADE, related_name="measures")
    kind = models.CharField("措施", max_length=24, choices=MeasureKind.choices)
    taken_on = models.DateField("日期")
    summary = models.TextField("情况")
    # [{"name": "...", "identity": "人大代表" | "政协委员" | "人民陪审员" | "特邀监督员" | ...}]
    participants = models.JSONField("参加人员", default=list, blank=True)
    aid_amount = models.DecimalField(
        "救助金额（元）", max_digits=12, decimal_places=2, null=True, blank=True
    )
    retrial_case_number = models.CharField("再审案号", max_length=64, blank=True)
    retrial_outcome = models.CharField("再审结果", max_length=255, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        verbose_name = "化解措施"
        verbose_name_plural = "化解措施"
        ordering = ["taken_on", "id"]

    def __str__(self) -> str:
        return f"{self.taken_on} {self.get_kind_display()}"


class ActivityKind(models.TextChoices):
    RECEPTION = "reception", "接访"
    FILE_REVIEW = "file_review", "阅卷"
    MEETING = "meeting", "研究会商"
    HEARING = "hearing", "听证"
    VISIT = "visit", "走访"


class LeaderActivity(models.Model):
    """R8: what the case leader did personally."""

    case = models.ForeignKey(
        PetitionCase, on_delete=models.CASCADE, related_name="leader_activities"
    )
    leader = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    happened_on = models.DateField("日期")
    kind = models.CharField("方式", max_length=16, choices=ActivityKind.choices)
    summary = models.TextField("内容")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        verbose_name = "包案领导活动"
        verbose_name_plural = "包案领导活动"
        ordering = ["happened_on", "id"]

    def __str__(self) -> str:
        return f"{self.happened_on} {self.get_kind_display()}"


class AttachmentPurpose(models.TextChoices):
    PROMISE = "promise", "书面承诺书"
    EVIDENCE = "evidence", "验收材料"
    TERMINATION_REVIEW = "termination_review", "终结审查材料"
    FILING = "filing", "报备材料"
    HANDOVER = "handover", "移交稳控材料"
    OTHER = "other", "其他"


class Attachment(models.Model):
    """A file on a case, stored under its SHA-256, its type checked by content."""

    case = models.ForeignKey(PetitionCase, on_delete=models.CASCADE, related_name="attachments")
    purpose = models.CharField("用途", max_length=24, choices=AttachmentPurpose.choices)
    original_name = models.CharField("文件名", max_length=255)
    content_type = models.CharField("类型", max_length=64)
    size = models.PositiveIntegerField("大小（字节）")
    sha256 = models.CharField("SHA-256", max_length=64, db_index=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        verbose_name = "附件"
        verbose_name_plural = "附件"
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class Decision(models.TextChoices):
    PENDING = "pending", "待审查"
    ACCEPTED = "accepted", "通过"
    RETURNED = "returned", "退回"


class DecidedRequest(models.Model):
    """A request a superior court decides once: pending, then accepted or returned/refused."""

    decision = models.CharField(max_length=16, choices=Decision.choices, default=Decision.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def is_pending(self) -> bool:
        return self.decision == Decision.PENDING


class AcceptanceRequest(DecidedRequest):
    """R11: a submission for acceptance and the reviewing court's decision."""

    case = models.ForeignKey(
        PetitionCase, on_delete=models.CASCADE, related_name="acceptance_requests"
    )
    reviewing_court = models.ForeignKey(Court, on_delete=models.PROTECT, related_name="+")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField()
    note = models.TextField("申请说明", blank=True)
    evidence = models.ManyToManyField(Attachment, blank=True, related_name="+")
    reason = models.TextField("审查意见", blank=True)

    class Meta:
        verbose_name = "验收申请"
        verbose_name_plural = "验收申请"
        ordering = ["submitted_at", "id"]
        constraints = [
            # One open acceptance per case (the Wagtail workflow pattern).
            models.UniqueConstraint(
                fields=["case"], condition=Q(decision="pending"), name="one_pending_acceptance"
            )
        ]
        indexes = [
            # What a court has to review, oldest first (the workbench, the review queue).
            models.Index(
                fields=["reviewing_court", "submitted_at"],
                condition=Q(decision="pending"),
                name="pending_acceptance_by_court",
            ),
            # The same for a province office (every court of the province): read in that
            # order until a page is full, rather than every pending request in the country
            # sorted (the province office's workbench at a million cases: 134 -> 47 ms).
            models.Index(
                fields=["submitted_at", "id"],
                condition=Q(decision="pending"),
                name="pending_acceptance_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case} {self.get_decision_display()}"


class EscalationRequest(DecidedRequest):
    """R12: a lower court asks its superior to take the case up; or the superior takes it."""

    case = models.ForeignKey(PetitionCase, on_delete=models.CASCADE, related_name="escalations")
    from_court = models.ForeignKey(Court, on_delete=models.PROTECT, related_name="+")
    to_court = models.ForeignKey(Court, on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField()
    reason = models.TextField("理由")
    decision_note = models.TextField("决定意见", blank=True)

    class Meta:
        verbose_name = "提级办理"
        verbose_name_plural = "提级办理"
        ordering = ["requested_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(decision="pending"), name="one_pending_escalation"
            )
        ]

    def __str__(self) -> str:
        return f"{self.case} → {self.to_court}"


class Guidance(models.Model):
    """R12: a superior court's guidance note on a subordinate court's case."""

    case = models.ForeignKey(PetitionCase, on_delete=models.CASCADE, related_name="guidance")
    court = models.ForeignKey(Court, on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField("指导意见")
    created_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        verbose_name = "指导意见"
        verbose_name_plural = "指导意见"
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text[:20]


class NotificationKind(models.TextChoices):
    ASSIGNED = "assigned", "新交办"
    TEAM = "team", "列入专班"
    ACCEPTANCE_DECIDED = "acceptance_decided", "验收结果"
    RETURNED = "returned", "验收退回"
    REPETITION = "repetition", "重新信访"
    OBSERVATION_PASSED = "observation_passed", "观察期届满"
    ESCALATED = "escalated", "提级办理"
    GUIDANCE = "guidance", "上级指导"


class Notification(models.Model):
    recipient = models.ForeignKey(  # indexed by (recipient, read_at) below
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        db_index=False,
    )
    case = models.ForeignKey(
        PetitionCase, null=True, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=24, choices=NotificationKind.choices)
    text = models.CharField(max_length=255)
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "通知"
        verbose_name_plural = "通知"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return self.text


class TickRun(models.Model):
    """The days for which the time-driven rules have run (so a day runs once)."""

    day = models.DateField(unique=True)
    ran_at = models.DateTimeField()
    result = models.JSONField(default=dict)

    def __str__(self) -> str:
        return str(self.day)


class CaseTally(models.Model):
    """How many cases of a campaign a court holds, by origin and status, with how many of them
    are possibly nominal and how many were reopened: what the live dashboard counts, without
    reading the cases (huajie.cases.tally keeps it).

    Rows are signed changes: every write of a case adds the rows that move it from its old
    count to its new one (never an update, so writers never wait on each other), and the
    worker folds them into one row per key now and then. The figures are the sums.

    A case counts in every campaign whose ledger it is in: its first campaign and each it was
    carried over into. `current` marks the campaign it is in now, so the rows with `current`
    count each case exactly once (the warnings, which are about cases, not campaigns)."""

    campaign = models.ForeignKey(  # indexed by (campaign, court)
        Campaign, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    court = models.ForeignKey(Court, on_delete=models.CASCADE, related_name="+")
    origin = models.CharField(max_length=8, choices=Origin.choices)
    status = models.CharField(max_length=16, choices=CaseStatus.choices)
    current = models.BooleanField()
    cases = models.IntegerField()
    nominal = models.IntegerField()
    reopened = models.IntegerField()

    class Meta:
        verbose_name = "案件计数"
        verbose_name_plural = "案件计数"
        indexes = [models.Index(fields=["campaign", "court"])]

    def __str__(self) -> str:
        return f"{self.campaign_id}/{self.court_id}/{self.origin}/{self.status}: {self.cases}"


class VisitTally(models.Model):
    """Beijing and province visits on a campaign's cases, by the court now responsible for
    the case, level and bulletin period of the visit's date (-1: before the campaign's
    mobilization; 0: mobilization): the dashboard's timeline without reading every visit.
    Kept like `CaseTally` (signed rows, folded by the worker; huajie.cases.tally): a visit
    counts when it is recorded, and all of a case's visits move when the case changes court
    or is carried into another campaign. The periods follow the campaign's dates, which
    nothing edits after creation; a change of them would need `huajie tally rebuild`."""

    campaign = models.ForeignKey(  # indexed by (campaign, court)
        Campaign, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    court = models.ForeignKey(Court, on_delete=models.CASCADE, related_name="+")
    level = models.CharField(max_length=16, choices=VisitLevel.choices)
    period = models.SmallIntegerField()
    visits = models.IntegerField()

    class Meta:
        verbose_name = "信访计数"
        verbose_name_plural = "信访计数"
        indexes = [models.Index(fields=["campaign", "court"])]

    def __str__(self) -> str:
        return f"{self.campaign_id}/{self.court_id}/{self.level}/{self.period}: {self.visits}"
