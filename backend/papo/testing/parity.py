"""Run the append parity property (conversations/tests/test_append_parity.py) on
the database ``DATABASE_URL`` names, as the default connection.

The actions under test use Django's default connection, so the PostgreSQL run
is a process of its own, started by the test with the scaled stack's
environment: ``python -m papo.testing.parity``. It migrates the (fresh)
database, plays the scenarios, and exits non-zero with hypothesis's falsifying
example on a difference.
"""

from __future__ import annotations

import os


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "papo.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from conversations.tests.test_append_parity import check_parity

    seen = check_parity()
    print(f"parity held on {connection.vendor}: {dict(sorted(seen.items()))}")


if __name__ == "__main__":
    main()
