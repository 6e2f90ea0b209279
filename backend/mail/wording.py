"""System events in words, in the active language (the clients word them from the
same data in their own code; a mail is worded here)."""

from __future__ import annotations

from django.utils.translation import gettext as _


def visitor() -> str:
    return _("Visitor")


def event(name: str, data: dict) -> str:
    d = {k: str(v) for k, v in (data or {}).items()}
    if name == "assigned":
        return _("%(agent)s joined the conversation") % {"agent": d.get("agent", "?")}
    if name == "transferred":
        return _("%(from)s passed the conversation to %(to)s") % {
            "from": d.get("from", "?"), "to": d.get("to", "?")}
    if name == "resolved":
        return _("%(by)s marked the conversation as resolved") % {"by": d.get("by", "?")}
    if name == "reopened":
        return _("%(agent)s reopened the conversation") % {"agent": d.get("agent", "?")}
    if name == "requeued":
        return _("The conversation went back to the queue")
    if name == "ended":
        return _("The conversation was ended")
    return name
