"""Form widgets written in Python instead of through templates.

Django renders each widget through a template, and a <select> includes one template per
option plus the attributes' template for each. The case list's filter form took 4.6 ms for
an intermediate court's 8 courts, 7.6 ms for a province's 105 and 142 ms for the nation's
3,500 (docs/performance.md). This renderer writes the same HTML in Python for Django's plain
input, select, textarea and label templates and hands every other template to Django.

The output is Django's, byte for byte: tests/test_formrender.py renders generated widgets
both ways, and checks that the templates this replaces are still the ones it was written
from (a Django upgrade that changes them fails that test instead of changing the HTML).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.forms.renderers import DjangoTemplates
from django.template import Context
from django.template.base import render_value_in_context
from django.utils.html import escape
from django.utils.safestring import SafeData

# `{{ value }}` in a template: localized, then escaped unless already safe. A fresh Context
# carries the defaults a form template is rendered with (autoescape on, l10n and tz unset).
_TEMPLATE_DEFAULTS = Context()


def _text(value: Any) -> str:
    return render_value_in_context(value, _TEMPLATE_DEFAULTS)


def _formatted(value: Any) -> str:
    """`{{ value|stringformat:'s' }}`: str() without localizing; safe input stays unescaped."""
    if isinstance(value, tuple):
        value = str(value)
    try:
        text = "%s" % value  # noqa: UP031 - the filter's own operation, tuples aside
    except (ValueError, TypeError):
        return ""
    return text if isinstance(value, SafeData) else escape(text)


def _attrs(attrs: Mapping[str, Any]) -> str:
    """django/forms/attrs.html and widgets/attrs.html."""
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        out.append(f" {_text(name)}")
        if value is not True:
            out.append(f'="{_formatted(value)}"')
    return "".join(out)


def _input(context: Mapping[str, Any]) -> str:
    widget = context["widget"]
    value = widget["value"]
    shown = f' value="{_formatted(value)}"' if value != None else ""  # noqa: E711 - as {% if %}
    return (
        f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"'
        f"{shown}{_attrs(widget['attrs'])}>"
    )


_OPTION_TEMPLATE = "django/forms/widgets/select_option.html"


def _option(option: Mapping[str, Any]) -> str:
    return (
        f'<option value="{_formatted(option["value"])}"{_attrs(option["attrs"])}>'
        f"{_text(option['label'])}</option>\n"
    )


def _select(context: Mapping[str, Any]) -> str | None:
    widget = context["widget"]
    out = [f'<select name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            out.append(f'\n  <optgroup label="{_text(group_name)}">')
        for option in group_choices:
            if option.get("template_name") != _OPTION_TEMPLATE:
                return None  # a widget with its own option template: Django renders it
            out.append(f"\n  {_option(option)}")
        if group_name:
            out.append("\n  </optgroup>")
    out.append("\n</select>")
    return "".join(out)


def _textarea(context: Mapping[str, Any]) -> str:
    widget = context["widget"]
    value = _text(widget["value"]) if widget["value"] else ""
    return f'<textarea name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>\n{value}</textarea>'


def _label(context: Mapping[str, Any]) -> str:
    if not context["use_tag"]:
        return _text(context["label"])
    tag = _text(context["tag"])
    return f"<{tag}{_attrs(context['attrs'])}>{_text(context['label'])}</{tag}>"


# Each of these templates is `{% include "django/forms/widgets/input.html" %}`.
INPUT_TEMPLATES = tuple(
    f"django/forms/widgets/{name}.html"
    for name in (
        "input",
        "text",
        "number",
        "email",
        "url",
        "password",
        "hidden",
        "date",
        "datetime",
        "time",
        "checkbox",
        "search",
        "tel",
        "color",
        "file",
    )
)

WRITERS: dict[str, Callable[[Mapping[str, Any]], str | None]] = {
    **dict.fromkeys(INPUT_TEMPLATES, _input),
    "django/forms/widgets/select.html": _select,
    "django/forms/widgets/textarea.html": _textarea,
    "django/forms/label.html": _label,
}


class PythonWidgets(DjangoTemplates):
    """FORM_RENDERER: Django's templates, with the common widgets written in Python."""

    def render(self, template_name: str, context: Any, request: Any = None) -> str:
        write = WRITERS.get(template_name)
        html = write(context) if write is not None else None
        if html is None:
            return super().render(template_name, context, request=request)
        # Django's renderer strips what its template produced; these write nothing to strip
        # except the trailing newline of an <option> or of a template file.
        return html.strip()
