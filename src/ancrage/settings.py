"""Ancrage settings.

One module, driven by the environment:
- `DATABASE_URL` selects the database (default: a SQLite file under `var/`);
- `ANCRAGE_ENV=production` turns on the hardened settings checked by `ancrage check --deploy`
  (it then requires `DJANGO_SECRET_KEY` and `DJANGO_ALLOWED_HOSTS`).
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

PACKAGE_DIR = Path(__file__).resolve().parent
BASE_DIR = Path(os.environ.get("ANCRAGE_BASE_DIR", PACKAGE_DIR.parent.parent))
VAR_DIR = Path(os.environ.get("ANCRAGE_VAR_DIR", BASE_DIR / "var"))

ENVIRONMENT = os.environ.get("ANCRAGE_ENV", "development")
PRODUCTION = ENVIRONMENT == "production"

if PRODUCTION:
    SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
    if len(SECRET_KEY) < 50:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set to 50 characters or more.")
    DEBUG = False
else:
    # Development and test only: a fixed key, never used when ANCRAGE_ENV=production.
    SECRET_KEY = os.environ.get(
        "DJANGO_SECRET_KEY", "dev-only-insecure-key-ancrage-0123456789-abcdefghijklmnopqrstuvwxyz"
    )
    DEBUG = os.environ.get("DJANGO_DEBUG", "1") == "1"

ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get(
        "DJANGO_ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver"
    ).split(",")
    if h.strip()
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("DJANGO_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "ancrage.core",
    "ancrage.network",
    "ancrage.directory",
    "ancrage.clients",
    "ancrage.funding",
    "ancrage.activities",
    "ancrage.reporting",
    "ancrage.surveys",
    "ancrage.grants",
    "ancrage.insights",
    "ancrage.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "ancrage.core.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "ancrage.core.middleware.FrenchFirstLocaleMiddleware",
    # After the locale (its 429 speaks the visitor's language), before any view or database work.
    "ancrage.core.middleware.RateLimitMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The second step of signing in for staff who read identities (core/second_factor.py).
    "django_otp.middleware.OTPMiddleware",
    "ancrage.core.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes requires.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "ancrage.urls"
WSGI_APPLICATION = "ancrage.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "ancrage.core.context_processors.shell",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'ancrage.sqlite3'}"),
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["transaction_mode"] = "IMMEDIATE"
    DATABASES["default"]["OPTIONS"]["init_command"] = (
        "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON;"
    )
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Pages and reports run many queries of tens of milliseconds: PostgreSQL's JIT compilation
    # costs more than it saves there (~115 ms on a quarterly report, benchmarks/quarterly-report).
    # random_page_cost 1.1 (default 4, for spinning disks): on SSDs and a cached working set, an
    # organization's rows read through its (activity, starts_at) index rather than a scan of the
    # whole city's sessions (a director's dashboard query 121 → 34 ms at city scale).
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "options", "-c jit=off -c random_page_cost=1.1"
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
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
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# Lock-out after repeated failed logins (django-axes): per account and address.
# The name authenticator apps show for the account (core/second_factor.py).
OTP_TOTP_ISSUER = "Ancrage"

AXES_FAILURE_LIMIT = int(os.environ.get("ANCRAGE_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

# Requests per address and per minute (core.middleware.RateLimitMiddleware); 0 turns a limit off.
# On by default in production only: tests and benchmarks send everything from one address.
ANCRAGE_API_RATE_LIMIT = int(os.environ.get("ANCRAGE_API_RATE_LIMIT", "300" if PRODUCTION else "0"))
ANCRAGE_LOGIN_RATE_LIMIT = int(
    os.environ.get("ANCRAGE_LOGIN_RATE_LIMIT", "30" if PRODUCTION else "0")
)
# Behind a proxy, the META key holding the visitor's address (e.g. HTTP_X_REAL_IP), else "".
ANCRAGE_CLIENT_IP_HEADER = os.environ.get("ANCRAGE_CLIENT_IP_HEADER", "")

# Sessions: short-lived, never readable by scripts, not sent cross-site.
SESSION_COOKIE_AGE = 60 * 60 * 8
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000

if PRODUCTION:
    SECURE_SSL_REDIRECT = os.environ.get("ANCRAGE_SSL_REDIRECT", "1") == "1"
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 31_536_000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-ancrage-session"
    CSRF_COOKIE_NAME = "__Host-ancrage-csrf"
    LANGUAGE_COOKIE_SECURE = True

# French first: fr-CA is the default, whatever the browser asks; English is a switch away.
LANGUAGE_CODE = "fr-ca"
# Staff pages speak French and English; public pages (directory, calendar, welcome) speak the
# languages most read by Montréal's newcomers too. Names are autonyms: a reader finds their own.
STAFF_LANGUAGES = ("fr-ca", "en")
LANGUAGES = [
    ("fr-ca", "Français"),
    ("en", "English"),
    ("es", "Español"),
    ("ar", "العربية"),
    ("zh-hans", "简体中文"),
    ("ht", "Kreyòl ayisyen"),
    ("fa", "فارسی"),
    ("pt", "Português"),
    ("ru", "Русский"),
    ("vi", "Tiếng Việt"),
    ("tl", "Tagalog"),
    ("uk", "Українська"),
]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "ancrage_language"
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "America/Toronto"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"
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
WHITENOISE_USE_FINDERS = not PRODUCTION
if not PRODUCTION:
    # Development and tests: the SQLite file and collected static files live here.
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)

EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = os.environ.get(
    "DJANGO_DEFAULT_FROM_EMAIL", "Ancrage <noreply@ancrage.invalid>"
)

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("ANCRAGE_LOG_LEVEL", "WARNING")},
}

# Shown on every page when the database holds the synthetic demo data set.
ANCRAGE_DEMO_BANNER = os.environ.get("ANCRAGE_DEMO", "0") == "1"

# --- Client identity vault (clients app) -------------------------------------------------------
# `ANCRAGE_VAULT_KEYS`: comma-separated Fernet keys, newest first. The first encrypts; every one
# decrypts, so an old key stays listed until `ancrage vault-rotate` has re-encrypted every row.
# `ANCRAGE_VAULT_INDEX_KEY`: a separate secret (32+ characters) keying the blind index that lets
# staff find a client by a few letters of the name without decrypting every row; changing it
# requires `ancrage vault-rotate` too (it rebuilds the index).
# Development and demo only: fixed keys, published in this file, never used in production. In
# production without keys, the vault refuses to encrypt or decrypt anything
# (`ancrage.clients.vault` raises ImproperlyConfigured on first use); the keys are not demanded
# here so that `ancrage check --deploy` runs on a machine that holds no secrets.
# DEVELOPMENT ONLY: this Fernet key is public; production refuses it.
ANCRAGE_VAULT_DEVELOPMENT_KEYS = ("nZe7H2GWeIvq4lH1PXQGX1P1f2gfbUl6sbt4KRO2UbU=",)
ANCRAGE_VAULT_DEVELOPMENT_INDEX_KEY = "DEVELOPMENT-ONLY-blind-index-key-ancrage-0123456789"
ANCRAGE_VAULT_KEYS = tuple(
    k.strip() for k in os.environ.get("ANCRAGE_VAULT_KEYS", "").split(",") if k.strip()
)
ANCRAGE_VAULT_INDEX_KEY = os.environ.get("ANCRAGE_VAULT_INDEX_KEY", "")
if not PRODUCTION and (DEBUG or ANCRAGE_DEMO_BANNER):
    ANCRAGE_VAULT_KEYS = ANCRAGE_VAULT_KEYS or ANCRAGE_VAULT_DEVELOPMENT_KEYS
    ANCRAGE_VAULT_INDEX_KEY = ANCRAGE_VAULT_INDEX_KEY or ANCRAGE_VAULT_DEVELOPMENT_INDEX_KEY
elif PRODUCTION and (
    set(ANCRAGE_VAULT_KEYS) & set(ANCRAGE_VAULT_DEVELOPMENT_KEYS)
    or ANCRAGE_VAULT_INDEX_KEY == ANCRAGE_VAULT_DEVELOPMENT_INDEX_KEY
):
    raise ImproperlyConfigured("The development vault keys must never be used in production.")
# --- end of the client identity vault settings --------------------------------------------------
