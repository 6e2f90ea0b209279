"""A search hit's snippet: a short piece of the text around the match, as parts.

The server never sends markup: a snippet is a list of ``{"text", "match"}`` parts
that a client renders as text nodes, wrapping the ``match`` ones in ``<mark>``
(no ``innerHTML``, and no character offsets that JavaScript's UTF-16 strings
and Python's code points would count differently).

Matching here follows the database's rules closely enough to mark what it found:
words folded (accents off, case off), every term of two letters or more a prefix
of a word, a one-letter term a whole word. When the database matched on a form
these rules do not see (PostgreSQL's parser keeps ``example.com`` as one word),
the snippet is the text's start, unmarked.
"""

from __future__ import annotations

import re
import unicodedata

WORD = re.compile(r"\w+")
_SPACE = re.compile(r"\s+")
BEFORE, AFTER = 60, 140  # characters around the first match
MAX_TERMS = 10


def fold(text: str) -> str:
    """Accents and case off: "Ação" and "ACAO" are both "acao"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def terms(q: str) -> list[str]:
    """The folded words of a query, first ones first, at most :data:`MAX_TERMS`."""
    seen: list[str] = []
    for word in WORD.findall(fold(q)):
        if word not in seen:
            seen.append(word)
    return seen[:MAX_TERMS]


def _hits(word: str, wanted: list[str]) -> bool:
    folded = fold(word)
    return any(folded.startswith(t) if len(t) > 1 else folded == t for t in wanted)


def parts(text: str, wanted: list[str]) -> list[dict]:
    """The snippet of ``text`` for the query terms ``wanted``."""
    spans = [m.span() for m in WORD.finditer(text) if _hits(m.group(), wanted)]
    start = 0
    if spans:
        start = max(0, spans[0][0] - BEFORE)
        if start:  # begin at a word
            space = text.find(" ", start, spans[0][0])
            start = space + 1 if space != -1 else start
    end = min(len(text), start + BEFORE + AFTER)
    if end < len(text):
        space = text.rfind(" ", max(start, end - 30), end)
        end = space if space > start else end
    out: list[dict] = []

    def add(piece: str, match: bool) -> None:
        piece = _SPACE.sub(" ", piece)
        if not piece:
            return
        if out and out[-1]["match"] == match:
            out[-1]["text"] += piece
        else:
            out.append({"text": piece, "match": match})

    if start:
        add("… ", False)
    at = start
    for s, e in spans:
        if s < start or e > end:
            continue
        add(text[at:s], False)
        add(text[s:e], True)
        at = e
    add(text[at:end], False)
    if end < len(text):
        add(" …", False)
    if out and not out[0]["match"]:
        out[0]["text"] = out[0]["text"].lstrip() or out[0]["text"]
    return out
