"""Huajie's one settings module: every value that differs between machines comes from the
environment, so the demo, the tests and production run the same code.

HUAJIE_ENV=production switches on the production hardening that `check --deploy` asks for.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url

from huajie.core.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("HUAJIE_VAR_DIR", str(BASE_DIR / "var")))

HUAJIE_ENV = env_str("HUAJIE_ENV", "development")
PRODUCTION = HUAJIE_ENV == "production"

# In production a missing secret is an error at start-up, never a silent default.
SECRET_KEY = (
    os.environ["SECRET_KEY"]
    if PRODUCTION
    else env_str("SECRET_KEY", "dev-only-insecure-key-7f3c9a1e5b2d4f6a8c0e1b3d5f7a9c2e4b6d8f0a")
)
# Off unless asked for, the demo included: no stack trace ever reaches a user.
DEBUG = env_bool("DEBUG", default=False)
ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", default=[] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]"]
)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "axes",
    # Listed so /api/v1/docs serves Swagger UI from our static files, not a CDN with inline
    # script (which the content security policy would block).
    "ninja",
    "huajie.core",
    "huajie.courts",
    "huajie.audit",
    "huajie.accounts",
    "huajie.cases",
    "huajie.ledger",
    "huajie.supervision",
    "huajie.bulletins",
    "huajie.worker",
    "huajie.api",
    "huajie.demo",
    "huajie.ops",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Outside CommonMiddleware, so that what it refuses (an unknown Host) is framed by no one too.
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "huajie.core.headers.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
# Django's widgets, written in Python rather than through a template per <option>.
FORM_RENDERER = "huajie.core.formrender.PythonWidgets"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "huajie" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "huajie.core.context_processors.site",
                "huajie.cases.context_processors.notifications",
            ],
        },
    },
]


def _database() -> dict[str, object]:
    url = os.environ.get("DATABASE_URL", "")
    if url:
        config: dict[str, object] = dict(dj_database_url.parse(url, conn_max_age=60))
    else:
        config = {"ENGINE": "django.db.backends.sqlite3", "NAME": VAR_DIR / "huajie.sqlite3"}
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # IMMEDIATE transactions take the write lock up front, so two writers queue on the
        # busy timeout instead of failing with "database is locked" on lock upgrade; WAL lets
        # readers (the web server) run while the worker writes.
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
        # A file, not memory, so worker subprocesses in tests can open the test database;
        # named by process so two test runs in one checkout never share it.
        config["TEST"] = {"NAME": str(VAR_DIR / f"test-huajie-{os.getpid()}.sqlite3")}
    if config["ENGINE"] == "django.db.backends.postgresql":
        # No JIT: it compiled the dashboard's grouped queries for 1.8 s to save milliseconds
        # (measured at 1,000,000 cases). Pages run short queries; JIT pays off only for long
        # analytic ones.
        options = dict(config.get("OPTIONS") or {})  # type: ignore[call-overload]
        options["options"] = f"{options.get('options', '')} -c jit=off".strip()
        config["OPTIONS"] = options
    return config


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "huajie.accounts.backends.AccountBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    # Ours only for its Chinese message; the rule is Django's (8 characters).
    {"NAME": "huajie.accounts.validators.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Login throttling (django-axes): lock a username from one address after repeated failures.
AXES_FAILURE_LIMIT = env_int("HUAJIE_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("HUAJIE_LOGIN_COOLOFF_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True
# How many reverse proxies of ours stand in front (nginx: 1); see huajie/core/clientip.py.
HUAJIE_TRUSTED_PROXIES = env_int("HUAJIE_TRUSTED_PROXIES", 0)
AXES_CLIENT_IP_CALLABLE = "huajie.core.clientip.client_ip"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "huajie" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# Collected static files exist in production only; elsewhere they are served from the apps.
STATIC_ROOT = VAR_DIR / "static" if PRODUCTION else None
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
MEDIA_ROOT = VAR_DIR / "media"
# Outside production static files are served straight from the apps, no collectstatic step.
WHITENOISE_USE_FINDERS = not PRODUCTION

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "huajie@localhost")

SESSION_COOKIE_AGE = env_int("HUAJIE_SESSION_SECONDS", 8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Content security policy (django-csp): scripts and styles only from our own static files —
# no inline script, no inline style, no eval. ECharts may export charts as data: images.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}
# Browser features no page uses are switched off (huajie.core.headers).
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
        "serial",
        "hid",
        "idle-detection",
        "publickey-credentials-get",
        "screen-wake-lock",
        "xr-spatial-tracking",
    )
}

if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}

# --- Huajie's own settings -------------------------------------------------------------
HUAJIE_DEMO_PASSWORD = env_str("HUAJIE_DEMO_PASSWORD", "huajie2019")
# When set (YYYY-MM-DD), "today" is that day everywhere (the demo's day of its campaign).
HUAJIE_DEMO_DATE = env_str("HUAJIE_DEMO_DATE", "")
# A worker that has held a job this long without finishing is presumed dead; the job is
# offered again.
HUAJIE_JOB_LEASE_SECONDS = env_int("HUAJIE_JOB_LEASE_SECONDS", 600)
HUAJIE_WORKER_POLL_SECONDS = env_int("HUAJIE_WORKER_POLL_SECONDS", 2)
CSRF_FAILURE_VIEW = "huajie.core.views.csrf_failure"
