"""Settings read from the environment: the deployment's channel prefix and key rotation.

Each case imports ``papo.settings`` in a fresh interpreter with its own
environment, as a server process would.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import override_settings

from visitors.tokens import TokenError, make_token, read_token

BACKEND = Path(__file__).resolve().parents[2]
SHOW = ("import json; from django.conf import settings as s; print(json.dumps("
        "{'layer': s.CHANNEL_LAYERS['default']['CONFIG'], 'fallbacks': s.SECRET_KEY_FALLBACKS}))")


def settings_with(**env: str) -> dict:
    base = {k: v for k, v in os.environ.items()
            if not k.startswith(("PAPO_", "DJANGO_")) and k not in (
                "DATABASE_URL", "REDIS_URL", "SECRET_KEY", "SECRET_KEY_FALLBACKS")}
    base.update({"DJANGO_SETTINGS_MODULE": "papo.settings", "DEBUG": "1",
                 "REDIS_URL": "redis://127.0.0.1:6379/0", **env})
    out = subprocess.run([sys.executable, "-c", SHOW], cwd=BACKEND, env=base,
                         capture_output=True, text=True, timeout=60, check=True)
    return json.loads(out.stdout)


def prefix(**env: str) -> str:
    return settings_with(**env)["layer"]["prefix"]


def test_each_deployment_has_its_own_channel_names_on_a_shared_redis():
    """Pub/sub channel names are server-wide in Redis, whatever the database number:
    two Papos on one Redis must not share them, or each delivers the other's events."""
    production = prefix(DATABASE_URL="postgres://papo@db.internal:5432/papo",
                        REDIS_URL="redis://127.0.0.1:6379/0")
    staging = prefix(DATABASE_URL="postgres://papo@db.internal:5432/papo_staging",
                     REDIS_URL="redis://127.0.0.1:6379/1")
    assert production != staging
    assert production.startswith("papo") and "papo_staging" not in staging  # names nothing
    # every process of one deployment agrees, whatever its user or password
    assert prefix(DATABASE_URL="postgres://other:secret@db.internal:5432/papo") == production
    # the core layer is named the same way
    core = settings_with(DATABASE_URL="postgres://papo@db.internal:5432/papo",
                         PAPO_CHANNEL_LAYER="core")["layer"]
    assert core["prefix"] == production and core["capacity"] == 1000


def test_the_channel_prefix_can_be_set():
    assert prefix(PAPO_CHANNEL_PREFIX="asgi") == "asgi"


def test_rotated_secret_keys_are_read_from_the_environment():
    assert settings_with(SECRET_KEY_FALLBACKS="old-one, older")["fallbacks"] == [
        "old-one", "older"]
    assert settings_with()["fallbacks"] == []


def test_a_visitor_token_outlives_a_key_rotation_through_the_fallbacks():
    with override_settings(SECRET_KEY="the-old-key-" + "x" * 40):
        token = make_token(7, "v_public")
    with override_settings(SECRET_KEY="the-new-key-" + "y" * 40,
                           SECRET_KEY_FALLBACKS=["the-old-key-" + "x" * 40]):
        assert read_token(token, 7) == "v_public"
    with override_settings(SECRET_KEY="the-new-key-" + "y" * 40, SECRET_KEY_FALLBACKS=[]):
        with pytest.raises(TokenError) as refused:
            read_token(token, 7)
        assert refused.value.code == "token_invalid"
