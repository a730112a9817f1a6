"""The court tree (R1) and the people who work in it with their positions (R2).

The tree is kept as a materialized path (`0001/0004/0012/`): a subtree is one indexed
prefix query, which is what every scoped list in the system asks for, and it stays cheap
at national scale (about 3,500 courts in 32 trees).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.functional import cached_property


class CourtLevel(models.TextChoices):
    HIGH = "high", "高级人民法院"
    INTERMEDIATE = "intermediate", "中级人民法院"
    BASIC = "basic", "基层人民法院"


class CourtKind(models.TextChoices):
    ORDINARY = "ordinary", "普通法院"
    RAILWAY = "railway", "铁路运输法院"
    MARITIME = "maritime", "海事法院"


PATH_STEP = 4  # digits per level in Court.path


class CourtQuerySet(models.QuerySet["Court"]):
    def subtree_of(self, court: Court) -> CourtQuerySet:
        """`court` and every court below it."""
        return self.filter(path__startswith=court.path)

    def below(self, court: Court) -> CourtQuerySet:
        return self.subtree_of(court).exclude(pk=court.pk)

    def in_tree_order(self) -> CourtQuerySet:
        return self.order_by("path")


class Court(models.Model):
    name = models.CharField("院名", max_length=64, unique=True)
    short_name = models.CharField("简称", max_length=32, unique=True)
    code = models.CharField("案号法院代字", max_length=16, unique=True)
    level = models.CharField("审级", max_length=16, choices=CourtLevel.choices)
    kind = models.CharField(
        "类别", max_length=16, choices=CourtKind.choices, default=CourtKind.ORDINARY
    )
    division_code = models.CharField("行政区划代码", max_length=6, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name="上级法院",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(max_length=64, unique=True, editable=False)

    objects = CourtQuerySet.as_manager()

    class Meta:
        verbose_name = "法院"
        verbose_name_plural = "法院"
        ordering = ["path"]
        constraints = [
            models.CheckConstraint(
                condition=Q(level="high", parent__isnull=True)
                | (~Q(level="high") & Q(parent__isnull=False)),
                name="court_only_high_court_is_root",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def depth(self) -> int:
        return len(self.path) // (PATH_STEP + 1)

    @property
    def is_high(self) -> bool:
        return self.level == CourtLevel.HIGH

    def is_within(self, ancestor: Court) -> bool:
        """True when this court is `ancestor` or below it."""
        return self.path.startswith(ancestor.path)

    def root_path(self) -> str:
        return self.path[: PATH_STEP + 1]

    @cached_property
    def province_court_ids(self) -> list[int]:
        """The ids of every court of this court's province (of every court, for the nation),
        read once per instance."""
        courts = Court.objects.filter(path__startswith=self.root_path())
        return list(courts.values_list("pk", flat=True))

    @property
    def is_nation(self) -> bool:
        """The whole country (`nation()`), not a court of the tree."""
        return self.pk is None and self.path == ""

    def superior(self) -> Court | None:
        """The reviewing court for this court's cases: the parent, or itself at the top (R11)."""
        return self.parent


class DepartmentKind(models.TextChoices):
    FILING = "filing", "立案庭"
    TRIAL = "trial", "审判业务庭"
    TRIAL_SUPERVISION = "trial_supervision", "审判监督庭"
    ENFORCEMENT = "enforcement", "执行局"
    PETITION = "petition", "诉讼服务中心/信访办"
    OFFICE = "office", "综合部门"


class Department(models.Model):
    court = models.ForeignKey(  # indexed by the unique (court, name)
        Court,
        verbose_name="法院",
        on_delete=models.CASCADE,
        related_name="departments",
        db_index=False,
    )
    name = models.CharField("名称", max_length=32)
    kind = models.CharField("类别", max_length=24, choices=DepartmentKind.choices)
    sort = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "庭室"
        verbose_name_plural = "庭室"
        ordering = ["court", "sort", "id"]
        constraints = [
            models.UniqueConstraint(fields=["court", "name"], name="department_unique_per_court")
        ]

    def __str__(self) -> str:
        return self.name


class Person(models.Model):
    court = models.ForeignKey(  # indexed by (court, name)
        Court, verbose_name="法院", on_delete=models.PROTECT, related_name="people", db_index=False
    )
    department = models.ForeignKey(
        Department,
        verbose_name="庭室",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="people",
    )
    name = models.CharField("姓名", max_length=32)
    in_judge_quota = models.BooleanField("入额", default=False)
    phone = models.CharField("联系电话", max_length=32, blank=True)
    is_active = models.BooleanField("在岗", default=True)

    class Meta:
        verbose_name = "人员"
        verbose_name_plural = "人员"
        ordering = ["court", "id"]
        indexes = [models.Index(fields=["court", "name"])]

    def __str__(self) -> str:
        return self.name

    def has_position(self, *kinds: str) -> bool:
        """Answers from prefetched positions when they are there (no query per person)."""
        return any(p.kind in kinds for p in self.positions.all())


class PositionKind(models.TextChoices):
    PRESIDENT = "president", "院长"
    COURT_LEADER = "court_leader", "院领导"
    COMMITTEE_MEMBER = "committee_member", "专职审判委员会委员"
    DIVISION_LEADER = "division_leader", "庭领导"
    JUDGE = "judge", "法官"
    STAFF = "staff", "工作人员"
    PETITION_CONTACT = "petition_contact", "信访部门联系人"


# Court leadership in the sense of the notice: the president counts as a court leader.
LEADERSHIP_KINDS = (PositionKind.PRESIDENT, PositionKind.COURT_LEADER)


class Position(models.Model):
    person = models.ForeignKey(  # indexed by (person, kind)
        Person,
        verbose_name="人员",
        on_delete=models.CASCADE,
        related_name="positions",
        db_index=False,
    )
    kind = models.CharField("职务类别", max_length=24, choices=PositionKind.choices)
    title = models.CharField("职务名称", max_length=32)
    department = models.ForeignKey(
        Department,
        verbose_name="所在庭室",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="positions",
    )

    class Meta:
        verbose_name = "职务"
        verbose_name_plural = "职务"
        ordering = ["person", "id"]
        constraints = [
            models.UniqueConstraint(fields=["person", "kind"], name="position_kind_once_per_person")
        ]

    def __str__(self) -> str:
        return self.title


def nation() -> Court:
    """The whole country as the node above the 32 high courts (issue #7), for national
    supervision. It is never saved: its path is empty, so every court is within it and the
    high courts (parent None) are its children, and the tree code that works by path
    (subtrees, children, drill-down) works on it unchanged."""
    return Court(name="全国法院", short_name="全国", code="", level="", path="")
