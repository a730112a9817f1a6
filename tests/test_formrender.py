"""The form renderer that writes Django's common widgets in Python (huajie.core.formrender)
writes exactly what Django's templates write (issue #7: the constant cost of a page)."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from typing import Any

import django
import pytest
from django import forms
from django.conf import settings
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from huajie.core.formrender import INPUT_TEMPLATES, WRITERS, PythonWidgets

DJANGO_FORMS = Path(django.__file__).parent / "forms" / "templates"

# The templates the writers were written from (Django 5.2), by the first 16 hex digits of
# their SHA-256. A changed template must be looked at, and the writer changed with it,
# before its digest here is.
WRITTEN_FROM = {
    "django/forms/widgets/input.html": "770cf3acba1c18b6",
    "django/forms/widgets/select.html": "ed4d11ce3784486f",
    "django/forms/widgets/select_option.html": "37fa6c7742580aa3",
    "django/forms/widgets/attrs.html": "f729483efe44660f",
    "django/forms/widgets/textarea.html": "02fd58fa1a57514d",
    "django/forms/label.html": "d1b2427488fc1b97",
    "django/forms/attrs.html": "5053e00975c20246",
}

python = PythonWidgets()
django_templates = DjangoTemplates()

# Text that HTML escaping, CJK and Django's localisation all have something to say about.
words = st.text(alphabet=st.sampled_from("ab<>&\"' 甲乙丙\n"), max_size=8)
values = st.one_of(
    st.none(),
    words,
    words.map(mark_safe),
    st.integers(-20_000, 20_000),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2030, 1, 1)),
    st.booleans(),
)
attr_values = st.one_of(st.booleans(), words, words.map(mark_safe), st.integers(0, 99))
attr_names = st.sampled_from(["class", "placeholder", "data-x", "required"])
attrs = st.dictionaries(attr_names, attr_values)
choices = st.lists(st.tuples(st.one_of(words, st.integers(0, 9)), words), max_size=5)
grouped = st.lists(
    st.one_of(
        st.tuples(st.one_of(words, st.integers(0, 9)), words),
        st.tuples(words.filter(bool), choices),
    ),
    max_size=4,
)

plain_inputs = st.sampled_from(
    [
        forms.TextInput,
        forms.NumberInput,
        forms.EmailInput,
        forms.URLInput,
        forms.HiddenInput,
        forms.DateInput,
        forms.DateTimeInput,
        forms.TimeInput,
        forms.SearchInput,
        forms.TelInput,
        forms.ColorInput,
    ]
)


def _both(widget: forms.Widget, value: Any, extra: dict[str, Any]) -> tuple[str, str]:
    return (
        widget.render("field", value, attrs=extra, renderer=python),
        widget.render("field", value, attrs=extra, renderer=django_templates),
    )


@given(plain_inputs, attrs, values, attrs)
@hypothesis_settings(max_examples=300, deadline=None)
def test_inputs_are_written_as_the_templates_write_them(
    kind: type[forms.Widget], own: dict[str, Any], value: Any, extra: dict[str, Any]
) -> None:
    ours, djangos = _both(kind(attrs=own), value, extra)
    assert ours == djangos


@given(attrs, values, st.booleans())
@hypothesis_settings(max_examples=100, deadline=None)
def test_checkboxes_and_passwords(own: dict[str, Any], value: Any, render_value: bool) -> None:
    for widget in (forms.CheckboxInput(attrs=own), forms.PasswordInput(own, render_value)):
        ours, djangos = _both(widget, value, {})
        assert ours == djangos


@given(grouped, attrs, st.one_of(values, st.lists(words, max_size=3)), st.booleans())
@hypothesis_settings(max_examples=300, deadline=None)
def test_selects_with_and_without_groups(
    options: list[Any], own: dict[str, Any], value: Any, multiple: bool
) -> None:
    kind = forms.SelectMultiple if multiple else forms.Select
    ours, djangos = _both(kind(attrs=own, choices=options), value, {})
    assert ours == djangos


@given(attrs, values)
@hypothesis_settings(max_examples=100, deadline=None)
def test_textareas(own: dict[str, Any], value: Any) -> None:
    ours, djangos = _both(forms.Textarea(attrs=own), value, {})
    assert ours == djangos


class _Labelled(forms.Form):
    plain = forms.CharField(label="姓名 <甲>")
    choice = forms.ChoiceField(label=mark_safe("<b>状态</b>"), choices=[("a", "甲")])


@pytest.mark.parametrize("auto_id", ["id_%s", False])
@pytest.mark.parametrize("suffix", [None, "：", "<"])
def test_labels(auto_id: str | bool, suffix: str | None) -> None:
    ours = _Labelled(auto_id=auto_id, renderer=python)
    djangos = _Labelled(auto_id=auto_id, renderer=django_templates)
    for name in ("plain", "choice"):
        assert ours[name].label_tag(label_suffix=suffix, attrs={"class": "x"}) == djangos[
            name
        ].label_tag(label_suffix=suffix, attrs={"class": "x"})
        assert ours[name].legend_tag() == djangos[name].legend_tag()
    # A whole form (div.html and friends are Django's own) comes out the same too.
    assert str(ours) == str(djangos)


def test_other_widgets_are_left_to_django() -> None:
    radio = forms.RadioSelect(choices=[("a", "甲"), ("b", "乙")])
    assert radio.template_name not in WRITERS
    assert radio.render("r", "a", renderer=python) == radio.render(
        "r", "a", renderer=django_templates
    )
    # A select whose options have their own template is handed over whole.
    select = forms.Select(choices=[("a", "甲")])
    select.option_template_name = "django/forms/widgets/input_option.html"
    assert select.render("s", "a", renderer=python) == select.render(
        "s", "a", renderer=django_templates
    )


def test_the_project_renders_forms_this_way() -> None:
    assert settings.FORM_RENDERER == "huajie.core.formrender.PythonWidgets"


def test_the_replaced_templates_are_the_ones_the_writers_copy() -> None:
    """Every replaced template is either `input.html` included, or one of the templates the
    writers were written from, unchanged."""
    include = '{% include "django/forms/widgets/input.html" %}\n'
    for name in INPUT_TEMPLATES:
        if name != "django/forms/widgets/input.html":
            assert (DJANGO_FORMS / name).read_text() == include, name
    digests = {
        name: hashlib.sha256((DJANGO_FORMS / name).read_bytes()).hexdigest()[:16]
        for name in WRITTEN_FROM
    }
    assert digests == WRITTEN_FROM
    assert set(WRITERS) == set(INPUT_TEMPLATES) | set(WRITTEN_FROM) - {
        "django/forms/widgets/select_option.html",
        "django/forms/widgets/attrs.html",
        "django/forms/attrs.html",
    }
