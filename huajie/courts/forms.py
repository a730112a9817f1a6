"""Forms of the people-and-positions pages (a court administrator's work, R2)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django import forms

from huajie.courts.models import Court, Department, PositionKind


class _CourtNames(forms.models.ModelChoiceIterator):
    """A court select's options read as (id, name) pairs. The default iterator builds a
    Court for every option: 3,500 of them, 70 ms, on national supervision's case list."""

    def __iter__(self) -> Iterator[tuple[Any, Any]]:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        field = self.field
        assert isinstance(field, CourtChoice)
        yield from field.names()


class CourtChoice(forms.ModelChoiceField):
    """A choice of court, from a queryset of courts; the chosen one is a Court as usual."""

    iterator = _CourtNames

    def names(self) -> list[tuple[int, str]]:
        """The choices' ids and names, read once for the queryset the field has now (the
        case list's court choices are also the courts whose cases it shows)."""
        queryset = self.queryset
        assert queryset is not None
        if getattr(self, "_names_of", None) is not queryset:
            self._names: list[tuple[int, str]] = list(queryset.values_list("pk", "name"))
            self._names_of = queryset
        return self._names


class PersonForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=32)
    department = forms.ModelChoiceField(
        queryset=Department.objects.none(),
        label="庭室",
        required=False,
        empty_label="（院领导，不属庭室）",
    )
    in_judge_quota = forms.BooleanField(label="入额", required=False)
    phone = forms.CharField(label="联系电话", required=False, max_length=32)
    is_active = forms.BooleanField(label="在岗", required=False, initial=True)

    def __init__(self, *args: Any, court: Court, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "：")
        super().__init__(*args, **kwargs)
        field = self.fields["department"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Department.objects.filter(court=court).order_by("sort", "id")


class PositionForm(forms.Form):
    kind = forms.ChoiceField(label="职务类别", choices=PositionKind.choices)
    title = forms.CharField(
        label="职务名称",
        required=False,
        max_length=32,
        help_text="例如 副院长、民一庭庭长；不填则用职务类别",
    )
