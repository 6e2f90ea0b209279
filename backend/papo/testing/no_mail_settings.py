"""A live test server that cannot send mail: Papo's settings with ``PAPO_EMAIL_ENABLED`` off
(as a deployment without ``EMAIL_URL`` runs), for what the widget promises then."""

from papo.settings import *  # noqa: F403

PAPO_EMAIL_ENABLED = False
EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
