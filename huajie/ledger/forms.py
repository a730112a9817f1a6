"""The upload form of the ledger import page."""

from __future__ import annotations

from typing import Any

from django import forms

from huajie.cases.models import Campaign


class CampaignChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.year}年 · {obj.name}"


class ImportForm(forms.Form):
    file = forms.FileField(
        label="任务台账文件（.xlsx）",
        error_messages={"required": "请选择要导入的台账文件。", "empty": "文件是空的。"},
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )
    campaign = CampaignChoice(
        queryset=Campaign.objects.order_by("-year"),
        label="专项活动",
        empty_label=None,
        error_messages={"required": "请选择专项活动。", "invalid_choice": "请选择专项活动。"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "：")
        super().__init__(*args, **kwargs)
        latest = Campaign.objects.order_by("-year").first()
        if latest is not None:
            self.fields["campaign"].initial = latest.pk
