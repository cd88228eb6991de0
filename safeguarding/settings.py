"""Settings of the Safeguarding Partnership Hub, read from the environment only.

See docs/decisions/0003-settings-from-environment.md. Variables:

- DATABASE_URL: default a SQLite file in the project folder.
- DATABASE_OWNER_URL: on PostgreSQL, the same database as the role that owns the tables
  (migrations run as it); DATABASE_URL's role then owns nothing (core/dbroles.py).
- SAFEGUARDING_AUDIT_CHECKPOINT_DIR, SAFEGUARDING_AUDIT_CHECKPOINT_KEY (derived from the
  secret key), SAFEGUARDING_AUDIT_CHECKPOINT_EMAILS: the audit log's signed checkpoints.
- SAFEGUARDING_SECRET_KEY: required in production (at least 50 characters, 20 of them
  different, no short unit repeated, not a development key: env.weak_secret_key).
- SAFEGUARDING_ALLOWED_HOSTS: comma-separated; default localhost only.
- SAFEGUARDING_DEBUG: default off.
- SAFEGUARDING_PRODUCTION: secure cookies, HSTS, SSL redirect; refuses a weak key,
  debug and the demo.
- SAFEGUARDING_DEMO: the demo partnership's shortcuts (a fixed MFA code); needs debug.
- SAFEGUARDING_SESSION_IDLE_MINUTES (30), SAFEGUARDING_SESSION_MAX_HOURS (12),
  SAFEGUARDING_BREAK_GLASS_HOURS (8), SAFEGUARDING_BREAK_GLASS_DAILY_LIMIT (3),
  SAFEGUARDING_BREAK_GLASS_ALERT_AFTER (1), SAFEGUARDING_BREAK_GLASS_MIN_WORDS (6),
  SAFEGUARDING_BREAK_GLASS_ROLE_AGE_HOURS (24), SAFEGUARDING_TRUSTED_PROXY_COUNT (0),
  SAFEGUARDING_EMAIL_BACKEND, SAFEGUARDING_FROM_EMAIL, SAFEGUARDING_EMAIL_HOST,
  SAFEGUARDING_EMAIL_PORT (587), SAFEGUARDING_EMAIL_USER, SAFEGUARDING_EMAIL_PASSWORD.
- SAFEGUARDING_UPLOAD_MAX_MB (250), SAFEGUARDING_API_MAX_MB (32),
  SAFEGUARDING_API_MAX_RECORDS (100000): the largest extract upload and API request.
- SAFEGUARDING_XLSX_MAX_ROWS (250000), SAFEGUARDING_XLSX_MAX_CELLS (5000000),
  SAFEGUARDING_XLSX_MAX_MB (500), SAFEGUARDING_XLSX_MAX_SHEET_MB (400),
  SAFEGUARDING_XLSX_MAX_SHARED_STRINGS_MB (32), SAFEGUARDING_XLSX_MAX_RATIO (100): what
  an uploaded workbook may expand to, checked before it is read.
- SAFEGUARDING_MEDIA_ROOT (media/ in the project): where uploaded photographs and the
  published annual reports' files are kept.
- SAFEGUARDING_MISSING_REPEAT_THRESHOLD (3), SAFEGUARDING_MISSING_REPEAT_WINDOW_DAYS (90).
- SAFEGUARDING_PARTNERSHIP_AGENCY (PBU): the code of the partnership's own agency, which
  the data set's computed values are recorded against (else the local authority).
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from safeguarding.env import Env, weak_secret_key

env = Env()
BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent

DEVELOPMENT_SECRET_KEY = "django-insecure-development-key-never-use-in-production"  # noqa: S105

PRODUCTION = env.flag("SAFEGUARDING_PRODUCTION")
DEBUG = env.flag("SAFEGUARDING_DEBUG")
DEMO = env.flag("SAFEGUARDING_DEMO")
SECRET_KEY = env.text("SAFEGUARDING_SECRET_KEY") or DEVELOPMENT_SECRET_KEY


if PRODUCTION:
    if weak_secret_key(SECRET_KEY, DEVELOPMENT_SECRET_KEY):
        raise ImproperlyConfigured(
            "SAFEGUARDING_PRODUCTION is on but SAFEGUARDING_SECRET_KEY is missing or weak: "
            "set a random key of at least 50 characters, such as Django's get_random_secret_key() "
            "makes."
        )
    if DEBUG:
        raise ImproperlyConfigured(
            "SAFEGUARDING_DEBUG must be off when SAFEGUARDING_PRODUCTION is on."
        )
    if DEMO:
        raise ImproperlyConfigured(
            "SAFEGUARDING_DEMO must be off when SAFEGUARDING_PRODUCTION is on."
        )
if DEMO and not DEBUG:
    raise ImproperlyConfigured(
        "SAFEGUARDING_DEMO needs SAFEGUARDING_DEBUG on: the demo is for a laptop."
    )

ALLOWED_HOSTS = env.items(
    "SAFEGUARDING_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"]
)

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    # Single sign-on per agency (docs/decisions/0066-single-sign-on-per-agency.md).
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "csp",
    "safeguarding.core",
    "safeguarding.children",
    "safeguarding.exploitation",
    "safeguarding.missing",
    "safeguarding.education",
    "safeguarding.young_carers",
    "safeguarding.insight",
    "safeguarding.learning",
    "safeguarding.training",
    "safeguarding.demo",
    "safeguarding.reports",
    "safeguarding.sso",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # No answer to a signed-in user is kept by a browser or proxy (Cache-Control: no-store);
    # early, so that it sees every answer, the redirects of the middleware below included.
    "safeguarding.core.middleware.NoStoreMiddleware",
    # Before our own middleware, which leaves a message when it signs a user out.
    "django.contrib.messages.middleware.MessageMiddleware",
    "safeguarding.core.middleware.SessionLifetimeMiddleware",
    # allauth's UserSessionsMiddleware, writing at most once a minute.
    "safeguarding.core.middleware.UserSessionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "safeguarding.core.middleware.RequireMFAMiddleware",
    # 429 for an anonymous caller over a costly page's limit (core/limits.py).
    "safeguarding.core.limits.AnonymousLimitMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # After csp's: the sign-in page's forms may go on to the agencies' providers (0066).
    "safeguarding.sso.middleware.ProviderFormActionMiddleware",
]

if PRODUCTION:
    # Static files straight from the app server, compressed and cache-busted.
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "safeguarding.urls"
WSGI_APPLICATION = "safeguarding.wsgi.application"

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
                "safeguarding.core.context_processors.hub",
            ],
        },
    },
]

try:
    DATABASES = {
        "default": dj_database_url.parse(
            env.text("DATABASE_URL") or f"sqlite:///{PROJECT_DIR / 'db.sqlite3'}",
            conn_max_age=60,
        )
    }
except ValueError as error:  # dj-database-url's word for an unknown scheme or bad URL
    raise ImproperlyConfigured(f"DATABASE_URL cannot be understood: {error}") from None
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No JIT: the hub's queries are short, and compiling them cost more than running them
    # (150 ms of a 200 ms count on a tracker page, bench/bench_education.py).
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault("options", "-c jit=off")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            # SQLite's page cache is 2 MB by default: an import into a child index of a
            # million records then rereads index pages from the file system for every row.
            # 64 MB is taken only as pages are read (bench/bench_import.py).
            "init_command": "PRAGMA cache_size = -65536",
        }
    )

# The owner of the tables (docs/security.md, "Two database roles"): migrations, the test
# flush and the cache table run as this role; the app connects as DATABASE_URL's role,
# which owns nothing and may only add to the audit log. The same database as
# DATABASE_URL; give it only to the deploy step, never to the running app.
DATABASE_OWNER = None
_owner_url = env.text("DATABASE_OWNER_URL")
if _owner_url and DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    try:
        DATABASE_OWNER = dj_database_url.parse(_owner_url)
    except ValueError as error:
        raise ImproperlyConfigured(f"DATABASE_OWNER_URL cannot be understood: {error}") from None
    if DATABASE_OWNER["ENGINE"] != DATABASES["default"]["ENGINE"] or (
        DATABASE_OWNER["NAME"] != DATABASES["default"]["NAME"]
    ):
        raise ImproperlyConfigured(
            "DATABASE_OWNER_URL must name the same PostgreSQL database as DATABASE_URL."
        )

# A cache shared by every process (the login rate limits and lockout live here): the
# database, so that no set-up is needed; see docs/decisions/0006-cache-in-database.md.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "safeguarding_cache",
    }
}

AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "safeguarding.core.auth.AgencyAwareBackend",
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

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "account_login"

# Accounts: sign-in by email; no public sign-up (agency admins create users).
ACCOUNT_ADAPTER = "safeguarding.core.auth.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "none"
# --- Single sign-on per agency (docs/decisions/0066-single-sign-on-per-agency.md) ---
# The apps are the providers registered in the hub's pages (sso.adapter.list_apps); the
# adapter matches by verified email within the provider's agency and creates no account
# unless that agency allowed it; allauth's own sign-up and email matching stay off.
SOCIALACCOUNT_ADAPTER = "safeguarding.sso.adapter.SocialAccountAdapter"
SOCIALACCOUNT_AUTO_SIGNUP = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_EMAIL_VERIFICATION = "none"
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_REQUESTS_TIMEOUT = 10
# --- end of single sign-on ---
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
# A reset asked for an address with no account sends nothing (allauth's default mails the
# address an "unknown account" note, which anyone could use to mail-bomb a stranger); the
# page answers the same either way (ACCOUNT_PREVENT_ENUMERATION).
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
# Rate limits: per address, and per account (the key is the email): five failed
# sign-ins in 15 minutes lock the account for the rest of that window.
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/15m/key",
    "reset_password": "5/m/ip,3/h/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_PASSKEY_LOGIN_ENABLED = False
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG
MFA_TOTP_ISSUER = "Safeguarding Partnership Hub"
MFA_RECOVERY_CODE_COUNT = 10
# Accounts are created by agency admins, not by sign-up, so addresses are not verified
# by email; MFA set-up must not wait for a verification that never comes.
MFA_ALLOW_UNVERIFIED_EMAIL = True
USERSESSIONS_TRACK_ACTIVITY = True
# Tell users by email when their password or sign-in methods change.
ACCOUNT_EMAIL_NOTIFICATIONS = True
# Behind N reverse proxies the client's address is the Nth from the right of
# X-Forwarded-For: rate limits, lockout and the audit log all read it so.
ALLAUTH_TRUSTED_PROXY_COUNT = env.number("SAFEGUARDING_TRUSTED_PROXY_COUNT", 0)
DEMO_MFA_CODE = "123456" if DEMO else None
if DEMO_MFA_CODE:
    MFA_TOTP_INSECURE_BYPASS_CODE = DEMO_MFA_CODE

# Sessions: an idle timeout and an absolute lifetime, enforced by
# core.middleware.SessionLifetimeMiddleware on the server side.
SESSION_IDLE_SECONDS = env.number("SAFEGUARDING_SESSION_IDLE_MINUTES", 30, minimum=1) * 60
SESSION_MAX_SECONDS = env.number("SAFEGUARDING_SESSION_MAX_HOURS", 12, minimum=1) * 3600
SESSION_COOKIE_AGE = SESSION_MAX_SECONDS
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
BREAK_GLASS_SECONDS = env.number("SAFEGUARDING_BREAK_GLASS_HOURS", 8, minimum=1) * 3600
# Break-glass has a brake (docs/decisions/0058-break-glass-brake.md): at most
# BREAK_GLASS_DAILY_LIMIT openings by one user in any 24 hours; the information governance
# leads are emailed at once when a user opens more than BREAK_GLASS_ALERT_AFTER in 24 hours;
# a reason says something in at least BREAK_GLASS_MIN_WORDS words; and a role that allows
# break-glass opens nothing until it has been held for BREAK_GLASS_ROLE_AGE_HOURS.
BREAK_GLASS_DAILY_LIMIT = env.number("SAFEGUARDING_BREAK_GLASS_DAILY_LIMIT", 3, minimum=1)
BREAK_GLASS_ALERT_AFTER = env.number("SAFEGUARDING_BREAK_GLASS_ALERT_AFTER", 1, minimum=0)
BREAK_GLASS_MIN_WORDS = env.number("SAFEGUARDING_BREAK_GLASS_MIN_WORDS", 6, minimum=1)
BREAK_GLASS_ROLE_AGE_HOURS = env.number("SAFEGUARDING_BREAK_GLASS_ROLE_AGE_HOURS", 24, minimum=0)

# Extracts: an uploaded file above FILE_UPLOAD_MAX_MEMORY_SIZE is streamed to a temporary
# file rather than held in memory; an upload above SAFEGUARDING_UPLOAD_MAX_MB is refused
# with a message (a million-row persons CSV is about 100 MB). The import API takes bodies
# up to SAFEGUARDING_API_MAX_MB and SAFEGUARDING_API_MAX_RECORDS records; larger is 413.
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
SAFEGUARDING_UPLOAD_MAX_BYTES = (
    env.number("SAFEGUARDING_UPLOAD_MAX_MB", 250, minimum=1) * 1024 * 1024
)
SAFEGUARDING_API_MAX_BYTES = env.number("SAFEGUARDING_API_MAX_MB", 32, minimum=1) * 1024 * 1024
SAFEGUARDING_API_MAX_RECORDS = env.number("SAFEGUARDING_API_MAX_RECORDS", 100_000, minimum=1)

# An uploaded XLSX workbook is inspected before it is opened and refused past these
# (core/uploads.py; docs/decisions/0056): a workbook is read into memory more than a CSV
# (its shared strings wholly), so it has lower limits; a larger extract comes as CSV.
SAFEGUARDING_XLSX_MAX_ROWS = env.number("SAFEGUARDING_XLSX_MAX_ROWS", 250_000, minimum=1)
SAFEGUARDING_XLSX_MAX_CELLS = env.number("SAFEGUARDING_XLSX_MAX_CELLS", 5_000_000, minimum=1)
SAFEGUARDING_XLSX_MAX_BYTES = env.number("SAFEGUARDING_XLSX_MAX_MB", 500, minimum=1) * 1024 * 1024
SAFEGUARDING_XLSX_MAX_SHEET_BYTES = (
    env.number("SAFEGUARDING_XLSX_MAX_SHEET_MB", 400, minimum=1) * 1024 * 1024
)
SAFEGUARDING_XLSX_MAX_SHARED_STRINGS_BYTES = (
    env.number("SAFEGUARDING_XLSX_MAX_SHARED_STRINGS_MB", 32, minimum=1) * 1024 * 1024
)
SAFEGUARDING_XLSX_MAX_RATIO = env.number("SAFEGUARDING_XLSX_MAX_RATIO", 100, minimum=2)

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = 31_536_000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"

# Content-Security-Policy: scripts, styles and images from this site only; no inline
# script or style anywhere (docs/decisions/0005-strict-csp.md).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"
SHORT_DATE_FORMAT = "j M Y"

# The audit log's checkpoints: its head (sequence and hash), signed and appended to a
# file outside the database's reach, and emailed if addresses are given, by
# `safeguarding audit checkpoint` on a schedule; `audit verify` checks the log against
# them (core/checkpoints.py). The key is not in the database: by default it is derived
# from the secret key.
_checkpoint_dir = env.text("SAFEGUARDING_AUDIT_CHECKPOINT_DIR")
AUDIT_CHECKPOINT_DIR = Path(_checkpoint_dir) if _checkpoint_dir else None
AUDIT_CHECKPOINT_KEY = env.text("SAFEGUARDING_AUDIT_CHECKPOINT_KEY") or ""
AUDIT_CHECKPOINT_EMAILS = (
    env.items("SAFEGUARDING_AUDIT_CHECKPOINT_EMAILS", [])
    if env.text("SAFEGUARDING_AUDIT_CHECKPOINT_EMAILS")
    else []
)

# Uploaded files (a missing child's photograph): never served by URL, only through
# access-checked views, so there is no MEDIA_URL.
MEDIA_ROOT = Path(env.text("SAFEGUARDING_MEDIA_ROOT") or PROJECT_DIR / "media")

# Repeat missing: this many episodes within this many days (DOMAIN.md: configurable).
MISSING_REPEAT_THRESHOLD = env.number("SAFEGUARDING_MISSING_REPEAT_THRESHOLD", 3, minimum=1)
MISSING_REPEAT_WINDOW_DAYS = env.number("SAFEGUARDING_MISSING_REPEAT_WINDOW_DAYS", 90, minimum=1)

# The data set's computed values are recorded against this agency (insight/computed.py).
PARTNERSHIP_AGENCY = env.text("SAFEGUARDING_PARTNERSHIP_AGENCY") or "PBU"

STATIC_URL = "/static/"
STATIC_ROOT = PROJECT_DIR / "staticfiles"
STATICFILES_DIRS = [PROJECT_DIR / "build" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

EMAIL_BACKEND = env.text("SAFEGUARDING_EMAIL_BACKEND") or (
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend"
)
DEFAULT_FROM_EMAIL = env.text("SAFEGUARDING_FROM_EMAIL") or "hub@localhost"
EMAIL_HOST = env.text("SAFEGUARDING_EMAIL_HOST") or "localhost"
EMAIL_PORT = env.number("SAFEGUARDING_EMAIL_PORT", 587, minimum=1)
EMAIL_HOST_USER = env.text("SAFEGUARDING_EMAIL_USER") or ""
EMAIL_HOST_PASSWORD = env.text("SAFEGUARDING_EMAIL_PASSWORD") or ""
EMAIL_USE_TLS = EMAIL_PORT == 587

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
