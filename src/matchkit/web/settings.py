"""Django settings of the case managers' web page, read from the environment.

``matchkit serve`` sets these variables from its options before Django starts:

- ``MATCHKIT_DATA_DIR``: where the SQLite file and the generated secret key live
  (default ``./matchkit-data``);
- ``MATCHKIT_DB``: a database URL, ``sqlite:///path`` or ``postgresql://user:pw@host:port/db``
  (default: ``db.sqlite3`` in the data directory);
- ``MATCHKIT_SECRET_KEY``: the signing key (default: generated once into the data directory);
- ``MATCHKIT_DEBUG``: ``1`` for development only;
- ``MATCHKIT_RETENTION_DAYS``: how long a client is kept after its last change (default 730);
- ``MATCHKIT_ALLOWED_HOSTS``: comma-separated host names (default ``localhost,127.0.0.1``);
- ``MATCHKIT_SHARED_CACHE``: ``1`` (set by ``matchkit serve``) keeps the cache, which counts
  failed logins, in files under the data directory, shared by the server's processes.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from matchkit.web.config import database_from_url

HERE = Path(__file__).resolve().parent


def ensure_secret_key(data_dir: Path) -> None:
    """Generate the signing key into ``data_dir`` once (``matchkit serve`` calls this)."""
    path = data_dir / "secret_key"
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50), encoding="utf-8")
        path.chmod(0o600)


def _secret_key(data_dir: Path) -> str:
    key = os.environ.get("MATCHKIT_SECRET_KEY")
    if key:
        return key
    path = data_dir / "secret_key"
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    # Importing the settings writes nothing: without a key file (tests, type checks) the key
    # lives as long as the process.
    return secrets.token_urlsafe(50)


DATA_DIR = Path(os.environ.get("MATCHKIT_DATA_DIR", "matchkit-data")).resolve()
SECRET_KEY = _secret_key(DATA_DIR)
DEBUG = os.environ.get("MATCHKIT_DEBUG") == "1"
ALLOWED_HOSTS = os.environ.get("MATCHKIT_ALLOWED_HOSTS", "localhost,127.0.0.1").split(",")
RETENTION_DAYS = int(os.environ.get("MATCHKIT_RETENTION_DAYS", "730"))

_db_url = os.environ.get("MATCHKIT_DB") or f"sqlite:///{DATA_DIR / 'db.sqlite3'}"
DATABASES = {"default": database_from_url(_db_url)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.staticfiles",
    "django_htmx",
    "matchkit.web.apps.WebConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "matchkit.web.access.LanguageMiddleware",
]

ROOT_URLCONF = "matchkit.web.urls"
WSGI_APPLICATION = "matchkit.web.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "matchkit.web.texts.texts",
                "matchkit.web.access.role_context",
            ]
        },
    }
]

# `matchkit serve` runs several processes: the login limiter's counts are shared through a
# file cache in the data directory. Tests and the other commands keep an in-memory cache.
if os.environ.get("MATCHKIT_SHARED_CACHE") == "1":
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(DATA_DIR / "cache"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

LANGUAGE_CODE = "nl"
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"

# No personal data in application logs: requests are not logged with their bodies, and the
# request logger (which would log a failing URL's path, holding only ids) stays at WARNING.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {
        "django": {"handlers": ["console"], "level": "WARNING"},
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
    },
}
