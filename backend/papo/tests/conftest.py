"""The browser suite here uses the shared Chromium fixture."""

from papo.testing.browser import browser  # noqa: F401 (the fixture)
