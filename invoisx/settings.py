"""Django settings, read from the environment (and an optional `.env`) through django-environ.

With nothing configured the app runs on the embedded default: SQLite under `var/`, media under
`media/`, Celery tasks executed eagerly in-process and a local-memory cache. `DATABASE_URL` switches
to PostgreSQL and `REDIS_URL` to Redis for the Celery broker, results, cache and rate-limit counters.
"""

import secrets
from pathlib import Path

import environ
from kombu import Queue

from invoisx.storage import default_storage_setting

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"
VAR_DIR.mkdir(exist_ok=True)

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)


def _embedded_secret_key() -> str:
    """A secret generated once per installation, so a fresh clone needs no configuration."""
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="") or _embedded_secret_key()
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_ratelimit",
    "invoisx",
    "companies",
    "signing",
    "tokens",
    "events",
    "buyers",
    "invoices",
    "bank",
    "webhooks",
    "usage",
    "integrations",
    "collecting",
    "idempotency",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "accounts",
]

MIDDLEWARE = [
    "invoisx.api.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "invoisx.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "invoisx.api.middleware.ApiRateLimitMiddleware",
    "usage.middleware.ApiUsageMiddleware",  # after the rate limiter: refused requests are not counted
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "invoisx.locale.ViewerLocaleMiddleware",  # how amounts are written: the browser's locale
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "invoisx.urls"
WSGI_APPLICATION = "invoisx.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "companies.context_processors.current_company",
                "invoisx.csp.csp_nonce",
            ],
        },
    },
]

# SQLite, however it is named: writers wait up to 20 s for the lock instead of failing at once, and
# take it when their transaction begins. A deferred transaction that reads and then writes deadlocks
# with a concurrent writer, and SQLite answers it "database is locked" without waiting.
SQLITE_OPTIONS = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
if env.str("DATABASE_URL", default=""):
    DATABASES = {"default": env.db("DATABASE_URL")}
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DB_CONN_MAX_AGE", default=60))
    if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        DATABASES["default"]["OPTIONS"] = {**SQLITE_OPTIONS, **DATABASES["default"].get("OPTIONS", {})}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "db.sqlite3",
            "OPTIONS": SQLITE_OPTIONS,
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "invoisx"}}

# Celery: a real broker when Redis is configured, otherwise tasks run eagerly in the calling process.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
# A message a worker took but never acknowledged (the worker died) is delivered again after this
# long. It must exceed the longest task's hard time limit.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=900)}
# Nothing reads task results (the rows are the truth), and not asking for one keeps queueing from
# waiting on the result store when Redis is away.
CELERY_TASK_IGNORE_RESULT = True
# Two queues, so that OCR (heavy: its models take hundreds of megabytes and a page takes every core)
# never holds up webhooks, collections, statements and text PDFs. `default` takes everything but the
# extractions that need OCR (images, scanned PDFs: invoices.intake routes them) and the learning of
# supplier layouts, which may read a scan again. A worker started without -Q consumes both; in
# production run `celery -A invoisx worker -Q ocr -c 1` and `celery -A invoisx worker -Q default -c N`.
QUEUE_DEFAULT = "default"
QUEUE_OCR = "ocr"
CELERY_TASK_DEFAULT_QUEUE = QUEUE_DEFAULT
CELERY_TASK_QUEUES = (Queue(QUEUE_DEFAULT), Queue(QUEUE_OCR))
CELERY_TASK_ROUTES = {"invoices.tasks.learn_supplier_layout": {"queue": QUEUE_OCR}}
# Queueing a task (invoisx.enqueue) is tried this many times, with backoff from this many seconds, before
# it is left to the sweep of its kind of work.
ENQUEUE_ATTEMPTS = env.int("ENQUEUE_ATTEMPTS", default=3)
ENQUEUE_BACKOFF_SECONDS = env.float("ENQUEUE_BACKOFF_SECONDS", default=0.2)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard:home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "static")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns at start-up without it
STATICFILES_DIRS = [BASE_DIR / "static"]
# Serve static files straight from the app directories, so no collectstatic step is needed to run.
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))
MEDIA_URL = "media/"

# --- File storage (invoisx/storage.py) -----------------------------------------------------------
# Documents, statements, issued PDFs, logos and page images go through STORAGES["default"]: the local
# disk under MEDIA_ROOT by default, an S3-compatible bucket through django-storages when STORAGE_URL
# (s3://BUCKET?endpoint_url=...&region=...) or AWS_STORAGE_BUCKET_NAME (with the other AWS_* settings
# django-storages documents) is set. Required for more than one machine: every process sees one bucket.
STORAGES = {
    "default": default_storage_setting(environ=env.ENVIRON),
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# --- end of file storage -------------------------------------------------------------------------

# Security. SECURE_SSL=true is the one switch for a deployment served over HTTPS through a reverse
# proxy that terminates TLS: http is redirected to https, browsers are told to use https only
# (HSTS), and cookies travel only over https. The proxy must set X-Forwarded-Proto ("https" or
# "http") on every request it forwards and drop any value the client sent: Django believes it.
SECURE_SSL = env.bool("SECURE_SSL", default=False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if SECURE_SSL else None
SECURE_SSL_REDIRECT = SECURE_SSL
# The health check answers on plain http too, for a load balancer probing the process directly.
SECURE_REDIRECT_EXEMPT = [r"^api/v1/ping$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000 if SECURE_SSL else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=SECURE_SSL)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=SECURE_SSL)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=SECURE_SSL)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=SECURE_SSL)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy on every HTML page: invoisx/csp.py (middleware above, nonce in templates).
# Rate limits of the dashboard's login and password reset count the client's address, not the proxy's.
RATELIMIT_IP_META_KEY = "invoisx.security.ratelimit_client_ip"
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=3600)  # seconds a reset link works
# Team invitations (companies/team.py): a link works once, for this many hours. Its address starts with
# TEAM_INVITATION_BASE_URL (e.g. https://invoices.example.com); empty: the address the inviter used.
TEAM_INVITATION_TTL_HOURS = env.int("TEAM_INVITATION_TTL_HOURS", default=72)
TEAM_INVITATION_BASE_URL = env.str("TEAM_INVITATION_BASE_URL", default="")
# Two-factor login (accounts/): the name authenticator apps show beside the account; a wrong code makes
# the device wait 1, 2, 4, ... seconds (times this factor) before it checks another.
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="InvoisX")
OTP_TOTP_THROTTLE_FACTOR = env.int("OTP_TOTP_THROTTLE_FACTOR", default=1)
OTP_STATIC_THROTTLE_FACTOR = env.int("OTP_STATIC_THROTTLE_FACTOR", default=1)
# The second login step must follow the password within this many seconds.
TWO_FACTOR_LOGIN_SECONDS = env.int("TWO_FACTOR_LOGIN_SECONDS", default=300)

# Email (invoices to buyers, password reset links): printed to the console until EMAIL_HOST names an
# SMTP server. On the console backend an invoice counts as sent, so a production deployment sets EMAIL_HOST.
EMAIL_HOST = env.str("EMAIL_HOST", default="")
EMAIL_PORT = env.int("EMAIL_PORT", default=587)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)  # implicit TLS, usually port 465
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=not EMAIL_USE_SSL)  # STARTTLS, usually port 587
# Seconds any one exchange with the SMTP server may take, so a hung server cannot hold a worker.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend",
)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="InvoisX <noreply@localhost>")
SERVER_EMAIL = env.str("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
# The right-hand side of the Message-IDs of invoice mails, by which bounces find their invoice; empty:
# the domain of DEFAULT_FROM_EMAIL.
EMAIL_MESSAGE_ID_DOMAIN = env.str("EMAIL_MESSAGE_ID_DOMAIN", default="")
# A send task gives up (delivery failed) after this long; each attempt talks to the server a few times.
EMAIL_SEND_SOFT_TIME_LIMIT = env.int("EMAIL_SEND_SOFT_TIME_LIMIT", default=120)
# Temporary failures are retried 1, 2, 4, 8 minutes apart, never more than this many seconds apart.
EMAIL_RETRY_MAX_DELAY = env.int("EMAIL_RETRY_MAX_DELAY", default=3600)
# An invoice email still queued this long after it was due (its task lost with a broker or worker) is
# queued again by the sweep; a send attempt ends well within it (EMAIL_SEND_SOFT_TIME_LIMIT).
DELIVERY_SWEEP_GRACE_SECONDS = env.int("DELIVERY_SWEEP_GRACE_SECONDS", default=600)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["tokens.authentication.BearerTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["invoisx.api.permissions.HasRequiredScope"],
    "DEFAULT_RENDERER_CLASSES": ["invoisx.api.envelope.EnvelopeJSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["invoisx.api.parsers.LimitedJSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "invoisx.api.errors.api_exception_handler",
    "UNAUTHENTICATED_USER": None,
    "COERCE_DECIMAL_TO_STRING": False,
    "DATETIME_FORMAT": "%Y-%m-%dT%H:%M:%SZ",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "InvoisX API",
    "DESCRIPTION": (
        "Invoices, buyers, suppliers, bank reconciliation and accounting publishing. "
        "Authenticate with `Authorization: Bearer sk_live_…` (or `sk_test_…`). Every response is "
        "wrapped in the `{success, data, meta}` envelope except `/ping`, the schema, seed 002's "
        "`/auth/version` (a bare version string) and seed 003's collecting endpoints (`/customer`, "
        "`/user`, `/users`, `/user/{user_id}/…`, `/test_callback`, `/collectors`, `/credentials`, "
        "`/credential…`), which answer the bare JSON seed 003 shows so an Invoice-Collector client "
        "works unchanged. Seed 003's user endpoints take a collector user's token as `?token=` "
        "instead of the bearer, and `GET /user?token=` serves the credential page (HTML). Errors, "
        "everywhere, carry `message`, `error.code` and `error_code`."
    ),
    "VERSION": "1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "InvoiceStatusEnum": "invoices.models.Status",
        "InvoiceStateEnum": "invoices.models.State",
        "InvoiceLanguageEnum": "companies.models.InvoiceLanguage",
        "CollectorLocaleEnum": "collecting.models.Locale",
        "InvoiceDeliveryStatusEnum": "invoices.models.DeliveryStatus",
        "WebhookDeliveryStatusEnum": "webhooks.models.DeliveryStatus",
        "ReconciliationStatusEnum": "bank.models.ReconciliationStatus",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "invoisx.api.schema.add_common_error_responses",
    ],
}

# Extraction of uploaded supplier invoices
EXTRACTION_MAX_BYTES = env.int("EXTRACTION_MAX_BYTES", default=20 * 1024 * 1024)
EXTRACTION_WAIT_SECONDS = env.float("EXTRACTION_WAIT_SECONDS", default=25.0)
EXTRACTION_REVIEW_THRESHOLD = env.float("EXTRACTION_REVIEW_THRESHOLD", default=0.8)
EXTRACTION_SOFT_TIME_LIMIT = env.int("EXTRACTION_SOFT_TIME_LIMIT", default=120)
EXTRACTION_TIME_LIMIT = env.int("EXTRACTION_TIME_LIMIT", default=150)
# Extractions, reconciliations and bank statement imports are leased work (invoisx.leases), swept every
# WORK_SWEEP_SECONDS:
# a worker holds one for *_LEASE_SECONDS (more than the hard time limit; past it the worker is presumed
# dead), one queued but not started after *_REQUEUE_SECONDS (its message was lost) is queued again, and
# one started *_MAX_ATTEMPTS times without finishing fails with a reason.
EXTRACTION_LEASE_SECONDS = env.int("EXTRACTION_LEASE_SECONDS", default=300)
EXTRACTION_REQUEUE_SECONDS = env.int("EXTRACTION_REQUEUE_SECONDS", default=600)
EXTRACTION_MAX_ATTEMPTS = env.int("EXTRACTION_MAX_ATTEMPTS", default=3)
# Bank reconciliation: matches at least this confident are confirmed without a person (above 1: never).
RECONCILE_AUTO_CONFIRM_THRESHOLD = env.float("RECONCILE_AUTO_CONFIRM_THRESHOLD", default=0.85)
RECONCILE_WAIT_SECONDS = env.float("RECONCILE_WAIT_SECONDS", default=25.0)
RECONCILE_SOFT_TIME_LIMIT = env.int("RECONCILE_SOFT_TIME_LIMIT", default=600)
RECONCILE_TIME_LIMIT = env.int("RECONCILE_TIME_LIMIT", default=660)
RECONCILE_LEASE_SECONDS = env.int("RECONCILE_LEASE_SECONDS", default=900)
RECONCILE_REQUEUE_SECONDS = env.int("RECONCILE_REQUEUE_SECONDS", default=900)
RECONCILE_MAX_ATTEMPTS = env.int("RECONCILE_MAX_ATTEMPTS", default=3)
WORK_SWEEP_SECONDS = env.float("WORK_SWEEP_SECONDS", default=60.0)
# Bank statement import (bank/services.py): a Celery job; the upload request waits up to
# BANK_IMPORT_WAIT_SECONDS and answers 200 with the statement, or 202 with the job to poll.
# Larger files or more lines are refused with a 400 naming the limit.
BANK_STATEMENT_MAX_BYTES = env.int("BANK_STATEMENT_MAX_BYTES", default=20 * 1024 * 1024)
BANK_STATEMENT_MAX_ROWS = env.int("BANK_STATEMENT_MAX_ROWS", default=200_000)
# 20 s, not 25 as for extraction: receiving and checking a 20 MB upload takes seconds of its own,
# and the whole request must stay under 30 s.
BANK_IMPORT_WAIT_SECONDS = env.float("BANK_IMPORT_WAIT_SECONDS", default=20.0)
# Lines written per transaction: each batch holds SQLite's write lock for a fraction of a second.
BANK_IMPORT_BATCH_ROWS = env.int("BANK_IMPORT_BATCH_ROWS", default=2000)
BANK_IMPORT_SOFT_TIME_LIMIT = env.int("BANK_IMPORT_SOFT_TIME_LIMIT", default=600)
BANK_IMPORT_TIME_LIMIT = env.int("BANK_IMPORT_TIME_LIMIT", default=660)
# Leased like extractions and reconciliations (see above); the lease outlasts BANK_IMPORT_TIME_LIMIT.
BANK_IMPORT_LEASE_SECONDS = env.int("BANK_IMPORT_LEASE_SECONDS", default=900)
BANK_IMPORT_REQUEUE_SECONDS = env.int("BANK_IMPORT_REQUEUE_SECONDS", default=900)
BANK_IMPORT_MAX_ATTEMPTS = env.int("BANK_IMPORT_MAX_ATTEMPTS", default=3)
# Secrets kept at rest encrypted (OAuth tokens, webhook signing secrets), see invoisx/encryption.py:
# Fernet keys, comma-separated; the first encrypts, all decrypt. Empty: keys derived from SECRET_KEY.
ENCRYPTION_KEYS = env.list("ENCRYPTION_KEYS", default=[])
# Idempotency-Key: answers are kept this long; a claim running longer than this was abandoned.
IDEMPOTENCY_KEY_TTL_HOURS = env.int("IDEMPOTENCY_KEY_TTL_HOURS", default=24)
IDEMPOTENCY_ABANDONED_AFTER_SECONDS = env.int("IDEMPOTENCY_ABANDONED_AFTER_SECONDS", default=900)
# Uploads larger than this go to a temporary file instead of memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# API conventions
API_DOCS_BASE_URL = env.str("API_DOCS_BASE_URL", default="https://docs.invoisx.com/errors")
API_MAX_JSON_BYTES = env.int("API_MAX_JSON_BYTES", default=5 * 1024 * 1024)
API_ANON_RATE_LIMIT_PER_HOUR = env.int("API_ANON_RATE_LIMIT_PER_HOUR", default=1000)
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
TOKEN_LAST_USED_PRECISION_SECONDS = 60

# django-ratelimit guards the dashboard login; its counters need a shared cache in production,
# and the local-memory cache of the embedded default is good enough for one process.
RATELIMIT_USE_CACHE = "default"
# Django's RedisCache increments with Redis INCR, atomic across processes, which is all django-ratelimit
# needs; its W001 only says the backend is missing from its list (and would fail `check --deploy`).
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"] + ([] if REDIS_URL else ["django_ratelimit.E003"])

# Seed 003's user tokens travel as ?token=: masked in every log line and error report (invoisx/logmasking.py).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_tokens": {"()": "invoisx.logmasking.MaskTokensFilter"}},
    "formatters": {
        "django.server": {"()": "django.utils.log.ServerFormatter", "format": "[{server_time}] {message}", "style": "{"}
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["mask_tokens"]},
        "django.server": {"class": "logging.StreamHandler", "formatter": "django.server", "filters": ["mask_tokens"]},
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Filtered on the logger too, so that every handler of theirs gets the masked record.
        "django.request": {"level": "ERROR", "filters": ["mask_tokens"]},
        # runserver's access log, as Django configures it by default, with tokens masked.
        "django.server": {
            "handlers": ["django.server"],
            "level": "INFO",
            "propagate": False,
            "filters": ["mask_tokens"],
        },
        # Progress lines on every PDF rendered or e-invoice embedded: noise, not news.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        "factur-x": {"level": "WARNING"},
    },
}
DEFAULT_EXCEPTION_REPORTER = "invoisx.logmasking.MaskingExceptionReporter"

# integrations: QuickBooks Online and Xero connections and publishing (integrations/).
INTEGRATIONS_HTTP_TIMEOUT = env.float("INTEGRATIONS_HTTP_TIMEOUT", default=10.0)
INTEGRATIONS_MAX_ATTEMPTS = env.int("INTEGRATIONS_MAX_ATTEMPTS", default=3)
INTEGRATIONS_BACKOFF_SECONDS = env.float("INTEGRATIONS_BACKOFF_SECONDS", default=0.5)
# A provider asking us to wait longer than this (Retry-After) is answered at once with a 503.
INTEGRATIONS_MAX_RETRY_AFTER_SECONDS = env.float("INTEGRATIONS_MAX_RETRY_AFTER_SECONDS", default=5.0)
# All the calls and retries of one publish get this long in all; keep it well below gunicorn's
# --timeout (README: 120 s), so a slow provider ends the request with a 504 and the claim released.
INTEGRATIONS_PUBLISH_DEADLINE_SECONDS = env.float("INTEGRATIONS_PUBLISH_DEADLINE_SECONDS", default=60.0)
# A publish claimed this long ago and never finished (its process died) may be claimed again.
INTEGRATIONS_PUBLISH_STALE_SECONDS = env.int("INTEGRATIONS_PUBLISH_STALE_SECONDS", default=300)
# Development (sandbox) app keys: read the connected company's name from the sandbox API at connect.
INTEGRATIONS_CONNECT_SANDBOX = env.bool("INTEGRATIONS_CONNECT_SANDBOX", default=False)
QUICKBOOKS_CLIENT_ID = env.str("QUICKBOOKS_CLIENT_ID", default="")
QUICKBOOKS_CLIENT_SECRET = env.str("QUICKBOOKS_CLIENT_SECRET", default="")
QUICKBOOKS_AUTHORIZE_URL = env.str("QUICKBOOKS_AUTHORIZE_URL", default="https://appcenter.intuit.com/connect/oauth2")
QUICKBOOKS_TOKEN_URL = env.str(
    "QUICKBOOKS_TOKEN_URL", default="https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer"
)
QUICKBOOKS_REVOKE_URL = env.str(
    "QUICKBOOKS_REVOKE_URL", default="https://developer.api.intuit.com/v2/oauth2/tokens/revoke"
)
QUICKBOOKS_API_URL = env.str("QUICKBOOKS_API_URL", default="https://quickbooks.api.intuit.com")
QUICKBOOKS_SANDBOX_API_URL = env.str("QUICKBOOKS_SANDBOX_API_URL", default="https://sandbox-quickbooks.api.intuit.com")
QUICKBOOKS_SCOPE = env.str("QUICKBOOKS_SCOPE", default="com.intuit.quickbooks.accounting")
QUICKBOOKS_MINOR_VERSION = env.int("QUICKBOOKS_MINOR_VERSION", default=75)
# Expense account (Account.Id) for bill lines; empty: the first Expense account of the company.
QUICKBOOKS_EXPENSE_ACCOUNT_ID = env.str("QUICKBOOKS_EXPENSE_ACCOUNT_ID", default="")
XERO_CLIENT_ID = env.str("XERO_CLIENT_ID", default="")
XERO_CLIENT_SECRET = env.str("XERO_CLIENT_SECRET", default="")
XERO_AUTHORIZE_URL = env.str("XERO_AUTHORIZE_URL", default="https://login.xero.com/identity/connect/authorize")
XERO_TOKEN_URL = env.str("XERO_TOKEN_URL", default="https://identity.xero.com/connect/token")
XERO_REVOKE_URL = env.str("XERO_REVOKE_URL", default="https://identity.xero.com/connect/revocation")
XERO_CONNECTIONS_URL = env.str("XERO_CONNECTIONS_URL", default="https://api.xero.com/connections")
XERO_API_URL = env.str("XERO_API_URL", default="https://api.xero.com")
XERO_SANDBOX_API_URL = env.str("XERO_SANDBOX_API_URL", default="https://api.xero.com")
XERO_SCOPE = env.str(
    "XERO_SCOPE",
    default="openid profile email offline_access accounting.invoices accounting.contacts accounting.attachments",
)
# Account code for bill lines (e.g. 429); empty leaves it to the person approving the draft bill.
XERO_EXPENSE_ACCOUNT_CODE = env.str("XERO_EXPENSE_ACCOUNT_CODE", default="")

# Webhooks (webhooks/): signed deliveries of events to each company's endpoints, retried on seed 001's schedule.
# Receivers on private, loopback or link-local addresses (and plain http) are refused unless this is true.
WEBHOOKS_ALLOW_PRIVATE = env.bool("WEBHOOKS_ALLOW_PRIVATE", default=False)
WEBHOOKS_TIMEOUT_SECONDS = env.float("WEBHOOKS_TIMEOUT_SECONDS", default=10.0)
# Seconds after failed attempts 1..5 (1 min, 5 min, 30 min, 2 h, 12 h); after the last, the delivery fails.
WEBHOOKS_RETRY_SCHEDULE = env.list("WEBHOOKS_RETRY_SCHEDULE", cast=int, default=[60, 300, 1800, 7200, 43200])
WEBHOOKS_RETRY_JITTER = env.float("WEBHOOKS_RETRY_JITTER", default=0.1)  # each delay ± this fraction
# A worker holds a delivery this long per attempt; past it (the worker died) the sweep sends it again.
WEBHOOKS_LEASE_SECONDS = env.int("WEBHOOKS_LEASE_SECONDS", default=300)
# A queued delivery not sent after this long (its message was lost) is queued again by the sweep.
WEBHOOKS_REQUEUE_SECONDS = env.int("WEBHOOKS_REQUEUE_SECONDS", default=300)
WEBHOOKS_SWEEP_SECONDS = env.float("WEBHOOKS_SWEEP_SECONDS", default=30.0)
# Finished deliveries (succeeded or failed) and their attempts are deleted this many days after they
# finished; 0 keeps them forever.
WEBHOOKS_DELIVERY_RETENTION_DAYS = env.int("WEBHOOKS_DELIVERY_RETENTION_DAYS", default=30)

# Collecting (collecting/, seed 003): collectors fetch each credential's new documents on a schedule.
# After a collection, the next comes after the average gap between the credential's last documents,
# kept between these bounds (a credential with fewer than two dated documents: the maximum).
COLLECTING_MIN_INTERVAL_SECONDS = env.int("COLLECTING_MIN_INTERVAL_SECONDS", default=3600)
COLLECTING_MAX_INTERVAL_SECONDS = env.int("COLLECTING_MAX_INTERVAL_SECONDS", default=7 * 24 * 3600)
# The mailbox collector trusts the system's CAs, plus this file's (a private mail server's CA); and waits
# this long for an IMAP server's answer.
COLLECTING_IMAP_CA_FILE = env.str("COLLECTING_IMAP_CA_FILE", default="")
COLLECTING_IMAP_TIMEOUT = env.float("COLLECTING_IMAP_TIMEOUT", default=30.0)
# Browser collectors (supplier portals) drive Debian's chromium (empty: /usr/bin/chromium) with this
# timeout per action; they never load private or loopback addresses unless allowed (the tests' portal).
CHROMIUM_PATH = env.str("CHROMIUM_PATH", default="")
COLLECTING_WEB_TIMEOUT_SECONDS = env.float("COLLECTING_WEB_TIMEOUT_SECONDS", default=30.0)
COLLECTING_WEB_ALLOW_PRIVATE = env.bool("COLLECTING_WEB_ALLOW_PRIVATE", default=False)
# Beat looks for due credentials this often.
COLLECTING_DUE_SECONDS = env.float("COLLECTING_DUE_SECONDS", default=60.0)
# A run is leased work (invoisx.leases), like an extraction; its hard time limit covers the wait for a
# second factor (COLLECTING_TWO_FA_WAIT_SECONDS, seed 003: 5 minutes), and its lease outlasts that.
COLLECTING_SOFT_TIME_LIMIT = env.int("COLLECTING_SOFT_TIME_LIMIT", default=840)
COLLECTING_TIME_LIMIT = env.int("COLLECTING_TIME_LIMIT", default=900)
COLLECTING_LEASE_SECONDS = env.int("COLLECTING_LEASE_SECONDS", default=960)
COLLECTING_REQUEUE_SECONDS = env.int("COLLECTING_REQUEUE_SECONDS", default=600)
COLLECTING_MAX_ATTEMPTS = env.int("COLLECTING_MAX_ATTEMPTS", default=3)
# A source that fails with a transient error is tried again this many times, with backoff from this delay.
COLLECTING_TRANSIENT_RETRIES = env.int("COLLECTING_TRANSIENT_RETRIES", default=3)
COLLECTING_TRANSIENT_BACKOFF_SECONDS = env.int("COLLECTING_TRANSIENT_BACKOFF_SECONDS", default=60)
COLLECTING_TWO_FA_WAIT_SECONDS = env.float("COLLECTING_TWO_FA_WAIT_SECONDS", default=300.0)
COLLECTING_TWO_FA_POLL_SECONDS = env.float("COLLECTING_TWO_FA_POLL_SECONDS", default=2.0)
# `GET /test_callback` waits this long for the first attempt to answer how it went.
COLLECTING_TEST_CALLBACK_WAIT_SECONDS = env.float("COLLECTING_TEST_CALLBACK_WAIT_SECONDS", default=10.0)
# Where callbacks' `link` points: this installation's address (the API path alone when empty).
COLLECTING_LINK_BASE_URL = env.str("COLLECTING_LINK_BASE_URL", default="")

# Retention (invoisx/retention.py), purged every RETENTION_PURGE_SECONDS; 0 days keeps rows forever.
# Logs have a retention by default: events (the webhook outbox) once none of their deliveries is left,
# and Idempotency-Key answers (IDEMPOTENCY_KEY_TTL_HOURS above); expired dashboard sessions always go.
# Business records are kept unless a retention is set: the audit trail of invoice corrections and the
# daily API-call counters that usage is billed from.
EVENTS_RETENTION_DAYS = env.int("EVENTS_RETENTION_DAYS", default=90)
INVOICE_CHANGES_RETENTION_DAYS = env.int("INVOICE_CHANGES_RETENTION_DAYS", default=0)
USAGE_RETENTION_DAYS = env.int("USAGE_RETENTION_DAYS", default=0)
RETENTION_PURGE_SECONDS = env.float("RETENTION_PURGE_SECONDS", default=3600.0)

# Usage counting (usage/recording.py): no API request waits for a database write. With REDIS_URL, calls
# are counted in Redis and added to the daily rows every USAGE_CACHE_FLUSH_SECONDS by beat (or
# `manage.py usage_flush`); reads add what the rows lack yet. Without it, each gunicorn worker adds its
# calls to the rows every USAGE_FLUSH_SECONDS (0: at each call) and when it exits; one killed with
# SIGKILL loses at most its last window of calls.
USAGE_FLUSH_SECONDS = env.float("USAGE_FLUSH_SECONDS", default=1.0)
USAGE_CACHE_FLUSH_SECONDS = env.float("USAGE_CACHE_FLUSH_SECONDS", default=60.0)

# Kept if another block defined a schedule first; `celery -A invoisx beat` runs it. Without beat, the
# same from cron or with --every: `manage.py webhooks_sweep`, `extractions_sweep`,
# `reconciliations_sweep`, `statement_imports_sweep`, `invoice_deliveries_sweep`, `collections_sweep`,
# `purge_expired` and `usage_flush`.
CELERY_BEAT_SCHEDULE = globals().get("CELERY_BEAT_SCHEDULE", {})
CELERY_BEAT_SCHEDULE["webhooks-sweep"] = {
    "task": "webhooks.tasks.sweep_webhook_deliveries",
    "schedule": WEBHOOKS_SWEEP_SECONDS,
}
CELERY_BEAT_SCHEDULE["extractions-sweep"] = {
    "task": "invoices.tasks.sweep_extractions",
    "schedule": WORK_SWEEP_SECONDS,
}
CELERY_BEAT_SCHEDULE["reconciliations-sweep"] = {
    "task": "bank.tasks.sweep_reconciliations",
    "schedule": WORK_SWEEP_SECONDS,
}
CELERY_BEAT_SCHEDULE["statement-imports-sweep"] = {
    "task": "bank.tasks.sweep_statement_imports",
    "schedule": WORK_SWEEP_SECONDS,
}
CELERY_BEAT_SCHEDULE["invoice-deliveries-sweep"] = {
    "task": "invoices.tasks.sweep_invoice_deliveries",
    "schedule": WORK_SWEEP_SECONDS,
}
CELERY_BEAT_SCHEDULE["collections-due"] = {
    "task": "collecting.tasks.collect_due",
    "schedule": COLLECTING_DUE_SECONDS,
}
CELERY_BEAT_SCHEDULE["collections-sweep"] = {
    "task": "collecting.tasks.sweep_collections",
    "schedule": WORK_SWEEP_SECONDS,
}
CELERY_BEAT_SCHEDULE["usage-flush"] = {
    "task": "usage.tasks.flush_api_calls",
    "schedule": USAGE_CACHE_FLUSH_SECONDS,
}
CELERY_BEAT_SCHEDULE["retention-purge"] = {
    "task": "invoisx.tasks.purge_expired",
    "schedule": RETENTION_PURGE_SECONDS,
}
