"""Fixtures for the console's real-browser tests.

The live backend comes from backend/conftest.py (``start_live``/``stop_live``),
loaded by path because pytest only hands a conftest's fixtures to tests below
it. The console is built first: daphne picks its static directories when it
starts, so the bundle must exist by then.
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _backend():
    name = "papo_backend_conftest"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, REPO / "backend" / "conftest.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


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
    backend = _backend()
    live = backend.start_live("embedded")
    yield live
    backend.stop_live(live)


@pytest.fixture
async def browser():
    from playwright.async_api import async_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing (apt-get install chromium); never download a browser")
    async with async_playwright() as p:
        b = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        await b.close()
