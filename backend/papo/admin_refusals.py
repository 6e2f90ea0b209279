"""Admin screens whose writes go through Papo actions: a refusal is shown, not a 500.

An action refuses with ``PapoError`` and changes nothing. Raised from a
``ModelAdmin``'s ``save_model``, ``save_formset`` or ``delete_model`` it leaves
the admin's own transaction (``changeform_view`` and ``delete_view`` run in
one), which rolls back everything the page saved, events included: they were
to be published on commit. The admin then sees the reason on the page the
request came from.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponseRedirect

from .errors import PapoError


class ShowsRefusals:
    """A ``ModelAdmin`` mixin (put it first)."""

    def refused(self, request, exc: PapoError) -> HttpResponseRedirect:
        self.message_user(request, exc.message, messages.ERROR)  # type: ignore[attr-defined]
        return HttpResponseRedirect(request.get_full_path())

    def changeform_view(self, request, *args, **kwargs):
        try:
            return super().changeform_view(request, *args, **kwargs)  # type: ignore[misc]
        except PapoError as exc:
            return self.refused(request, exc)

    def delete_view(self, request, *args, **kwargs):
        try:
            return super().delete_view(request, *args, **kwargs)  # type: ignore[misc]
        except PapoError as exc:
            return self.refused(request, exc)

    def changelist_view(self, request, *args, **kwargs):
        try:
            return super().changelist_view(request, *args, **kwargs)  # type: ignore[misc]
        except PapoError as exc:
            return self.refused(request, exc)
