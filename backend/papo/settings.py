"""Papo settings, read from the environment.

With nothing set, Papo runs on one machine: SQLite and the in-memory channel
layer. Set ``DATABASE_URL`` (PostgreSQL) and ``REDIS_URL`` and several daphne
processes serve one site together: channels-redis carries the events and the
Redis cache holds rate-limit counters, so limits hold across processes.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import dj_database_url
import environ
from corsheaders.defaults import default_headers as cors_default_headers
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
REPO_DIR = BASE_DIR.parent
VAR_DIR = Path(os.environ.get("PAPO_VAR_DIR", REPO_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return default if value in (None, "") else int(value)


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "papo-dev-only-insecure-key-do-not-use-in-production"
# Rotating the key: the new one in SECRET_KEY, the old ones here (comma separated), so
# visitor tokens and sessions signed with them still verify until they expire.
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "corsheaders",
    "channels",
    "django_tasks",
    "django_tasks_db",
    "sites",
    "agents",
    "visitors",
    "conversations",
    "realtime",
    "widget_api",
    "console",
    "worker",
    "mail",
    "attachments",
]

MIDDLEWARE = [
    # A proxy's headers (X-Forwarded-Proto...) only from PAPO_TRUSTED_PROXIES: first,
    # before anything asks request.is_secure() (papo/net.py)
    "papo.net.proxy_headers",
    # Content-Security-Policy and Permissions-Policy on every response (static ones too)
    "papo.headers.security_headers",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # the agent's choice (language cookie, set by /i18n/setlang/) else Accept-Language
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # turns django-ratelimit's refusals into RATELIMIT_VIEW's 429
    "django_ratelimit.middleware.RatelimitMiddleware",
]

ROOT_URLCONF = "papo.urls"
ASGI_APPLICATION = "papo.asgi.application"
WSGI_APPLICATION = None

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "console.access.nav",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 600), conn_health_checks=True
        )
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("PAPO_SQLITE_PATH", str(VAR_DIR / "papo.sqlite3")),
            # Keep the connection: opening one (and its PRAGMAs) on every database
            # hop cost a fifth of the server's time under load.
            "CONN_MAX_AGE": env_int("DB_CONN_MAX_AGE", 600),
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": {
                # IMMEDIATE takes the write lock when a transaction starts, so two
                # writers queue up instead of failing with "database is locked"
                # when a read transaction tries to upgrade. WAL lets readers go on.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Channel layer and cache -------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")


def deployment_tag(database: dict) -> str:
    """A name for this deployment, the same in all its processes: its database's.

    Redis pub/sub channels are server-wide, whatever the database number in
    ``REDIS_URL``: two Papos on one Redis (staging and production, say) with
    the same channel names would each deliver the other's messages to their
    own sockets (conversation 5 is in both). Every process of a deployment
    shares its database, and two deployments never do.
    """
    where = "|".join(str(database.get(k) or "") for k in ("ENGINE", "HOST", "PORT", "NAME"))
    return "papo" + hashlib.sha256(where.encode()).hexdigest()[:10]


# Set it explicitly when the processes of one deployment name their database
# differently (a host name and an address, say), or to keep the old name over an
# upgrade: processes with different prefixes do not hear each other.
PAPO_CHANNEL_PREFIX = os.environ.get("PAPO_CHANNEL_PREFIX") or deployment_tag(DATABASES["default"])
# "pubsub" relays with far lower latency than the core layer (see docs/performance.md);
# it can lose events across a Redis reconnect, which the seq-gap resume heals.
PAPO_CHANNEL_LAYER = os.environ.get("PAPO_CHANNEL_LAYER", "pubsub")
# Events a consumer's channel holds before the layer drops more (core and in-memory
# layers; pub/sub queues are unbounded). A dropped message event shows up as a seq
# gap, filled from the database (counter gap.filled).
PAPO_CHANNEL_CAPACITY = env_int("PAPO_CHANNEL_CAPACITY", 1000)
if REDIS_URL:
    if PAPO_CHANNEL_LAYER == "pubsub":
        CHANNEL_LAYERS = {
            "default": {
                "BACKEND": "bus.layers.PubSubChannelLayer",
                "CONFIG": {"hosts": [REDIS_URL], "prefix": PAPO_CHANNEL_PREFIX},
            }
        }
    else:
        CHANNEL_LAYERS = {
            "default": {
                "BACKEND": "bus.layers.CoreChannelLayer",
                "CONFIG": {"hosts": [REDIS_URL], "prefix": PAPO_CHANNEL_PREFIX,
                           "capacity": PAPO_CHANNEL_CAPACITY, "expiry": 30},
            }
        }
    CACHES = {
        "default": {
            "BACKEND": "papo.cache.RedisCache",  # Django's, reusing its redis client
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("PAPO_CACHE_PREFIX", "papo"),
            # Sync cache calls run in worker threads; wait for a connection, never fail.
            "OPTIONS": {
                "pool_class": "redis.BlockingConnectionPool",
                "max_connections": env_int("PAPO_REDIS_CACHE_POOL_SIZE", 64),
                "timeout": env_int("PAPO_REDIS_POOL_TIMEOUT", 20),
            },
        }
    }
else:
    CHANNEL_LAYERS = {
        "default": {"BACKEND": "bus.layers.InMemoryLayer",
                    "CONFIG": {"capacity": PAPO_CHANNEL_CAPACITY}}
    }
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Background tasks and email ------------------------------------------------------
# django-tasks with its database backend: enqueued in the same database (and the same
# transaction) as the change that asks for them; run by `manage.py papo_worker`, as many
# as the load needs (worker/heart.py gives back the tasks of a worker that died).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend",
                     "QUEUES": ["default", "mail"]}}

# Outbound mail: one URL (smtp://user:pass@host:25, smtp+tls://...:587, smtp+ssl://...:465,
# consolemail://, filemail:///path). Unset: no mail, and Papo promises none (the widget's
# offline copy says so), except with DEBUG (the demo): then each mail is a .eml file
# under var/mail/.
EMAIL_URL = os.environ.get("EMAIL_URL", "")
if EMAIL_URL:
    vars().update(environ.Env.email_url_config(EMAIL_URL))
elif DEBUG:
    EMAIL_BACKEND = "mail.backends.EmlFileBackend"
    EMAIL_FILE_PATH = str(VAR_DIR / "mail")
else:
    EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
PAPO_EMAIL_ENABLED = bool(EMAIL_URL) or DEBUG
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Papo <papo@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Where Papo's pages are, as a browser reaches them: the links in mails
# (unsubscribe, the console) are made from it, away from any request.
PAPO_PUBLIC_URL = os.environ.get("PAPO_PUBLIC_URL", "http://127.0.0.1:8000" if DEBUG else "")
# Replies by e-mail (mail/inbound.py): mails to visitors answer to
# reply+…@PAPO_INBOUND_DOMAIN, and the mail server posts what arrives there to
# /mail/inbound/, signed with PAPO_INBOUND_SECRET. Both unset: no Reply-To, no inbound.
PAPO_INBOUND_DOMAIN = os.environ.get("PAPO_INBOUND_DOMAIN", "")
PAPO_INBOUND_SECRET = os.environ.get("PAPO_INBOUND_SECRET", "")
# Who may create a site from the console (agents/site_actions.py): "members" (default:
# staff, and anyone who is a member of a site here) or "staff" (staff only).
PAPO_SITE_CREATORS = os.environ.get("PAPO_SITE_CREATORS", "members")
if PAPO_SITE_CREATORS not in ("members", "staff"):
    raise ImproperlyConfigured("PAPO_SITE_CREATORS must be 'members' or 'staff'.")
# An invitation's set-password link works once, for this long (Django's password
# reset tokens: agents/invites.py). Django's own default is three days.
PASSWORD_RESET_TIMEOUT = env_int("PAPO_INVITE_SECONDS", 3 * 24 * 3600)
if EMAIL_URL and not PAPO_PUBLIC_URL:
    raise ImproperlyConfigured("PAPO_PUBLIC_URL must be set when EMAIL_URL is: the links "
                               "in mails are made from it (e.g. https://papo.example.com).")

# --- Attachments: where files are kept ------------------------------------------------
# Django's storage API. By default the file system under var/attachments/; with
# PAPO_S3_BUCKET any S3-compatible store (AWS, MinIO, Ceph, Garage, R2...) through
# django-storages, credentials from boto3's own chain (AWS_ACCESS_KEY_ID and
# AWS_SECRET_ACCESS_KEY, or an instance role). Files are never served from the store:
# every download goes through Papo's signed, expiring links (attachments/links.py).
PAPO_S3_BUCKET = os.environ.get("PAPO_S3_BUCKET", "")
if PAPO_S3_BUCKET:
    _ATTACHMENT_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": PAPO_S3_BUCKET,
            "location": os.environ.get("PAPO_S3_PREFIX", "attachments"),
            "endpoint_url": os.environ.get("PAPO_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("PAPO_S3_REGION") or None,
            "addressing_style": os.environ.get("PAPO_S3_ADDRESSING_STYLE") or None,
            "default_acl": "private",
            "file_overwrite": False,
            "querystring_auth": True,
        },
    }
else:
    _ATTACHMENT_STORAGE = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(Path(os.environ.get("PAPO_ATTACHMENTS_DIR",
                                                        VAR_DIR / "attachments"))),
                    "base_url": None, "file_permissions_mode": 0o600,
                    "directory_permissions_mode": 0o700},
    }
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "attachments": _ATTACHMENT_STORAGE,
}
# A separate origin for the widget's file links (e.g. https://files.papo.example, a
# host name of its own pointing at Papo and listed in ALLOWED_HOSTS): what a file
# could do in a browser, it does there, away from Papo's pages. Unset: Papo's own.
PAPO_FILES_ORIGIN = os.environ.get("PAPO_FILES_ORIGIN", "").rstrip("/")

# --- Auth, i18n, static --------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "/console/login/"
LOGIN_REDIRECT_URL = "/console/"
LOGOUT_REDIRECT_URL = "/console/login/"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("pt-br", "Português (Brasil)"), ("es", "Español")]
TIME_ZONE = "UTC"
USE_I18N = True
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "papo_language"
LANGUAGE_COOKIE_SAMESITE = "Lax"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
# The JS builds (npm run build) land in */dist; whitenoise serves them straight
# from there, and gives the content-hashed widget UI chunk a year-long cache.
STATICFILES_DIRS = [
    d for d in (REPO_DIR / "widget" / "dist", REPO_DIR / "agent_console" / "dist") if d.is_dir()
]
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
WHITENOISE_IMMUTABLE_FILE_TEST = r"-[0-9A-Za-z]{8,}\.(js|css|map)$"

# --- Security --------------------------------------------------------------------
# Headers (docs/security.md): papo.headers adds Content-Security-Policy and
# Permissions-Policy; Django's middleware sends the rest, with these values.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
    CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", True)
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    # A year: what browsers and scanners expect of a site that is HTTPS for good.
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    # Believed only from PAPO_TRUSTED_PROXIES (papo.net.proxy_headers drops it from
    # anyone else), so behind a TLS proxy that setting must name the proxy.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    if not SECURE_HSTS_PRELOAD:
        # Preloading commits a whole registrable domain to HTTPS in every browser,
        # for months, and cannot be taken back quickly. Papo usually runs on a
        # subdomain of its operator's domain, so only the operator can make that
        # choice (SECURE_HSTS_PRELOAD=1); the deploy check's reminder is noise.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]

# Uploads from the widget carry the visitor's token and the file's name in headers.
CORS_ALLOW_HEADERS = (*cors_default_headers, "x-papo-name", "x-papo-upload-id")

# CORS: never allow-all. widget_api.cors grants it per request, only to the
# allowed origins of the site named in the URL.
CORS_ALLOW_ALL_ORIGINS = False
CORS_ALLOWED_ORIGINS: list[str] = []
CORS_URLS_REGEX = r"^/api/widget/.*$"

# django-ratelimit reads the client address through our one rule for it.
RATELIMIT_IP_META_KEY = "papo.net.ratelimit_ip"
RATELIMIT_VIEW = "widget_api.views.rate_limited"
# Addresses of reverse proxies whose X-Forwarded-For and X-Forwarded-Proto we believe
# (comma separated); from any other peer they are ignored (papo/net.py).
PAPO_TRUSTED_PROXIES = env_list("PAPO_TRUSTED_PROXIES")

# --- Papo ------------------------------------------------------------------------
_CONNECTIONS_PER_IP = env_int("PAPO_CONNECTIONS_PER_IP", 50)
PAPO = {
    # Protocol
    # Check every frame a socket sends against realtime/outbound.py (the test suites
    # turn it on; a mismatch is logged at ERROR). Off in production: it parses each frame.
    "CHECK_FRAMES": env_bool("PAPO_CHECK_FRAMES", False),
    "MAX_FRAME_BYTES": env_int("PAPO_MAX_FRAME_BYTES", 64 * 1024),
    "MAX_BODY_CHARS": env_int("PAPO_MAX_BODY_CHARS", 4000),
    "HELLO_TIMEOUT": float(os.environ.get("PAPO_HELLO_TIMEOUT", "10")),
    "HISTORY_PAGE": env_int("PAPO_HISTORY_PAGE", 50),
    "VISITOR_TOKEN_MAX_AGE": env_int("PAPO_VISITOR_TOKEN_MAX_AGE", 60 * 60 * 24 * 180),
    # Socket limits (frame limits can be overridden per site)
    "FRAME_BURST": env_int("PAPO_FRAME_BURST", 20),
    "FRAME_RATE": float(os.environ.get("PAPO_FRAME_RATE", "5")),
    "FRAME_STRIKES": env_int("PAPO_FRAME_STRIKES", 20),
    # An agent's console legitimately sends more (lists, opens, reads, typing in many chats).
    "CONSOLE_FRAME_BURST": env_int("PAPO_CONSOLE_FRAME_BURST", 200),
    "CONSOLE_FRAME_RATE": float(os.environ.get("PAPO_CONSOLE_FRAME_RATE", "30")),
    "CONNECTIONS_PER_IP": _CONNECTIONS_PER_IP,
    "HANDSHAKES_PER_IP_PER_MINUTE": env_int("PAPO_HANDSHAKES_PER_IP_PER_MINUTE", 120),
    "CONNECTION_COUNT_TTL": env_int("PAPO_CONNECTION_COUNT_TTL", 600),
    # Connections a process sets up at once; the rest wait in the listen queue
    # (papo/accept_gate.py). One that takes longer than the second figure stops counting.
    "HANDSHAKES_IN_PROGRESS": env_int("PAPO_HANDSHAKES_IN_PROGRESS", 500),
    "HANDSHAKE_SLOW_SECONDS": float(os.environ.get("PAPO_HANDSHAKE_SLOW_SECONDS", "2")),
    # ...and at most this many of them from one TCP peer (not PAPO_TRUSTED_PROXIES),
    # however slow; more are closed when accepted. By default the open-socket limit:
    # an address cannot use more (papo/accept_gate.py says why).
    "HANDSHAKES_IN_PROGRESS_PER_IP": env_int("PAPO_HANDSHAKES_IN_PROGRESS_PER_IP",
                                             _CONNECTIONS_PER_IP),
    # Frames of one visitor across all their tabs and processes (realtime/visitor_bucket.py):
    # one token bucket as large as this many sockets' buckets (burst and rate times it),
    # so any t seconds hold at most what they could send in them: 2 x (20 + 5t).
    "VISITOR_FRAME_SOCKETS": float(os.environ.get("PAPO_VISITOR_FRAME_SOCKETS", "2")),
    # A console re-checks its session and memberships at most this often while
    # frames flow, and on every heartbeat (agents/sessions.py); logout,
    # deactivation and membership removal close it at once through signals.
    "SESSION_CHECK_SECONDS": float(os.environ.get("PAPO_SESSION_CHECK_SECONDS", "10")),
    # HTTP limits (django-ratelimit syntax)
    "HTTP_RATE": os.environ.get("PAPO_HTTP_RATE", "60/m"),
    # password attempts on the console and admin login forms, per address and per username
    "LOGIN_RATE": os.environ.get("PAPO_LOGIN_RATE", "10/m"),
    # Presence and routing
    "HEARTBEAT_SECONDS": float(os.environ.get("PAPO_HEARTBEAT_SECONDS", "15")),
    "PRESENCE_TTL": float(os.environ.get("PAPO_PRESENCE_TTL", "45")),
    "AGENT_GRACE_SECONDS": float(os.environ.get("PAPO_AGENT_GRACE_SECONDS", "120")),
    "SWEEP_SECONDS": float(os.environ.get("PAPO_SWEEP_SECONDS", "10")),
    # How long a process trusts its copy of a site (sites/lookup.py)
    "SITE_CACHE_SECONDS": float(os.environ.get("PAPO_SITE_CACHE_SECONDS", "5")),
    # Threads that run database work for the sockets (bus/db.py). SQLite has one
    # writer at a time, and a writer that finds the lock taken sleeps in SQLite's busy
    # handler (up to 100 ms a nap): one thread queues them without the naps.
    "DB_THREADS": env_int("PAPO_DB_THREADS", 4 if DATABASE_URL else 1),
    # On SQLite, a batch of sends into open chats is stored on the event loop itself,
    # without a hop to that thread (bus/db.py: here).
    # (Its commits leave the write-ahead log to a checkpoint in a hop every so many.)
    "DB_ON_LOOP": os.environ.get("PAPO_DB_ON_LOOP", "1") == "1",
    "DB_CHECKPOINT_EVERY": env_int("PAPO_DB_CHECKPOINT_EVERY", 500),
    # Sends stored together (realtime/sending.py): batches being stored at once per
    # process, and the most sends in one batch.
    "SEND_BATCHES": env_int("PAPO_SEND_BATCHES", 2),
    "SEND_BATCH_MAX": env_int("PAPO_SEND_BATCH_MAX", 200),
    # Background workers (worker/heart.py): a task running on a worker silent this long
    # is given back to the queue.
    "WORKER_STALE_SECONDS": float(os.environ.get("PAPO_WORKER_STALE_SECONDS", "30")),
    # Mail (mail/): a chat nobody answered is mailed to the site after this long (after
    # a minute when no agent was there); a continue link works this many days; and the
    # caps on what one address, and one site, is mailed in a day.
    "UNANSWERED_MINUTES": float(os.environ.get("PAPO_UNANSWERED_MINUTES", "5")),
    "CONTINUE_LINK_DAYS": env_int("PAPO_CONTINUE_LINK_DAYS", 7),
    "MAIL_PER_ADDRESS_PER_DAY": env_int("PAPO_MAIL_PER_ADDRESS_PER_DAY", 10),
    "MAIL_PER_SITE_PER_DAY": env_int("PAPO_MAIL_PER_SITE_PER_DAY", 500),
    # Attachments (attachments/): the most any upload may be (sites choose less, 10 MiB by
    # default); the most any other request body may be (both refused at the socket:
    # papo/body_cap.py); images over this many pixels are refused before they are decoded;
    # what one visitor may upload in an hour; how many files a process works on at once
    # (decoding an image holds its pixels); how long an upload may wait to be sent; how
    # long a file link works; at most this many files in one message.
    "UPLOAD_MAX_BYTES": env_int("PAPO_UPLOAD_MAX_BYTES", 25 * 1024 * 1024),
    "MAX_REQUEST_BYTES": env_int("PAPO_MAX_REQUEST_BYTES", 4 * 1024 * 1024),
    "IMAGE_MAX_PIXELS": env_int("PAPO_IMAGE_MAX_PIXELS", 25_000_000),
    "UPLOADS_PER_VISITOR_PER_HOUR": env_int("PAPO_UPLOADS_PER_VISITOR_PER_HOUR", 30),
    "UPLOAD_BYTES_PER_VISITOR_PER_HOUR": env_int("PAPO_UPLOAD_BYTES_PER_VISITOR_PER_HOUR",
                                                 100 * 1024 * 1024),
    "UPLOADS_AT_ONCE": env_int("PAPO_UPLOADS_AT_ONCE", 2),
    "UPLOAD_ORPHAN_SECONDS": float(os.environ.get("PAPO_UPLOAD_ORPHAN_SECONDS", 3 * 3600)),
    "FILE_LINK_SECONDS": env_int("PAPO_FILE_LINK_SECONDS", 3600),
    "ATTACHMENTS_PER_MESSAGE": env_int("PAPO_ATTACHMENTS_PER_MESSAGE", 10),
    # Malware scanning (attachments/scan.py): a clamd to scan every file with before it
    # can be sent (tcp://host:port or unix:///path); when it cannot be reached, uploads
    # are refused (closed) unless PAPO_CLAMD_FAIL_OPEN=1.
    "CLAMD_URL": os.environ.get("CLAMD_URL", ""),
    "CLAMD_FAIL_OPEN": env_bool("PAPO_CLAMD_FAIL_OPEN", False),
    "CLAMD_TIMEOUT": float(os.environ.get("PAPO_CLAMD_TIMEOUT", "30")),
    # Periodic tasks (worker/schedule.py): task path -> period in seconds.
    "PERIODIC_TASKS": {
        "mail.tasks.sweep": float(os.environ.get("PAPO_MAIL_SWEEP_SECONDS", "30")),
        "attachments.tasks.sweep_orphans": float(
            os.environ.get("PAPO_UPLOAD_SWEEP_SECONDS", "600")),
    },
    # Redis (channel layer pool; see bus/layers.py)
    "REDIS_POOL_SIZE": env_int("PAPO_REDIS_POOL_SIZE", 512),
    "REDIS_POOL_TIMEOUT": env_int("PAPO_REDIS_POOL_TIMEOUT", 20),
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"cleanup_after_failure": {"()": "papo.log_filters.CleanupAfterFailure"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "loggers": {
        # a second error while a failed batch unwinds: the first is reported (bus.outage)
        "psycopg": {"filters": ["cleanup_after_failure"]},
        "papo": {
            "handlers": ["console"],
            "level": os.environ.get("PAPO_LOG_LEVEL", "INFO"),
            "propagate": False,
        },
        "django": {"handlers": ["console"], "level": "WARNING"},
    },
}
