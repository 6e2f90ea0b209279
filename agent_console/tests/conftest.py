"""Fixtures for the console's real-browser tests.

The live backend comes from backend/conftest.py (``start_live``/``stop_live``),
loaded by path because pytest only hands a conftest's fixtures to tests below
it. The console is built first: daphne picks its static directories when it
starts, so the bundle must exist by then.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from papo.testing.browser import browser  # noqa: F401 (the fixture)
from papo.testing.live import start_live, stop_live

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def console_dist() -> Path:
    if not shutil.which("node"):
        pytest.fail("node is needed to build the console")
    subprocess.run(["node", "agent_console/build.mjs"], cwd=REPO, check=True,
                   capture_output=True)
    return REPO / "agent_console" / "dist" / "console"


@pytest.fixture(scope="module")
def live_papo(console_dist):
    """A real daphne on the embedded stack (the backend suites cover the scaled one)."""
    live = start_live("embedded")
    yield live
    stop_live(live)


