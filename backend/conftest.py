"""Shared fixtures: real daphne servers on both stacks, and protocol clients.

``live_papo`` is a real daphne over real TCP, once on the embedded stack
(SQLite + in-memory layer) and once on the scaled one (PostgreSQL + Redis).
The scaled run is skipped with a reason when those servers are absent, unless
``PAPO_REQUIRE_SERVICES=1`` (as in CI), which turns the skip into a failure.
"""

from __future__ import annotations

import pytest

from papo.testing.live import start_live, stop_live


@pytest.fixture(autouse=True)
def no_answers_remembered_from_another_test():
    """Per-process memos keyed by database ids: a rolled-back test's site id comes
    round again in the next test, with another site's answer (agents online)."""
    from agents import availability
    from conversations import queue
    from sites import seen

    memos = (availability._for_widgets, queue._typical, queue._asks, seen._recent)
    for memo in memos:
        memo.clear()
    yield
    for memo in memos:
        memo.clear()


@pytest.fixture(autouse=True)
def frames_match_the_outbound_schema():
    """Every frame every live server sent during the test fits realtime/outbound.py."""
    yield
    from papo.testing.server import STARTED

    wrong = [line for server in STARTED for line in server.new_mismatches()]
    assert not wrong, "frames that do not match realtime/outbound.py:\n" + "\n".join(wrong[:20])


@pytest.fixture(scope="module", params=["embedded", "scaled"])
def live_papo(request):
    """A real daphne on each stack, shared by the tests of one module."""
    env = getattr(request.module, "LIVE_ENV", None)
    live = start_live(request.param, env=env)
    yield live
    stop_live(live)


@pytest.fixture
def one_rate_window(monkeypatch):
    """Keep django-ratelimit in one window for the test.

    Its windows are fixed (each key's minute starts at a second of its own), so
    six requests that straddle that second are counted in two windows and the
    sixth is not refused: about one run in thirty, as CI found.
    """
    import time

    from django_ratelimit import core

    end = int(time.time()) + 3600
    monkeypatch.setattr(core, "_get_window", lambda value, period: end)


# --- in-process factories (pytest-django) ---------------------------------------------------
@pytest.fixture
def make_site(db):
    from sites.models import Site

    def make(name: str = "Shop", origins: str = "https://shop.example", **fields) -> Site:
        return Site.objects.create(name=name, allowed_origins=origins, **fields)

    return make


@pytest.fixture
def make_agent(db):
    """An agent on ``site``; ``online=True`` opens a (fake-channel) console connection."""
    from django.contrib.auth import get_user_model

    from agents import presence
    from agents.models import Membership

    counter = iter(range(1, 10_000))

    def make(site, name: str | None = None, *, online: bool = True, max_concurrent: int = 5,
             role: str = "agent"):
        n = next(counter)
        user = get_user_model().objects.create_user(
            username=f"{name or 'agent'}{n}", first_name=name or f"Agent {n}", password="x")
        Membership.objects.create(user=user, site=site, role=role,
                                  max_concurrent=max_concurrent)
        if online:
            presence.do_agent_connect(user, f"test.channel.{user.pk}")
        return user

    return make


@pytest.fixture
def make_visitor(db):
    from visitors.models import Visitor

    def make(site, **fields) -> Visitor:
        return Visitor.objects.create(site=site, **fields)

    return make
