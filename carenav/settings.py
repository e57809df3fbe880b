"""CareNav settings: one module, read from environment variables.

Production-safe by default; a developer opts in to debug mode with DJANGO_DEBUG=1.
Every variable read here is listed in README.md.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
import xstatic.pkg.bootstrap as xstatic_bootstrap
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from carenav.environment import env_bool, env_float, env_int, env_list

BASE_DIR = Path(__file__).resolve().parent.parent


DEBUG = env_bool("DJANGO_DEBUG")
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "dev-insecure-key" if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("Set DJANGO_SECRET_KEY (required when DEBUG is off)")
ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else ""
)
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")
# The address people reach the site at, for links in e-mails sent outside a request.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    # Before the admin, as modeltranslation requires: it registers the translated
    # content fields (each app's translation.py) and patches the admin's forms.
    "modeltranslation",
    # Own apps first, so their templates override those of the packages below.
    "apps.core",
    "apps.accounts",
    "apps.diseases",
    "apps.directory",
    "apps.checklists",
    "apps.referrals",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "axes",
    "crispy_forms",
    "crispy_bootstrap5",
    "csp",
    "django_filters",
    "django_htmx",
    "pghistory",
    "pgtrigger",
    "rest_framework",
    "drf_spectacular",
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "apps.core.middleware.PermissionsPolicyMiddleware",
    "apps.core.middleware.RequestSizeLimitMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The page's language: from the /es/ prefix, else English (see README, Languages).
    "django.middleware.locale.LocaleMiddleware",
    # Writes the access-log rows of a request's personal-record reads in one INSERT.
    "apps.core.audit.AccessLogMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # Signed-in pages: Cache-Control no-store (they can hold personal data).
    "apps.core.middleware.NoStoreForSignedInMiddleware",
    # Sends a visitor who prefers Spanish from an English page to its /es/ twin
    # (inside the one above: a redirect chosen by an account's language is no-store).
    "apps.core.languages.LanguageChoiceMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "apps.accounts.middleware.StaffMFARequiredMiddleware",
    "pghistory.middleware.HistoryMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, so a lock-out answers before any view runs.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "carenav.urls"
WSGI_APPLICATION = "carenav.wsgi.application"

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
                # After Django's csrf processor, which it overrides for pages
                # rendered for the public-page cache.
                "apps.core.caching.csrf_placeholder",
                # language_links: the language switch and hreflang links.
                "apps.core.languages.language_links",
            ],
            # {% url %} remembered per worker and language (apps.core.remembered):
            # every page reverses the same names.
            "builtins": ["apps.core.templatetags.remembered_url"],
        },
    },
]

# Connections. The development server (DEBUG) starts a thread per request, so it keeps
# no connection open after a request: persistent ones would pile up until PostgreSQL
# refuses new ones. In production each process keeps a psycopg pool (Django's "pool"
# option; it excludes CONN_MAX_AGE), sized by DJANGO_DB_POOL_MAX_SIZE: see README,
# Production. DJANGO_DB_POOL=0 falls back to one persistent connection per thread
# (DJANGO_CONN_MAX_AGE), for a PgBouncer in front that does the pooling itself.
DATABASE_POOL = env_bool("DJANGO_DB_POOL", default=not DEBUG)


def database_settings(url: str) -> dict:
    persistent = not (DEBUG or DATABASE_POOL)
    database = dj_database_url.parse(
        url,
        conn_max_age=env_int("DJANGO_CONN_MAX_AGE", 60) if persistent else 0,
        # With the pool: a connection the server dropped is replaced before a
        # request gets it.
        conn_health_checks=True,
    )
    database.setdefault("OPTIONS", {})
    if DATABASE_POOL:
        database["OPTIONS"]["pool"] = {
            "min_size": env_int("DJANGO_DB_POOL_MIN_SIZE", 1),
            "max_size": env_int("DJANGO_DB_POOL_MAX_SIZE", 4),
            # Seconds a request waits for a free connection before failing (503).
            "timeout": env_int("DJANGO_DB_POOL_TIMEOUT", 10),
        }
    return database


DATABASES = {
    "default": database_settings(
        os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/carenav")
    )
}
# A query that runs away must not hold a worker for ever. No JIT compiling: it pays
# off only for statements that run for seconds, and PostgreSQL turns it on by the
# planner's cost estimate, so a search estimated high spent 135 ms compiling to run
# for 380 ms (EXPLAIN ANALYZE at 100,000 services). A random page read costs about
# as much as a sequential one (DJANGO_DB_RANDOM_PAGE_COST, PostgreSQL's default is
# 4, priced for spinning disks): the directory's search tables and indexes are read
# from memory, and at the default the planner built a bitmap of every service of a
# broad type (33,000 rows, 7 ms) to spare itself rechecking 300 rows that matched
# the words; at 1.1 it rechecks them (a ring of an empty search: 12 to 5 ms).
DATABASES["default"]["OPTIONS"].setdefault(
    "options",
    f"-c statement_timeout={env_int('DJANGO_STATEMENT_TIMEOUT_MS', 15000)} -c jit=off"
    f" -c random_page_cost={env_float('DJANGO_DB_RANDOM_PAGE_COST', 1.1)}",
)
# Statements run through apps.core.prepared.prepared_cursor() (server-side binding)
# are prepared after this many runs on a pooled connection; Django's own
# client-bound queries are never prepared. Not without the pool: connections then
# last one request (DEBUG), or PgBouncer may hand the next statement another
# server connection, without the prepared statement (DJANGO_DB_POOL=0).
if DATABASE_POOL:
    DATABASES["default"]["OPTIONS"].setdefault("prepare_threshold", 5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "apps.core.redis_cache.SharedClientRedisCache",
            "LOCATION": REDIS_URL,
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cache"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    SESSION_ENGINE = "django.contrib.sessions.backends.db"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # Axes first: it refuses a locked-out account before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    # allauth's, also reading whether the account has a second factor set up.
    "apps.accounts.backends.AccountBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation."
        "UserAttributeSimilarityValidator"
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:home"

# django-allauth: e-mail is the login; only patients sign themselves up.
ACCOUNT_ADAPTER = "apps.accounts.adapters.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
# Sign-up also asks which condition (or "not sure yet"), to open the right checklist.
ACCOUNT_SIGNUP_FORM_CLASS = "apps.accounts.signup.SignupDetailsForm"
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[CareNav] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"
# django-axes owns the per-account lock-out, for passwords and second-factor codes
# alike (apps/accounts/lockout.py); allauth keeps only its per-address limit on failed
# log-ins and codes (allauth also applies this rate to TOTP checks: None would turn
# off that limit too).
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip"}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "CareNav"
MFA_FORMS = {
    "authenticate": "apps.accounts.forms.SecondFactorForm",
    "reauthenticate": "apps.accounts.forms.SecondFactorAgainForm",
}

# django-axes: the sixth wrong password or second-factor code in a row locks the
# account for a while.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 6)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_CALLABLE = "apps.accounts.lockout.username_from_credentials"
AXES_LOCKOUT_TEMPLATE = "account/lockout.html"
AXES_VERBOSE = False
# Failed attempts are stored with their form data: never a code in clear.
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "code"]
SILENCED_SYSTEM_CHECKS = [
    # Locking by IP address as well would lock out everyone behind one clinic's
    # or library's network after one person's mistakes; the account is what is
    # locked, as the lock-out policy says.
    "axes.W006",
]

# Client addresses behind reverse proxies: how many X-Forwarded-For entries, counted
# from the right, were written by proxies of ours (DJANGO_PROXY_COUNT). The sign-in
# limits (allauth, django-axes), the access log, the HSDS throttle and the project's
# own form limits all read the address through apps/core/client_address.py.
TRUSTED_PROXY_COUNT = env_int("DJANGO_PROXY_COUNT", 0)
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT
AXES_CLIENT_IP_CALLABLE = "apps.core.client_address.client_address"

# English and Spanish. English pages keep the URLs of DESIGN.md; Spanish ones are the
# same paths under /es/ (carenav/urls.py). See README, Languages.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
# The project's own catalogue; apps/referrals/locale/ (directory and casework pages)
# is found as an app's. `make messages` updates and compiles both.
LOCALE_PATHS = [BASE_DIR / "locale"]
# The visitor's choice of language (the switch in every page's footer), for a year.
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365
LANGUAGE_COOKIE_SAMESITE = "Lax"
# Content in two languages (DESIGN.md, Languages): each translated field has a
# column per language (title_en, title_es) on the same table; a field with no
# Spanish yet reads its English text.
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en",)
TIME_ZONE = os.environ.get("DJANGO_TIME_ZONE", "America/New_York")
USE_I18N = True
# One date and time format everywhere: carenav/formats/en/formats.py (the same
# values here, for anything that reads the settings directly).
FORMAT_MODULE_PATH = ["carenav.formats"]
DATE_FORMAT = "F j, Y"
TIME_FORMAT = "P"
DATETIME_FORMAT = "F j, Y, P"
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "carenav" / "static",
    ("bootstrap", xstatic_bootstrap.BASE_DIR),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or env_bool("DJANGO_PLAIN_STATIC")
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = env_bool("DJANGO_PLAIN_STATIC")
FIXTURE_DIRS = [BASE_DIR / "fixtures"]

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Requests: refuse bodies larger than a form needs.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000
# No page takes uploads: a body above this is refused with 413 before it is read.
MAX_REQUEST_BODY_BYTES = 5 * 1024 * 1024

# Security headers and cookies.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = LANGUAGE_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env_int("DJANGO_SESSION_SECONDS", 60 * 60 * 12)
SECURE_HSTS_SECONDS = 0 if DEBUG else 60 * 60 * 24 * 365
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
if env_bool("DJANGO_BEHIND_PROXY"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"
)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

# E-mail: printed to the console in development, sent by SMTP in production.
EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "CareNav <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Every e-mail is queued (apps/core/mail.py) and sent by a task worker (`manage.py
# db_worker`); a failed attempt is retried after EMAIL_RETRY_BASE_SECONDS, doubled
# each time, until EMAIL_MAX_ATTEMPTS, then kept as failed for staff to resend.
EMAIL_MAX_ATTEMPTS = env_int("EMAIL_MAX_ATTEMPTS", 10)
EMAIL_RETRY_BASE_SECONDS = env_int("EMAIL_RETRY_BASE_SECONDS", 60)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
# Sent messages may hold personal data: `send_queued_mail` deletes them after this.
EMAIL_KEEP_SENT_DAYS = env_int("EMAIL_KEEP_SENT_DAYS", 30)
# Background tasks: the database backend needs no broker, and a task is enqueued in
# the same transaction as the change that causes it. Tests run tasks at once
# (TASKS_BACKEND=django_tasks.backends.immediate.ImmediateBackend).
TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")
    }
}
# Where "report a problem with this listing" and similar messages go.
CONTENT_TEAM_EMAIL = os.environ.get("CONTENT_TEAM_EMAIL", "content@localhost")

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "CareNav API",
    "SERVE_INCLUDE_SCHEMA": False,
    # Locations and addresses share HSDS's physical/postal/virtual choices.
    "ENUM_NAME_OVERRIDES": {
        "LocationTypeEnum": "apps.directory.models.Location.LocationType"
    },
}

# Application logs carry no personal data: only ids, paths and status codes.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# Referrals: when a sent referral with no answer needs the caseworker's attention, how
# long a service's response link and a patient's link invitation stay valid.
REFERRAL_NO_ANSWER_DAYS = env_int("REFERRAL_NO_ANSWER_DAYS", 10)
REFERRAL_LINK_MAX_AGE_DAYS = env_int("REFERRAL_LINK_MAX_AGE_DAYS", 30)
# Directory upkeep (apps/directory/verification.py): a service is asked to confirm
# its listing when unchecked for VERIFY_AFTER_MONTHS; its link lasts
# VERIFICATION_LINK_MAX_AGE_DAYS; a listing unchecked for STALE_AFTER_MONTHS is
# marked on the page.
VERIFY_AFTER_MONTHS = env_int("VERIFY_AFTER_MONTHS", 12)
VERIFICATION_LINK_MAX_AGE_DAYS = env_int("VERIFICATION_LINK_MAX_AGE_DAYS", 30)
STALE_AFTER_MONTHS = env_int("STALE_AFTER_MONTHS", 18)
CLIENT_INVITATION_MAX_AGE_DAYS = env_int("CLIENT_INVITATION_MAX_AGE_DAYS", 14)

# APIs (HSDS and FHIR): how often one client address may call the public HSDS API, and
# where that address is read from behind a proxy (as for the lock-out above).
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] = {
    "hsds": os.environ.get("HSDS_API_RATE", "120/minute"),
}
REST_FRAMEWORK["NUM_PROXIES"] = TRUSTED_PROXY_COUNT
# SMART Backend Services (apps/referrals/fhir/smart.py): how long a partner system's
# access token to the FHIR API lives.
FHIR_TOKEN_SECONDS = env_int("FHIR_TOKEN_SECONDS", 300)

# Production serving and performance: the public-page cache (apps/core/caching.py), a
# read replica for directory search (carenav/db_router.py) and the bench-only view.
# Anonymous visitors share rendered public pages for this long (0: off). On by default
# only with the shared Redis cache: one copy serves every app server.
PUBLIC_PAGE_CACHE_SECONDS = env_int(
    "PUBLIC_PAGE_CACHE_SECONDS", 300 if REDIS_URL else 0
)
# A patient's own checklist pages stay rendered this long, or until something on
# them changes (apps/checklists/page_cache.py; 0: off). Only with Redis, where the
# sessions are.
PERSONAL_PAGE_CACHE_SECONDS = env_int(
    "PERSONAL_PAGE_CACHE_SECONDS", 300 if REDIS_URL else 0
)
# Caseworkers' dashboard, worklist and client pages stay rendered this long, or until
# the team's records change (apps/referrals/page_cache.py; 0: off). It also bounds how
# late the clock-driven "needs attention" rule and renamed services may show.
CASEWORK_PAGE_CACHE_SECONDS = env_int(
    "CASEWORK_PAGE_CACHE_SECONDS", 60 if REDIS_URL else 0
)
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = database_settings(os.environ["DATABASE_REPLICA_URL"])
    DATABASES["replica"]["OPTIONS"] = dict(DATABASES["default"]["OPTIONS"])
    # Tests read the primary's test database through this alias: no second copy.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["carenav.db_router.ReplicaRouter"]
    MIDDLEWARE.append("carenav.db_router.ReplicaReadsMiddleware")
# CARENAV_BENCH=1 (bench/run.py only) adds /bench/bare, the constant answer that the
# load test measures every page against. Never set it in production.
if env_bool("CARENAV_BENCH"):
    ROOT_URLCONF = "bench.urls"
