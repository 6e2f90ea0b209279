"""A refusal as the console's pages say it: in the reader's language for the
refusals a person meets on them, the action's own words otherwise."""

from __future__ import annotations

from django.utils.translation import gettext as _

from papo.errors import PapoError


def say(exc: PapoError) -> str:
    words = {
        "last_owner": _("A site keeps at least one owner: make someone else owner first."),
        "forbidden": _("Your role on this site does not allow that."),
        "not_found": _("That is not there any more; reload the page."),
    }
    return words.get(exc.code, exc.message)
