"""Form fields for site settings that the admin and the console's settings page share."""

from __future__ import annotations

from django import forms

from .models import FILE_TYPES, split_file_types


class FileTypesField(forms.MultipleChoiceField):
    """``Site.file_types`` (a comma-separated string) as a row of check boxes."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs) -> None:
        kwargs.pop("max_length", None)
        kwargs.pop("empty_value", None)
        super().__init__(choices=FILE_TYPES, required=False, **kwargs)

    def prepare_value(self, value):
        return split_file_types(value) if isinstance(value, str) else value

    def clean(self, value) -> str:  # type: ignore[override]
        return ",".join(super().clean(value))

