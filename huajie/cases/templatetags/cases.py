"""Template filters of the ledger pages."""

from __future__ import annotations

from django import template

from huajie.cases.identity import mask_id_number, mask_phone

register = template.Library()


@register.filter
def masked_id(value: str | None) -> str:
    return mask_id_number(value or "")


@register.filter
def masked_phone(value: str | None) -> str:
    return mask_phone(value or "")


STATUS_TONES = {
    "unallocated": "grey",
    "allocated": "warn",
    "in_resolution": "info",
    "observation": "info",
    "met_standard": "ok",
    "submitted": "ok",
    "accepted": "done",
}


@register.filter
def status_tone(status: str) -> str:
    return STATUS_TONES.get(status, "grey")


@register.filter
def split_pairs(value: str) -> list[tuple[str, str]]:
    """ "a:甲,b:乙" → [("a", "甲"), ("b", "乙")], for column headers defined in a template."""
    return [tuple(item.split(":", 1)) for item in value.split(",")]  # type: ignore[misc]
