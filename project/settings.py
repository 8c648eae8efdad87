"""Claimbase settings.

Every knob is read from the environment here, in one place, with defaults that are safe for
the local demo: SQLite in the project root, DEBUG off unless asked for, a per-checkout
secret key that is never committed.
"""

from __future__ import annotations

import datetime
import ipaddress
import logging
import math
import os
import re
import secrets
import tempfile
import time
import warnings
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

from project.rates import parse_rate

BASE_DIR = Path(__file__).resolve().parent.parent


_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool = False) -> bool:
    """A switch from the environment: 1, true, yes or on, or 0, false, no, off or empty;
    anything else is ``ImproperlyConfigured`` naming the variable (``=nonsense`` had been
    read as off, silently)."""
    value = os.environ.get(name)
    if value is None:
        return default
    if value.strip().lower() in _TRUE:
        return True
    if value.strip().lower() in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be 1, true, yes or on, or 0, false, no or off, not {value!r}.")


def env_networks(name: str) -> tuple[str, ...]:
    """Comma-separated networks (``10.0.0.0/8``) or addresses from the environment, each
    checked (``ImproperlyConfigured`` naming the variable), as written."""
    networks = tuple(part.strip() for part in os.environ.get(name, "").split(",") if part.strip())
    for network in networks:
        try:
            ipaddress.ip_network(network, strict=False)
        except ValueError:
            raise ImproperlyConfigured(f"{name}: {network!r} is not a network (10.0.0.0/8) or an address.") from None
    return networks


def env_number(
    name: str, default: str, *, kind: type = float, least: float = 0, positive: bool = False, most: float | None = None
):
    """A number from the environment, or ``ImproperlyConfigured`` naming the variable: a
    backoff of -5 seconds, a timeout of "ten" or one of 1e14 seconds (more than a
    ``timedelta`` holds) would fail far from where it was set."""
    value = os.environ.get(name, default)
    try:
        number = kind(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be {'a whole number' if kind is int else 'a number'}, not {value!r}.") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise ImproperlyConfigured(f"{name} must be a finite number, not {value!r}.")
    def shown(bound: float) -> str:
        return str(int(bound)) if float(bound).is_integer() else f"{bound:g}"

    if number < least or (positive and number <= 0):
        raise ImproperlyConfigured(f"{name} must be {'more than' if positive else 'at least'} {shown(least)}, not {value!r}.")
    if most is not None and number > most:
        raise ImproperlyConfigured(f"{name} must be at most {shown(most)}, not {value!r}.")
    return number


def env_rate(name: str, default: str) -> str:
    """A throttle rate from the environment, checked as the throttles read it (``project.rates``)."""
    value = os.environ.get(name, default)
    try:
        parse_rate(value)
    except ValueError as error:
        raise ImproperlyConfigured(f"{name}: {error}.") from None
    return value


def check_redis_url(name: str, url: str) -> None:
    """``ImproperlyConfigured`` naming ``name`` for a Redis address that Redis's client would
    read otherwise than it says: ``redis://host:6379/abc`` is database 0 to it, silently.
    A message shows the address without its password. Several, comma-separated (the first
    written to, the others read from: Django's Redis cache), are each checked."""
    if "," in url:
        for each in url.split(","):
            check_redis_url(name, each.strip())
        return
    shown = re.sub(r"(//[^@/?#]*?:)[^@?#]*@", r"\1***@", url)
    if not url.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured(f"{name} must be a redis://, rediss:// or unix:// address, not {shown!r}.")
    try:
        parts = urlsplit(url)
    except ValueError:
        raise ImproperlyConfigured(f"{name}: {shown!r} is not an address (its host cannot be read).") from None
    try:
        port = parts.port
    except ValueError:
        port = 0
    if port == 0:
        raise ImproperlyConfigured(f"{name}: the port of {shown!r} is not a port (1-65535).")
    if parts.scheme != "unix" and not parts.hostname:
        raise ImproperlyConfigured(f"{name}: {shown!r} names no host.")
    in_path = parts.path.strip("/") if parts.scheme != "unix" else ""
    in_query = parse_qs(parts.query).get("db", [])
    if len(in_query) + bool(in_path) > 1:
        raise ImproperlyConfigured(f"{name}: {shown!r} names its database twice (in its path and as ?db=): name it once.")
    database = (in_query or [in_path])[0]
    if database and not database.isdigit():
        raise ImproperlyConfigured(f"{name}: the database of {shown!r} must be a number (redis://host:6379/0), not {database!r}.")
    _check_redis_options(name, url, shown)


# The options Claimbase takes from a Redis address's query, and what each must be (as
# redis-py reads them: its URL parsers first). Others are objects a URL cannot carry
# (a class, a retry policy), or would break the cache (decode_responses: its values are
# pickled bytes).
_POSITIVE_SECONDS = ("socket_timeout", "socket_connect_timeout")
_REDIS_OPTIONS = {
    **dict.fromkeys(_POSITIVE_SECONDS, "a number of seconds above 0"),
    "health_check_interval": "a whole number of seconds, 0 or more",
    "max_connections": "a whole number above 0",
    "socket_read_size": "a whole number above 0",
    "socket_keepalive": "true or false",
    "retry_on_timeout": "true or false",
    "protocol": "2 or 3",
    "client_name": "a name",
    "ssl_cert_reqs": "none, optional or required",
    "ssl_check_hostname": "true or false",
    "ssl_ca_certs": "a file", "ssl_ca_path": "a folder", "ssl_certfile": "a file", "ssl_keyfile": "a file",
    "ssl_password": "a password",
}
# The words redis-py reads as false (its FALSE_STRINGS), and those it reads as true as they say.
_REDIS_TRUE_OR_FALSE = frozenset({"0", "f", "false", "n", "no", "1", "t", "true", "y", "yes"})
# What redis-py reads from the address itself, not its query.
_REDIS_ADDRESS = frozenset({"host", "port", "db", "path", "username", "password"})


def _redis_option_problem(name: str, value) -> bool:
    if name in _POSITIVE_SECONDS:
        return not (math.isfinite(value) and value > 0)
    if name == "health_check_interval":
        return value < 0
    if name in ("max_connections", "socket_read_size"):
        return value < 1
    if name == "protocol":
        return value not in (2, 3)
    if name == "ssl_cert_reqs":
        return str(value).lower() not in ("none", "optional", "required")
    return False


def _check_redis_options(name: str, url: str, shown: str) -> None:
    """The options of a Redis address (``?socket_timeout=abc``, ``?unknown=1``), read as
    its client reads them when it first connects: an option it cannot read, does not know,
    or would fail on, made every request a 500, the server having started."""
    from redis import connection as redis_connection

    try:
        options = redis_connection.parse_url(url)
    except ValueError as error:
        raise ImproperlyConfigured(f"{name}: {shown!r}: {error}") from None
    # The options written in the query (redis-py adds a connection class of its own for
    # rediss:// and unix:// addresses).
    given = set(parse_qs(urlsplit(url).query, keep_blank_values=True)) & set(options) - _REDIS_ADDRESS
    if unknown := sorted(given - set(_REDIS_OPTIONS)):
        raise ImproperlyConfigured(
            f"{name}: {shown!r} sets options Claimbase does not take from the address: {', '.join(unknown)} "
            f"(it takes {', '.join(sorted(_REDIS_OPTIONS))})."
        )
    if (ssl := sorted(option for option in given if option.startswith("ssl_"))) and not url.startswith("rediss://"):
        raise ImproperlyConfigured(f"{name}: {shown!r} sets {', '.join(ssl)}, which only a rediss:// address uses.")
    written = parse_qs(urlsplit(url).query, keep_blank_values=True)
    if twice := sorted(option for option, values in written.items() if len(values) > 1):
        # The client reads the first, a reader of the address the last.
        raise ImproperlyConfigured(f"{name}: {shown!r} gives {', '.join(twice)} more than once.")
    for option in sorted(given):
        if _redis_option_problem(option, options[option]) or (
            # redis-py reads any word but its false ones as true: "maybe", and "off", are true to it.
            _REDIS_OPTIONS[option] == "true or false" and written[option][-1].lower() not in _REDIS_TRUE_OR_FALSE
        ):
            raise ImproperlyConfigured(f"{name}: in {shown!r}, {option} must be {_REDIS_OPTIONS[option]}.")


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def secret_key_from_file(key_file: Path) -> str:
    """A random key kept beside the database, so sessions survive restarts of the demo.

    Every worker of a server must sign with the same key, or users are logged out at
    random: the key is written once, atomically (a complete temporary file, mode 0600,
    hard-linked into place, which fails if another process got there first), and then
    every process reads the one file. A key that cannot be kept is a start-up error,
    never a per-process key.
    """
    for _ in range(2):
        try:
            key = key_file.read_text().strip()
        except (FileNotFoundError, NotADirectoryError):
            key = ""
        except OSError as error:
            raise ImproperlyConfigured(
                f"SECRET_KEY is not set and {key_file} cannot be read ({error}). "
                "Set SECRET_KEY, or make the file readable."
            ) from error
        if key:
            return key
        try:
            descriptor, temporary = tempfile.mkstemp(dir=key_file.parent, prefix=f"{key_file.name}.")
            try:
                with os.fdopen(descriptor, "w") as handle:
                    handle.write(secrets.token_urlsafe(50))
                    handle.flush()
                    os.fsync(handle.fileno())
                os.link(temporary, key_file)
            except FileExistsError:
                pass  # another process wrote it first: its key is the key
            finally:
                os.unlink(temporary)
        except OSError as error:
            raise ImproperlyConfigured(
                f"SECRET_KEY is not set and {key_file} cannot be written ({error}). "
                "Set SECRET_KEY, or let the server write that file once: each worker "
                "would otherwise sign sessions with a key of its own."
            ) from error
    raise ImproperlyConfigured(f"SECRET_KEY is not set and {key_file} stays empty; set SECRET_KEY.")


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY") or secret_key_from_file(BASE_DIR / ".secret_key")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.humanize",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "csp",
    "project.apps.SignInLockoutsConfig",  # django-axes, named for the admin
    "project",
    "sources",
    "claims",
    "feed",
]

MIDDLEWARE = [
    "project.middleware.RequestBodyLimitMiddleware",
    "project.middleware.ContentEncodingRefusedMiddleware",
    "project.middleware.NulInQueryRefusedMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "project.middleware.ApiVaryMiddleware",
    # Django's CommonMiddleware, with a redirect to the trailing slash that keeps a write.
    "project.middleware.AppendSlashMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "project.middleware.TemporaryFailureMiddleware",
    # Last: turns a lockout found during authentication into the 429 answer.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out username or address before the password is checked.
    "project.auth.LoginLimitBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "project.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "project" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "project.wsgi.application"
ASGI_APPLICATION = "project.asgi.application"

# Database: DATABASE_URL selects the engine; the embedded default is a SQLite file.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        # Persistent connections: opening one per request costs more than a list page.
        conn_max_age=env_number("CONN_MAX_AGE", "60", kind=int),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Concurrent writers: WAL lets readers go on while one writes; IMMEDIATE takes the write
    # lock at BEGIN, so two transactions never deadlock upgrading a read lock, and the busy
    # timeout makes the second writer wait instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
    }
# Test databases are named per process, so that two test runs on one machine (or one
# database server) never destroy each other's database. On SQLite the test database is a
# file, not memory, so that threads in the concurrency tests share it.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / f"test_db_{os.getpid()}.sqlite3")}
else:
    DATABASES["default"]["TEST"] = {"NAME": f"test_{DATABASES['default']['NAME']}_{os.getpid()}"}

# Read replicas (project/routers.py): comma-separated URLs of streaming replicas of
# DATABASE_URL, as replica1, replica2...; reads go to them, writes and the reads that must
# see them to the primary. In tests each is a mirror of the test database.
DATABASE_REPLICA_URLS = env_list("DATABASE_REPLICA_URLS", "")
# A replica that does not answer within REPLICA_CONNECT_TIMEOUT seconds (refused, down, or a
# host that never replies) is left out for REPLICA_RETRY_SECONDS by each process: its reads
# go to another replica, or to the primary (project/routers.py).
REPLICA_CONNECT_TIMEOUT = env_number("REPLICA_CONNECT_TIMEOUT", "3", kind=int, positive=True, most=60)
REPLICA_RETRY_SECONDS = env_number("REPLICA_RETRY_SECONDS", "30", positive=True, most=3600)
for _number, _url in enumerate(DATABASE_REPLICA_URLS, start=1):
    try:
        # Their health check is the router's, with a deadline (project/routers.py: _confirm).
        _replica = dj_database_url.parse(_url, conn_max_age=env_number("CONN_MAX_AGE", "60", kind=int), conn_health_checks=False)
    except ValueError as _error:  # an unknown scheme, a port past 65535, a host cut short
        raise ImproperlyConfigured(f"DATABASE_REPLICA_URLS: replica {_number} is not a database URL: {_error}") from None
    if _replica["ENGINE"] != DATABASES["default"]["ENGINE"]:
        raise ImproperlyConfigured(
            f"DATABASE_REPLICA_URLS: replica {_number} ({_replica['ENGINE'].rsplit('.', 1)[-1]}) is not of the "
            f"primary's engine ({DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}): a replica streams the primary."
        )
    if _replica["ENGINE"] == "django.db.backends.postgresql":
        # libpq's own default is to wait as long as the operating system does (minutes). A
        # machine that stops answering on an open connection (frozen, or cut off by the
        # network) is found by TCP keepalives, and data it never acknowledges by
        # tcp_user_timeout, within about twice REPLICA_CONNECT_TIMEOUT: a read in flight
        # then fails instead of waiting for the operating system to give up.
        _options = _replica.setdefault("OPTIONS", {})
        _options.setdefault("connect_timeout", REPLICA_CONNECT_TIMEOUT)
        for _name, _value in (
            ("keepalives", 1), ("keepalives_idle", REPLICA_CONNECT_TIMEOUT), ("keepalives_interval", 1),
            ("keepalives_count", REPLICA_CONNECT_TIMEOUT), ("tcp_user_timeout", 2000 * REPLICA_CONNECT_TIMEOUT),
        ):
            _options.setdefault(_name, _value)
    DATABASES[f"replica{_number}"] = {**_replica, "TEST": {"MIRROR": "default"}}
DATABASE_ROUTERS = ["project.routers.ReplicaRouter"]
if DATABASE_REPLICA_URLS:
    # First: it decides, for the whole request, whether reads may go to a replica.
    MIDDLEWARE.insert(0, "project.routers.ReadYourWritesMiddleware")
# After a write, the same caller reads the primary for this long (read-your-writes).
REPLICA_PIN_SECONDS = env_number("REPLICA_PIN_SECONDS", "5", kind=int, most=86400)

# Webhooks (feed/webhooks.py, python manage.py deliver_webhooks). Bounded above: the worker
# turns them into timedeltas (1e14 s overflows one). A POST holds the worker, and its lease
# lasts three times the timeout: 5 minutes at most (a receiver answers at once and works
# after). The first retry waits a day at most, any retry a week (a webhook failing for
# WEBHOOK_DISABLE_AFTER_SECONDS, a day by default, is disabled at its next attempt).
WEBHOOK_TIMEOUT_SECONDS = env_number("WEBHOOK_TIMEOUT_SECONDS", "10", least=1, most=300)
WEBHOOK_BACKOFF_SECONDS = env_number("WEBHOOK_BACKOFF_SECONDS", "10", positive=True, most=86400)
WEBHOOK_BACKOFF_MAX_SECONDS = env_number("WEBHOOK_BACKOFF_MAX_SECONDS", "3600", positive=True, most=7 * 86400)
WEBHOOK_DISABLE_AFTER_SECONDS = env_number("WEBHOOK_DISABLE_AFTER_SECONDS", "86400", positive=True)
# Webhooks one worker delivers to at once, each in a thread with its own database connection.
WEBHOOK_CONCURRENCY = env_number("WEBHOOK_CONCURRENCY", "4", kind=int, least=1, most=64)
# The private networks webhooks may reach (a newsroom's receiver on its own network), as a
# comma-separated list: public addresses only otherwise. Source fetching is not widened.
WEBHOOK_PRIVATE_NETWORKS = env_networks("WEBHOOK_PRIVATE_NETWORKS")
# The delivery log keeps a finished delivery (delivered, or skipped) this many days; the
# worker deletes older ones (a row per event per webhook would grow without end). Pending
# deliveries are kept, however old.
WEBHOOK_LOG_DAYS = env_number("WEBHOOK_LOG_DAYS", "30", kind=int, least=1, most=36500)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Request bodies up to MAX_BODY_MB (a source's text arrives in one); beyond, 413 as JSON
# (project.middleware.RequestBodyLimitMiddleware).
# At least a megabyte: below, a login's form was refused (413, "the limit is 0 bytes").
MAX_BODY_MB = env_number("MAX_BODY_MB", "20", least=1, most=1024 * 1024)
# Where an upload past FILE_UPLOAD_MAX_MEMORY_SIZE is streamed (else the system's
# temporary directory, TMPDIR): checked here, not at the first large upload.
FILE_UPLOAD_TEMP_DIR = os.environ.get("FILE_UPLOAD_TEMP_DIR") or None
if FILE_UPLOAD_TEMP_DIR is not None and not (os.path.isdir(FILE_UPLOAD_TEMP_DIR) and os.access(FILE_UPLOAD_TEMP_DIR, os.W_OK | os.X_OK)):
    raise ImproperlyConfigured(f"FILE_UPLOAD_TEMP_DIR: {FILE_UPLOAD_TEMP_DIR!r} is not a directory this process can write to.")
DATA_UPLOAD_MAX_MEMORY_SIZE = int(MAX_BODY_MB * 1024 * 1024)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
# Dates written one way on every page (project/formats/en/formats.py).
FORMAT_MODULE_PATH = ["project.formats"]
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or BASE_DIR / "staticfiles")
STORAGES = {
    # Files appear whole or not at all (an original cut short by a full disk is never served).
    "default": {"BACKEND": "project.storage.AtomicFileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            # The manifest needs `collectstatic`; production images run it and set this.
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("STATIC_MANIFEST", False)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# The test suite and the demo server run without collectstatic; whitenoise then serves the
# finders' files directly, and an absent STATIC_ROOT is expected, not worth a warning.
warnings.filterwarnings("ignore", message=r"No directory at: ", category=UserWarning)
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

LOGIN_URL = "admin:login"
# Where a login lands when its "next" is absent or refused (off-site, a script): the admin,
# not Django's default /accounts/profile/, which this site does not have.
LOGIN_REDIRECT_URL = "admin:index"

# Security: safe by default; HTTPS redirects and HSTS belong to the proxy in front.
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env_number("SECURE_HSTS_SECONDS", "0", kind=int)
# Content-Security-Policy on every page (django-csp): scripts, images, fonts and requests
# from this site only, so no inline script (a link's ``javascript:`` included) and nothing
# from outside runs or loads. Inline styles stay allowed: Swagger UI and Redoc inject theirs.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        # Redoc's search index runs in a worker built from a blob.
        "worker-src": [SELF, "blob:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
SILENCED_SYSTEM_CHECKS = env_list(
    "SILENCED_SYSTEM_CHECKS",
    # HTTPS redirect and HSTS are provided by the TLS-terminating proxy.
    "security.W004,security.W008",
)

# Sources from files and the web (sources.ingestion): originals are kept in the default
# storage (STORAGES), under MEDIA_ROOT unless another backend is configured.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT") or BASE_DIR / "media")
MAX_SOURCE_MB = env_number("MAX_SOURCE_MB", "50", kind=int, positive=True)
SOURCE_FETCH_ALLOW_PRIVATE = env_bool("SOURCE_FETCH_ALLOW_PRIVATE", False)
SOURCE_FETCH_TIMEOUT = env_number("SOURCE_FETCH_TIMEOUT", "20", least=1, most=600)
# A PDF's tables read a row a line (sources/ingest/pdf_tables.py): off unless asked for, for
# the layouts it still reads out of order (README, "Sources from files and the web"; docs/sources.md).
SOURCE_PDF_TABLES = env_bool("SOURCE_PDF_TABLES", False)

# Field history (django-simple-history).
SIMPLE_HISTORY_REVERT_DISABLED = False
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token <key> or Bearer <key>; another scheme is a 401, not an anonymous caller.
        "project.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticatedOrReadOnly",
    ],
    "DEFAULT_FILTER_BACKENDS": ["project.filters.SingleValuedFilterBackend"],
    # drf-spectacular's, adding the answers of the layers around every view (401, 411, 413,
    # 415, 429: project/openapi.py).
    "DEFAULT_SCHEMA_CLASS": "project.openapi.AutoSchema",
    # JSON only: the schema then promises one encoding, and Swagger UI is the browsable API.
    "DEFAULT_PARSER_CLASSES": ["project.api.StrictJSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # An unknown ?format= is a 400 naming it, not DRF's 404.
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "project.api.ContentNegotiation",
    "DEFAULT_PAGINATION_CLASS": "project.pagination.KeysetPagination",
    "EXCEPTION_HANDLER": "project.api.exception_handler",
    # OPTIONS points at the OpenAPI schema instead of describing fields (project/api.py).
    "DEFAULT_METADATA_CLASS": "project.api.SchemaMetadata",
    # Anonymous callers are limited per address, authenticated ones per user, higher.
    "DEFAULT_THROTTLE_CLASSES": [
        "project.throttling.AnonThrottle",
        "project.throttling.UserThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_rate("THROTTLE_ANON", "120/minute"),
        "user": env_rate("THROTTLE_USER", "2000/minute"),
    },
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Claimbase API",
    "DESCRIPTION": (
        "Atomic, checkable claims pinned to exact spans of their sources, moderated by "
        "reviewers. Offsets are Unicode code points, half-open [start, end).\n\n"
        "Authenticate with `Authorization: Token <key>` or `Authorization: Bearer <key>` "
        "(the same token, from POST /api/v1/auth/token/), or a session; an `Authorization` "
        "header of another scheme is a 401. Errors are JSON: `{\"detail\", \"code\"}`, with per-field `errors` on 400."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Tags and operation ids from the resource ("claims_list"), not the version segment.
    "SCHEMA_PATH_PREFIX": r"/api/v[0-9]+",
    # The choice sets share their values (status appears on claims and reviews...).
    "ENUM_NAME_OVERRIDES": {
        "ClaimStatusEnum": "claims.models.Claim.Status",
        "VerdictEnum": "claims.models.Claim.Verdict",
        "ConfidenceEnum": "claims.models.Claim.Confidence",
        "StanceEnum": "claims.models.Evidence.Stance",
        "SourceKindEnum": "sources.models.Source.Kind",
        "EntityKindEnum": "claims.models.Entity.Kind",
        "ReliabilityEnum": "sources.models.Source.Reliability",
        "AnchorStateEnum": "sources.models.Span.AnchorState",
        "ReviewActionEnum": "claims.models.Review.Action",
        "RelationKindEnum": "claims.models.ClaimRelation.Kind",
    },
}

# The cache holds the throttles' counts and the read-your-writes markers, so every worker
# and server must see the same one: Redis with CACHE_URL=redis://host:6379/0 (Django's own
# backend), else the database cache of the embedded default (its table, and the throttles'
# counters' table beside it, made by `migrate`; project/cache.py).
CACHE_URL = os.environ.get("CACHE_URL", "").strip()
# How long a request waits for Redis to connect, and to answer, before the throttles count
# in the process's own memory instead (project/throttling.py): Redis down is no 500.
CACHE_TIMEOUT_SECONDS = env_number("CACHE_TIMEOUT_SECONDS", "0.5", positive=True, most=30)
if CACHE_URL:
    check_redis_url("CACHE_URL", CACHE_URL)
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "OPTIONS": {"socket_connect_timeout": CACHE_TIMEOUT_SECONDS, "socket_timeout": CACHE_TIMEOUT_SECONDS},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "project.cache.DatabaseCache",
            "LOCATION": "claimbase_cache",
            # Markers of many callers; expired ones are swept when this many are kept.
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        }
    }

# Clients behind proxies: how many proxies in front of the server append to X-Forwarded-For
# (project/addresses.py). 0: the header is ignored, the socket's address counts.
TRUSTED_PROXY_COUNT = env_number("TRUSTED_PROXY_COUNT", "0", kind=int)
# Whether a request came over HTTPS, from X-Forwarded-Proto, only behind those proxies (the
# nearest of which sets the header, replacing what the client sent): with none, any client
# could make the server believe it (absolute links in https, secure-only checks passed).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if TRUSTED_PROXY_COUNT else None

# Failed logins (the admin's and the API token's), limited per username and per address by
# django-axes: LOGIN_FAILURE_LIMIT failures lock that username, and that address, out for
# LOGIN_LOCKOUT_MINUTES (429 with Retry-After); a success does not wipe an address's count.
AXES_FAILURE_LIMIT = env_number("LOGIN_FAILURE_LIMIT", "10", kind=int, least=1)
# At most a year (a lockout longer than that is one to lift by hand, axes_reset): far more
# would overflow the timedelta, a traceback at start-up that names no variable.
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_number("LOGIN_LOCKOUT_MINUTES", "15", positive=True, most=365 * 1440))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_CLIENT_IP_CALLABLE = "project.addresses.client_key"  # IPv6: per /64, as the throttles count
AXES_LOCKOUT_CALLABLE = "project.auth.lockout_response"
AXES_RESET_ON_SUCCESS = False
AXES_VERBOSE = False

def _utc_log_formatter() -> logging.Formatter:
    """Each line of the log timestamped in UTC, with its level and logger, as the webhook
    worker's own lines are timestamped."""
    formatter = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s", "%Y-%m-%dT%H:%M:%SZ")
    formatter.converter = time.gmtime
    return formatter


LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"utc": {"()": _utc_log_formatter}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "utc"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    # A page without main text is refused, saying so (sources.ingest.html); trafilatura's own
    # warning of it ("discarding data: None") says nothing more, on every such page. Its
    # other messages pass.
    "filters": {
        "not_discarding": {
            "()": "django.utils.log.CallbackFilter",
            "callback": lambda record: not record.getMessage().startswith("discarding data"),
        }
    },
    "loggers": {"trafilatura.core": {"filters": ["not_discarding"]}},
}
