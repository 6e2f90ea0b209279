"""Settings for the in-process test run: the dev defaults, never a real secret."""

import os

os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("PAPO_CHECK_FRAMES", "1")
os.environ.setdefault("PAPO_VAR_DIR", os.path.join(os.environ.get("TMPDIR", "/tmp"), "papo-test"))

from .settings import *  # noqa: F403
