"""Forms of the case page's actions. Labels and errors in Chinese; dates as YYYY-MM-DD."""

from __future__ import annotations

from typing import Any

from django import forms

from huajie.cases.models import (
    ActivityKind,
    AttachmentPurpose,
    MeasureKind,
    PetitionCase,
    PetitionType,
    RiskLevel,
    VisitLevel,
)
from huajie.cases.services import PARTICIPANT_IDENTITIES, TERMINATION_STEPS
from huajie.courts.forms import CourtChoice
from huajie.courts.models import Court, Person, PositionKind


class DateInput(forms.DateInput):
    input_type = "date"


def date_field(label: str) -> forms.DateField:
    return forms.DateField(
        label=label,
        widget=DateInput(),
        error_messages={
            "required": f"请填写{label}。",
            "invalid": f"{label}格式应为 年-月-日，例如 2019-03-01。",
        },
    )


class CaseForm(forms.Form):
    """Base: forms know the case they act on (for choices from its court)."""

    def __init__(self, *args: Any, case: PetitionCase, **kwargs: Any) -> None:
        self.case = case
        kwargs.setdefault("label_suffix", "：")
        super().__init__(*args, **kwargs)


def _people(court: Court, *kinds: str) -> Any:
    return (
        Person.objects.filter(court=court, is_active=True, positions__kind__in=kinds)
        .distinct()
        .order_by("id")
    )


class PersonChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        titles = "、".join(p.title for p in obj.positions.all())
        quota = "（入额）" if obj.in_judge_quota else ""
        return f"{obj.name} · {titles}{quota}" if titles else obj.name


class TeamForm(CaseForm):
    leader = PersonChoice(
        queryset=Person.objects.none(), label="包案领导", required=False, empty_label="（不变）"
    )
    division_leader = PersonChoice(
        queryset=Person.objects.none(), label="庭领导", required=False, empty_label="（不变）"
    )
    staff = PersonChoice(
        queryset=Person.objects.none(), label="工作人员", required=False, empty_label="（不变）"
    )
    petition_contact = PersonChoice(
        queryset=Person.objects.none(), label="信访联系人", required=False, empty_label="（不变）"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        court = self.case.court
        choices = {
            "leader": (
                PositionKind.PRESIDENT,
                PositionKind.COURT_LEADER,
                PositionKind.COMMITTEE_MEMBER,
            ),
            "division_leader": (PositionKind.DIVISION_LEADER,),
            "staff": (PositionKind.STAFF, PositionKind.JUDGE),
            "petition_contact": (PositionKind.PETITION_CONTACT,),
        }
        for name, kinds in choices.items():
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = _people(court, *kinds).prefetch_related("positions")
            field.initial = getattr(self.case, f"{name}_id")

    def members(self) -> dict[str, Person | None]:
        return {name: value for name, value in self.cleaned_data.items() if value is not None}


class AllocateForm(CaseForm):
    court = CourtChoice(
        queryset=Court.objects.none(),
        label="责任法院",
        required=False,
        empty_label="按规则自动确定",
    )
    reason = forms.CharField(label="理由（人工指定时必填）", required=False, max_length=255)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["court"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Court.objects.filter(path__startswith=self.case.court.root_path())


class ClassifyForm(CaseForm):
    solve = forms.BooleanField(label="诉求合理·解决到位", required=False)
    educate = forms.BooleanField(label="诉求无理·思想教育到位", required=False)
    aid = forms.BooleanField(label="生活困难·帮扶救助到位", required=False)
    lawful = forms.BooleanField(label="行为违法·依法处理", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("solve", "educate", "aid", "lawful"):
            self.fields[name].initial = getattr(self.case, f"cls_{name}")


class MeasureForm(CaseForm):
    kind = forms.ChoiceField(label="措施", choices=MeasureKind.choices)
    taken_on = date_field("日期")
    summary = forms.CharField(
        label="情况", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    participants = forms.CharField(
        label="听证参加人员（每行：姓名 身份，如“王建国 人大代表”）",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    aid_amount = forms.DecimalField(
        label="救助金额（元）", required=False, min_value=0, max_digits=12, decimal_places=2
    )
    retrial_case_number = forms.CharField(label="再审案号", required=False, max_length=64)
    retrial_outcome = forms.CharField(label="再审结果", required=False, max_length=255)

    def clean_participants(self) -> list[dict[str, str]]:
        people = []
        for number, line in enumerate(self.cleaned_data["participants"].splitlines(), 1):
            parts = line.split()
            if not parts:
                continue
            if len(parts) != 2 or parts[1] not in PARTICIPANT_IDENTITIES:
                raise forms.ValidationError(
                    f"第{number}行应为“姓名 身份”，身份为{'、'.join(PARTICIPANT_IDENTITIES)}之一。"
                )
            people.append({"name": parts[0], "identity": parts[1]})
        return people


class ActivityForm(CaseForm):
    happened_on = date_field("日期")
    kind = forms.ChoiceField(label="方式", choices=ActivityKind.choices)
    summary = forms.CharField(
        label="内容", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


class VisitForm(CaseForm):
    visited_on = date_field("信访日期")
    level = forms.ChoiceField(label="层级", choices=VisitLevel.choices)
    receiving_body = forms.CharField(label="接待机关", required=False, max_length=128)
    summary = forms.CharField(label="情况", required=False, max_length=255)


class OriginalCaseForm(CaseForm):
    number = forms.CharField(label="案号", max_length=64, help_text="例如 (2017)鲁0102民初1234号")
    trial_judge_name = forms.CharField(label="原审法官", required=False, max_length=64)
    cause = forms.CharField(label="案由", required=False, max_length=128)


class AttachmentForm(CaseForm):
    purpose = forms.ChoiceField(label="用途", choices=AttachmentPurpose.choices)
    file = forms.FileField(label="文件", error_messages={"required": "请选择要上传的文件。"})


class WrittenPromiseForm(CaseForm):
    promise_on = date_field("承诺日期")
    document = forms.FileField(
        label="签字的书面承诺书（PDF 或图片）",
        error_messages={"required": "请上传信访人签字的书面承诺书。"},
    )


class OralPromiseForm(CaseForm):
    promise_on = date_field("承诺日期")


class TerminationForm(CaseForm):
    step = forms.ChoiceField(label="步骤", choices=list(TERMINATION_STEPS.items()))
    done_on = date_field("完成日期")
    department = forms.CharField(
        label="接收稳控责任的部门（移交时必填）", required=False, max_length=128
    )


class SubmitForm(CaseForm):
    note = forms.CharField(
        label="申请说明", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class DecideForm(CaseForm):
    decision = forms.ChoiceField(
        label="审查结论",
        choices=[("accept", "验收通过"), ("return", "退回")],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label="审查意见（退回时必填）",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReasonForm(CaseForm):
    reason = forms.CharField(
        label="理由",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "请写明理由。"},
    )


class EscalationDecideForm(CaseForm):
    decision = forms.ChoiceField(
        label="决定",
        choices=[("approve", "同意提级"), ("refuse", "不同意")],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label="意见（不同意时必填）", required=False, max_length=2000)


class GuidanceForm(CaseForm):
    text = forms.CharField(
        label="指导意见", max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class NewPetitionForm(forms.Form):
    """R14: a new petition received by a president or division head (首接负责制)."""

    owner = PersonChoice(queryset=Person.objects.none(), label="首接负责人（院庭长）")
    received_on = date_field("接访日期")
    name = forms.CharField(label="信访人姓名", max_length=64)
    id_number = forms.CharField(label="身份证号", required=False, max_length=32)
    phone = forms.CharField(label="联系电话", required=False, max_length=32)
    domicile = forms.CharField(label="户籍地", required=False, max_length=128)
    petition_type = forms.ChoiceField(label="信访类型", choices=PetitionType.choices)
    claims = forms.CharField(
        label="信访诉求", widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
    )
    risk_level = forms.ChoiceField(label="风险等级", choices=RiskLevel.choices)
    original_number = forms.CharField(label="原审案号（如有）", required=False, max_length=64)

    def __init__(self, *args: Any, court: Court, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "：")
        super().__init__(*args, **kwargs)
        field = self.fields["owner"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = _people(
            court, PositionKind.PRESIDENT, PositionKind.COURT_LEADER, PositionKind.DIVISION_LEADER
        ).prefetch_related("positions")

    def case_input(self) -> Any:
        from huajie.cases import services

        d = self.cleaned_data
        originals = (
            [services.OriginalCaseInput(number=d["original_number"])]
            if d["original_number"]
            else []
        )
        return services.CaseInput(
            petition_type=d["petition_type"],
            claims=d["claims"],
            risk_level=d["risk_level"],
            petitioners=[
                services.PetitionerInput(
                    name=d["name"],
                    id_number=d["id_number"],
                    phone=d["phone"],
                    domicile=d["domicile"],
                )
            ],
            original_cases=originals,
        )
