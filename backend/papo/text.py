"""Rules for user text that every app shares."""

from __future__ import annotations

import re

# Invisible bidi controls: embeddings and overrides (U+202A-202E), isolates
# (U+2066-2069) and marks (LRM U+200E, RLM U+200F, ALM U+061C).
_BIDI_CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def without_bidi_controls(text: str) -> str:
    """``text`` with its invisible bidi controls taken out.

    For short identity strings (a visitor's name or e-mail, a page title, an
    agent's name): there they only ever make one text pose as another
    ("\\u202eexe.live" shows as "evil.exe"), and real right-to-left names need
    none of them. Message bodies keep theirs (the clients isolate each body);
    docs/security.md, promise 6.
    """
    return _BIDI_CONTROLS.sub("", text)
