"""Ocrotire settings: one module, every value from the environment with a safe default."""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

# "production" refuses insecure defaults and the demo loader; anything else is a laptop or CI.
OCROTIRE_ENV = env_str("OCROTIRE_ENV", "development")
PRODUCTION = OCROTIRE_ENV == "production"

DEBUG = env_bool("DEBUG", False)
_DEV_SECRET = "insecure-development-key-do-not-use-in-production-0123456789"  # noqa: S105
SECRET_KEY = env_str("SECRET_KEY", "" if PRODUCTION else _DEV_SECRET)
if PRODUCTION and (not SECRET_KEY or SECRET_KEY == _DEV_SECRET):
    raise ImproperlyConfigured("SECRET_KEY must be set to a unique value in production.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_htmx",
    "template_partials",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_tasks",
    "django_tasks_db",
    "ocrotire.core",
    "ocrotire.geo",
    "ocrotire.accounts",
    "ocrotire.registry",
    "ocrotire.workflow",
    "ocrotire.intake",
    "ocrotire.dataforms",
    "ocrotire.cases",
    "ocrotire.providers",
    "ocrotire.care",
    "ocrotire.outreach",
    "ocrotire.planning",
    "ocrotire.analytics",
    "ocrotire.api",
    "ocrotire.site",
    "ocrotire.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "ocrotire.core.middleware.RequestContextMiddleware",
    "ocrotire.core.middleware.RejectNullCharactersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "ocrotire.core.nostore.NoStoreMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "ocrotire.accounts.middleware.UserLanguageMiddleware",
    "ocrotire.accounts.middleware.TwoFactorRequiredMiddleware",
    "ocrotire.accounts.middleware.SessionRecordMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "ocrotire.site.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "ocrotire.site.navigation.navigation",
                "ocrotire.accounts.context_processors.security_notices",
            ],
        },
    },
]

# SQLite by default so that one command runs everything on a laptop; DATABASE_URL for PostgreSQL.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'ocrotire.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the demo server read while a command writes; a timeout waits instead of failing.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and not env_bool(
    "DB_JIT", False
):
    # PostgreSQL's JIT compiles any statement it estimates as large: half a second of compiling
    # for a count that runs in 300 ms (docs/PERFORMANCE.md, session 7). Off unless asked for.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Sign-in throttle (counted in the database, so every web process sees the same count): this
# many failures for one user name from one address within the window, or OCROTIRE_SIGNIN_ADDRESS_LIMIT
# failures for any names from one address, refuse that name there, or that address, for the
# lockout period. A user name is never locked at an address it has signed in from
# (docs/ARCHITECTURE.md, Security).
OCROTIRE_LOCKOUT_ATTEMPTS = env_int("OCROTIRE_LOCKOUT_ATTEMPTS", 5)
OCROTIRE_LOCKOUT_MINUTES = env_int("OCROTIRE_LOCKOUT_MINUTES", 15)
OCROTIRE_SIGNIN_ADDRESS_LIMIT = env_int("OCROTIRE_SIGNIN_ADDRESS_LIMIT", 30)
# Failures for one user name from all addresses together (guessing from many machines), past which
# the name is refused except at addresses where it has signed in before.
OCROTIRE_SIGNIN_NAME_LIMIT = env_int("OCROTIRE_SIGNIN_NAME_LIMIT", 50)
# The public reporting channel (intake/public.py), counted per address (a keyed digest of it, in
# the database, never with a report) and overall, over a window of OCROTIRE_PUBLIC_WINDOW_MINUTES:
# wrong tracking codes from one address before it is refused, filings and messages from one
# address, and filings from everyone together.
OCROTIRE_PUBLIC_WINDOW_MINUTES = env_int("OCROTIRE_PUBLIC_WINDOW_MINUTES", 60)
OCROTIRE_PUBLIC_CODE_FAILURES = env_int("OCROTIRE_PUBLIC_CODE_FAILURES", 10)
OCROTIRE_PUBLIC_FILINGS_PER_ADDRESS = env_int("OCROTIRE_PUBLIC_FILINGS_PER_ADDRESS", 5)
OCROTIRE_PUBLIC_MESSAGES_PER_ADDRESS = env_int("OCROTIRE_PUBLIC_MESSAGES_PER_ADDRESS", 30)
OCROTIRE_PUBLIC_FILINGS_TOTAL = env_int("OCROTIRE_PUBLIC_FILINGS_TOTAL", 300)
# The public pages' time trap (intake/public_forms.py): a report or complaint sent sooner than
# this after its page was shown is taken for a bot's and shown again to be checked and resent.
OCROTIRE_PUBLIC_MIN_SECONDS = env_int("OCROTIRE_PUBLIC_MIN_SECONDS", 4)
# How many proxies in front of the web processes append to X-Forwarded-For (0: none, the header
# is ignored and the peer's address is the client's). Must agree with gunicorn's
# FORWARDED_ALLOW_IPS (config/gunicorn.conf.py refuses to start otherwise).
OCROTIRE_TRUSTED_PROXIES = env_int("OCROTIRE_TRUSTED_PROXIES", 0)
if OCROTIRE_TRUSTED_PROXIES < 0:
    raise ImproperlyConfigured("OCROTIRE_TRUSTED_PROXIES must be 0 or more.")
# Master switch for two-factor enforcement; per-role policy lives in the Role table.
OCROTIRE_MFA_ENFORCED = env_bool("OCROTIRE_MFA_ENFORCED", True)
OCROTIRE_TOKEN_TTL_HOURS = env_int("OCROTIRE_TOKEN_TTL_HOURS", 12)
# A provider's licence or accreditation ending within this many days is flagged in the register.
OCROTIRE_LICENCE_WARNING_DAYS = env_int("OCROTIRE_LICENCE_WARNING_DAYS", 60)
# Days before the end of a year when the institutions responsible for a sub-action due that year
# and not reported done are reminded.
OCROTIRE_PLAN_REMINDER_DAYS = env_int("OCROTIRE_PLAN_REMINDER_DAYS", 45)
# Seconds a dashboard's figures are kept for the next reader of the same area and period (0: always
# counted afresh); the records behind a figure are always read live.
OCROTIRE_DASHBOARD_CACHE_SECONDS = env_int("OCROTIRE_DASHBOARD_CACHE_SECONDS", 120)
# Days of an area changed since the dashboards' day figures were last refreshed, up to which a
# dashboard counts those days live over the kept figures; beyond it, everything live.
OCROTIRE_FIGURES_PENDING_LIMIT = env_int("OCROTIRE_FIGURES_PENDING_LIMIT", 300)
# Background jobs (exports, de-duplication runs) beat their row every this many seconds while
# they run; one silent for the timeout is marked failed (its worker died) by the deadline
# watcher, which looks every OCROTIRE_JOB_SWEEP_SECONDS, and whenever a new run is asked for.
OCROTIRE_JOB_HEARTBEAT_SECONDS = env_int("OCROTIRE_JOB_HEARTBEAT_SECONDS", 30)
OCROTIRE_JOB_HEARTBEAT_TIMEOUT_SECONDS = env_int("OCROTIRE_JOB_HEARTBEAT_TIMEOUT_SECONDS", 120)
OCROTIRE_JOB_SWEEP_SECONDS = env_int("OCROTIRE_JOB_SWEEP_SECONDS", 60)
# The deadline watcher waits 1 s after losing the database, doubling up to this, then reconnects.
OCROTIRE_WATCH_BACKOFF_MAX_SECONDS = env_int("OCROTIRE_WATCH_BACKOFF_MAX_SECONDS", 60)
# Minutes a job may wait queued for a worker before it is marked failed (no worker took it);
# OCROTIRE_EXPORT_STALE_MINUTES is its former name.
OCROTIRE_JOB_QUEUED_TIMEOUT_MINUTES = env_int(
    "OCROTIRE_JOB_QUEUED_TIMEOUT_MINUTES", env_int("OCROTIRE_EXPORT_STALE_MINUTES", 60)
)
# An uploaded .xlsx whose parts unpack to more than this many bytes is refused before it is read.
OCROTIRE_XLSX_MAX_UNPACKED_BYTES = env_int("OCROTIRE_XLSX_MAX_UNPACKED_BYTES", 100 * 1024 * 1024)
# The DHIS2 data set the aggregate export names (blank: the document names none).
OCROTIRE_DHIS2_DATA_SET = env_str("OCROTIRE_DHIS2_DATA_SET", "")
# The project's source documents (the action plan of seed 002 …), beside the clone; the demo
# loads them when they are there.
OCROTIRE_SEEDS_DIR = Path(env_str("OCROTIRE_SEEDS_DIR", str(BASE_DIR.parent / "shared" / "seeds")))
OTP_TOTP_ISSUER = "Ocrotire"
# Fernet keys for the fields encrypted at rest (first encrypts, all decrypt); required in production.
OCROTIRE_FIELD_KEYS = env_list("OCROTIRE_FIELD_KEYS", [])
# The audit chain's HMAC key, kept outside the database (derived from SECRET_KEY when not in
# production); the chain's head is written, signed, to the checkpoint file at this interval by the
# deadline watcher (0: only by `audit_chain --checkpoint`). See docs/ARCHITECTURE.md, audit log.
OCROTIRE_AUDIT_KEY = env_str("OCROTIRE_AUDIT_KEY", "")
if PRODUCTION and len(OCROTIRE_AUDIT_KEY) < 32:
    raise ImproperlyConfigured(
        "OCROTIRE_AUDIT_KEY must be set (32 characters or more) in production."
    )
OCROTIRE_AUDIT_CHECKPOINT_FILE = Path(
    env_str("OCROTIRE_AUDIT_CHECKPOINT_FILE", str(BASE_DIR / "var" / "audit-checkpoints.jsonl"))
)
OCROTIRE_AUDIT_CHECKPOINT_SECONDS = env_int("OCROTIRE_AUDIT_CHECKPOINT_SECONDS", 900)
# The Fernet key that encrypts backups (`manage.py backup` / `restore`); required in production to
# back up, derived from SECRET_KEY elsewhere. Keep a copy away from the backups themselves.
OCROTIRE_BACKUP_KEY = env_str("OCROTIRE_BACKUP_KEY", "")

# Notifications are always in the app; e-mail is sent too when a mail server is configured.
EMAIL_HOST = env_str("EMAIL_HOST", "")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "ocrotire@localhost")
OCROTIRE_NOTIFY_EMAIL = env_bool("OCROTIRE_NOTIFY_EMAIL", bool(EMAIL_HOST))
# How often the deadline watcher looks for tasks that became overdue.
OCROTIRE_DEADLINE_SCAN_SECONDS = env_int("OCROTIRE_DEADLINE_SCAN_SECONDS", 300)
# /healthz says "degraded" when the deadline watcher's last good round, or the oldest job waiting
# for a worker, is older than these.
OCROTIRE_HEALTH_WATCHER_MAX_AGE_SECONDS = env_int(
    "OCROTIRE_HEALTH_WATCHER_MAX_AGE_SECONDS", 3 * OCROTIRE_DEADLINE_SCAN_SECONDS
)
OCROTIRE_HEALTH_QUEUE_MAX_AGE_SECONDS = env_int("OCROTIRE_HEALTH_QUEUE_MAX_AGE_SECONDS", 600)
# An export of a list up to this many rows is answered at once; a longer one is written by the
# job worker while the page shows its progress.
OCROTIRE_EXPORT_INLINE_ROWS = env_int("OCROTIRE_EXPORT_INLINE_ROWS", 2000)

# Sessions end after inactivity; every request extends them.
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 30 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", PRODUCTION)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_SAMESITE = "Lax"
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", PRODUCTION)
# The load balancer's health probe may ask over plain HTTP on the private network.
SECURE_REDIRECT_EXEMPT = [r"^healthz/?$"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if PRODUCTION else None
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", PRODUCTION)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", PRODUCTION)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    },
}

LANGUAGE_CODE = "ro"
LANGUAGES = [
    ("ro", _("Romanian")),
    ("uk", _("Ukrainian")),
    ("ru", _("Russian")),
    ("en", _("English")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Europe/Chisinau")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "var" / "private")))
WHITENOISE_USE_FINDERS = not PRODUCTION

# The deepest nesting of lists and objects an API request body may have (a deeper one is refused).
OCROTIRE_JSON_MAX_DEPTH = env_int("OCROTIRE_JSON_MAX_DEPTH", 32)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "ocrotire.accounts.drf.ExpiringTokenAuthentication",
        "ocrotire.accounts.drf.VerifiedSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["ocrotire.api.parsers.BoundedJSONParser"],
    "DEFAULT_PAGINATION_CLASS": "ocrotire.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "ocrotire.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Ocrotire API",
    "DESCRIPTION": "Child-protection information system: registry, reports, cases, services.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "ocrotire.api.schema.error_responses_hook",
    ],
    "ENUM_NAME_OVERRIDES": {
        "FollowUpKindEnum": "ocrotire.outreach.models.FollowUpKind",
        "InstitutionKindEnum": "ocrotire.accounts.models.InstitutionKind",
        "ProviderKindEnum": "ocrotire.providers.models.ProviderKind",
        "RelationshipKindEnum": "ocrotire.registry.models.RelationshipKind",
        "IdentifierSchemeEnum": "ocrotire.registry.models.IdentifierScheme",
        "RiskLevelEnum": "ocrotire.cases.models.RiskLevel",
        "ReportStatusEnum": "ocrotire.intake.models.ReportStatus",
        "PublicStatusEnum": "ocrotire.intake.public.PUBLIC_STATUS_CHOICES",
        "PublicKindEnum": "ocrotire.intake.public_apis.PUBLIC_KINDS",
        "ReporterKindEnum": "ocrotire.intake.models.ReporterKind",
        "ComplaintStatusEnum": "ocrotire.intake.models.ComplaintStatus",
        "ComplaintAboutEnum": "ocrotire.intake.models.ComplaintAbout",
        "CaseStageEnum": "ocrotire.cases.models.Stage",
        "ClosureReasonEnum": "ocrotire.cases.models.ClosureReason",
        "CertificateStatusEnum": "ocrotire.outreach.models.CertificateStatus",
    },
    # The schema describes an open-source API: anyone may read it, data stays behind auth.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
}

# Background jobs: a database queue served by `manage.py db_worker` (Django's tasks API, so the code
# moves to Django 6 unchanged). Tests run jobs inline.
TASKS = {
    "default": {
        "BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # No tracking code of the public channel is ever written to a log (core/logscrub.py).
    "filters": {"public_codes": {"()": "ocrotire.core.logscrub.PublicCodeFilter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["public_codes"]},
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}

CSRF_FAILURE_VIEW = "ocrotire.core.views.csrf_failure"
