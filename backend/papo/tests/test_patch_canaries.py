"""One canary per patch of a library's private code (``papo.patches``).

Each fails, naming the patch and what changed under it, when a fingerprint of
the private code it touches differs from the one taken with the pinned
versions. The originals are fingerprinted in a fresh interpreter that imports
the libraries alone: in this process ``bus.layers`` has already replaced
``channels_redis.pubsub.create_pool``, and any server-side patch applied here
would be fingerprinted instead of the code it replaced.
"""

from __future__ import annotations

import importlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from papo.patches import PATCHES, TAKEN_WITH, Patch, code_tokens, distribution

BACKEND = Path(__file__).resolve().parents[2]
LOCK = BACKEND.parent / "requirements" / "lock.txt"


def _fresh(code: str) -> subprocess.CompletedProcess:
    """Run ``code`` in a new interpreter from backend/, without Django's settings."""
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    return subprocess.run([sys.executable, "-c", code], cwd=BACKEND, env=env,
                          capture_output=True, text=True, timeout=60)


@pytest.fixture(scope="module")
def now() -> dict:
    """The fingerprints and versions of the libraries as installed, before any patch."""
    done = _fresh("import json; from papo.patches import current; print(json.dumps(current()))")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.mark.parametrize("patch", PATCHES, ids=[p.name for p in PATCHES])
def test_canary(patch: Patch, now: dict):
    changed = []
    for target, pinned in patch.targets.items():
        found = now["fingerprints"][target]
        if found == pinned:
            continue
        dist = distribution(target)
        was, is_ = TAKEN_WITH.get(dist, "?"), now["versions"][dist]
        versions = f"{dist} {was} -> {is_}" if was != is_ else f"{dist} {is_}, same version"
        if TAKEN_WITH["python"] != now["versions"]["python"]:
            versions += f"; Python {TAKEN_WITH['python']} -> {now['versions']['python']}"
        name = target.replace(":", ".")
        if found.startswith("missing"):
            changed.append(f"patch {patch.name}: {name} is gone ({versions}): {found}; "
                           "re-check the patch, then list what it relies on now")
        else:
            changed.append(f"patch {patch.name}: {name} changed ({versions}); re-check the "
                           f"patch, then update its fingerprint to {found!r} "
                           "(python -m papo.patches, from backend/, prints them all)")
    if changed:
        pytest.fail("\n".join(changed), pytrace=False)


def test_each_patch_is_named_for_the_papo_code_that_makes_it():
    """The registry follows Papo's code: a patch renamed or removed shows here."""
    for patch in PATCHES:
        parts = patch.name.split(".")
        for i in range(len(parts), 0, -1):  # the longest prefix that is a module
            try:
                obj = importlib.import_module(".".join(parts[:i]))
            except ModuleNotFoundError:
                continue
            for attr in parts[i:]:
                obj = getattr(obj, attr)
            break
        assert callable(obj), patch.name


def test_fingerprints_were_taken_with_the_locked_versions():
    """A library upgraded in the lock: its patches are re-checked (the canaries pass or
    say what changed), and TAKEN_WITH says with which version."""
    pins = dict(re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)", LOCK.read_text(), re.M))
    pins = {name.lower().replace("-", "_"): version for name, version in pins.items()}
    stale = {dist: (version, pins.get(dist.lower().replace("-", "_")))
             for dist, version in TAKEN_WITH.items() if dist != "python"}
    stale = {dist: pair for dist, pair in stale.items() if pair[0] != pair[1]}
    assert not stale, ("fingerprints taken with other versions than the lock pins "
                       f"(TAKEN_WITH, lock): {stale}; run these canaries, update TAKEN_WITH")


def test_a_fingerprint_sees_the_code_not_its_comments_or_layout():
    code = "def f(a, b):\n    return a + b\n"
    relaid = "def f(a,\n      b):  # why\n\n    return a  +  b\n"
    assert code_tokens(relaid) == code_tokens(code)
    assert code_tokens(code.replace("+", "-")) != code_tokens(code)
    assert code_tokens("if x:\n    y()\nz()\n") != code_tokens("if x:\n    y()\n    z()\n")


def test_an_interpreter_with_a_patch_applied_is_refused():
    """Fingerprints are never taken once Papo's code may have patched something."""
    done = _fresh("import bus.layers\nfrom papo.patches import current\ncurrent()")
    assert done.returncode != 0
    assert "Papo's modules are imported already" in done.stderr
