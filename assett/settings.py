"""ASSETT settings, read from the environment.

Development defaults are safe to run locally; DJANGO_ENV=production requires the
secrets and refuses the development shortcuts (see README, "Configuration").
"""

import os
import sys
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name, default=None):
    """A setting from NAME, or from the file named by NAME_FILE (docker/k8s secrets)."""
    file_path = os.environ.get(f"{name}_FILE")
    if file_path:
        return Path(file_path).read_text().strip()
    return os.environ.get(name, default)


def env_bool(name, default=False):
    value = env(name)
    return default if value is None else value.lower() in {"1", "true", "yes", "on"}


def env_int(name, default):
    value = env(name)
    return default if value in (None, "") else int(value)


def env_list(name, default=""):
    return [item.strip() for item in (env(name) or default).split(",") if item.strip()]


def required(name):
    value = env(name)
    if not value:
        raise ImproperlyConfigured(f"{name} must be set when DJANGO_ENV=production.")
    return value


def database_from_url(url):
    """postgres://user:pass@host:port/name?host=/socket/dir — no extra dependency needed."""
    parts = urlparse(url)
    query = parse_qs(parts.query)
    return {
        "ENGINE": "django_tenants.postgresql_backend",
        "NAME": unquote(parts.path.lstrip("/")),
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": query.get("host", [parts.hostname or ""])[0],
        "PORT": str(parts.port or ""),
        # Tests: per-request connections, so the live server's threads leave none open at teardown.
        "CONN_MAX_AGE": 0 if TESTING else env_int("DB_CONN_MAX_AGE", 60),
        "CONN_HEALTH_CHECKS": True,
        # Parameters travel apart from the SQL (psycopg's server-side binding). Nothing is prepared:
        # Django sets psycopg's prepare_threshold to None unless OPTIONS names one. Measured on the
        # benches' pages, requests interleaved (2026-12-02): either binding costs the same; preparing
        # after 5 runs saved 10-14 % on pages of small queries but cost 15 % on a broad toolbox search
        # (PostgreSQL's generic plan), and 2-7 % at most once plans are forced custom. So it stays off.
        "OPTIONS": {"server_side_binding": env_bool("DB_SERVER_SIDE_BINDING", True)},
    }


DJANGO_ENV = env("DJANGO_ENV", "development")
PRODUCTION = DJANGO_ENV == "production"
# Set by `make test`; also on when pytest is driving, so a bare `pytest` gets the test settings too.
TESTING = env_bool("ASSETT_TESTING", default="pytest" in sys.modules)

DEBUG = env_bool("DEBUG", default=not PRODUCTION)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG cannot be on when DJANGO_ENV=production.")

SECRET_KEY = required("SECRET_KEY") if PRODUCTION else env("SECRET_KEY", "dev-only-insecure-key")

# Never "*": allauth builds password-reset links from the Host header, and tenant
# resolution trusts it too. In production list the platform's parent domain(s).
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if PRODUCTION else ".localhost,localhost,127.0.0.1,testserver")
if PRODUCTION and (not ALLOWED_HOSTS or "*" in ALLOWED_HOSTS):
    raise ImproperlyConfigured("ALLOWED_HOSTS must list the platform's domains in production.")

# Public domain of the national site, and how links to territory sites are built
# when no request is at hand (emails sent by commands and workers).
PLATFORM_DOMAIN = env("PLATFORM_DOMAIN", "localhost")
SITE_SCHEME = env("SITE_SCHEME", "https" if PRODUCTION else "http")
SITE_PORT = env("SITE_PORT", "" if PRODUCTION else "8000")

SHARED_APPS = [
    "django_tenants",
    "tenants",
    "accounts",
    "mailing",
    "benchmarks",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.admin",
    "django.contrib.staticfiles",
    "allauth",
    "allauth.account",
    "django_htmx",
    "dsfr",
    "widget_tweaks",
]
TENANT_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.admin",
    "allauth",
    "allauth.account",
    "accounts",
    "mailing",
    "organisations",
    "referentiel",
    "toolbox",
    "events",
    "review",
    "reports",
]
INSTALLED_APPS = SHARED_APPS + [app for app in TENANT_APPS if app not in SHARED_APPS]

TENANT_MODEL = "tenants.Territory"
TENANT_DOMAIN_MODEL = "tenants.Domain"
PUBLIC_SCHEMA_NAME = "public"
ROOT_URLCONF = "assett.urls_tenants"
PUBLIC_SCHEMA_URLCONF = "assett.urls_public"
DATABASE_ROUTERS = ["django_tenants.routers.TenantSyncRouter"]
# A territory's schema is created by provision_territory(), inside its own checks.
TENANT_CREATION_FAKES_MIGRATIONS = False
# Set the search_path once per schema switch, not before every query (set_tenant() resets it).
TENANT_LIMIT_SET_CALLS = True

MIDDLEWARE = [
    # /healthz first: it needs neither the host's territory nor the session (assett/health.py).
    "assett.health.HealthCheckMiddleware",
    "tenants.middleware.TerritoryMiddleware",
    "tenants.middleware.TerritoryTimeZoneMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "assett.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # An organisation outside the territory not yet accepted: its member is told why (organisations/access.py).
    "organisations.access.AwaitsAcceptanceMiddleware",
]

# templates/forms/ first, for the widget templates we override (assett/forms.py).
FORM_RENDERER = "assett.forms.FormRenderer"
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
                "tenants.context_processors.territory",
            ],
            # Filters shared by every app, kept out of the apps themselves ({% load markdown %}, {% load dates %}).
            "libraries": {"dates": "assett.dates", "markdown": "assett.markdown"},
        },
    }
]

WSGI_APPLICATION = "assett.wsgi.application"

DATABASES = {"default": database_from_url(env("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/assett"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", "redis://127.0.0.1:6379/0")
# Redis down or frozen is not an outage of the site (assett/cache.py, docs/architecture.md): the cache
# misses, sessions are read from the database, allauth's rate limits fail open. A healthy Redis answers
# in a millisecond; a frozen one costs one request REDIS_CACHE_TIMEOUT, then is skipped for
# REDIS_CACHE_RETRY_SECONDS before one request tries it again.
_CACHE_OPTIONS = {
    "socket_connect_timeout": float(env("REDIS_CACHE_TIMEOUT", "0.25")),
    "socket_timeout": float(env("REDIS_CACHE_TIMEOUT", "0.25")),
    "retry_seconds": float(env("REDIS_CACHE_RETRY_SECONDS", "3")),
}
CACHES = {
    "default": {
        "BACKEND": "assett.cache.ResilientRedisCache",
        "LOCATION": REDIS_URL,
        # Every key is prefixed with the current schema: one territory never reads another's cache.
        "KEY_FUNCTION": "django_tenants.cache.make_key",
        "KEY_PREFIX": env("CACHE_KEY_PREFIX", "assett"),
        "OPTIONS": _CACHE_OPTIONS,
    },
    # Platform-wide keys that must read the same from every schema (tenant resolution).
    "platform": {
        "BACKEND": "assett.cache.ResilientRedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env("CACHE_KEY_PREFIX", "assett") + "-platform",
        "OPTIONS": _CACHE_OPTIONS,
    },
}

# Sessions live in each territory's schema (sessions is a tenant app), with a cache in front. With
# Redis unavailable, cached_db's cache read misses and the row is read from the database; keys
# deleted meanwhile (a logout) are deleted from Redis when it answers again (assett/cache.py).
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_DOMAIN = None  # host-only: a territory's cookie is never sent to another territory
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
CSRF_FAILURE_VIEW = "assett.errors.csrf_failure"  # the DSFR error page, in French
SESSION_COOKIE_AGE = 60 * 60 * 24 * 14

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/mon-espace/"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
# First and last name, asked at sign-up: members and staff see people by name, not by address.
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.signup.NamesSignupForm"
# One address per account; a new one replaces it once verified (from « Mon compte »).
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_DEFAULT_HTTP_PROTOCOL = SITE_SCHEME
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
# Tokens bound to their territory (ids repeat from one schema to the next, SECRET_KEY does not):
# confirmation keys are random and stored in the schema's table instead of an HMAC of the row id;
# password-reset tokens hash the schema name. Login by code stays off.
ACCOUNT_EMAIL_CONFIRMATION_HMAC = False
ACCOUNT_PASSWORD_RESET_TOKEN_GENERATOR = "accounts.tokens.TerritoryPasswordResetTokenGenerator"  # noqa: S105 - a class path
ACCOUNT_LOGIN_BY_CODE_ENABLED = False
# allauth counts failed logins per client address: behind the TLS proxy that production expects,
# take it from X-Forwarded-For (the proxy's own address would make ten failures block everyone).
ALLAUTH_TRUSTED_PROXY_COUNT = env_int("ALLAUTH_TRUSTED_PROXY_COUNT", 1 if PRODUCTION else 0)

# French for everyone. The UI goes through gettext (locale/fr, locale/en); LocaleMiddleware will
# come back with the English catalogue, so that no page mixes French and English meanwhile.
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(BASE_DIR / ".local" / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / ".local" / "media")))
# Each schema stores its files under MEDIA_ROOT/<schema>/; their URLs (/media/<name>) are served by
# tenants.views.media from the folder of the territory whose host is asked only.
MULTITENANT_RELATIVE_MEDIA_ROOT = "%s"
STORAGES = {
    "default": {"BACKEND": "tenants.storage.TerritoryFileStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Files that only a view checking rights may serve (PDF reports): MEDIA_ROOT's folders are served to
# anyone by tenants.views.media, so these live elsewhere, under PRIVATE_MEDIA_ROOT/<schema>/.
PRIVATE_MEDIA_ROOT = Path(env("PRIVATE_MEDIA_ROOT", str(BASE_DIR / ".local" / "private")))
WHITENOISE_USE_FINDERS = DEBUG or TESTING
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Not a « ne-pas-répondre » address: answers reach the territory's team through Reply-To, as the signature says.
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "ASSETT <programme@assett.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
if PRODUCTION:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = required("EMAIL_HOST")
    EMAIL_PORT = env_int("EMAIL_PORT", 587)
    EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
else:
    EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
    EMAIL_HOST = env("EMAIL_HOST", "localhost")
    EMAIL_PORT = env_int("EMAIL_PORT", 1025)
# Every email goes through mailing/ (a row, then a Celery task): these bound a worker's wait, never a request's.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20)
# A failed send is retried after MAIL_RETRY_DELAY seconds, then twice as long each time (at most an
# hour), MAIL_MAX_RETRIES times; then the sweep (every MAIL_SWEEP_AFTER seconds, see the beat schedule)
# tries the pending ones again, until MAIL_GIVE_UP_AFTER seconds after they were queued.
MAIL_RETRY_DELAY = float(env("MAIL_RETRY_DELAY", "10"))
MAIL_MAX_RETRIES = env_int("MAIL_MAX_RETRIES", 8)
MAIL_SWEEP_AFTER = env_int("MAIL_SWEEP_AFTER", 300)
MAIL_SWEEP_BATCH = 500
MAIL_GIVE_UP_AFTER = env_int("MAIL_GIVE_UP_AFTER", 3 * 24 * 3600)

# How often the national view's aggregates are collected from every territory (seconds).
BENCHMARK_COLLECT_EVERY = env_int("BENCHMARK_COLLECT_EVERY", 6 * 3600)

CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
CELERY_TASK_ACKS_LATE = True  # a task whose worker dies is delivered again
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A request that sends a task (on commit) must not hang on a Redis that is down: one connection attempt,
# no pause, short socket timeouts (kombu's defaults wait 6 s). Workers reconnect through their own loop.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 3600,
    "max_retries": 1,
    "interval_start": 0,
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
}
# Tests send to a queue of their own, so that a `make run` worker on the same Redis never takes their tasks.
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_QUEUE", "assett-tests" if TESTING else "celery")
CELERY_RESULT_EXPIRES = 24 * 3600
CELERY_TASK_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
# A worker process that grew past this (KiB) after a task is replaced: WeasyPrint's memory grows
# on long documents and Python rarely gives it back.
CELERY_WORKER_MAX_MEMORY_PER_CHILD = env_int("CELERY_WORKER_MAX_MEMORY_PER_CHILD", 400_000)

# PDF reports (reports/, docs/architecture.md « The report pipeline »). A render past the soft limit
# (seconds) fails with a French message; past the hard one the worker kills the process. Both travel
# with the task (the worker obeys the sender's), and Celery's prefork pool starts the hard timer only
# once the soft one fired: keep soft < hard. A transient error (database, storage) is retried
# REPORT_MAX_RETRIES times, after REPORT_RETRY_DELAY s, then twice as long each time. A delivery that
# finds its job « running » with no process rendering it (its worker died) renders again,
# REPORT_MAX_ATTEMPTS renders in all; then the job fails. The watchdog
# (every REPORT_WATCHDOG_EVERY s) fails jobs running or pending for longer than REPORT_STUCK_AFTER s.
REPORT_SOFT_TIME_LIMIT = env_int("REPORT_SOFT_TIME_LIMIT", 60)
REPORT_HARD_TIME_LIMIT = env_int("REPORT_HARD_TIME_LIMIT", 90)
REPORT_MAX_RETRIES = env_int("REPORT_MAX_RETRIES", 3)
REPORT_RETRY_DELAY = float(env("REPORT_RETRY_DELAY", "5"))
REPORT_MAX_ATTEMPTS = env_int("REPORT_MAX_ATTEMPTS", 2)
REPORT_STUCK_AFTER = env_int("REPORT_STUCK_AFTER", REPORT_HARD_TIME_LIMIT + 60)
REPORT_WATCHDOG_EVERY = env_int("REPORT_WATCHDOG_EVERY", 60)
# Tests only: seconds a render waits once its job is « running », so that a test can kill its worker then.
REPORT_RENDER_PAUSE = float(env("REPORT_RENDER_PAUSE", "0"))

CELERY_BEAT_SCHEDULE = {
    "clear-expired-sessions": {"task": "accounts.clear_expired_sessions", "schedule": 24 * 3600},
    "send-pending-emails": {"task": "mailing.send_pending_emails_everywhere", "schedule": MAIL_SWEEP_AFTER},
    # Event reminders and feedback requests, each territory in its own schema and zone (events/reminders.py).
    "send-event-emails": {"task": "events.send_background_emails_everywhere", "schedule": 15 * 60},
    # The national view's aggregates (benchmarks/tasks.py): one task per territory, then the merge.
    "collect-benchmarks": {"task": "benchmarks.collect_benchmarks", "schedule": BENCHMARK_COLLECT_EVERY},
    "fail-stuck-reports": {"task": "reports.fail_stuck_jobs_everywhere", "schedule": REPORT_WATCHDOG_EVERY},
}

SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
CSP_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; "
    "base-uri 'self'; object-src 'none'"
)
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
    SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]

# Who may read /healthz's details (database, Redis, workers); empty: nobody, everyone gets the status only.
HEALTHZ_TOKEN = env("HEALTHZ_TOKEN", "")

# How long a process trusts its in-memory host → territory map before checking
# the shared generation counter (see tenants/resolution.py).
TENANT_CACHE_CHECK_SECONDS = float(env("TENANT_CACHE_CHECK_SECONDS", "1"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # WeasyPrint logs every layout step of every page at INFO.
        "weasyprint.progress": {"level": "WARNING"},
        # fontTools (WeasyPrint's font subsetting) logs each font it processes at INFO.
        "fontTools": {"level": "WARNING"},
    },
}
