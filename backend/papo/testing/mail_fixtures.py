"""The two fixtures every live mail test needs, made once for a test module:

    MAILBOX = Mailbox()
    LIVE_ENV = mail_env(MAILBOX)
    mailbox, worker = mail_fixtures(MAILBOX, LIVE_ENV)

``mailbox`` is the module's SMTP server, started once; ``worker`` a real
``papo_worker`` process on the module's live server (``live_papo``) with that
environment, so the mails it sends arrive in the mailbox.
"""

from __future__ import annotations

import pytest

from .smtp import Mailbox
from .worker import Worker


def mail_fixtures(box: Mailbox, env: dict[str, str]):
    @pytest.fixture(scope="module", name="mailbox")
    def mailbox():
        box.start()
        yield box
        box.stop()

    @pytest.fixture(scope="module", name="worker")
    def worker(live_papo, mailbox):
        w = Worker(live_papo.stack, env).start()
        yield w
        w.stop()

    return mailbox, worker
