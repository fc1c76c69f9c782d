"""One settings module, configured by environment variables (see docs/configuration.md)."""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

import dj_email_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from kaisai import envfile
from kaisai.config.database import database
from kaisai.config.env import env_bool, env_float, env_int, env_list
from kaisai.config.headers import content_security_policy
from kaisai.config.logs import init_sentry, logging_config
from kaisai.core.clientip import parse_networks

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent
DATA_DIR = Path(os.environ.get("KAISAI_DATA_DIR", PROJECT_DIR / "var"))

# $KAISAI_DATA_DIR/kaisai.env (written by `make demo`): the environment wins over the file.
# The test suite never reads it, so that a demo's settings do not leak into the tests.
if "pytest" not in sys.modules:
    try:
        envfile.load(DATA_DIR / envfile.FILE_NAME)
    except (OSError, envfile.EnvFileError) as _error:
        raise ImproperlyConfigured(f"Cannot read the settings file: {_error}") from _error


TESTING = "pytest" in sys.modules or env_bool("KAISAI_TESTING")
DEBUG = env_bool("KAISAI_DEBUG")


def _secret_key() -> str:
    key = os.environ.get("SECRET_KEY", "")
    if key:
        return key
    if TESTING:
        return "insecure-test-only-key-" + "x" * 40
    if DEBUG:
        # The demo generates a key once and keeps it beside its database.
        path = DATA_DIR / "secret_key"
        if not path.exists():
            DATA_DIR.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(50))
            path.chmod(0o600)
        return path.read_text().strip()
    raise ImproperlyConfigured(
        "SECRET_KEY must be set when KAISAI_DEBUG is off "
        "(in the environment or in $KAISAI_DATA_DIR/kaisai.env; see docs/configuration.md)."
    )


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
BASE_URL = os.environ.get("KAISAI_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
if not BASE_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured(
        f"KAISAI_BASE_URL must start with http:// or https://, not {BASE_URL!r}."
    )
# The site's name in mail subjects and greetings (django.contrib.sites' Site follows it).
KAISAI_SITE_NAME = os.environ.get("KAISAI_SITE_NAME", "").strip() or "kaisai"
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", BASE_URL)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.mfa",
    "allauth.socialaccount.providers.github",
    "allauth.socialaccount.providers.google",
    "django_htmx",
    "ninja",  # serves the API docs' Swagger UI from /static/ instead of a CDN (CSP)
    "django_tasks",
    "django_tasks_db",
    "kaisai.core",
    "kaisai.accounts",
    "kaisai.groups",
    "kaisai.events",
    "kaisai.registrations",
    "kaisai.checkin",
    "kaisai.talks",
    "kaisai.forecast",
    "kaisai.insights",
    "kaisai.notices",
    "kaisai.surveys",
    "kaisai.recaps",
    "kaisai.api",
    "kaisai.site",
]

MIDDLEWARE = [
    "kaisai.core.metrics.RequestMetricsMiddleware",
    "kaisai.core.unavailable.DatabaseUnavailableMiddleware",
    # A stored public event page for a visitor without a session, in front of the layers
    # below with the headers they gave it (site/event_page_front.py).
    "kaisai.site.event_page_front.EventPageFrontMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "kaisai.core.csp_policy.CSPMiddleware",  # django-csp's, the header built once
    "kaisai.core.security_headers.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "kaisai.core.controls.ControlCharactersMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # A stored public event page for a visitor without a session, before the layers below
    # (site/event_page_early.py).
    "kaisai.site.event_page_early.EventPageHitMiddleware",
    # The pages' own layers, skipped under /api/ (token authentication, JSON answers):
    # core/web_only.py.
    "kaisai.core.web_only.WebOnlyStart",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "kaisai.accounts.middleware.PreferredLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "kaisai.groups.middleware.MFARequiredMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "kaisai.core.web_only.WebOnlyEnd",
]

ROOT_URLCONF = "kaisai.urls"
WSGI_APPLICATION = "kaisai.wsgi.application"
ASGI_APPLICATION = "kaisai.asgi.application"

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
                "kaisai.core.context_processors.site",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'kaisai.sqlite3'}"
# Behind PgBouncer in transaction pooling (docs/deploy.md): no server-side cursors, no
# prepared statements (config/database.py).
KAISAI_PGBOUNCER = env_bool("KAISAI_PGBOUNCER")
DATABASES = {"default": database(DATABASE_URL, pgbouncer=KAISAI_PGBOUNCER)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3" and not TESTING:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
# Seconds a client is told to wait (Retry-After) while the database is unavailable.
KAISAI_RETRY_AFTER_SECONDS = env_int("KAISAI_RETRY_AFTER_SECONDS", 5)
# The event page for logged-in visitors from the shared cache, their own parts rendered per
# answer (site/event_page_user.py); off: rendered in full for them.
KAISAI_EVENT_PAGE_USER_CACHE = env_bool("KAISAI_EVENT_PAGE_USER_CACHE", True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (Redis when several app servers share state) ----------------------------------
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            # Django's RedisCache that falls back to this process's memory while Redis is
            # away (core/cache.py): pages keep working, rate limits keep limiting.
            "BACKEND": "kaisai.core.cache.ResilientRedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            "OPTIONS": {
                "socket_connect_timeout": float(os.environ.get("KAISAI_REDIS_TIMEOUT", "0.5")),
                "socket_timeout": float(os.environ.get("KAISAI_REDIS_TIMEOUT", "0.5")),
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Background work ----------------------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if TESTING
            else "django_tasks_db.DatabaseBackend"
        ),
        "QUEUES": ["default"],
    }
}

# --- Accounts -----------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
# Django's database sessions, read by one raw query (accounts/sessions.py).
SESSION_ENGINE = "kaisai.accounts.sessions"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
SITE_ID = 1
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_USER_MODEL_USERNAME_FIELD = "nickname"
ACCOUNT_LOGIN_METHODS = {"email", "username"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = os.environ.get("KAISAI_EMAIL_VERIFICATION", "mandatory")
ACCOUNT_UNIQUE_EMAIL = True
# Confirming the address in the browser that signed up logs in and goes on to the sign-up's
# `next` (e.g. the event registration the person came from).
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if BASE_URL.startswith("https") else "http"
ACCOUNT_ADAPTER = "kaisai.accounts.adapters.AccountAdapter"
ACCOUNT_USERNAME_BLACKLIST = ["admin", "api", "settings", "me", "new", "edit", "demo-mail"]
ACCOUNT_FORMS = {
    "signup": "kaisai.accounts.forms.SignupForm",
    "login": "kaisai.accounts.forms.LoginForm",
}
# Per real client IP (kaisai.core.clientip). Failed logins: 10 a minute per IP, and 5 in five
# minutes per (account, IP) pair — not per account, so that someone guessing a password from
# elsewhere cannot lock its owner out (AccountAdapter, docs/security.md).
ACCOUNT_RATE_LIMITS = {"login": "30/m/ip", "login_failed": "10/m/ip,5/300s/key"}

# Two-factor authentication (docs/security.md): an authenticator app (TOTP), security keys and
# passkeys (WebAuthn), and recovery codes, offered to everyone on /accounts/2fa/.
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_PASSKEY_LOGIN_ENABLED = True
MFA_TOTP_ISSUER = "kaisai"
# WebAuthn needs https; the demo on http://127.0.0.1 may use it too.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG or TESTING

SOCIALACCOUNT_PROVIDERS: dict[str, dict] = {}
for _provider, _prefix in (("github", "GITHUB"), ("google", "GOOGLE")):
    _client_id = os.environ.get(f"{_prefix}_CLIENT_ID")
    _client_secret = os.environ.get(f"{_prefix}_CLIENT_SECRET")
    if _client_id and _client_secret:
        SOCIALACCOUNT_PROVIDERS[_provider] = {
            "APPS": [{"client_id": _client_id, "secret": _client_secret, "key": ""}],
            "SCOPE": ["user:email"] if _provider == "github" else ["profile", "email"],
        }
SOCIALACCOUNT_ONLY_CONFIGURED = True

# --- Mail ---------------------------------------------------------------------------------
EMAIL_URL = os.environ.get("EMAIL_URL", "")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "kaisai <noreply@localhost>")
if EMAIL_URL:
    _email = dj_email_url.parse(EMAIL_URL)
    EMAIL_BACKEND = _email["EMAIL_BACKEND"]
    EMAIL_HOST = _email["EMAIL_HOST"]
    EMAIL_PORT = _email["EMAIL_PORT"]
    EMAIL_HOST_USER = _email["EMAIL_HOST_USER"]
    EMAIL_HOST_PASSWORD = _email["EMAIL_HOST_PASSWORD"]
    EMAIL_USE_TLS = _email["EMAIL_USE_TLS"]
    EMAIL_USE_SSL = _email["EMAIL_USE_SSL"]
    EMAIL_TIMEOUT = _email.get("EMAIL_TIMEOUT") or 10
elif TESTING:
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
elif DEBUG:
    # The demo without a mail server keeps mail in the database and shows it at /demo-mail/.
    EMAIL_BACKEND = "kaisai.core.mailbox.DemoMailboxBackend"
else:
    # Production without EMAIL_URL: mail goes to the log, never to a public page.
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEMO_MAILBOX = DEBUG and not EMAIL_URL
# SMTP connections each worker sends over at once (docs/mail-delivery.md, "Sending").
KAISAI_MAIL_SMTP_CONNECTIONS = env_int("KAISAI_MAIL_SMTP_CONNECTIONS", 2, minimum=1)

# --- Internationalisation ---------------------------------------------------------------
LANGUAGE_CODE = os.environ.get("KAISAI_LANGUAGE", "ja")
LANGUAGES = [("ja", _("Japanese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Tokyo")
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files --------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("KAISAI_STATIC_ROOT", DATA_DIR / "static"))
STATICFILES_DIRS = [BASE_DIR / "static"]  # kaisai/static is not an app's directory
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("KAISAI_MEDIA_ROOT", DATA_DIR / "media"))
SERVE_MEDIA = env_bool("KAISAI_SERVE_MEDIA", default=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Test-only switch: False replaces the frame lock by a racy read-check-write (see
# registrations/services/seats.py); the concurrency test uses it to show the race exists.
KAISAI_REGISTRATION_LOCK = not (TESTING and os.environ.get("KAISAI_REGISTRATION_LOCK") == "off")

# connpass-compatible API (/api/v2/): requests per API key, "N/PERIOD" (s, m, h, d) or "off".
# Webhook URLs may point to private/loopback addresses only on a closed site whose chat server
# is on its own network; refused by default (SSRF guard, docs/security.md, docs/webhooks.md).
KAISAI_WEBHOOK_ALLOW_PRIVATE = env_bool("KAISAI_WEBHOOK_ALLOW_PRIVATE", default=False)
KAISAI_API_V2_RATE = os.environ.get("KAISAI_API_V2_RATE", "1/s")

# --- Security -------------------------------------------------------------------------
# Reverse proxies whose X-Forwarded-For is believed (comma-separated addresses or networks);
# empty: none, the peer address is the client (docs/security.md, docs/configuration.md).
KAISAI_TRUSTED_PROXIES = env_list("KAISAI_TRUSTED_PROXIES")


KAISAI_TRUSTED_PROXY_NETWORKS = parse_networks(KAISAI_TRUSTED_PROXIES)
SESSION_COOKIE_SECURE = BASE_URL.startswith("https")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
# TLS ends at the proxy (deploy/nginx/kaisai.conf), which sets X-Forwarded-Proto itself,
# overwriting what a client sent: trust that header only when told (KAISAI_PROXY_SSL_HEADER).
if env_bool("KAISAI_PROXY_SSL_HEADER"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("KAISAI_SSL_REDIRECT")
# Monitoring asks the app servers directly over plain HTTP on loopback.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]


# Content-Security-Policy (django-csp; kaisai.config.headers) beside the other headers of
# kaisai.core.security_headers (docs/security.md "Headers and caching").
CONTENT_SECURITY_POLICY = content_security_policy(SOCIALACCOUNT_PROVIDERS)
# Strict-Transport-Security, sent when KAISAI_BASE_URL is https and this is above 0.
KAISAI_HSTS_SECONDS = env_int("KAISAI_HSTS_SECONDS", 0, minimum=0)
KAISAI_HSTS_INCLUDE_SUBDOMAINS = env_bool("KAISAI_HSTS_INCLUDE_SUBDOMAINS")
KAISAI_HSTS_PRELOAD = env_bool("KAISAI_HSTS_PRELOAD")
# The same for Django's SecurityMiddleware and `check --deploy` (one header either way).
SECURE_HSTS_SECONDS = KAISAI_HSTS_SECONDS
SECURE_HSTS_INCLUDE_SUBDOMAINS = KAISAI_HSTS_INCLUDE_SUBDOMAINS
SECURE_HSTS_PRELOAD = KAISAI_HSTS_PRELOAD

# Uploaded images (kaisai.core.images, docs/security.md "Uploads"): at most this many MB and
# this many pixels on each side; PNG, JPEG, GIF or WebP only, re-encoded on upload.
KAISAI_IMAGE_MAX_MB = env_int("KAISAI_IMAGE_MAX_MB", 5, minimum=1)
KAISAI_IMAGE_MAX_SIDE = env_int("KAISAI_IMAGE_MAX_SIDE", 4096, minimum=16)

# KAISAI_LOG_FORMAT=json: one JSON object per line (python-json-logger), for log collectors.
LOG_FORMAT = os.environ.get("KAISAI_LOG_FORMAT", "text").strip().lower()
LOGGING = logging_config(LOG_FORMAT, os.environ.get("KAISAI_LOG_LEVEL", "INFO"))

# Health and metrics (docs/operations.md): who may read /metrics and the health checks'
# details (straight requests only, never through the proxy), and how old the newest worker
# heartbeat may be for /readyz.
KAISAI_METRICS_ALLOW = env_list("KAISAI_METRICS_ALLOW", "127.0.0.0/8,::1")
KAISAI_WORKER_STALE_SECONDS = env_int("KAISAI_WORKER_STALE_SECONDS", 120)

# Error reporting to Sentry (or a compatible service): off unless SENTRY_DSN is set.
SENTRY_DSN = os.environ.get("SENTRY_DSN", "")
if SENTRY_DSN:
    init_sentry(
        SENTRY_DSN,
        traces_sample_rate=env_float("SENTRY_TRACES_SAMPLE_RATE", 0.0),
        environment=os.environ.get("SENTRY_ENVIRONMENT", "production"),
    )

if TESTING:
    # Fast hashing for the thousands of users tests create; production keeps Django's default.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Jobs the worker's ticker runs, with their intervals in seconds (see core/ticker.py).
KAISAI_PERIODIC_JOBS = {
    # Bulk mail (a lottery draw's) into ordinary outbox rows, which the next job sends.
    "kaisai.core.bulkexpand.expand_bulk_mail": env_float("KAISAI_MAIL_POLL_SECONDS", 2.0),
    "kaisai.core.outbox.deliver_due_mail": env_float("KAISAI_MAIL_POLL_SECONDS", 2.0),
    "kaisai.registrations.services.draw_due_lotteries": 15.0,
    "kaisai.registrations.services.replan_upcoming": 60.0,
    "kaisai.notices.services.reminders.send_due_reminders": 60.0,
    "kaisai.notices.services.reconfirmation.send_due_reconfirmations": 60.0,
    "kaisai.notices.services.group_notices.announce_opened_registrations": 60.0,
    "kaisai.notices.services.webhooks.dispatch_webhooks": 5.0,
    "kaisai.talks.services.reminders.remind_missing_slides": 600.0,
    "kaisai.surveys.services.send_due_surveys": 60.0,
}
