"""The Brazilian Portuguese catalogue ships compiled; make sure the .mo matches the .po."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

LOCALE = Path(__file__).resolve().parents[2] / "locale" / "pt_BR" / "LC_MESSAGES"


def test_compiled_catalogue_is_up_to_date(tmp_path):
    if not shutil.which("msgfmt"):
        pytest.skip("gettext's msgfmt is not installed (apt-get install gettext)")
    fresh = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "--check", "-o", str(fresh), str(LOCALE / "django.po")],
                   check=True, capture_output=True)
    assert fresh.read_bytes() == (LOCALE / "django.mo").read_bytes(), (
        "backend/locale/pt_BR/LC_MESSAGES/django.mo is stale: run "
        "`msgfmt -o django.mo django.po` (or manage.py compilemessages) there")


def test_every_message_is_translated():
    po = (LOCALE / "django.po").read_text(encoding="utf-8")
    entries = [e for e in po.split("\n\n") if "msgid" in e and 'msgid ""\nmsgstr ""\n"' not in e]
    untranslated = [e for e in entries if e.rstrip().endswith('msgstr ""')]
    assert not untranslated, untranslated[:3]
