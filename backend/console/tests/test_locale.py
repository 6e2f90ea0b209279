"""The Brazilian Portuguese and Spanish catalogues ship compiled: every message is
translated (none empty, none left fuzzy by makemessages) and each .mo matches its .po."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

LOCALES = Path(__file__).resolve().parents[2] / "locale"
LANGUAGES = ["pt_BR", "es"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalogue_is_up_to_date(tmp_path, language):
    if not shutil.which("msgfmt"):
        pytest.skip("gettext's msgfmt is not installed (apt-get install gettext)")
    folder = LOCALES / language / "LC_MESSAGES"
    fresh = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "--check", "-o", str(fresh), str(folder / "django.po")],
                   check=True, capture_output=True)
    assert fresh.read_bytes() == (folder / "django.mo").read_bytes(), (
        f"backend/locale/{language}/LC_MESSAGES/django.mo is stale: run "
        "`msgfmt -o django.mo django.po` (or manage.py compilemessages) there")


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated(language):
    po = (LOCALES / language / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    entries = [e for e in po.split("\n\n") if "msgid" in e and 'msgid ""\nmsgstr ""\n"' not in e]
    untranslated = [e for e in entries
                    if e.rstrip().endswith('msgstr ""') or 'msgstr[1] ""' in e]
    assert not untranslated, untranslated[:3]
    # makemessages marks a guess from a similar message "fuzzy"; gettext ignores it.
    fuzzy = [e for e in entries if "#, fuzzy" in e]
    assert not fuzzy, fuzzy[:3]
