"""Django settings, read from the environment (and an optional `.env`) through django-environ.

With nothing configured the app runs on the embedded default: SQLite under `var/`, media under
`media/`, Celery tasks executed eagerly in-process and a local-memory cache. `DATABASE_URL` switches
to PostgreSQL and `REDIS_URL` to Redis for the Celery broker, results, cache and rate-limit counters.
"""

import secrets
from pathlib import Path

import environ

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
    "tokens",
    "events",
    "buyers",
    "invoices",
    "bank",
    "webhooks",
    "usage",
    "integrations",
    "idempotency",
]

MIDDLEWARE = [
    "invoisx.api.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "invoisx.api.middleware.ApiRateLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
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
            ],
        },
    },
]

if env.str("DATABASE_URL", default=""):
    DATABASES = {"default": env.db("DATABASE_URL")}
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DB_CONN_MAX_AGE", default=60))
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "db.sqlite3",
            "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
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

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=False)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=False)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
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
        "Authenticate with `Authorization: Bearer sk_live_…` (or `sk_test_…`). Every response but "
        "`/ping` and the schema is wrapped in the `{success, data, meta}` envelope; errors carry "
        "`error.code` and `error_code`."
    ),
    "VERSION": "1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {},
}

# Extraction of uploaded supplier invoices
EXTRACTION_MAX_BYTES = env.int("EXTRACTION_MAX_BYTES", default=20 * 1024 * 1024)
EXTRACTION_WAIT_SECONDS = env.float("EXTRACTION_WAIT_SECONDS", default=25.0)
EXTRACTION_REVIEW_THRESHOLD = env.float("EXTRACTION_REVIEW_THRESHOLD", default=0.8)
EXTRACTION_SOFT_TIME_LIMIT = env.int("EXTRACTION_SOFT_TIME_LIMIT", default=120)
EXTRACTION_TIME_LIMIT = env.int("EXTRACTION_TIME_LIMIT", default=150)
# Bank reconciliation: matches at least this confident are confirmed without a person (above 1: never).
RECONCILE_AUTO_CONFIRM_THRESHOLD = env.float("RECONCILE_AUTO_CONFIRM_THRESHOLD", default=0.85)
RECONCILE_WAIT_SECONDS = env.float("RECONCILE_WAIT_SECONDS", default=25.0)
RECONCILE_SOFT_TIME_LIMIT = env.int("RECONCILE_SOFT_TIME_LIMIT", default=600)
RECONCILE_TIME_LIMIT = env.int("RECONCILE_TIME_LIMIT", default=660)
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
SILENCED_SYSTEM_CHECKS = [] if REDIS_URL else ["django_ratelimit.E003", "django_ratelimit.W001"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.request": {"level": "ERROR"}},
}
